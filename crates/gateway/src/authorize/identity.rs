//! Identity sources: the request values an authorizer is keyed on. A value that is missing or
//! empty means the request carries no identity, which API Gateway answers with 401 without
//! calling the authorizer.

use http::request::Parts;
use turnpike_model::IdentitySource;

use crate::context::RequestContext;

/// The value of each source, in order; `None` when any is missing or empty.
pub(crate) fn values(
    sources: &[IdentitySource],
    parts: &Parts,
    ctx: &RequestContext,
) -> Option<Vec<String>> {
    sources.iter().map(|s| value(s, parts, ctx)).collect()
}

fn value(source: &IdentitySource, parts: &Parts, ctx: &RequestContext) -> Option<String> {
    let found = match source {
        IdentitySource::Header(name) => {
            let values: Vec<&str> = parts
                .headers
                .get_all(name.as_str())
                .iter()
                .filter_map(|v| v.to_str().ok())
                .collect();
            (!values.is_empty()).then(|| values.join(","))
        }
        IdentitySource::QueryString(name) => query_value(parts.uri.query(), name),
        IdentitySource::StageVariable(name) => ctx
            .stage
            .as_ref()
            .and_then(|s| s.variables.get(name))
            .cloned(),
        IdentitySource::Context(name) => ctx.lookup(name).map(|v| v.into_owned()),
    };
    found.filter(|v| !v.trim().is_empty())
}

/// The values of query parameter `name`, decoded as forms are, joined with `,`.
fn query_value(query: Option<&str>, name: &str) -> Option<String> {
    let decode = |s: &str| {
        percent_encoding::percent_decode_str(&s.replace('+', " "))
            .decode_utf8_lossy()
            .into_owned()
    };
    let values: Vec<String> = query?
        .split('&')
        .filter_map(|pair| {
            let (n, v) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(n) == name).then(|| decode(v))
        })
        .collect();
    (!values.is_empty()).then(|| values.join(","))
}
