//! The request pipeline, in the order a request meets it:
//!
//! 1. **context** ([`context`](crate::context)): request ids, time, connection;
//! 2. **dispatch** ([`dispatch`](crate::dispatch)): API and stage from Host, path form or prefix;
//! 3. **limits** ([`limits`](crate::limits)): URI length, header size, declared body size;
//! 4. **route**: the API's router result for the path after the stage; an HTTP API with CORS
//!    answers here the preflights no route takes ([`cors`](crate::cors));
//! 5. **authorize** ([`authorize`](crate::authorize)): resource policy, authorizer or IAM, API key;
//! 6. **throttle** ([`traffic`](crate::traffic)): usage plan, method, account buckets; quotas;
//! 7. **validate** ([`validate`](crate::validate)): the method's request validator;
//! 8. **cache** ([`cache`](crate::cache)): a cached response answers here (REST); a miss
//!    calls the integration and stores its response;
//! 9. **integrate** ([`integrate`](crate::integrate)): HTTP_PROXY, HTTP, MOCK or Lambda;
//!    an HTTP API's parameter mapping ([`http_api`](crate::mapping::http_api)) rewrites the
//!    request before it and the response after it;
//! 10. **respond** ([`respond`](crate::respond)): back-end headers remapped, CORS headers,
//!     request ids added;
//! 11. **access log** ([`access_log`](crate::access_log)): once the body has been sent.
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
use crate::mapping::{http_api, MethodRequest};
use crate::router::{PathParams, RouteMiss};
use crate::snapshot::Snapshot;
use crate::{cors, respond, snapshot};

/// What every request shares: the current deployment and the gateway's resources.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) snapshot: ArcSwap<Snapshot>,
    pub(crate) client: UpstreamClient,
    pub(crate) limits: Limits,
    pub(crate) access_log: AccessLogSink,
    pub(crate) functions: Option<integrate::lambda::Functions>,
    /// IAM credentials and JWKS overrides.
    pub(crate) auth: authorize::AuthSettings,
    /// Throttles, usage plans and quotas; `None` without a state.
    pub(crate) traffic: Option<Arc<crate::traffic::Traffic>>,
    /// The response cache; `None` without a state.
    pub(crate) cache: Option<crate::cache::ResponseCache>,
    /// Live WebSocket connections, shared by every worker.
    pub(crate) connections: turnpike_state::ConnectionRegistry,
}

/// Answers one request. Never fails: every failure becomes a gateway response.
pub(crate) async fn handle(
    shared: Arc<Shared>,
    request: Request<Incoming>,
    connection: ClientConnection,
) -> Response<LoggedBody> {
    // WebSocket handshakes, `@connections` calls and plain requests to a WebSocket API's URL.
    let request = match crate::websocket::intercept(&shared, request, connection).await {
        Ok(response) => return response,
        Err(request) => request,
    };
    let (parts, body) = request.into_parts();
    let mut ctx = RequestContext::new(&parts, connection);
    let snapshot = shared.snapshot.load_full();
    let mut params = None;
    let (mut response, integration) =
        match serve(&shared, &snapshot, &mut ctx, &parts, body, &mut params).await {
            Ok((response, integration)) => (response, Some(integration)),
            Err(error) => (
                render_error(&error, &mut ctx, &parts, params.as_ref()),
                None,
            ),
        };
    // A success without a route is the gateway's own preflight answer, complete as it is.
    let own_preflight = integration.is_some() && ctx.route.is_none();
    if let Some(cors) = ctx.api.as_ref().and_then(|api| api.cors.as_ref()) {
        if !own_preflight {
            cors.decorate(&parts.headers, response.headers_mut());
        }
    }
    respond::finish(&mut response, &mut ctx, integration);
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

    let matched = match target.route {
        Ok(matched) => matched,
        Err(RouteMiss::NoRoute) => {
            // An HTTP API with CORS answers the preflights no route takes, before any authorizer.
            let cors = target.api.cors.as_ref();
            if let Some(cors) = cors.filter(|_| cors::is_preflight(&parts.method, &parts.headers)) {
                return Ok((cors.preflight(&parts.headers), IntegrationType::Mock));
            }
            return Err(GatewayError::missing_authentication_token());
        }
        Err(RouteMiss::MalformedPath) => return Err(GatewayError::bad_request()),
    };
    let route = target
        .api
        .routes
        .get(matched.route)
        .ok_or_else(GatewayError::internal_server_error)?;
    ctx.route = Some(matched.route);
    let params = &*params.insert(matched.params);

    let mut body = RequestBody::Stream(body);
    let gate = authorize::Gate {
        auth: &target.api.auth,
        settings: &shared.auth,
        route: matched.route,
        params: Some(params),
        functions: shared.functions.as_ref().map(|f| &*f.0),
        client: &shared.client,
        body: &mut body,
        max_body_bytes: shared.limits.max_body_bytes,
    };
    // Boxed: authorizers make this future several kilobytes, and inline it would make every
    // request's pipeline future (moved whole into its box by the server) that much larger.
    Box::pin(authorize::authorize(gate, ctx, parts)).await?;
    if let Some(traffic) = &shared.traffic {
        traffic.check(ctx, parts).await?;
    }
    if let Some(validation) = &route.validation {
        let max = shared.limits.max_body_bytes;
        validation
            .check(parts, Some(params), &mut body, max)
            .await?;
    }

    let cached = crate::cache::lookup(shared.cache.as_ref(), ctx, parts, Some(params)).await?;
    if let crate::cache::Lookup::Hit(response) = cached {
        return Ok((response, route.integration.kind()));
    }
    // HTTP API parameter mapping: the integration sees the mapped request head.
    let mapping = route.http_mapping.as_deref();
    let max = shared.limits.max_body_bytes;
    let mapped = http_api::map_request(mapping, parts, Some(params), ctx, &mut body, max).await?;
    let call = Call {
        client: &shared.client,
        ctx,
        parts: mapped.as_ref().unwrap_or(parts),
        body,
        params: Some(params),
        max_body_bytes: shared.limits.max_body_bytes,
        functions: shared.functions.as_ref().map(|f| &*f.0),
    };
    let response = integrate::invoke(&route.integration, call).await?;
    let response = http_api::map_response(mapping, response, parts, Some(params), ctx).await?;
    let response = cached.store(response).await?;
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
    let request = MethodRequest::of(parts, params);
    let api: Option<Arc<snapshot::CompiledApi>> = ctx.api.clone();
    let (kind, responses) = match &api {
        Some(api) => (api.kind, &api.gateway_responses),
        None => (ApiKind::Rest, &*NONE),
    };
    gateway_response::render(kind, responses, error, ctx, &request)
}
