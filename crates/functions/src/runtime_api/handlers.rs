//! The four Runtime API operations on one worker's [`Slot`].

use std::time::Instant;

use bytes::{Bytes, BytesMut};
use http::{header, HeaderMap, HeaderValue, Response};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;

use super::reply::{self, ApiResponse};
use super::slot::{deadline_header, Current, RuntimeReply, RuntimeState, Slot, SlotState};
use crate::limits::MAX_RESPONSE_PAYLOAD_BYTES;

const ERROR_TYPE_HEADER: &str = "lambda-runtime-function-error-type";

/// `GET /runtime/invocation/next`: long-polls until the pool dispatches an invocation.
pub(crate) async fn next(slot: &Slot) -> ApiResponse {
    loop {
        {
            let mut state = slot.lock();
            match state.state() {
                RuntimeState::Started | RuntimeState::ResponseSent => {
                    if let Some(response) = deliver(&mut state) {
                        return response;
                    }
                }
                // Asking again before answering gets the same event again, as in Lambda.
                RuntimeState::Ready => {
                    if let Some(current) = &state.current {
                        return render(current);
                    }
                }
                other => return reply::invalid_state_transition(other, RuntimeState::Ready),
            }
        }
        slot.arrival().await;
    }
}

fn deliver(state: &mut SlotState) -> Option<ApiResponse> {
    let invocation = state.pending.take()?;
    let deadline_ms = deadline_header(invocation.timeout);
    state.delivered_at = Some(Instant::now());
    state.runtime = Some(RuntimeState::Ready);
    state.current_id = Some(invocation.request_id.clone());
    let current = Current {
        invocation,
        deadline_ms,
    };
    let response = render(&current);
    state.current = Some(current);
    Some(response)
}

fn render(current: &Current) -> ApiResponse {
    let invocation = &current.invocation;
    let mut response = Response::new(Full::new(invocation.payload.clone()));
    let headers = response.headers_mut();
    let values = &invocation.headers;
    headers.insert("lambda-runtime-aws-request-id", values.request_id.clone());
    headers.insert("lambda-runtime-deadline-ms", current.deadline_ms.clone());
    headers.insert(
        "lambda-runtime-invoked-function-arn",
        values.function_arn.clone(),
    );
    headers.insert("lambda-runtime-trace-id", values.trace_id.clone());
    if let Some(value) = &values.client_context {
        headers.insert("lambda-runtime-client-context", value.clone());
    }
    if let Some(value) = &values.cognito_identity {
        headers.insert("lambda-runtime-cognito-identity", value.clone());
    }
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// `POST /runtime/invocation/{id}/response` and, with `is_error`, `.../error`.
pub(crate) async fn answer(slot: &Slot, id: &str, is_error: bool, request: Request) -> ApiResponse {
    let target = if is_error {
        RuntimeState::InvocationErrorResponse
    } else {
        RuntimeState::InvocationResponse
    };
    {
        let mut state = slot.lock();
        // The id is checked before the state, as Lambda's runtime API does.
        if state.current_id.as_deref() != Some(id) {
            return reply::invalid_request_id();
        }
        if state.state() != RuntimeState::Ready {
            return reply::invalid_state_transition(state.state(), target);
        }
        state.runtime = Some(target);
    }
    let error_type = error_type(request.headers());
    let body = read_limited(request.into_body()).await;
    let mut state = slot.lock();
    let (reply, response) = match body {
        Err(_) => {
            state.runtime = Some(RuntimeState::Ready);
            return reply::truncated();
        }
        Ok(Body::TooLarge(size)) => (
            RuntimeReply::ResponseTooLarge(size),
            reply::payload_too_large(),
        ),
        Ok(Body::Complete(payload)) if is_error => (
            RuntimeReply::Error {
                error_type,
                payload,
            },
            reply::accepted(),
        ),
        Ok(Body::Complete(payload)) => (RuntimeReply::Response(payload), reply::accepted()),
    };
    state.runtime = Some(RuntimeState::ResponseSent);
    if let Some(current) = state.current.take() {
        let _ = current.invocation.reply.send(reply);
    }
    response
}

/// `POST /runtime/init/error`: the runtime could not initialize.
pub(crate) async fn init_error(slot: &Slot, request: Request) -> ApiResponse {
    {
        let mut state = slot.lock();
        if state.state() != RuntimeState::Started {
            return reply::invalid_state_transition(state.state(), RuntimeState::InitError);
        }
        state.runtime = Some(RuntimeState::InitError);
    }
    let error_type = error_type(request.headers());
    let (payload, response) = match read_limited(request.into_body()).await {
        Ok(Body::Complete(payload)) => (payload, reply::accepted()),
        Ok(Body::TooLarge(_)) => (Bytes::new(), reply::payload_too_large()),
        Err(_) => (Bytes::new(), reply::truncated()),
    };
    let mut state = slot.lock();
    match state.pending.take() {
        Some(invocation) => {
            let reply = RuntimeReply::InitError {
                error_type,
                payload,
            };
            let _ = invocation.reply.send(reply);
        }
        None => state.init_error = Some((error_type, payload)),
    }
    response
}

pub(crate) type Request = http::Request<Incoming>;

fn error_type(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(ERROR_TYPE_HEADER)?.to_str().ok()?;
    Some(value.to_string())
}

enum Body {
    Complete(Bytes),
    TooLarge(usize),
}

/// Reads a body of at most [`MAX_RESPONSE_PAYLOAD_BYTES`]; past it, only counts the bytes so the
/// error can say how large the response was. A body that arrives in one piece (the usual case:
/// small, with a Content-Length) is kept as it came, without a copy.
async fn read_limited(mut body: Incoming) -> Result<Body, hyper::Error> {
    let mut first: Option<Bytes> = None;
    let mut buffer = BytesMut::new();
    let mut size = 0usize;
    while let Some(frame) = body.frame().await {
        let Ok(data) = frame?.into_data() else {
            continue;
        };
        size = size.saturating_add(data.len());
        if size > MAX_RESPONSE_PAYLOAD_BYTES {
            first = None;
            buffer = BytesMut::new();
        } else if let Some(earlier) = first.take() {
            buffer.extend_from_slice(&earlier);
            buffer.extend_from_slice(&data);
        } else if buffer.is_empty() {
            first = Some(data);
        } else {
            buffer.extend_from_slice(&data);
        }
    }
    if size > MAX_RESPONSE_PAYLOAD_BYTES {
        return Ok(Body::TooLarge(size));
    }
    Ok(Body::Complete(first.unwrap_or_else(|| buffer.freeze())))
}
