//! The `@connections` management API (`apigatewaymanagementapi`), on the gateway's own listener
//! at `/{stage}/@connections/{connectionId}` of a WebSocket API's URL:
//!
//! - `POST` (PostToConnection): the body is sent to the client as one message, text when it is
//!   UTF-8, else binary; 200 with no body. Over the 128 KB message quota: 413
//!   `PayloadTooLargeException`. When the connection's outbound queue is full (the client reads
//!   slower than it is sent to): 429 `LimitExceededException` ("the WebSocket client side buffer
//!   is full"), with no body, wherever the socket is.
//! - `GET` (GetConnection): 200 `{"connectedAt", "identity": {"sourceIp", "userAgent"},
//!   "lastActiveAt"}`, timestamps ISO 8601 (botocore's `__timestampIso8601`).
//! - `DELETE` (DeleteConnection): 204; the connection closes and `$disconnect` runs.
//!
//! A connection that does not exist (any more), or belongs to another API or stage, is 410
//! with `x-amzn-ErrorType: GoneException` and no body, which SDKs report as `GoneException`
//! without a message (aws-sdk-java #2200, aws-sdk-js #3773). When the shared registry (Redis)
//! cannot tell, the answer is a 500 `InternalServerErrorException`, which SDKs retry. Requests signed with SigV4, as
//! boto3 signs them, are accepted without checking the signature.

use std::time::SystemTime;

use bytes::Bytes;
use http::header::CONTENT_TYPE;
use http::request::Parts;
use http::{HeaderValue, Method, Response, StatusCode};
use hyper::body::Incoming;
use turnpike_state::{ConnectionError, ConnectionInfo, Outbound};

use crate::body::{RequestBody, ResponseBody};
use crate::pipeline::Shared;
use crate::snapshot::StageInfo;

use super::integration::message;
use super::{message_response, CompiledWebSocketApi, MAX_MESSAGE_BYTES};

/// Answers one management API call for `connection_id`.
pub(crate) async fn serve(
    shared: &Shared,
    api: &CompiledWebSocketApi,
    stage: &StageInfo,
    parts: &Parts,
    body: Incoming,
    connection_id: &str,
) -> Response<ResponseBody> {
    let registry = &shared.connections;
    let owned = |info: ConnectionInfo| {
        (info.api_id == api.id() && info.stage == stage.name)
            .then_some(info)
            .ok_or(ConnectionError::Gone)
    };
    let found = registry.lookup(connection_id).await.and_then(owned);
    let mut response = match (&parts.method, found) {
        (_, Err(error)) if is_operation(&parts.method) => failed(error),
        (&Method::POST, Ok(_)) => {
            let limit = u64::try_from(MAX_MESSAGE_BYTES).unwrap_or(u64::MAX);
            match crate::limits::read_body(RequestBody::Stream(body), limit).await {
                Ok(data) => match registry.deliver(connection_id, message(data)).await {
                    Ok(()) => Response::new(ResponseBody::empty()),
                    Err(error) => failed(error),
                },
                Err(_) => {
                    let mut response =
                        message_response(StatusCode::PAYLOAD_TOO_LARGE, "Message too long");
                    error_type(&mut response, "PayloadTooLargeException");
                    response
                }
            }
        }
        (&Method::GET, Ok(info)) => {
            let body = serde_json::json!({
                "connectedAt": iso8601(info.connected_at),
                "identity": {
                    "sourceIp": info.source_ip,
                    "userAgent": info.user_agent,
                },
                "lastActiveAt": iso8601(info.last_active_at),
            });
            let mut response = Response::new(ResponseBody::full(Bytes::from(body.to_string())));
            response
                .headers_mut()
                .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
            response
        }
        (&Method::DELETE, Ok(_)) => match registry.deliver(connection_id, Outbound::Close).await {
            Ok(()) => {
                // Gone from now on, though the socket closes a moment later.
                registry.remove(connection_id).await;
                let mut response = Response::new(ResponseBody::empty());
                *response.status_mut() = StatusCode::NO_CONTENT;
                response
            }
            Err(error) => failed(error),
        },
        _ => message_response(StatusCode::FORBIDDEN, "Forbidden"),
    };
    if let Ok(id) = HeaderValue::from_str(&uuid::Uuid::new_v4().to_string()) {
        response.headers_mut().insert("x-amzn-requestid", id);
    }
    response
}

fn is_operation(method: &Method) -> bool {
    [Method::POST, Method::GET, Method::DELETE].contains(method)
}

/// 410 `GoneException` for a connection that is gone; 500 when the shared registry (Redis) did
/// not answer, so that SDKs retry instead of forgetting a connection that may still be open.
fn failed(error: ConnectionError) -> Response<ResponseBody> {
    match error {
        ConnectionError::Gone => gone(),
        ConnectionError::LimitExceeded => limit_exceeded(),
        ConnectionError::Unavailable => {
            let mut response =
                message_response(StatusCode::INTERNAL_SERVER_ERROR, "Internal server error");
            error_type(&mut response, "InternalServerErrorException");
            response
        }
    }
}

/// 429 `LimitExceededException`: the client's buffer is full (it reads slower than it is sent
/// to). botocore's shape has no members, like `GoneException`'s, so no body either.
fn limit_exceeded() -> Response<ResponseBody> {
    let mut response = Response::new(ResponseBody::empty());
    *response.status_mut() = StatusCode::TOO_MANY_REQUESTS;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    error_type(&mut response, "LimitExceededException");
    response
}

/// 410 `GoneException`.
fn gone() -> Response<ResponseBody> {
    let mut response = Response::new(ResponseBody::empty());
    *response.status_mut() = StatusCode::GONE;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    error_type(&mut response, "GoneException");
    response
}

fn error_type(response: &mut Response<ResponseBody>, kind: &'static str) {
    response
        .headers_mut()
        .insert("x-amzn-errortype", HeaderValue::from_static(kind));
}

/// `2026-11-26T05:40:01.234Z`.
fn iso8601(at: SystemTime) -> String {
    const FORMAT: &[time::format_description::BorrowedFormatItem<'static>] = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
    );
    time::OffsetDateTime::from(at)
        .format(FORMAT)
        .unwrap_or_default()
}
