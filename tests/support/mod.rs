//! Shared helpers for the end-to-end tests: the real `turnpike` binary as a child process, a real
//! upstream HTTP server, HTTP clients (HTTP/1.1, h2c, TLS, raw TCP), temporary fixture files, SAM
//! projects with Python handlers, and TLS certificates made at test time.

pub mod client;
pub mod fixture;
pub mod moto;
pub mod sam;
pub mod tls;
pub mod turnpike;
pub mod upstream;

pub use client::{Conn, Reply, Req};
pub use fixture::TempDir;
pub use turnpike::Turnpike;
pub use upstream::Upstream;

/// The header every Turnpike response carries.
pub const REQUEST_ID: &str = "x-amzn-requestid";
/// The header naming the error type on gateway responses.
pub const ERROR_TYPE: &str = "x-amzn-errortype";

/// Asserts a gateway (error) response: exact status and body, the AWS error type, a request id.
#[track_caller]
pub fn assert_gateway_response(reply: &Reply, status: u16, body: &str, error_type: Option<&str>) {
    assert_eq!(reply.status, status, "status of {reply:?}");
    assert_eq!(reply.text(), body, "body of {reply:?}");
    assert_eq!(
        reply.header(ERROR_TYPE),
        error_type,
        "x-amzn-ErrorType of {reply:?}"
    );
    assert_request_id(reply);
}

/// Asserts the response carries a non-empty `x-amzn-RequestId`.
#[track_caller]
pub fn assert_request_id(reply: &Reply) {
    let id = reply.header(REQUEST_ID).unwrap_or_default();
    assert!(!id.is_empty(), "no x-amzn-RequestId in {reply:?}");
}

/// Asserts REST's default 500 gateway response (`Internal server error`).
#[track_caller]
pub fn assert_internal_server_error(reply: &Reply) {
    assert_gateway_response(
        reply,
        500,
        r#"{"message": "Internal server error"}"#,
        Some("InternalServerErrorException"),
    );
}

/// Asserts the `www-authenticate` header of an HTTP API's JWT refusal: AWS's `invalid_token`
/// challenge giving `description`, or no header at all (`None`, as when no token was sent).
#[track_caller]
pub fn assert_jwt_challenge(reply: &Reply, description: Option<&str>) {
    let expected = description.map(|description| {
        format!(r#"Bearer scope="" error="invalid_token" error_description="{description}""#)
    });
    assert_eq!(
        reply.header("www-authenticate"),
        expected.as_deref(),
        "{reply:?}"
    );
}

/// Asserts REST's 403 `Forbidden` (unknown stage, missing or unknown API key).
#[track_caller]
pub fn assert_forbidden(reply: &Reply) {
    assert_gateway_response(
        reply,
        403,
        r#"{"message":"Forbidden"}"#,
        Some("ForbiddenException"),
    );
}

/// Asserts REST's 429 for a usage plan whose quota is used up.
#[track_caller]
pub fn assert_limit_exceeded(reply: &Reply) {
    assert_gateway_response(
        reply,
        429,
        r#"{"message":"Limit Exceeded"}"#,
        Some("LimitExceededException"),
    );
}
