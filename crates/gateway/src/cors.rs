//! HTTP API CORS, answered by the gateway as AWS does when an API has a `corsConfiguration`:
//!
//! - a preflight (`OPTIONS` with `Origin` and `Access-Control-Request-Method`) that no route
//!   takes is answered here with 204, before any authorizer or integration; a route that does
//!   take it (an `OPTIONS` or `ANY` route, `$default`) serves it as any other request;
//! - every response to a request with an allowed `Origin` gets the configured headers, and the
//!   back end's own `Access-Control-*` headers are dropped: the configuration is the one answer.
//!
//! Header values are built once per deployment.

use http::header::{
    HeaderName, HeaderValue, ACCESS_CONTROL_ALLOW_CREDENTIALS, ACCESS_CONTROL_ALLOW_HEADERS,
    ACCESS_CONTROL_ALLOW_METHODS, ACCESS_CONTROL_ALLOW_ORIGIN, ACCESS_CONTROL_EXPOSE_HEADERS,
    ACCESS_CONTROL_MAX_AGE, ACCESS_CONTROL_REQUEST_METHOD, ORIGIN,
};
use http::{HeaderMap, Method, Response, StatusCode};
use turnpike_model::Cors;

use crate::body::ResponseBody;

/// A CORS configuration ready to answer with.
#[derive(Debug, Clone)]
pub(crate) struct CompiledCors {
    origins: Vec<OriginRule>,
    /// `Access-Control-Allow-Origin: *` rather than the caller's origin.
    any_origin: bool,
    allow_methods: Option<HeaderValue>,
    allow_headers: Option<HeaderValue>,
    expose_headers: Option<HeaderValue>,
    max_age: Option<HeaderValue>,
    credentials: bool,
}

#[derive(Debug, Clone)]
enum OriginRule {
    /// `https://*`: any origin of that scheme; holds `https://`.
    Scheme(String),
    Exact(String),
}

impl CompiledCors {
    pub(crate) fn new(cors: &Cors) -> CompiledCors {
        let joined = |values: &[String]| {
            (!values.is_empty())
                .then(|| HeaderValue::from_str(&values.join(",")).ok())
                .flatten()
        };
        let origins = cors
            .allow_origins
            .iter()
            .filter(|o| o.as_str() != "*")
            .map(|o| match o.strip_suffix('*') {
                Some(prefix) if prefix.ends_with("://") => OriginRule::Scheme(prefix.to_owned()),
                _ => OriginRule::Exact(o.clone()),
            })
            .collect();
        CompiledCors {
            origins,
            any_origin: cors.allow_origins.iter().any(|o| o == "*"),
            allow_methods: joined(&cors.allow_methods),
            allow_headers: joined(&cors.allow_headers),
            expose_headers: joined(&cors.expose_headers),
            max_age: cors.max_age.map(HeaderValue::from),
            credentials: cors.allow_credentials,
        }
    }

    /// The `Access-Control-Allow-Origin` value for a request from `origin`, if it is allowed.
    fn allow_origin(&self, origin: &HeaderValue) -> Option<HeaderValue> {
        if self.any_origin {
            return Some(HeaderValue::from_static("*"));
        }
        let text = origin.to_str().ok()?;
        let allowed = self.origins.iter().any(|rule| match rule {
            OriginRule::Exact(exact) => exact.eq_ignore_ascii_case(text),
            OriginRule::Scheme(scheme) => {
                text.len() > scheme.len()
                    && text
                        .get(..scheme.len())
                        .is_some_and(|s| s.eq_ignore_ascii_case(scheme))
            }
        });
        allowed.then(|| origin.clone())
    }

    /// The gateway's own answer to a preflight no route takes: 204, with the configured headers
    /// when the origin is allowed and none otherwise (the browser then refuses the call).
    pub(crate) fn preflight(&self, request: &HeaderMap) -> Response<ResponseBody> {
        let mut response = Response::new(ResponseBody::empty());
        *response.status_mut() = StatusCode::NO_CONTENT;
        let Some(origin) = request.get(ORIGIN).and_then(|o| self.allow_origin(o)) else {
            return response;
        };
        let headers = response.headers_mut();
        headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        self.put_credentials(headers);
        put(headers, ACCESS_CONTROL_ALLOW_METHODS, &self.allow_methods);
        put(headers, ACCESS_CONTROL_ALLOW_HEADERS, &self.allow_headers);
        put(headers, ACCESS_CONTROL_MAX_AGE, &self.max_age);
        response
    }

    /// Replaces the back end's CORS headers with the configured ones for an allowed origin.
    pub(crate) fn decorate(&self, request: &HeaderMap, response: &mut HeaderMap) {
        strip_backend_headers(response);
        let Some(origin) = request.get(ORIGIN).and_then(|o| self.allow_origin(o)) else {
            return;
        };
        response.insert(ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        self.put_credentials(response);
        put(
            response,
            ACCESS_CONTROL_EXPOSE_HEADERS,
            &self.expose_headers,
        );
    }

    fn put_credentials(&self, headers: &mut HeaderMap) {
        if self.credentials {
            headers.insert(
                ACCESS_CONTROL_ALLOW_CREDENTIALS,
                HeaderValue::from_static("true"),
            );
        }
    }
}

/// `OPTIONS` with `Origin` and `Access-Control-Request-Method`: what a browser sends first.
pub(crate) fn is_preflight(method: &Method, headers: &HeaderMap) -> bool {
    method == Method::OPTIONS
        && headers.contains_key(ORIGIN)
        && headers.contains_key(ACCESS_CONTROL_REQUEST_METHOD)
}

fn put(headers: &mut HeaderMap, name: HeaderName, value: &Option<HeaderValue>) {
    if let Some(value) = value {
        headers.insert(name, value.clone());
    }
}

fn strip_backend_headers(headers: &mut HeaderMap) {
    for name in [
        ACCESS_CONTROL_ALLOW_ORIGIN,
        ACCESS_CONTROL_ALLOW_CREDENTIALS,
        ACCESS_CONTROL_ALLOW_METHODS,
        ACCESS_CONTROL_ALLOW_HEADERS,
        ACCESS_CONTROL_EXPOSE_HEADERS,
        ACCESS_CONTROL_MAX_AGE,
    ] {
        headers.remove(name);
    }
}

#[cfg(test)]
mod tests;
