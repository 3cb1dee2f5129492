//! The opening handshake: an HTTP/1.1 upgrade request to the API's URL.
//!
//! The connection has its id (and `$context`, [`WsContext`]) from the start. In API Gateway's
//! order: `$connect`'s authorization (its Lambda `REQUEST` authorizer, which gets the WebSocket
//! event shape and the method ARN `.../{stage}/$connect`, IAM, or an API key, run by the REST
//! authorize stage: a refusal answers the handshake with that gateway response, 401 or 403, and
//! counts as a ClientError), then `$connect`'s integration: a status outside 2xx (a
//! Lambda proxy result's `statusCode`) refuses the connection with that status and body ("Set
//! up a $connect route that requires a WebSocket subprotocol": `Unexpected server response:
//! 400`), a failed integration with 500. A `Sec-WebSocket-Protocol` header in its answer is
//! returned to the client. Without a `$connect` route every handshake is accepted. Between the
//! two, the stage's throttle for `$connect` ([`throttle`](super::throttle)): a refused handshake
//! is 429 `{"message":"Too Many Requests"}`, as a throttled REST request. Then the
//! connection is registered and the socket handed to [`connection`](super::connection).

use std::sync::Arc;
use std::time::SystemTime;

use bytes::Bytes;
use http::header::{
    CONNECTION, SEC_WEBSOCKET_ACCEPT, SEC_WEBSOCKET_KEY, SEC_WEBSOCKET_PROTOCOL,
    SEC_WEBSOCKET_VERSION, UPGRADE, USER_AGENT,
};
use http::request::Parts;
use http::{HeaderMap, HeaderValue, Method, Response, StatusCode, Version};
use hyper::upgrade::OnUpgrade;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use turnpike_model::{
    Api, ApiKind, Deployment, HttpMethod, Integration, IntegrationType, Route, RouteAuth, RouteKey,
    Stage, WebSocketApi,
};
use turnpike_state::{ConnectionInfo, Outbound};

use crate::authorize::{self, Gate};
use crate::body::{RequestBody, ResponseBody};
use crate::context::RequestContext;
use crate::integrate::lambda::body::EventBody;
use crate::integrate::lambda::header_case::HeaderCase;
use crate::integrate::lambda::request::ProxyRequest;
use crate::mapping::MethodRequest;
use crate::pipeline::Shared;
use crate::snapshot::{CompiledApi, Snapshot, StageInfo};

use super::connection::{self, Session};
use super::context::WsContext;
use super::event::{EventIds, EventKind};
use super::integration::WsCall;
use super::metrics::WsMetric;
use super::{message_response, CompiledWebSocketApi};

/// Whether `headers` ask to upgrade to WebSocket (`Upgrade: websocket`, `Connection: upgrade`).
pub(crate) fn is_upgrade(headers: &HeaderMap) -> bool {
    let has_token = |name, token: &str| {
        headers.get_all(name).iter().any(|v| {
            v.to_str()
                .is_ok_and(|v| v.split(',').any(|t| t.trim().eq_ignore_ascii_case(token)))
        })
    };
    has_token(UPGRADE, "websocket") && has_token(CONNECTION, "upgrade")
}

/// `$connect`'s requirement as a one-route API the authorize stage can run, or `None` when it
/// requires nothing.
pub(crate) fn compile_connect_auth(api: &WebSocketApi) -> Option<Arc<CompiledApi>> {
    let connect = api.route("$connect")?;
    if matches!(connect.auth, RouteAuth::None) && !connect.api_key_required {
        return None;
    }
    let mut route = Route::new(
        RouteKey::Method {
            method: HttpMethod::Get,
            path: "/".into(),
        },
        connect.pointer.clone(),
        Integration::new(IntegrationType::Mock),
    );
    route.auth = connect.auth.clone();
    route.api_key_required = connect.api_key_required;
    let model = Api {
        id: api.id.clone(),
        routes: vec![route],
        authorizers: api.authorizers.clone(),
        api_key_source: api.api_key_source,
        ..Api::new(api.name.clone(), ApiKind::Rest, api.source.clone())
    };
    let deployment = Deployment::new(vec![Arc::new(model)], vec![Stage::new("ws")]);
    Snapshot::build(&deployment).apis.into_iter().next()
}

/// Answers a handshake: 101 and the connection served from then on, or the refusal.
pub(crate) async fn connect(
    shared: &Arc<Shared>,
    api: &Arc<CompiledWebSocketApi>,
    stage: Arc<StageInfo>,
    parts: &mut Parts,
    ctx: &mut RequestContext,
) -> Response<ResponseBody> {
    let key = parts
        .headers
        .get(SEC_WEBSOCKET_KEY)
        .filter(|_| parts.method == Method::GET && parts.version == Version::HTTP_11)
        .filter(|_| {
            parts
                .headers
                .get(SEC_WEBSOCKET_VERSION)
                .is_some_and(|v| v.as_bytes() == b"13")
        });
    let Some(accept) = key.map(|key| derive_accept_key(key.as_bytes())) else {
        return message_response(StatusCode::BAD_REQUEST, "Bad Request");
    };
    // The connection has its id from the start: `$connect`'s authorizer sees it already.
    let ids = EventIds::now();
    let ws = WsContext {
        connection_id: connection_id(),
        route_key: "$connect".to_owned(),
        event_type: "CONNECT",
        message_id: None,
        connected_at: ctx.request_time_epoch,
        request_id: ids.request_id.clone(),
        request_time: ids.request_time.clone(),
        request_time_epoch: ids.request_time_epoch,
        domain_name: parts
            .headers
            .get(http::header::HOST)
            .and_then(|v| v.to_str().ok())
            .map_or_else(|| ctx.connection.local.to_string(), str::to_owned),
        api_id: api.id().to_owned(),
        source_ip: ctx.source_ip().to_string(),
        user_agent: parts
            .headers
            .get(USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
    };
    ctx.stage = Some(stage.clone());
    ctx.websocket = Some(Box::new(ws.clone()));
    if let Some(auth_api) = &api.connect_auth {
        if let Err(refusal) = authorize(shared, auth_api, &stage, parts, ctx).await {
            api.count(&stage.name, WsMetric::ClientError);
            return refusal;
        }
    }
    // As REST throttles after authorization: the stage's `$connect` bucket, then the account's.
    if !super::throttle::admit(shared, api, &stage.name, "$connect").await {
        api.count(&stage.name, WsMetric::ClientError);
        return message_response(StatusCode::TOO_MANY_REQUESTS, "Too Many Requests");
    }
    let now = SystemTime::now();
    let session = Arc::new(Session {
        api: api.clone(),
        stage: stage.clone(),
        connection_id: ws.connection_id,
        connected_at_ms: ws.connected_at,
        domain_name: ws.domain_name,
        source_ip: ws.source_ip,
        user_agent: ws.user_agent,
        authorizer: authorize::event_authorizer_v1(ctx),
        authorizer_context: ctx.authorizer.clone(),
        client: ctx.connection,
        path: parts.uri.path().to_owned(),
    });
    let mut response = Response::new(ResponseBody::empty());
    if let Some(route) = api.route("$connect") {
        let request = ProxyRequest {
            ctx,
            headers: &parts.headers,
            query: parts.uri.query(),
            params: None,
            body: EventBody::new(&[], false),
        };
        let call = WsCall {
            shared,
            session: &session,
            route_key: "$connect",
            kind: EventKind::Connect(&request, parts.extensions.get::<HeaderCase>()),
            ids: &ids,
        };
        match route.integration.call(call).await {
            Ok(reply) if (200..300).contains(&reply.status) => {
                if let Some(protocol) = reply.headers.get(SEC_WEBSOCKET_PROTOCOL) {
                    response
                        .headers_mut()
                        .insert(SEC_WEBSOCKET_PROTOCOL, protocol.clone());
                }
            }
            Ok(reply) => return refused(reply.status, reply.body),
            Err(_) => {
                return message_response(StatusCode::INTERNAL_SERVER_ERROR, "Internal server error")
            }
        }
    }
    let Some(upgrade) = parts.extensions.remove::<OnUpgrade>() else {
        // Only an HTTP/1.1 connection served with upgrades carries one.
        return message_response(StatusCode::BAD_REQUEST, "Bad Request");
    };
    let (sender, receiver) = turnpike_state::outbound_channel();
    let info = ConnectionInfo {
        connection_id: session.connection_id.clone(),
        api_id: api.id().to_owned(),
        stage: stage.name.clone(),
        connected_at: now,
        last_active_at: now,
        source_ip: session.source_ip.clone(),
        user_agent: session.user_agent.clone(),
    };
    shared.connections.register(info, sender.clone()).await;
    tokio::spawn(connection::run(
        shared.clone(),
        session,
        upgrade,
        sender,
        receiver,
    ));
    *response.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
    let headers = response.headers_mut();
    headers.insert(UPGRADE, HeaderValue::from_static("websocket"));
    headers.insert(CONNECTION, HeaderValue::from_static("Upgrade"));
    if let Ok(accept) = HeaderValue::from_str(&accept) {
        headers.insert(SEC_WEBSOCKET_ACCEPT, accept);
    }
    response
}

/// A connection id: an extended request id (16 characters, base64 of 11 random bytes, as AWS's
/// look) without `/` or `+`, so it is one path segment as is in `@connections` URLs.
fn connection_id() -> String {
    crate::ids::extended_request_id().replace(['/', '+'], "A")
}

/// Runs `$connect`'s requirement; `Err` is the gateway response refusing the handshake.
async fn authorize(
    shared: &Shared,
    auth_api: &Arc<CompiledApi>,
    stage: &Arc<StageInfo>,
    parts: &Parts,
    ctx: &mut RequestContext,
) -> Result<(), Response<ResponseBody>> {
    ctx.api = Some(auth_api.clone());
    ctx.stage = Some(stage.clone());
    ctx.route = Some(0);
    let mut body = RequestBody::Buffered(Bytes::new());
    let gate = Gate {
        auth: &auth_api.auth,
        settings: &shared.auth,
        route: 0,
        params: None,
        functions: shared.functions.as_ref().map(|f| &*f.0),
        client: &shared.client,
        body: &mut body,
        max_body_bytes: shared.limits.max_body_bytes,
    };
    match Box::pin(authorize::authorize(gate, ctx, parts)).await {
        Ok(()) => Ok(()),
        Err(error) => {
            let request = MethodRequest::of(parts, None);
            Err(crate::gateway_response::render(
                ApiKind::Rest,
                &auth_api.gateway_responses,
                &error,
                ctx,
                &request,
            ))
        }
    }
}

/// `$connect`'s integration refused the connection with `status`.
fn refused(status: u16, body: Option<Outbound>) -> Response<ResponseBody> {
    let bytes = match body {
        Some(Outbound::Text(text)) => Bytes::from(text),
        Some(Outbound::Binary(data)) => data,
        _ => Bytes::new(),
    };
    let mut response = Response::new(ResponseBody::full(bytes));
    *response.status_mut() =
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    response
}
