//! Lambda proxy (AWS_PROXY) events of WebSocket routes, per event type, keys in AWS's order
//! (recorded `$connect` events, and aws-lambda-go's `APIGatewayWebsocketProxyRequest`):
//!
//! - `CONNECT`: `headers`, `multiValueHeaders`, `queryStringParameters` and
//!   `multiValueQueryStringParameters` (only with a query string), `requestContext`,
//!   `isBase64Encoded`. Headers are the handshake's minus hop-by-hop ones (so no `Connection` or
//!   `Upgrade`), plus `X-Forwarded-For`/`-Port`/`-Proto` and `X-Amzn-Trace-Id`, as for REST
//!   events, names spelled as the client sent them (as REST events keep them), lower case when
//!   the spelling was not recorded.
//! - `MESSAGE`: `requestContext` (with `messageId`), `body`, `isBase64Encoded` (binary frames
//!   are sent base64).
//! - `DISCONNECT`: the few headers AWS sends then (`Host`, `x-api-key`, `X-Forwarded-For`,
//!   `x-restapi`), `requestContext` with `disconnectStatusCode` and `disconnectReason`.
//!
//! `requestContext`: `routeKey`, `messageId`, `eventType`, `extendedRequestId`, `requestTime`,
//! `messageDirection` (`IN`), `stage`, `connectedAt`, `requestTimeEpoch`, `identity`
//! (`userAgent`, `sourceIp`), `requestId`, `domainName` (the `Host` the client connected to, so
//! a function can build its management endpoint `http://{domainName}/{stage}`), `connectionId`,
//! `apiId`; `authorizer` when `$connect`'s Lambda authorizer admitted the connection.

use serde_json::{Map, Value};

use crate::integrate::lambda::body::EventBody;
use crate::integrate::lambda::header_case::HeaderCase;
use crate::integrate::lambda::request::{multi_values, single_values, EventHeaders, ProxyRequest};

use super::connection::Session;
use super::context::WsContext;

/// What the event is about.
pub(crate) enum EventKind<'a> {
    /// The handshake, described by its request and the client's spelling of its header names.
    Connect(&'a ProxyRequest<'a>, Option<&'a HeaderCase>),
    Message {
        body: &'a [u8],
        binary: bool,
        message_id: &'a str,
    },
    Disconnect {
        status: u16,
        reason: &'a str,
    },
}

/// The ids and time of one event.
pub(crate) struct EventIds {
    pub(crate) request_id: String,
    pub(crate) request_time: String,
    pub(crate) request_time_epoch: u64,
}

impl EventIds {
    /// Fresh ids for an event happening now.
    pub(crate) fn now() -> EventIds {
        let now = time::OffsetDateTime::now_utc();
        EventIds {
            request_id: crate::ids::extended_request_id(),
            request_time: request_time(now),
            request_time_epoch: u64::try_from(now.unix_timestamp_nanos() / 1_000_000).unwrap_or(0),
        }
    }
}

/// `requestTime`: `25/Nov/2026:17:36:42 +0000`.
fn request_time(now: time::OffsetDateTime) -> String {
    const FORMAT: &[time::format_description::BorrowedFormatItem<'static>] = time::macros::format_description!(
        "[day]/[month repr:short]/[year]:[hour]:[minute]:[second] +0000"
    );
    now.format(FORMAT).unwrap_or_default()
}

/// The event a Lambda proxy integration of `route_key` receives.
pub(crate) fn event(
    session: &Session,
    route_key: &str,
    kind: &EventKind<'_>,
    ids: &EventIds,
) -> Value {
    let mut event = Map::new();
    match kind {
        EventKind::Connect(request, case) => {
            insert_request(&mut event, request, &request.headers(false, true), *case);
        }
        EventKind::Disconnect { .. } => {
            let headers = [
                ("Host", session.domain_name.as_str()),
                ("x-api-key", ""),
                ("X-Forwarded-For", ""),
                ("x-restapi", ""),
            ];
            let single: Map<String, Value> = headers
                .iter()
                .map(|(k, v)| ((*k).to_owned(), Value::from(*v)))
                .collect();
            let multi: Map<String, Value> = headers
                .iter()
                .map(|(k, v)| ((*k).to_owned(), Value::from(vec![*v])))
                .collect();
            event.insert("headers".into(), Value::Object(single));
            event.insert("multiValueHeaders".into(), Value::Object(multi));
        }
        EventKind::Message { .. } => {}
    }
    event.insert(
        "requestContext".into(),
        request_context(session, route_key, kind, ids),
    );
    match kind {
        EventKind::Message { body, binary, .. } => {
            let body = EventBody::new(body, *binary);
            event.insert(
                "body".into(),
                body.text
                    .map_or(Value::String(String::new()), Value::String),
            );
            event.insert("isBase64Encoded".into(), body.base64.into());
        }
        _ => {
            event.insert("isBase64Encoded".into(), false.into());
        }
    }
    Value::Object(event)
}

fn request_context(
    session: &Session,
    route_key: &str,
    kind: &EventKind<'_>,
    ids: &EventIds,
) -> Value {
    let mut context = Map::new();
    context.insert("routeKey".into(), route_key.into());
    if let Some(authorizer) = &session.authorizer {
        context.insert("authorizer".into(), authorizer.clone());
    }
    let event_type = match kind {
        EventKind::Connect(..) => "CONNECT",
        EventKind::Message { message_id, .. } => {
            context.insert("messageId".into(), (*message_id).into());
            "MESSAGE"
        }
        EventKind::Disconnect { status, .. } => {
            context.insert("disconnectStatusCode".into(), (*status).into());
            "DISCONNECT"
        }
    };
    context.insert("eventType".into(), event_type.into());
    context.insert("extendedRequestId".into(), ids.request_id.as_str().into());
    context.insert("requestTime".into(), ids.request_time.as_str().into());
    context.insert("messageDirection".into(), "IN".into());
    if let EventKind::Disconnect { reason, .. } = kind {
        context.insert("disconnectReason".into(), (*reason).into());
    }
    context.insert("stage".into(), session.stage.name.as_str().into());
    context.insert("connectedAt".into(), session.connected_at_ms.into());
    context.insert("requestTimeEpoch".into(), ids.request_time_epoch.into());
    let mut identity = Map::new();
    identity.insert(
        "userAgent".into(),
        session
            .user_agent
            .as_deref()
            .map_or(Value::Null, Value::from),
    );
    identity.insert("sourceIp".into(), session.source_ip.as_str().into());
    context.insert("identity".into(), Value::Object(identity));
    context.insert("requestId".into(), ids.request_id.as_str().into());
    context.insert("domainName".into(), session.domain_name.as_str().into());
    context.insert("connectionId".into(), session.connection_id.as_str().into());
    context.insert("apiId".into(), session.api.id().into());
    Value::Object(context)
}

/// `headers`, `multiValueHeaders` and, with a query string, `queryStringParameters` and
/// `multiValueQueryStringParameters` of a handshake; headers in lower-case name order (as AWS
/// lists them: case-insensitively sorted), named as [`spelled`].
fn insert_request(
    event: &mut Map<String, Value>,
    request: &ProxyRequest<'_>,
    headers: &EventHeaders,
    case: Option<&HeaderCase>,
) {
    let last = |list: &Vec<String>| list.last().cloned().unwrap_or_default();
    let mut single = Map::new();
    let mut multi = Map::new();
    for (name, values) in headers {
        let name = spelled(name, case);
        single.insert(name.to_owned(), last(values).into());
        let list = values.iter().map(|v| Value::from(v.as_str())).collect();
        multi.insert(name.to_owned(), Value::Array(list));
    }
    event.insert("headers".into(), Value::Object(single));
    event.insert("multiValueHeaders".into(), Value::Object(multi));
    let query = request.query_parameters();
    if !query.is_empty() {
        event.insert(
            "queryStringParameters".into(),
            Value::Object(single_values(query.iter().map(|(k, v)| (k, last(v))))),
        );
        event.insert(
            "multiValueQueryStringParameters".into(),
            Value::Object(multi_values(&query)),
        );
    }
}

/// How an event names the lower-case header `name`: as the client spelled it when that was
/// recorded (REST events do the same), the headers API Gateway adds as AWS spells them.
fn spelled<'a>(name: &'a str, case: Option<&'a HeaderCase>) -> &'a str {
    let Some(case) = case else {
        return name;
    };
    match name {
        "x-forwarded-for" => "X-Forwarded-For",
        "x-forwarded-port" => "X-Forwarded-Port",
        "x-forwarded-proto" => "X-Forwarded-Proto",
        "x-amzn-trace-id" => "X-Amzn-Trace-Id",
        lower => case.spelling(lower).unwrap_or(lower),
    }
}

/// The event a `$connect` REQUEST authorizer receives ("Control access to WebSocket APIs with
/// AWS Lambda REQUEST authorizers"): `type`, `methodArn`, the handshake's headers (`Connection`
/// and `Upgrade` included) and query string, `stageVariables`, and a `requestContext` like
/// CONNECT's (`identity` holding only `sourceIp`).
pub(crate) fn authorizer_event(
    ws: &WsContext,
    request: &ProxyRequest<'_>,
    case: Option<&HeaderCase>,
    method_arn: &str,
) -> Value {
    let mut event = Map::new();
    event.insert("type".into(), "REQUEST".into());
    event.insert("methodArn".into(), method_arn.into());
    let mut headers = request.headers(false, true);
    for name in [http::header::CONNECTION, http::header::UPGRADE] {
        let values: Vec<String> = request
            .headers
            .get_all(&name)
            .iter()
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            .collect();
        if !values.is_empty() {
            headers.insert(name.as_str().to_owned(), values);
        }
    }
    insert_request(&mut event, request, &headers, case);
    event.insert(
        "stageVariables".into(),
        Value::Object(request.stage_variables().unwrap_or_default()),
    );
    let mut context = Map::new();
    context.insert("routeKey".into(), ws.route_key.as_str().into());
    context.insert("eventType".into(), ws.event_type.into());
    context.insert("extendedRequestId".into(), ws.request_id.as_str().into());
    context.insert("requestTime".into(), ws.request_time.as_str().into());
    context.insert("messageDirection".into(), "IN".into());
    context.insert("stage".into(), request.stage_name().into());
    context.insert("connectedAt".into(), ws.connected_at.into());
    context.insert("requestTimeEpoch".into(), ws.request_time_epoch.into());
    let mut identity = Map::new();
    identity.insert("sourceIp".into(), ws.source_ip.as_str().into());
    context.insert("identity".into(), Value::Object(identity));
    context.insert("requestId".into(), ws.request_id.as_str().into());
    context.insert("domainName".into(), ws.domain_name.as_str().into());
    context.insert("connectionId".into(), ws.connection_id.as_str().into());
    context.insert("apiId".into(), ws.api_id.as_str().into());
    event.insert("requestContext".into(), Value::Object(context));
    Value::Object(event)
}
