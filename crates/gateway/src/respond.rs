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
    // REST non-proxy integrations remap `Connection` itself before hop-by-hop headers go, so
    // the names it lists stay there; everywhere else they go with it.
    match (kind, integration) {
        (ApiKind::Rest, Some(IntegrationType::HttpProxy)) => {
            filter(headers, &REMAPPED_FROM_PROXY, true);
        }
        (ApiKind::Rest, Some(IntegrationType::Http)) => {
            filter(headers, &REMAPPED_FROM_MAPPING, false);
        }
        (ApiKind::Rest, Some(_)) => filter(headers, &REMAPPED_FROM_MOCK, false),
        (ApiKind::Http, Some(_)) => filter(headers, &[], true),
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

/// Renames the headers `remaps` lists, then drops hop-by-hop headers and (with `listed`) those
/// the `Connection` header names. One pass moves every kept value into a new map: cheaper than a
/// lookup and a removal per listed name, as a response has few headers and most of them stay.
fn filter(headers: &mut HeaderMap, remaps: &[Remap], listed: bool) {
    let listed = if listed {
        hop_by_hop::connection_listed(headers)
    } else {
        Vec::new()
    };
    let old = std::mem::take(headers);
    // Room for the request-id headers `finish` adds next.
    let _ = headers.try_reserve(old.len() + 3);
    let mut current: Option<HeaderName> = None;
    for (name, value) in old {
        // `None`: another value of the previous name.
        if name.is_some() {
            current = name;
        }
        let Some(name) = &current else { continue };
        let name = remaps
            .iter()
            .find(|(from, _)| from == name)
            .map_or(name, |(_, remapped)| remapped);
        if !hop_by_hop::is_hop_by_hop(name) && !listed.contains(name) {
            headers.append(name, value);
        }
    }
}

fn insert(headers: &mut HeaderMap, name: &HeaderName, value: &str) {
    if let Ok(value) = HeaderValue::from_str(value) {
        headers.insert(name, value);
    }
}

#[cfg(test)]
mod tests;
