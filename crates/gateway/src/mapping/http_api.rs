//! HTTP API parameter mapping, compiled once per deployment and applied per request.
//!
//! The loader resolves `requestParameters` / `responseParameters` into a
//! [`turnpike_model::ParameterMapping`]; [`HttpApiMapping::compile`] turns its names into
//! `HeaderName`s and its JSONPaths into compiled [`BodyPath`]s, orders the operations (removes,
//! then overwrites, then appends, so `append` adds to what `overwrite` left), and notes whether a
//! body must be read. Per request only the lookups remain, through the same [`ValueSource`]s REST
//! mappings use.
//!
//! - [`HttpApiMapping::map_request`] rewrites the request the integration sees: headers and query
//!   string in a copy of the request head (HTTP_PROXY forwards them, Lambda events carry them),
//!   the path as an [`OverwritePath`] extension the HTTP_PROXY target honours (and payload 2.0
//!   Lambda events carry as `rawPath`, through [`mapped_path`]).
//! - [`HttpApiMapping::map_response`] rewrites the back end's response, chosen by its status code,
//!   before the gateway adds its own headers.
//! - [`NamedValues`] renders named values from the same sources, for integrations that take
//!   parameters rather than a rewritten request (HTTP API AWS service integrations).

use std::borrow::Cow;
use std::collections::BTreeMap;

use http::header::{HeaderName, HeaderValue};
use http::request::Parts;
use http::{HeaderMap, Request, Response, StatusCode, Uri};
use http_body_util::BodyExt;
use percent_encoding::percent_decode_str;
use turnpike_model::{
    HttpRequestTarget, HttpResponseTarget, MappingAction, MappingSource, MappingValue,
    ParameterMapping, ValuePart,
};

use super::{Bodies, BodyPath, MethodRequest, ValueSource};
use crate::body::{RequestBody, ResponseBody};
use crate::context::RequestContext;
use crate::gateway_response::GatewayError;
use crate::integrate::uri::append_query_pair;
use crate::router::PathParams;

/// AWS applies a JSONPath to the first 100 KB of a body ("Transform API requests and responses
/// for HTTP APIs"); `$request.body` / `$response.body` whole are not cut.
const JSON_PATH_BODY_LIMIT: usize = 100 * 1024;

/// The most of a back end's response a mapping reads: HTTP APIs' 10 MB payload limit.
const RESPONSE_BODY_LIMIT: usize = 10 * 1024 * 1024;

/// An HTTP API integration's parameter mapping, compiled.
#[derive(Debug, Default)]
pub(crate) struct HttpApiMapping {
    request: Vec<RequestOp>,
    response: Vec<(u16, Vec<ResponseOp>)>,
    reads_request_body: bool,
}

/// Named values built from the request with the mapping's sources (`$request.*`, `$context.*`,
/// `$stageVariables.*`, static text and mixtures), rendered per request.
#[derive(Debug, Default)]
pub(crate) struct NamedValues {
    values: Vec<(String, Value)>,
    reads_request_body: bool,
}

impl NamedValues {
    pub(crate) fn compile<'a>(
        values: impl IntoIterator<Item = (&'a String, &'a MappingValue)>,
        problems: &mut Vec<String>,
    ) -> NamedValues {
        let values: Vec<(String, Value)> = values
            .into_iter()
            .map(|(name, value)| (name.clone(), Value::compile(&value.parts, problems)))
            .collect();
        NamedValues {
            reads_request_body: values.iter().any(|(_, value)| value.reads_body),
            values,
        }
    }

    /// Each value for this request, by name; a value whose one source the request lacks (or that
    /// renders empty) is left out. Reads the body only when a source names it.
    pub(crate) async fn render(
        &self,
        parts: &Parts,
        params: Option<&PathParams>,
        ctx: &RequestContext,
        body: &mut RequestBody,
        max_body_bytes: u64,
    ) -> Result<BTreeMap<String, String>, GatewayError> {
        let bytes = buffered_if(self.reads_request_body, body, max_body_bytes).await?;
        let text = bytes.as_ref().map(|b| String::from_utf8_lossy(b));
        let request = MethodRequest::of(parts, params);
        Ok(self
            .values
            .iter()
            .filter_map(|(name, value)| {
                let rendered = value.render(&request, ctx, text.as_deref(), None)?;
                Some((name.clone(), rendered))
            })
            .collect())
    }
}

/// The request body, read whole, when a source names it.
async fn buffered_if(
    reads: bool,
    body: &mut RequestBody,
    max_body_bytes: u64,
) -> Result<Option<bytes::Bytes>, GatewayError> {
    Ok(if reads {
        Some(body.buffer(max_body_bytes).await?)
    } else {
        None
    })
}

/// The path an integration request goes to instead of the integration URI's, set by
/// `overwrite:path` (carried in the request head's extensions to the HTTP_PROXY target).
#[derive(Debug, Clone)]
pub(crate) struct OverwritePath(pub(crate) String);

#[derive(Debug)]
struct RequestOp {
    action: MappingAction,
    target: RequestTarget,
    value: Value,
}

#[derive(Debug)]
enum RequestTarget {
    Header(HeaderName),
    Query(Box<str>),
    Path,
}

#[derive(Debug)]
struct ResponseOp {
    action: MappingAction,
    /// `None`: the status code.
    header: Option<HeaderName>,
    value: Value,
}

/// Static text and sources, concatenated.
#[derive(Debug)]
struct Value {
    parts: Box<[Part]>,
    reads_body: bool,
}

#[derive(Debug)]
enum Part {
    Text(Box<str>),
    Source(ValueSource),
    /// `$request.path`: the request path without the stage.
    RequestPath,
    /// `$response.header.NAME`: every value, comma-joined.
    ResponseHeader(HeaderName),
}

impl HttpApiMapping {
    pub(crate) fn compile(
        mapping: &ParameterMapping,
        problems: &mut Vec<String>,
    ) -> HttpApiMapping {
        let mut request: Vec<RequestOp> = mapping
            .request
            .iter()
            .filter_map(|p| {
                let target = match &p.target {
                    HttpRequestTarget::Header(name) => {
                        RequestTarget::Header(header_name(name, problems)?)
                    }
                    HttpRequestTarget::QueryString(name) => {
                        RequestTarget::Query(name.as_str().into())
                    }
                    HttpRequestTarget::Path => RequestTarget::Path,
                };
                Some(RequestOp {
                    action: p.action,
                    target,
                    value: Value::compile(&p.value.parts, problems),
                })
            })
            .collect();
        request.sort_by_key(|op| order(op.action));
        let response = mapping
            .response
            .iter()
            .map(|(status, params)| {
                let mut ops: Vec<ResponseOp> = params
                    .iter()
                    .filter_map(|p| {
                        let header = match &p.target {
                            HttpResponseTarget::Header(name) => Some(header_name(name, problems)?),
                            HttpResponseTarget::StatusCode => None,
                        };
                        Some(ResponseOp {
                            action: p.action,
                            header,
                            value: Value::compile(&p.value.parts, problems),
                        })
                    })
                    .collect();
                ops.sort_by_key(|op| order(op.action));
                (*status, ops)
            })
            .collect();
        HttpApiMapping {
            reads_request_body: request.iter().any(|op| op.value.reads_body),
            request,
            response,
        }
    }

    /// The request head the integration sees, when the mapping changes it (`None`: use the
    /// client's). Reads the body only when a source names it.
    pub(crate) async fn map_request(
        &self,
        parts: &Parts,
        params: Option<&PathParams>,
        ctx: &RequestContext,
        body: &mut RequestBody,
        max_body_bytes: u64,
    ) -> Result<Option<Parts>, GatewayError> {
        if self.request.is_empty() {
            return Ok(None);
        }
        let bytes = buffered_if(self.reads_request_body, body, max_body_bytes).await?;
        let text = bytes.as_ref().map(|b| String::from_utf8_lossy(b));
        let request = MethodRequest::of(parts, params);
        let mut headers = parts.headers.clone();
        let mut query: Vec<QueryPair<'_>> = Vec::new();
        let mut query_changed = false;
        let mut path = None;
        for op in &self.request {
            let value = match op.action {
                MappingAction::Remove => None,
                _ => match op.value.render(&request, ctx, text.as_deref(), None) {
                    Some(value) => Some(value),
                    // A source the request does not have maps nothing.
                    None => continue,
                },
            };
            match &op.target {
                RequestTarget::Header(name) => apply_header(&mut headers, name, op.action, value),
                RequestTarget::Query(name) => {
                    if !query_changed {
                        query = raw_pairs(parts.uri.query());
                        query_changed = true;
                    }
                    apply_query(&mut query, name, op.action, value);
                }
                RequestTarget::Path => path = value,
            }
        }
        let uri = if query_changed {
            with_query(&parts.uri, &query)
        } else {
            parts.uri.clone()
        };
        let (mut mapped, ()) = Request::new(()).into_parts();
        mapped.method = parts.method.clone();
        mapped.version = parts.version;
        mapped.uri = uri;
        mapped.headers = headers;
        if let Some(path) = path {
            mapped.extensions.insert(OverwritePath(path));
        }
        Ok(Some(mapped))
    }

    /// The back end's response with the mappings for its status code applied.
    pub(crate) async fn map_response(
        &self,
        response: Response<ResponseBody>,
        request: &MethodRequest<'_>,
        ctx: &RequestContext,
    ) -> Result<Response<ResponseBody>, GatewayError> {
        let status = response.status().as_u16();
        let Some((_, ops)) = self.response.iter().find(|(s, _)| *s == status) else {
            return Ok(response);
        };
        let (mut head, body) = response.into_parts();
        let (body, bytes) = if ops.iter().any(|op| op.value.reads_body) {
            // Bounded like every body: HTTP APIs carry at most 10 MB.
            let bytes = http_body_util::Limited::new(body, RESPONSE_BODY_LIMIT)
                .collect()
                .await
                .map_err(|_| GatewayError::internal_server_error())?
                .to_bytes();
            (ResponseBody::full(bytes.clone()), Some(bytes))
        } else {
            (body, None)
        };
        let text = bytes.as_ref().map(|b| String::from_utf8_lossy(b));
        let original = head.headers.clone();
        for op in ops {
            let value = match op.action {
                MappingAction::Remove => None,
                _ => match op
                    .value
                    .render(request, ctx, text.as_deref(), Some(&original))
                {
                    Some(value) => Some(value),
                    None => continue,
                },
            };
            match &op.header {
                Some(name) => apply_header(&mut head.headers, name, op.action, value),
                None => {
                    let code = value
                        .as_deref()
                        .and_then(|v| v.trim().parse::<u16>().ok())
                        .filter(|c| (100..=599).contains(c))
                        .and_then(|c| StatusCode::from_u16(c).ok());
                    match code {
                        Some(code) => head.status = code,
                        None => {
                            tracing::warn!(value = ?value, "overwrite:statuscode mapped to no status code");
                            return Err(GatewayError::internal_server_error());
                        }
                    }
                }
            }
        }
        Ok(Response::from_parts(head, body))
    }
}

/// Removes first, then overwrites, then appends, so `append` adds to what the others left.
fn order(action: MappingAction) -> u8 {
    match action {
        MappingAction::Remove => 0,
        MappingAction::Overwrite => 1,
        MappingAction::Append => 2,
    }
}

impl Value {
    fn compile(parts: &[ValuePart], problems: &mut Vec<String>) -> Value {
        let mut reads_body = false;
        let compiled = parts
            .iter()
            .filter_map(|part| {
                let source = match part {
                    ValuePart::Text(text) => return Some(Part::Text(text.as_str().into())),
                    ValuePart::Source(source) => source,
                };
                let body_path = |prefix: &str, path: &str, problems: &mut Vec<String>| {
                    BodyPath::parse(&format!("{prefix}{path}"), path)
                        .map_err(|e| problems.push(e))
                        .ok()
                };
                let compiled = match source {
                    MappingSource::RequestHeader(name) => Part::Source(
                        ValueSource::RequestMultiHeader(header_name(name, problems)?),
                    ),
                    MappingSource::RequestQueryString(name) => {
                        Part::Source(ValueSource::RequestMultiQuery(name.as_str().into()))
                    }
                    MappingSource::RequestBody(None) => Part::Source(ValueSource::RequestBody),
                    MappingSource::RequestBody(Some(path)) => Part::Source(
                        ValueSource::RequestBodyPath(body_path("$request.body", path, problems)?),
                    ),
                    MappingSource::RequestPath => Part::RequestPath,
                    MappingSource::RequestPathParameter(name) => {
                        Part::Source(ValueSource::RequestPath(name.as_str().into()))
                    }
                    MappingSource::ResponseHeader(name) => {
                        Part::ResponseHeader(header_name(name, problems)?)
                    }
                    MappingSource::ResponseBody(None) => {
                        Part::Source(ValueSource::IntegrationResponseBody)
                    }
                    MappingSource::ResponseBody(Some(path)) => {
                        Part::Source(ValueSource::IntegrationResponseBodyPath(body_path(
                            "$response.body",
                            path,
                            problems,
                        )?))
                    }
                    MappingSource::Context(name) => {
                        Part::Source(ValueSource::Context(name.as_str().into()))
                    }
                    MappingSource::StageVariable(name) => {
                        Part::Source(ValueSource::StageVariable(name.as_str().into()))
                    }
                };
                reads_body |= matches!(
                    source,
                    MappingSource::RequestBody(_) | MappingSource::ResponseBody(_)
                );
                Some(compiled)
            })
            .collect();
        Value {
            parts: compiled,
            reads_body,
        }
    }

    /// The value for this exchange; `None` when it is one source the exchange lacks, or empty.
    /// Sources missing inside text read as empty.
    fn render(
        &self,
        request: &MethodRequest<'_>,
        ctx: &RequestContext,
        body: Option<&str>,
        response_headers: Option<&HeaderMap>,
    ) -> Option<String> {
        let mut out = String::new();
        for part in self.parts.iter() {
            let piece = match part {
                Part::Text(text) => Some(Cow::Borrowed(&**text)),
                Part::RequestPath => Some(Cow::Borrowed(path_without_stage(ctx))),
                Part::ResponseHeader(name) => response_headers.and_then(|h| joined(h, name)),
                Part::Source(source) => {
                    let body = body.map(|b| json_path_window(source, b));
                    let bodies = Bodies {
                        request: body.filter(|_| source.reads_request_body()),
                        integration: body.filter(|_| source.reads_integration_body()),
                    };
                    source.resolve_in(request, ctx, response_headers, bodies)
                }
            };
            match piece {
                Some(piece) => out.push_str(&piece),
                None if self.parts.len() == 1 => return None,
                None => {}
            }
        }
        (!out.is_empty()).then_some(out)
    }
}

/// The part of a body a source reads: JSONPaths see the first 100 KB only.
fn json_path_window<'b>(source: &ValueSource, body: &'b str) -> &'b str {
    let path = matches!(
        source,
        ValueSource::RequestBodyPath(_) | ValueSource::IntegrationResponseBodyPath(_)
    );
    if !path || body.len() <= JSON_PATH_BODY_LIMIT {
        return body;
    }
    let mut end = JSON_PATH_BODY_LIMIT;
    while !body.is_char_boundary(end) {
        end -= 1;
    }
    &body[..end]
}

fn header_name(name: &str, problems: &mut Vec<String>) -> Option<HeaderName> {
    HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| {
            problems.push(format!(
                "parameter mapping: {name:?} is not a valid header name"
            ))
        })
        .ok()
}

/// `$request.path`: the raw path after the stage prefix (none for `$default`).
fn path_without_stage(ctx: &RequestContext) -> &str {
    let path = ctx.path.as_str();
    let Some(stage) = ctx.stage.as_ref().filter(|s| !s.is_default()) else {
        return path;
    };
    match path
        .strip_prefix('/')
        .and_then(|p| p.strip_prefix(stage.name.as_str()))
    {
        Some("") => "/",
        Some(rest) if rest.starts_with('/') => rest,
        _ => path,
    }
}

/// Every value of a header, comma-joined as AWS presents repeated headers.
fn joined<'h>(headers: &'h HeaderMap, name: &HeaderName) -> Option<Cow<'h, str>> {
    let mut values = headers.get_all(name).iter();
    let first = String::from_utf8_lossy(values.next()?.as_bytes());
    let mut out = first;
    for value in values {
        let out = out.to_mut();
        out.push(',');
        out.push_str(&String::from_utf8_lossy(value.as_bytes()));
    }
    Some(out)
}

fn apply_header(
    headers: &mut HeaderMap,
    name: &HeaderName,
    action: MappingAction,
    value: Option<String>,
) {
    match (action, value) {
        (MappingAction::Remove, _) => {
            headers.remove(name);
        }
        (MappingAction::Overwrite, Some(value)) => {
            if let Ok(value) = HeaderValue::from_str(&value) {
                headers.insert(name.clone(), value);
            }
        }
        (MappingAction::Append, Some(value)) => {
            // AWS keeps one header, its values comma-joined.
            let combined = match joined(headers, name) {
                Some(existing) => format!("{existing},{value}"),
                None => value,
            };
            if let Ok(value) = HeaderValue::from_str(&combined) {
                headers.insert(name.clone(), value);
            }
        }
        (_, None) => {}
    }
}

/// A query-string pair: its decoded name, and the pair as sent (`name=value`, still encoded).
type QueryPair<'q> = (Cow<'q, str>, String);

/// The client's query string as pairs, kept byte for byte.
fn raw_pairs(query: Option<&str>) -> Vec<QueryPair<'_>> {
    query
        .unwrap_or_default()
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let key = pair.split_once('=').map_or(pair, |(k, _)| k);
            (percent_decode_str(key).decode_utf8_lossy(), pair.to_owned())
        })
        .collect()
}

fn apply_query(
    pairs: &mut Vec<QueryPair<'_>>,
    name: &str,
    action: MappingAction,
    value: Option<String>,
) {
    if matches!(action, MappingAction::Remove | MappingAction::Overwrite) {
        pairs.retain(|(key, _)| key != name);
    }
    if let Some(value) = value.filter(|_| action != MappingAction::Remove) {
        let mut encoded = String::from("?");
        append_query_pair(&mut encoded, name, &value);
        let pair = encoded.trim_start_matches(['?', '&']).to_owned();
        pairs.push((Cow::Owned(name.to_owned()), pair));
    }
}

/// `uri` with its query string replaced by `pairs`.
fn with_query(uri: &Uri, pairs: &[QueryPair<'_>]) -> Uri {
    let mut text = String::from(uri.path());
    let mut first = true;
    for (_, pair) in pairs {
        text.push(if first { '?' } else { '&' });
        text.push_str(pair);
        first = false;
    }
    let mut builder = Uri::builder().path_and_query(text);
    if let Some(scheme) = uri.scheme() {
        builder = builder.scheme(scheme.clone());
    }
    if let Some(authority) = uri.authority() {
        builder = builder.authority(authority.clone());
    }
    builder.build().unwrap_or_else(|_| uri.clone())
}

/// The integration URI with the mapped path instead of its own, when `overwrite:path` set one.
/// The query string stays.
pub(crate) fn overwrite_path(uri: Uri, extensions: &http::Extensions) -> Uri {
    let Some(mut text) = mapped_path(extensions) else {
        return uri;
    };
    if let Some(query) = uri.query() {
        text.push('?');
        text.push_str(query);
    }
    let mut parts = uri.clone().into_parts();
    match text.parse() {
        Ok(path_and_query) => {
            parts.path_and_query = Some(path_and_query);
            Uri::from_parts(parts).unwrap_or(uri)
        }
        Err(_) => uri,
    }
}

/// The path `overwrite:path` set, as the HTTP_PROXY target sends it: `/`-led (AWS sends the
/// mapped text as the path, and a URI's path starts with `/`) and percent-encoded; `None` without
/// such a mapping. Lambda payload 2.0 events carry it as `rawPath`, which is still-encoded text
/// like a request line's path.
pub(crate) fn mapped_path(extensions: &http::Extensions) -> Option<String> {
    let OverwritePath(path) = extensions.get::<OverwritePath>()?;
    let mut text = String::with_capacity(path.len() + 1);
    if !path.starts_with('/') {
        text.push('/');
    }
    text.extend(percent_encoding::utf8_percent_encode(path, PATH));
    Some(text)
}

/// Characters a mapped path keeps as they are: `/` and what RFC 3986 allows in a segment.
const PATH: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'^')
    .add(b'|')
    .add(b'\\');

/// [`HttpApiMapping::map_request`] for a route that may have no mapping.
pub(crate) async fn map_request(
    mapping: Option<&HttpApiMapping>,
    parts: &Parts,
    params: Option<&PathParams>,
    ctx: &RequestContext,
    body: &mut RequestBody,
    max_body_bytes: u64,
) -> Result<Option<Parts>, GatewayError> {
    match mapping {
        Some(mapping) => {
            mapping
                .map_request(parts, params, ctx, body, max_body_bytes)
                .await
        }
        None => Ok(None),
    }
}

/// [`HttpApiMapping::map_response`] for a route that may have no mapping; `parts` is the
/// client's request head.
pub(crate) async fn map_response(
    mapping: Option<&HttpApiMapping>,
    response: Response<ResponseBody>,
    parts: &Parts,
    params: Option<&PathParams>,
    ctx: &RequestContext,
) -> Result<Response<ResponseBody>, GatewayError> {
    let Some(mapping) = mapping.filter(|m| !m.response.is_empty()) else {
        return Ok(response);
    };
    let request = MethodRequest::of(parts, params);
    mapping.map_response(response, &request, ctx).await
}

#[cfg(test)]
#[path = "http_api_tests.rs"]
mod tests;
