//! WebSocket APIs (API Gateway v2, `ProtocolType: WEBSOCKET`) in the data plane.
//!
//! A WebSocket API is selected as HTTP APIs are ([`select`]): by `Host`
//! `{api-id}.execute-api.localhost`, by the `/restapis/{api-id}/{stage}/_user_request_/` path
//! form, or by the stage in the path, its URL being `ws://{host}/{stage}`. On that URL:
//!
//! - an upgrade request is the handshake ([`handshake`]): `$connect`'s authorization and
//!   integration decide, then the socket is served by [`connection`] (route selection in
//!   [`route`], integrations in [`integration`], Lambda events in [`event`]) until it closes,
//!   when `$disconnect` runs;
//! - `/{stage}/@connections/{connectionId}` is the management API ([`manage`]);
//! - anything else is answered here without reaching the REST/HTTP pipeline.
//!
//! Every event has its WebSocket `$context` ([`context`]) for templates and access logs, and is
//! counted in CloudWatch's WebSocket metrics ([`metrics`]). A shutdown closes open sockets with
//! 1001 within the drain ([`shutdown`]).
//!
//! Live connections are kept in the gateway's
//! [`ConnectionRegistry`](turnpike_state::ConnectionRegistry), shared by every worker thread.

mod connection;
mod context;
pub(crate) mod event;
mod handshake;
mod integration;
mod manage;
pub(crate) mod metrics;
mod route;
mod select;
mod throttle;

#[cfg(test)]
mod tests;

pub(crate) use self::connection::shutdown;
pub(crate) use self::context::WsContext;
pub(crate) use self::event::authorizer_event;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::header::{CONTENT_TYPE, HOST};
use http::{HeaderValue, Request, Response, StatusCode};
use hyper::body::Incoming;
use turnpike_model::{Deployment, Stage, WebSocketApi};

use crate::access_log::LoggedBody;
use crate::body::ResponseBody;
use crate::context::{ClientConnection, RequestContext};
use crate::pipeline::Shared;
use crate::snapshot::{CompiledApi, Snapshot, StageInfo};

use self::integration::RouteIntegration;
use self::select::WsRequest;

/// AWS's quotas for WebSocket APIs ("Quotas for configuring and running a WebSocket API"):
/// a frame of at most 32 KB, a message of at most 128 KB (larger closes the connection with
/// 1009), 10 minutes without a message either way, 2 hours in all.
pub(crate) const MAX_FRAME_BYTES: usize = 32 * 1024;
pub(crate) const MAX_MESSAGE_BYTES: usize = 128 * 1024;
pub(crate) const IDLE_TIMEOUT: Duration = Duration::from_secs(10 * 60);
pub(crate) const MAX_DURATION: Duration = Duration::from_secs(2 * 60 * 60);

/// One WebSocket API, compiled.
pub(crate) struct CompiledWebSocketApi {
    pub(crate) model: Arc<WebSocketApi>,
    pub(crate) stages: Vec<Arc<StageInfo>>,
    /// Index-aligned with `model.routes`.
    pub(crate) routes: Vec<CompiledWsRoute>,
    /// CloudWatch's WebSocket metrics, index-aligned with `stages`. They start at 0 with each
    /// compiled deployment ([`carry_counters`] keeps them across a reload).
    pub(crate) counters: Vec<Arc<metrics::WsCounters>>,
    /// `$connect`'s access control as the authorize stage runs it: a one-route API whose route
    /// 0 carries `$connect`'s requirement. `None` when `$connect` requires nothing.
    pub(crate) connect_auth: Option<Arc<CompiledApi>>,
    /// Stage throttling, by stage and route ([`throttle`]).
    pub(crate) throttles: throttle::Limits,
}

impl fmt::Debug for CompiledWebSocketApi {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CompiledWebSocketApi")
            .field("id", &self.model.id)
            .field("routes", &self.routes.len())
            .finish_non_exhaustive()
    }
}

/// One route, compiled.
#[derive(Debug)]
pub(crate) struct CompiledWsRoute {
    pub(crate) key: String,
    pub(crate) integration: RouteIntegration,
    pub(crate) two_way: bool,
}

impl CompiledWebSocketApi {
    pub(crate) fn id(&self) -> &str {
        &self.model.id
    }

    pub(crate) fn route(&self, key: &str) -> Option<&CompiledWsRoute> {
        self.routes.iter().find(|r| r.key == key)
    }

    /// Counts one `metric` of `stage`.
    pub(crate) fn count(&self, stage: &str, metric: metrics::WsMetric) {
        if let Some(counters) = self.stage_counters(stage) {
            counters.add(metric);
        }
    }

    pub(crate) fn stage_counters(&self, stage: &str) -> Option<&Arc<metrics::WsCounters>> {
        let index = self.stages.iter().position(|s| s.name == stage)?;
        self.counters.get(index)
    }

    fn compile(api: &Arc<WebSocketApi>, stages: &[Stage]) -> CompiledWebSocketApi {
        let mut problems = Vec::new();
        let routes = api
            .routes
            .iter()
            .map(|route| {
                let mut route_problems = Vec::new();
                let integration = RouteIntegration::compile(route, &mut route_problems);
                problems.extend(
                    route_problems
                        .into_iter()
                        .map(|p| format!("{} ({}): {p}", route.key, route.pointer)),
                );
                CompiledWsRoute {
                    key: route.key.clone(),
                    integration,
                    two_way: route.two_way,
                }
            })
            .collect();
        for problem in &problems {
            tracing::warn!(api = %api.id, file = %api.source.display(), "{problem}");
        }
        // A WebSocket API without a stage would have no URL; `$default` serves it at `/`.
        let stages: Vec<Stage> = match stages {
            [] => vec![Stage::new(Stage::DEFAULT)],
            given => given.to_vec(),
        };
        let counters = stages.iter().map(|_| Arc::default()).collect();
        let throttles = throttle::compile(api, &stages);
        CompiledWebSocketApi {
            throttles,
            counters,
            model: api.clone(),
            stages: StageInfo::compile_all(stages),
            routes,
            connect_auth: handshake::compile_connect_auth(api),
        }
    }
}

/// Points `$connect`'s API key check at the gateway's key store (a freshly built snapshot only).
pub(crate) fn attach_api_keys(
    api: &mut Arc<CompiledWebSocketApi>,
    keys: &Arc<dyn crate::authorize::api_key::ApiKeyLookup>,
) {
    let auth = Arc::get_mut(api)
        .and_then(|api| api.connect_auth.as_mut())
        .and_then(Arc::get_mut);
    match auth {
        Some(auth) => auth.auth.api_keys = keys.clone(),
        None => {
            let requires_key = api.connect_auth.is_some();
            if requires_key {
                tracing::error!("API keys not attached: the snapshot is already in use");
            }
        }
    }
}

/// Gives the WebSocket APIs of a freshly built `next` snapshot the counters their API and stage
/// had in `previous`, so a reload does not reset them (Prometheus counters never go back).
pub(crate) fn carry_counters(previous: &Snapshot, next: &mut Snapshot) {
    for api in &mut next.websocket_apis {
        let Some(old) = previous.websocket_apis.iter().find(|o| o.id() == api.id()) else {
            continue;
        };
        let Some(api) = Arc::get_mut(api) else {
            tracing::error!("WebSocket counters not carried over: the snapshot is in use");
            continue;
        };
        for (stage, counters) in api.stages.iter().zip(api.counters.iter_mut()) {
            if let Some(kept) = old.stage_counters(&stage.name) {
                *counters = kept.clone();
            }
        }
    }
}

/// Compiles the deployment's WebSocket APIs.
pub(crate) fn compile_all(deployment: &Deployment) -> Vec<Arc<CompiledWebSocketApi>> {
    deployment
        .websocket_apis
        .iter()
        .map(|api| {
            Arc::new(CompiledWebSocketApi::compile(
                api,
                deployment.stages_of(&api.id),
            ))
        })
        .collect()
}

/// Serves `request` when it is for a WebSocket API (its handshake, its `@connections`
/// management API, or anything else sent to its URL); gives it back otherwise.
pub(crate) async fn intercept(
    shared: &Arc<Shared>,
    request: Request<Incoming>,
    connection: ClientConnection,
) -> Result<Response<LoggedBody>, Request<Incoming>> {
    // Most deployments have no WebSocket API: one atomic load and out.
    if shared.snapshot.load().websocket_apis.is_empty() {
        return Err(request);
    }
    let snapshot = shared.snapshot.load_full();
    let host = request
        .headers()
        .get(HOST)
        .and_then(|v| v.to_str().ok())
        .or_else(|| request.uri().authority().map(|a| a.as_str()));
    let upgrade = handshake::is_upgrade(request.headers());
    let Some(target) = select::select(&snapshot, host, request.uri().path()) else {
        return Err(request);
    };
    if !target.selected
        && !upgrade
        && target.request == WsRequest::Root
        && serves(&snapshot, &request)
    {
        // Without a selector, a REST or HTTP API route at the same path wins a plain request.
        return Err(request);
    }
    let (mut parts, body) = request.into_parts();
    let mut ctx = RequestContext::new(&parts, connection);
    let response = match (target.stage, target.request) {
        (Some(stage), WsRequest::Root) if upgrade => {
            // Boxed, as the pipeline boxes its large stages: this future is part of every
            // request's, WebSocket or not.
            Box::pin(handshake::connect(
                shared,
                &target.api,
                stage,
                &mut parts,
                &mut ctx,
            ))
            .await
        }
        (Some(_), WsRequest::Root) => upgrade_required(),
        (Some(stage), WsRequest::Manage(id)) => {
            Box::pin(manage::serve(
                shared,
                &target.api,
                &stage,
                &parts,
                body,
                &id,
            ))
            .await
        }
        _ => message_response(StatusCode::FORBIDDEN, "Forbidden"),
    };
    ctx.status = Some(response.status().as_u16());
    let (head, body) = response.into_parts();
    Ok(Response::from_parts(
        head,
        LoggedBody::new(body, ctx, &shared.access_log),
    ))
}

/// Whether a REST or HTTP API has a route for `request`.
fn serves(snapshot: &Snapshot, request: &Request<Incoming>) -> bool {
    let host = request.headers().get(HOST).and_then(|v| v.to_str().ok());
    crate::dispatch::dispatch(snapshot, request.method(), host, request.uri().path())
        .is_some_and(|target| target.route.is_ok())
}

/// A plain HTTP request to a WebSocket API's URL.
fn upgrade_required() -> Response<ResponseBody> {
    let mut response = message_response(StatusCode::UPGRADE_REQUIRED, "Upgrade Required");
    response
        .headers_mut()
        .insert(http::header::UPGRADE, HeaderValue::from_static("websocket"));
    response
}

/// `{"message":"..."}` with `status`, as API Gateway's own answers are.
pub(crate) fn message_response(status: StatusCode, message: &str) -> Response<ResponseBody> {
    let body = serde_json::json!({ "message": message }).to_string();
    let mut response = Response::new(ResponseBody::full(Bytes::from(body)));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}
