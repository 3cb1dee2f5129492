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

/// What becomes of a back end's response headers on their way to the client: the renaming and
/// dropping the module doc describes, for one API kind and integration type.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BackendHeaders {
    remaps: &'static [Remap],
    /// The names the back end's `Connection` header lists are dropped too.
    drops_listed: bool,
}

/// One back-end header's fate under [`BackendHeaders`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fate {
    Keep,
    Rename(&'static HeaderName),
    Drop,
}

impl BackendHeaders {
    /// The rules for responses `integration` produces in an API of `kind`.
    pub(crate) fn of(kind: ApiKind, integration: IntegrationType) -> BackendHeaders {
        // REST non-proxy integrations remap `Connection` itself before hop-by-hop headers go,
        // so the names it lists stay there; everywhere else they go with it.
        let (remaps, drops_listed): (&'static [Remap], bool) = match (kind, integration) {
            (ApiKind::Rest, IntegrationType::HttpProxy) => (&REMAPPED_FROM_PROXY, true),
            (ApiKind::Rest, IntegrationType::Http) => (&REMAPPED_FROM_MAPPING, false),
            (ApiKind::Rest, _) => (&REMAPPED_FROM_MOCK, false),
            (ApiKind::Http, _) => (&[], true),
        };
        BackendHeaders {
            remaps,
            drops_listed,
        }
    }

    /// Whether the names in the back end's `Connection` header are dropped: the caller passes
    /// them (or nothing) to [`fate`](Self::fate).
    pub(crate) fn drops_listed(&self) -> bool {
        self.drops_listed
    }

    /// What happens to the back-end header `name`, given the names its `Connection` header
    /// lists. Renamed names are checked too: a remapped `Connection` stays.
    pub(crate) fn fate(&self, name: &HeaderName, listed: &[HeaderName]) -> Fate {
        let remapped = self.remaps.iter().find(|(from, _)| from == name);
        let shown = remapped.map_or(name, |(_, to)| to);
        if hop_by_hop::is_hop_by_hop(shown) || listed.contains(shown) {
            Fate::Drop
        } else if let Some((_, to)) = remapped {
            Fate::Rename(to)
        } else {
            Fate::Keep
        }
    }
}

/// Finishes a response: back-end headers remapped or removed (when `integration` produced it),
/// request-id headers added, `$context.status` recorded.
pub(crate) fn finish(
    response: &mut Response<ResponseBody>,
    ctx: &mut RequestContext,
    integration: Option<IntegrationType>,
) {
    let kind = ctx.api_kind();
    let headers = response.headers_mut();
    if let Some(integration) = integration {
        filter(headers, BackendHeaders::of(kind, integration));
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

/// Applies `rules` to `headers`. A map with nothing to rename or drop is left as it is (the
/// proxy client applies the rules as it parses a back end's head); otherwise one pass moves every
/// kept value into a new map: cheaper than a lookup and a removal per listed name, as a response
/// has few headers and most of them stay.
fn filter(headers: &mut HeaderMap, rules: BackendHeaders) {
    let listed = if rules.drops_listed() {
        hop_by_hop::connection_listed(headers)
    } else {
        Vec::new()
    };
    if headers
        .keys()
        .all(|name| rules.fate(name, &listed) == Fate::Keep)
    {
        return;
    }
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
        match rules.fate(name, &listed) {
            Fate::Keep => {
                headers.append(name, value);
            }
            Fate::Rename(to) => {
                headers.append(to, value);
            }
            Fate::Drop => {}
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
