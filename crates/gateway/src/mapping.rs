//! Parameter mapping expressions, compiled once per deployment.
//!
//! REST APIs move values around with expressions like
//! `integration.request.header.x-user = method.request.querystring.user` (integration requests),
//! `method.response.header.Location = integration.response.header.Location` (integration
//! responses) and `gatewayresponse.header.Access-Control-Allow-Origin = '*'` (gateway responses).
//! A [`ValueSource`] is the right-hand side; the targets are parsed by [`RequestTarget::parse`] and
//! [`header_target`].

use std::borrow::Cow;

use http::header::HeaderName;
use http::HeaderMap;
use percent_encoding::percent_decode_str;

use crate::context::RequestContext;
use crate::router::PathParams;
use crate::template::Variables;

mod body_path;
pub(crate) mod http_api;

pub(crate) use body_path::BodyPath;

/// The method request as mapping expressions see it.
#[derive(Clone, Copy)]
pub(crate) struct MethodRequest<'a> {
    pub(crate) headers: &'a HeaderMap,
    /// The raw query string, without `?`.
    pub(crate) query: Option<&'a str>,
    pub(crate) path_params: Option<&'a PathParams>,
}

impl<'a> MethodRequest<'a> {
    /// The method request of a request head and its matched path parameters.
    pub(crate) fn of(parts: &'a http::request::Parts, path_params: Option<&'a PathParams>) -> Self {
        MethodRequest {
            headers: &parts.headers,
            query: parts.uri.query(),
            path_params,
        }
    }

    /// The last value of a header, as API Gateway's single-value view keeps it.
    pub(crate) fn header(&self, name: &HeaderName) -> Option<Cow<'a, str>> {
        header_value(self.headers, name)
    }

    /// The last value of a query-string parameter, percent-decoded.
    pub(crate) fn query_param(&self, name: &str) -> Option<Cow<'a, str>> {
        let query = self.query?;
        query.rsplit('&').find_map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode_str(key).decode_utf8_lossy() == name)
                .then(|| percent_decode_str(value).decode_utf8_lossy())
        })
    }

    /// Every value of a query-string parameter, percent-decoded, in order.
    pub(crate) fn query_values(&self, name: &str) -> Vec<Cow<'a, str>> {
        let Some(query) = self.query else {
            return Vec::new();
        };
        query
            .split('&')
            .filter_map(|pair| {
                let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
                (!pair.is_empty() && percent_decode_str(key).decode_utf8_lossy() == name)
                    .then(|| percent_decode_str(value).decode_utf8_lossy())
            })
            .collect()
    }

    pub(crate) fn path_param(&self, name: &str) -> Option<&'a str> {
        self.path_params?.get(name)
    }
}

/// The last value of a header as text (bytes that are not UTF-8 are replaced).
pub(crate) fn header_value<'a>(headers: &'a HeaderMap, name: &HeaderName) -> Option<Cow<'a, str>> {
    headers
        .get_all(name)
        .iter()
        .next_back()
        .map(|v| String::from_utf8_lossy(v.as_bytes()))
}

/// Where a mapped value comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ValueSource {
    /// `'text'`.
    Literal(Box<str>),
    /// `method.request.header.X` (and `multivalueheader`).
    RequestHeader(HeaderName),
    /// `method.request.querystring.X` (and `multivaluequerystring`).
    RequestQuery(Box<str>),
    /// `method.request.path.X`.
    RequestPath(Box<str>),
    /// `stageVariables.X`.
    StageVariable(Box<str>),
    /// `context.X`.
    Context(Box<str>),
    /// `integration.response.header.X` (and `multivalueheader`).
    IntegrationResponseHeader(HeaderName),
    /// `method.request.multivalueheader.X`: every value, comma-separated.
    RequestMultiHeader(HeaderName),
    /// `method.request.multivaluequerystring.X`: every value, comma-separated.
    RequestMultiQuery(Box<str>),
    /// `method.request.body`.
    RequestBody,
    /// `method.request.body.JSONPath`.
    RequestBodyPath(BodyPath),
    /// `integration.response.body`.
    IntegrationResponseBody,
    /// `integration.response.body.JSONPath`.
    IntegrationResponseBodyPath(BodyPath),
}

/// The bodies body-reading sources resolve against, when the caller has them.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Bodies<'a> {
    /// The method request's body.
    pub(crate) request: Option<&'a str>,
    /// The integration response's body.
    pub(crate) integration: Option<&'a str>,
}

impl ValueSource {
    /// Parses a mapping source; the error says what is supported.
    pub(crate) fn parse(expression: &str) -> Result<ValueSource, String> {
        let e = expression.trim();
        if e.len() >= 2 && e.starts_with('\'') && e.ends_with('\'') {
            return Ok(ValueSource::Literal(e[1..e.len() - 1].into()));
        }
        let header = |name: &str| {
            HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| format!("{name:?} is not a valid header name"))
        };
        let nonempty = |name: &str| {
            if name.is_empty() {
                Err(format!("{expression:?} names no parameter"))
            } else {
                Ok(Box::<str>::from(name))
            }
        };
        if let Some(name) = e.strip_prefix("method.request.header.") {
            return header(name).map(ValueSource::RequestHeader);
        }
        if let Some(name) = e.strip_prefix("method.request.multivalueheader.") {
            return header(name).map(ValueSource::RequestMultiHeader);
        }
        if let Some(name) = e.strip_prefix("method.request.querystring.") {
            return nonempty(name).map(ValueSource::RequestQuery);
        }
        if let Some(name) = e.strip_prefix("method.request.multivaluequerystring.") {
            return nonempty(name).map(ValueSource::RequestMultiQuery);
        }
        if e == "method.request.body" {
            return Ok(ValueSource::RequestBody);
        }
        if let Some(path) = e.strip_prefix("method.request.body") {
            return BodyPath::parse(expression, path).map(ValueSource::RequestBodyPath);
        }
        if e == "integration.response.body" {
            return Ok(ValueSource::IntegrationResponseBody);
        }
        if let Some(path) = e.strip_prefix("integration.response.body") {
            return BodyPath::parse(expression, path).map(ValueSource::IntegrationResponseBodyPath);
        }
        if let Some(name) = e.strip_prefix("method.request.path.") {
            return nonempty(name).map(ValueSource::RequestPath);
        }
        if let Some(name) = e.strip_prefix("stageVariables.") {
            return nonempty(name).map(ValueSource::StageVariable);
        }
        if let Some(name) = e.strip_prefix("context.") {
            return nonempty(name).map(ValueSource::Context);
        }
        if let Some(name) = e
            .strip_prefix("integration.response.header.")
            .or_else(|| e.strip_prefix("integration.response.multivalueheader."))
        {
            return header(name).map(ValueSource::IntegrationResponseHeader);
        }
        Err(format!(
            "unsupported mapping source {expression:?}: supported are 'literal', \
             method.request.header|multivalueheader|querystring|multivaluequerystring|path.NAME, \
             method.request.body[.JSONPath], stageVariables.NAME, context.NAME, \
             integration.response.header.NAME and integration.response.body[.JSONPath]"
        ))
    }

    /// True when resolving needs the method request's body.
    pub(crate) fn reads_request_body(&self) -> bool {
        matches!(
            self,
            ValueSource::RequestBody | ValueSource::RequestBodyPath(_)
        )
    }

    /// True when resolving needs the integration response's body.
    pub(crate) fn reads_integration_body(&self) -> bool {
        matches!(
            self,
            ValueSource::IntegrationResponseBody | ValueSource::IntegrationResponseBodyPath(_)
        )
    }

    /// The value for this request, if there is one (sources reading a body have none here).
    pub(crate) fn resolve<'a>(
        &'a self,
        request: &MethodRequest<'a>,
        ctx: &'a RequestContext,
        integration_headers: Option<&'a HeaderMap>,
    ) -> Option<Cow<'a, str>> {
        self.resolve_in(request, ctx, integration_headers, Bodies::default())
    }

    /// The value for this request, reading the bodies when the source names one.
    pub(crate) fn resolve_in<'a>(
        &'a self,
        request: &MethodRequest<'a>,
        ctx: &'a RequestContext,
        integration_headers: Option<&'a HeaderMap>,
        bodies: Bodies<'a>,
    ) -> Option<Cow<'a, str>> {
        match self {
            ValueSource::RequestMultiHeader(name) => {
                let values: Vec<Cow<'_, str>> = request
                    .headers
                    .get_all(name)
                    .iter()
                    .map(|v| String::from_utf8_lossy(v.as_bytes()))
                    .collect();
                (!values.is_empty()).then(|| Cow::Owned(values.join(",")))
            }
            ValueSource::RequestMultiQuery(name) => {
                let values = request.query_values(name);
                (!values.is_empty()).then(|| Cow::Owned(values.join(",")))
            }
            ValueSource::RequestBody => bodies.request.map(Cow::Borrowed),
            ValueSource::RequestBodyPath(path) => path.read(bodies.request?).map(Cow::Owned),
            ValueSource::IntegrationResponseBody => bodies.integration.map(Cow::Borrowed),
            ValueSource::IntegrationResponseBodyPath(path) => {
                path.read(bodies.integration?).map(Cow::Owned)
            }
            ValueSource::Literal(text) => Some(Cow::Borrowed(text)),
            ValueSource::RequestHeader(name) => request.header(name),
            ValueSource::RequestQuery(name) => request.query_param(name),
            ValueSource::RequestPath(name) => request.path_param(name).map(Cow::Borrowed),
            ValueSource::StageVariable(name) => ctx.stage_variable(name).map(Cow::Borrowed),
            ValueSource::Context(name) => ctx.lookup(name),
            ValueSource::IntegrationResponseHeader(name) => {
                header_value(integration_headers?, name)
            }
        }
    }
}

/// Where an integration request parameter goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RequestTarget {
    /// `integration.request.header.X`.
    Header(HeaderName),
    /// `integration.request.querystring.X`.
    Query(Box<str>),
    /// `integration.request.path.X`: the value of `{X}` in the integration URI.
    Path(Box<str>),
}

impl RequestTarget {
    pub(crate) fn parse(target: &str) -> Result<RequestTarget, String> {
        let t = target.trim();
        if let Some(name) = t.strip_prefix("integration.request.header.") {
            return HeaderName::from_bytes(name.as_bytes())
                .map(RequestTarget::Header)
                .map_err(|_| format!("{name:?} is not a valid header name"));
        }
        let named = |name: &str| (!name.is_empty()).then(|| Box::<str>::from(name));
        if let Some(name) = t
            .strip_prefix("integration.request.querystring.")
            .and_then(named)
        {
            return Ok(RequestTarget::Query(name));
        }
        if let Some(name) = t.strip_prefix("integration.request.path.").and_then(named) {
            return Ok(RequestTarget::Path(name));
        }
        Err(format!(
            "unsupported request parameter target {target:?}: supported are \
             integration.request.header|querystring|path.NAME"
        ))
    }
}

/// The header named by a response mapping target with `prefix` (`method.response.header.`,
/// `gatewayresponse.header.`).
pub(crate) fn header_target(target: &str, prefix: &str) -> Result<HeaderName, String> {
    let name = target.trim().strip_prefix(prefix).ok_or_else(|| {
        format!("unsupported response parameter {target:?}: expected {prefix}NAME")
    })?;
    HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| format!("{name:?} is not a valid header name"))
}

#[cfg(test)]
mod tests;
