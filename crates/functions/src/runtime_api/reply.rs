//! The Runtime API's own answers, byte for byte as Lambda sends them (JSON with a trailing
//! newline, `errorMessage` before `errorType`).

use bytes::Bytes;
use http::{header, HeaderValue, Response, StatusCode};
use http_body_util::Full;

use super::slot::RuntimeState;
use crate::limits::MAX_RESPONSE_PAYLOAD_BYTES;

pub(crate) type ApiResponse = Response<Full<Bytes>>;

fn json(status: StatusCode, document: serde_json::Value) -> ApiResponse {
    let mut body = document.to_string();
    body.push('\n');
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

fn error(status: StatusCode, message: &str, error_type: &str) -> ApiResponse {
    json(
        status,
        serde_json::json!({ "errorMessage": message, "errorType": error_type }),
    )
}

/// 202 for an accepted response, error or init error.
pub(crate) fn accepted() -> ApiResponse {
    // Sent once per invocation: the bytes `json` would make, without building them each time.
    let mut response = Response::new(Full::new(Bytes::from_static(b"{\"status\":\"OK\"}\n")));
    *response.status_mut() = StatusCode::ACCEPTED;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// 400 for a request id that is not the invocation in progress.
pub(crate) fn invalid_request_id() -> ApiResponse {
    error(
        StatusCode::BAD_REQUEST,
        "Invalid request ID",
        "InvalidRequestID",
    )
}

/// 403 for a call the runtime's current state does not allow.
pub(crate) fn invalid_state_transition(from: RuntimeState, to: RuntimeState) -> ApiResponse {
    let message = format!(
        "State transition from {} to {} failed for runtime. Error: State transition is not allowed",
        from.name(),
        to.name()
    );
    error(StatusCode::FORBIDDEN, &message, "InvalidStateTransition")
}

/// 413 for a response or error body over the limit.
pub(crate) fn payload_too_large() -> ApiResponse {
    let message =
        format!("Exceeded maximum allowed payload size ({MAX_RESPONSE_PAYLOAD_BYTES} bytes).");
    error(
        StatusCode::PAYLOAD_TOO_LARGE,
        &message,
        "RequestEntityTooLarge",
    )
}

/// 400 for a body the connection cut short.
pub(crate) fn truncated() -> ApiResponse {
    error(
        StatusCode::BAD_REQUEST,
        "HTTP request detected as truncated",
        "TruncatedHTTPRequest",
    )
}

/// 404 for a path the Runtime API does not have.
pub(crate) fn not_found() -> ApiResponse {
    let mut response = Response::new(Full::new(Bytes::from_static(b"404 page not found\n")));
    *response.status_mut() = StatusCode::NOT_FOUND;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

/// 405 for a known path with the wrong method.
pub(crate) fn method_not_allowed() -> ApiResponse {
    let mut response = Response::new(Full::new(Bytes::new()));
    *response.status_mut() = StatusCode::METHOD_NOT_ALLOWED;
    response
}
