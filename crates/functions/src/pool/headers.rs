//! Turns an [`InvokeContext`] into the `Lambda-Runtime-*` header values, once per invocation
//! before it is queued, so nothing is left to fail on the runtime's side.

use std::time::{SystemTime, UNIX_EPOCH};

use http::HeaderValue;

use crate::error::InvokeError;
use crate::invoke::InvokeContext;
use crate::runtime_api::slot::InvocationHeaders;

pub(crate) fn invocation_headers(
    request_id: &str,
    ctx: &InvokeContext,
    default_arn: &HeaderValue,
) -> Result<InvocationHeaders, InvokeError> {
    let value = |text: &str, field: &'static str| {
        HeaderValue::from_str(text).map_err(|_| InvokeError::InvalidContext { field })
    };
    let function_arn = match &ctx.invoked_function_arn {
        Some(arn) => value(arn, "invoked_function_arn")?,
        None => default_arn.clone(),
    };
    let trace_id = match &ctx.trace_id {
        Some(trace) => value(trace, "trace_id")?,
        None => value(&new_trace_id(), "trace_id")?,
    };
    Ok(InvocationHeaders {
        request_id: value(request_id, "request_id")?,
        function_arn,
        trace_id,
        client_context: ctx
            .client_context
            .as_deref()
            .map(|text| value(text, "client_context"))
            .transpose()?,
        cognito_identity: ctx
            .cognito_identity
            .as_deref()
            .map(|text| value(text, "cognito_identity"))
            .transpose()?,
    })
}

/// An X-Ray trace header as Lambda passes one when the caller sent none: a new root, a parent
/// segment, not sampled.
fn new_trace_id() -> String {
    let seconds = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs();
    let random = uuid::Uuid::new_v4().simple().to_string();
    let parent = uuid::Uuid::new_v4().simple().to_string();
    format!(
        "Root=1-{:08x}-{};Parent={};Sampled=0",
        seconds as u32,
        &random[..24],
        &parent[..16]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trace_ids_have_xrays_shape() {
        let trace = new_trace_id();
        let parts: Vec<&str> = trace.split(';').collect();
        assert_eq!(parts.len(), 3);
        let root = parts[0].strip_prefix("Root=1-").unwrap();
        let (time, id) = root.split_once('-').unwrap();
        assert_eq!((time.len(), id.len()), (8, 24));
        assert_eq!(parts[1].strip_prefix("Parent=").unwrap().len(), 16);
        assert_eq!(parts[2], "Sampled=0");
    }

    #[test]
    fn values_that_cannot_be_headers_are_refused() {
        let ctx = InvokeContext {
            client_context: Some("line\nbreak".into()),
            ..InvokeContext::default()
        };
        let arn = HeaderValue::from_static("arn");
        let error = invocation_headers("id", &ctx, &arn).unwrap_err();
        assert_eq!(
            error.to_string(),
            "invalid client_context: not a valid HTTP header value"
        );
    }
}
