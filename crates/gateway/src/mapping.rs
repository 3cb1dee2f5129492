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

/// The method request as mapping expressions see it.
#[derive(Clone, Copy)]
pub(crate) struct MethodRequest<'a> {
    pub(crate) headers: &'a HeaderMap,
    /// The raw query string, without `?`.
    pub(crate) query: Option<&'a str>,
    pub(crate) path_params: Option<&'a PathParams>,
}

impl<'a> MethodRequest<'a> {
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
        if let Some(name) = e
            .strip_prefix("method.request.header.")
            .or_else(|| e.strip_prefix("method.request.multivalueheader."))
        {
            return header(name).map(ValueSource::RequestHeader);
        }
        if let Some(name) = e
            .strip_prefix("method.request.querystring.")
            .or_else(|| e.strip_prefix("method.request.multivaluequerystring."))
        {
            return nonempty(name).map(ValueSource::RequestQuery);
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
             method.request.header|querystring|path.NAME, stageVariables.NAME, context.NAME and \
             integration.response.header.NAME"
        ))
    }

    /// The value for this request, if there is one.
    pub(crate) fn resolve<'a>(
        &'a self,
        request: &MethodRequest<'a>,
        ctx: &'a RequestContext,
        integration_headers: Option<&'a HeaderMap>,
    ) -> Option<Cow<'a, str>> {
        match self {
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
mod tests {
    use super::*;
    use http::Request;

    use crate::context::ClientConnection;

    fn ctx() -> RequestContext {
        let (parts, ()) = Request::get("/dev/x").body(()).unwrap().into_parts();
        RequestContext::new(
            &parts,
            ClientConnection {
                peer: "10.0.0.9:1000".parse().unwrap(),
                local: "127.0.0.1:80".parse().unwrap(),
                tls: false,
            },
        )
    }

    #[test]
    fn parses_every_supported_source() {
        assert_eq!(
            ValueSource::parse("'application/json'").unwrap(),
            ValueSource::Literal("application/json".into())
        );
        assert_eq!(
            ValueSource::parse("''").unwrap(),
            ValueSource::Literal("".into())
        );
        assert_eq!(
            ValueSource::parse("method.request.header.X-User").unwrap(),
            ValueSource::RequestHeader(HeaderName::from_static("x-user"))
        );
        assert_eq!(
            ValueSource::parse("method.request.querystring.q").unwrap(),
            ValueSource::RequestQuery("q".into())
        );
        assert_eq!(
            ValueSource::parse("method.request.path.petId").unwrap(),
            ValueSource::RequestPath("petId".into())
        );
        assert_eq!(
            ValueSource::parse("stageVariables.host").unwrap(),
            ValueSource::StageVariable("host".into())
        );
        assert_eq!(
            ValueSource::parse("context.requestId").unwrap(),
            ValueSource::Context("requestId".into())
        );
        assert_eq!(
            ValueSource::parse("integration.response.header.Location").unwrap(),
            ValueSource::IntegrationResponseHeader(HeaderName::from_static("location"))
        );
        let err = ValueSource::parse("method.request.body.name").unwrap_err();
        assert!(err.starts_with("unsupported mapping source \"method.request.body.name\""));
        assert!(ValueSource::parse("method.request.path.").is_err());
    }

    #[test]
    fn resolves_against_the_request() {
        let mut headers = HeaderMap::new();
        headers.append("x-user", "first".parse().unwrap());
        headers.append("x-user", "last".parse().unwrap());
        let request = MethodRequest {
            headers: &headers,
            query: Some("q=a%20b&other=1&q=c%2Fd&flag"),
            path_params: None,
        };
        let ctx = ctx();
        let resolve = |e: &str| {
            ValueSource::parse(e)
                .unwrap()
                .resolve(&request, &ctx, None)
                .map(Cow::into_owned)
        };
        assert_eq!(
            resolve("method.request.header.X-USER").as_deref(),
            Some("last")
        );
        assert_eq!(
            resolve("method.request.querystring.q").as_deref(),
            Some("c/d")
        );
        assert_eq!(
            resolve("method.request.querystring.flag").as_deref(),
            Some("")
        );
        assert_eq!(resolve("method.request.querystring.none"), None);
        assert_eq!(resolve("method.request.path.id"), None);
        assert_eq!(resolve("'lit'").as_deref(), Some("lit"));
        assert_eq!(resolve("context.httpMethod").as_deref(), Some("GET"));
        assert_eq!(resolve("stageVariables.x"), None);
        assert_eq!(resolve("integration.response.header.x"), None);

        let mut upstream = HeaderMap::new();
        upstream.insert("location", "/pets/1".parse().unwrap());
        let source = ValueSource::parse("integration.response.header.Location").unwrap();
        assert_eq!(
            source.resolve(&request, &ctx, Some(&upstream)).as_deref(),
            Some("/pets/1")
        );
    }

    #[test]
    fn parses_targets() {
        assert_eq!(
            RequestTarget::parse("integration.request.header.X-Api").unwrap(),
            RequestTarget::Header(HeaderName::from_static("x-api"))
        );
        assert_eq!(
            RequestTarget::parse("integration.request.querystring.page").unwrap(),
            RequestTarget::Query("page".into())
        );
        assert_eq!(
            RequestTarget::parse("integration.request.path.proxy").unwrap(),
            RequestTarget::Path("proxy".into())
        );
        assert!(RequestTarget::parse("integration.request.body").is_err());
        assert_eq!(
            header_target(
                "gatewayresponse.header.Access-Control-Allow-Origin",
                "gatewayresponse.header."
            )
            .unwrap(),
            HeaderName::from_static("access-control-allow-origin")
        );
        assert!(header_target("method.response.header.X", "gatewayresponse.header.").is_err());
    }
}
