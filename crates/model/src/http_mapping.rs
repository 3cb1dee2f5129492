//! HTTP API parameter mapping: `requestParameters` and `responseParameters` of an HTTP API
//! integration, resolved.
//!
//! Request keys are `append|overwrite|remove:header.NAME`, `append|overwrite|remove:querystring.NAME`
//! and `overwrite:path`; response keys, per status code of the back end's response,
//! `append|overwrite|remove:header.NAME` and `overwrite:statuscode`. A value is static text with
//! sources interpolated (`$request.header.name` or `${request.header.name}`), e.g.
//! `/v1/${request.path.proxy}`.
//!
//! ```
//! use std::path::Path;
//! use turnpike_model::{load_str, LoadOptions, MappingAction, HttpRequestTarget, MappingSource, ValuePart};
//!
//! let text = r#"
//! openapi: 3.0.1
//! info: {title: Pets}
//! x-amazon-apigateway-importexport-version: "1.0"
//! paths:
//!   /pets:
//!     get:
//!       x-amazon-apigateway-integration:
//!         type: HTTP_PROXY
//!         uri: http://backend.example/pets
//!         payloadFormatVersion: "1.0"
//!         requestParameters: {"append:header.x-user": "id-${request.querystring.user}"}
//! "#;
//! let api = load_str(Path::new("pets.yaml"), text, &LoadOptions::default()).unwrap();
//! let mapping = api.routes[0].integration.parameter_mapping.as_ref().unwrap();
//! let first = &mapping.request[0];
//! assert_eq!(first.action, MappingAction::Append);
//! assert_eq!(first.target, HttpRequestTarget::Header("x-user".into()));
//! assert_eq!(first.value.parts, [
//!     ValuePart::Text("id-".into()),
//!     ValuePart::Source(MappingSource::RequestQueryString("user".into())),
//! ]);
//! ```

use std::collections::BTreeMap;

/// What a mapping does to its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MappingAction {
    /// Adds a value beside those already there.
    Append,
    /// Replaces every value with this one.
    Overwrite,
    /// Removes the parameter (the value is ignored).
    Remove,
}

impl MappingAction {
    pub fn as_str(self) -> &'static str {
        match self {
            MappingAction::Append => "append",
            MappingAction::Overwrite => "overwrite",
            MappingAction::Remove => "remove",
        }
    }
}

/// Where a request mapping writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HttpRequestTarget {
    /// `header.NAME` (the name as written; header names are case-insensitive).
    Header(String),
    /// `querystring.NAME` (case-sensitive).
    QueryString(String),
    /// `path`: the whole path of the integration request.
    Path,
}

/// Where a response mapping writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HttpResponseTarget {
    /// `header.NAME`.
    Header(String),
    /// `statuscode`.
    StatusCode,
}

/// A value a mapping reads at request time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MappingSource {
    /// `$request.header.NAME`: every value, joined with commas.
    RequestHeader(String),
    /// `$request.querystring.NAME`: every value, joined with commas.
    RequestQueryString(String),
    /// `$request.body` (`None`) or `$request.body.JSONPATH` (`Some(".a.b")`, what follows `body`).
    RequestBody(Option<String>),
    /// `$request.path`: the request path without the stage.
    RequestPath,
    /// `$request.path.NAME`: a path parameter of the route.
    RequestPathParameter(String),
    /// `$response.header.NAME`.
    ResponseHeader(String),
    /// `$response.body` or `$response.body.JSONPATH`, as for the request.
    ResponseBody(Option<String>),
    /// `$context.NAME`.
    Context(String),
    /// `$stageVariables.NAME`.
    StageVariable(String),
}

/// One piece of a value: static text or a source read per request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ValuePart {
    Text(String),
    Source(MappingSource),
}

/// A mapping value: its parts in order (none for `remove:`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MappingValue {
    pub parts: Vec<ValuePart>,
}

/// One `requestParameters` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpRequestParameter {
    pub action: MappingAction,
    pub target: HttpRequestTarget,
    pub value: MappingValue,
}

/// One entry of a status code's `responseParameters`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpResponseParameter {
    pub action: MappingAction,
    pub target: HttpResponseTarget,
    pub value: MappingValue,
}

/// An HTTP API integration's parameter mapping.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ParameterMapping {
    /// `requestParameters`, in document order.
    pub request: Vec<HttpRequestParameter>,
    /// `responseParameters` by the back end's status code (200 to 599).
    pub response: BTreeMap<u16, Vec<HttpResponseParameter>>,
}

impl ParameterMapping {
    pub fn is_empty(&self) -> bool {
        self.request.is_empty() && self.response.is_empty()
    }
}

/// Headers HTTP API parameter mapping may not write (AWS, "Transform API requests and responses
/// for HTTP APIs", Reserved headers): exact names, lower-case.
pub const RESERVED_HEADERS: &[&str] = &[
    "authorization",
    "connection",
    "content-encoding",
    "content-length",
    "content-location",
    "forwarded",
    "keep-alive",
    "origin",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailers",
    "transfer-encoding",
    "upgrade",
    "x-forwarded-for",
    "x-forwarded-host",
    "x-forwarded-proto",
    "via",
];

/// Prefixes of reserved header names, lower-case.
pub const RESERVED_HEADER_PREFIXES: &[&str] = &["access-control-", "apigw-", "x-amz-", "x-amzn-"];

/// True when parameter mapping may not write the header `name` (any case).
pub fn is_reserved_header(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    RESERVED_HEADERS.contains(&lower.as_str())
        || RESERVED_HEADER_PREFIXES
            .iter()
            .any(|prefix| lower.starts_with(prefix))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserved_headers_by_name_and_prefix_in_any_case() {
        for name in [
            "Authorization",
            "via",
            "X-Forwarded-Proto",
            "Access-Control-Allow-Origin",
            "apigw-requestid",
            "X-Amz-Date",
            "x-amzn-trace-id",
            "TE",
        ] {
            assert!(is_reserved_header(name), "{name}");
        }
        for name in ["x-user", "host", "x-amzx", "content-type", "trailer"] {
            assert!(!is_reserved_header(name), "{name}");
        }
    }
}
