//! The request pipeline, in the order a request meets it:
//!
//! 1. **context** ([`context`](crate::context)): request ids, time, connection;
//! 2. **dispatch** ([`dispatch`](crate::dispatch)): API and stage from Host, path form or prefix;
//! 3. **limits** ([`limits`](crate::limits)): URI length, header size, declared body size;
//! 4. **route**: the API's router result for the path after the stage;
//! 5. **authorize** ([`authorize`](crate::authorize)): resource policy, authorizer or IAM, API key;
//! 6. **integrate** ([`integrate`](crate::integrate)): HTTP_PROXY, HTTP or MOCK;
//! 7. **respond** ([`respond`](crate::respond)): back-end headers remapped, request ids added;
//! 8. **access log** ([`access_log`](crate::access_log)): once the body has been sent.
//!
//! Every failure is a [`GatewayError`] value, rendered by the single
//! [`gateway_response::render`]. Dispatch comes before the limits so that an over-limit request
//! is answered with its API's kind and customised gateway responses.

use std::sync::Arc;

use arc_swap::ArcSwap;
use http::header::HOST;
use http::request::Parts;
use http::{Request, Response};
use hyper::body::Incoming;
use turnpike_model::{ApiKind, IntegrationType};

use crate::access_log::{AccessLogSink, LoggedBody};
use crate::authorize;
use crate::body::{RequestBody, ResponseBody};
use crate::config::Limits;
use crate::context::{ClientConnection, RequestContext};
use crate::dispatch::dispatch;
use crate::gateway_response::{self, GatewayError, GatewayResponses};
use crate::integrate::{self, Call, UpstreamClient};
use crate::limits;
use crate::mapping::MethodRequest;
use crate::router::{PathParams, RouteMiss};
use crate::snapshot::Snapshot;
use crate::{respond, snapshot};

/// What every request shares: the current deployment and the gateway's resources.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) snapshot: ArcSwap<Snapshot>,
    pub(crate) client: UpstreamClient,
    pub(crate) limits: Limits,
    pub(crate) access_log: AccessLogSink,
    pub(crate) functions: Option<integrate::lambda::Functions>,
}

/// Answers one request. Never fails: every failure becomes a gateway response.
pub(crate) async fn handle(
    shared: Arc<Shared>,
    request: Request<Incoming>,
    connection: ClientConnection,
) -> Response<LoggedBody> {
    let (parts, body) = request.into_parts();
    let mut ctx = RequestContext::new(&parts, connection);
    let snapshot = shared.snapshot.load_full();
    let mut params = None;
    let response = match serve(&shared, &snapshot, &mut ctx, &parts, body, &mut params).await {
        Ok((mut response, integration)) => {
            respond::finish(&mut response, &mut ctx, Some(integration));
            response
        }
        Err(error) => {
            let mut response = render_error(&error, &mut ctx, &parts, params.as_ref());
            respond::finish(&mut response, &mut ctx, None);
            response
        }
    };
    let (response_parts, body) = response.into_parts();
    Response::from_parts(
        response_parts,
        LoggedBody::new(body, ctx, &shared.access_log),
    )
}

async fn serve(
    shared: &Shared,
    snapshot: &Snapshot,
    ctx: &mut RequestContext,
    parts: &Parts,
    body: Incoming,
    params: &mut Option<PathParams>,
) -> Result<(Response<ResponseBody>, IntegrationType), GatewayError> {
    let host = parts
        .headers
        .get(HOST)
        .and_then(|v| v.to_str().ok())
        .or_else(|| parts.uri.authority().map(|a| a.as_str()));
    let target = dispatch(snapshot, &parts.method, host, parts.uri.path())
        .ok_or_else(GatewayError::missing_authentication_token)?;
    if target.stage.is_none() && target.api.kind == ApiKind::Rest {
        // Left out of `ctx.api` on purpose: the API's customised responses do not apply.
        return Err(GatewayError::unknown_stage());
    }
    ctx.api = Some(target.api.clone());
    ctx.stage = target.stage;

    limits::check_uri(&parts.uri, &shared.limits)?;
    limits::check_headers(&parts.headers, &shared.limits)?;
    limits::check_content_length(&parts.headers, &shared.limits)?;

    let matched = target.route.map_err(|miss| match miss {
        RouteMiss::NoRoute => GatewayError::missing_authentication_token(),
        RouteMiss::MalformedPath => GatewayError::bad_request(),
    })?;
    let route = target
        .api
        .routes
        .get(matched.route)
        .ok_or_else(GatewayError::internal_server_error)?;
    ctx.route = Some(matched.route);
    let params = &*params.insert(matched.params);

    let body = RequestBody::Stream(body);
    let gate = authorize::Gate {
        auth: &target.api.auth,
        route: matched.route,
        params: Some(params),
        functions: shared.functions.as_ref().map(|f| &*f.0),
        client: &shared.client,
    };
    authorize::authorize(gate, ctx, parts).await?;

    let call = Call {
        client: &shared.client,
        ctx,
        parts,
        body,
        params: Some(params),
        max_body_bytes: shared.limits.max_body_bytes,
        functions: shared.functions.as_ref().map(|f| &*f.0),
    };
    let response = integrate::invoke(&route.integration, call).await?;
    Ok((response, route.integration.kind()))
}

fn render_error(
    error: &GatewayError,
    ctx: &mut RequestContext,
    parts: &Parts,
    params: Option<&PathParams>,
) -> Response<ResponseBody> {
    static NONE: std::sync::LazyLock<GatewayResponses> =
        std::sync::LazyLock::new(GatewayResponses::default);
    let request = MethodRequest {
        headers: &parts.headers,
        query: parts.uri.query(),
        path_params: params,
    };
    let api: Option<Arc<snapshot::CompiledApi>> = ctx.api.clone();
    let (kind, responses) = match &api {
        Some(api) => (api.kind, &api.gateway_responses),
        None => (ApiKind::Rest, &*NONE),
    };
    gateway_response::render(kind, responses, error, ctx, &request)
}
