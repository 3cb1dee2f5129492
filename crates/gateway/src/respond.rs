//! The last stage: the headers every response carries and what happens to a back end's headers.
//!
//! - REST APIs answer with `x-amzn-RequestId` (`$context.requestId`) and `x-amz-apigw-id`
//!   (`$context.extendedRequestId`), and integration responses of non-proxy integrations also
//!   with `X-Amzn-Trace-Id`. HTTP APIs answer with `apigw-requestid` only.
//! - REST APIs do not let a back end set headers API Gateway owns: they arrive renamed
//!   `x-amzn-Remapped-<name>`. For HTTP_PROXY these are `Connection`, `Content-Length`, `Date`,
//!   `Server` and the back end's own `x-amzn-RequestId` (LocalStack's
//!   `test_http_integration_with_lambda[HTTP_PROXY]` snapshot, recorded against AWS); for mapped
//!   headers of non-proxy integrations the longer list LocalStack's `header_utils.py` keeps.
//!   Remaining hop-by-hop headers (RFC 9110 §7.6.1) are removed for both API kinds.

use http::header::{HeaderName, HeaderValue};
use http::{HeaderMap, Response};
use turnpike_model::{ApiKind, IntegrationType};

use crate::body::ResponseBody;
use crate::context::RequestContext;
use crate::hop_by_hop;

static REQUEST_ID: HeaderName = HeaderName::from_static("x-amzn-requestid");
static APIGW_ID: HeaderName = HeaderName::from_static("x-amz-apigw-id");
static TRACE_ID: HeaderName = HeaderName::from_static("x-amzn-trace-id");
static HTTP_API_REQUEST_ID: HeaderName = HeaderName::from_static("apigw-requestid");

/// (back-end header, the name it is remapped to).
type Remap = (HeaderName, HeaderName);

macro_rules! remaps {
    ($($name:literal),* $(,)?) => {
        [$((
            HeaderName::from_static($name),
            HeaderName::from_static(concat!("x-amzn-remapped-", $name)),
        )),*]
    };
}

static REMAPPED_FROM_PROXY: [Remap; 5] = remaps![
    "connection",
    "content-length",
    "date",
    "server",
    "x-amzn-requestid"
];

static REMAPPED_FROM_MOCK: [Remap; 4] = remaps!["connection", "content-length", "date", "server"];

static REMAPPED_FROM_MAPPING: [Remap; 14] = remaps![
    "connection",
    "content-length",
    "date",
    "server",
    "authorization",
    "content-md5",
    "expect",
    "host",
    "max-forwards",
    "proxy-authenticate",
    "trailer",
    "upgrade",
    "user-agent",
    "www-authenticate",
];

/// Finishes a response: back-end headers remapped or removed (when `integration` produced it),
/// request-id headers added, `$context.status` recorded.
pub(crate) fn finish(
    response: &mut Response<ResponseBody>,
    ctx: &mut RequestContext,
    integration: Option<IntegrationType>,
) {
    let kind = ctx.api_kind();
    let headers = response.headers_mut();
    match (kind, integration) {
        (ApiKind::Rest, Some(IntegrationType::HttpProxy)) => {
            let listed = hop_by_hop::connection_listed(headers);
            remap(headers, &REMAPPED_FROM_PROXY);
            for name in listed {
                headers.remove(name);
            }
            hop_by_hop::remove(headers);
        }
        (ApiKind::Rest, Some(IntegrationType::Http)) => {
            remap(headers, &REMAPPED_FROM_MAPPING);
            hop_by_hop::remove(headers);
        }
        (ApiKind::Rest, Some(_)) => {
            remap(headers, &REMAPPED_FROM_MOCK);
            hop_by_hop::remove(headers);
        }
        (ApiKind::Http, Some(_)) => hop_by_hop::remove(headers),
        (_, None) => {}
    }
    match kind {
        ApiKind::Rest => {
            insert(headers, &REQUEST_ID, ctx.request_id());
            insert(headers, &APIGW_ID, &ctx.extended_request_id);
            if matches!(
                integration,
                Some(IntegrationType::Http | IntegrationType::Mock)
            ) {
                insert(headers, &TRACE_ID, &ctx.trace_id);
            }
        }
        ApiKind::Http => insert(headers, &HTTP_API_REQUEST_ID, ctx.request_id()),
    }
    ctx.status = Some(response.status().as_u16());
}

fn remap(headers: &mut HeaderMap, names: &[Remap]) {
    for (name, remapped) in names {
        if let http::header::Entry::Occupied(entry) = headers.entry(name) {
            let values: Vec<HeaderValue> = entry.remove_entry_mult().1.collect();
            for value in values {
                headers.append(remapped.clone(), value);
            }
        }
    }
}

fn insert(headers: &mut HeaderMap, name: &HeaderName, value: &str) {
    if let Ok(value) = HeaderValue::from_str(value) {
        headers.insert(name.clone(), value);
    }
}

#[cfg(test)]
mod tests;
