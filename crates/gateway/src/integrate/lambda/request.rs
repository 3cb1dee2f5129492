//! What both event formats take from a request: its headers as the function sees them, the query
//! string decoded, path parameters, stage variables, the path without the stage, and the body.
//!
//! Headers: the client's, minus hop-by-hop ones, plus `X-Forwarded-For` (the client's chain with
//! the client's address appended), `X-Forwarded-Port`, `X-Forwarded-Proto` and `X-Amzn-Trace-Id`,
//! as in AWS's recorded events. REST APIs also drop `Content-Length`, which their events never
//! carry (LocalStack's `test_lambda_aws_proxy_integration` snapshot, recorded against AWS); HTTP
//! API events keep it. Names are lower case: hyper normalises them, so the original spelling of
//! an HTTP/1.1 client is not known (AWS passes REST header names as the client sent them, and
//! HTTP/2 clients send lower case anyway). AWS lists headers sorted by name, ignoring case.
//!
//! Query strings are decoded as forms are (`+` is a space), as AWS's recorded events show.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use http::header::{HeaderName, CONTENT_LENGTH, COOKIE};
use http::HeaderMap;
use serde_json::{Map, Value};

use crate::context::RequestContext;
use crate::hop_by_hop;
use crate::router::PathParams;
use crate::snapshot::CompiledRoute;

use super::body::EventBody;

static X_FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");
static X_FORWARDED_PORT: HeaderName = HeaderName::from_static("x-forwarded-port");
static X_FORWARDED_PROTO: HeaderName = HeaderName::from_static("x-forwarded-proto");
static TRACE_ID: HeaderName = HeaderName::from_static("x-amzn-trace-id");

/// A request on its way into an event.
pub(crate) struct ProxyRequest<'a> {
    pub(crate) ctx: &'a RequestContext,
    pub(crate) headers: &'a HeaderMap,
    /// The raw query string.
    pub(crate) query: Option<&'a str>,
    pub(crate) params: Option<&'a PathParams>,
    pub(crate) body: EventBody,
}

/// Header values by lower-case name, sorted, each name's values in arrival order.
pub(crate) type EventHeaders = BTreeMap<String, Vec<String>>;

impl ProxyRequest<'_> {
    /// The matched route.
    pub(crate) fn route(&self) -> Option<&CompiledRoute> {
        let api = self.ctx.api.as_ref()?;
        api.routes.get(self.ctx.route?)
    }

    /// `resourcePath` / `resource`: `/pets/{id}`, `$default`.
    pub(crate) fn resource_path(&self) -> &str {
        self.route().map_or("", |r| r.resource_path.as_str())
    }

    pub(crate) fn stage_name(&self) -> &str {
        self.ctx.stage.as_ref().map_or("", |s| s.name.as_str())
    }

    /// `$context` variable `name` as a JSON string, `null` when the request has none.
    pub(crate) fn context_value(&self, name: &str) -> Value {
        self.ctx
            .lookup(name)
            .map_or(Value::Null, |v| Value::String(v.into_owned()))
    }

    /// The raw path after the stage prefix (REST `path`).
    pub(crate) fn path_without_stage(&self) -> &str {
        let path = self.ctx.path.as_str();
        if let Some((_, rest)) = path
            .strip_prefix("/restapis/")
            .and_then(|after| after.split_once("/_user_request_"))
        {
            return if rest.is_empty() { "/" } else { rest };
        }
        if self.ctx.stage.as_ref().is_some_and(|s| s.is_default()) {
            return path;
        }
        let after_slash = path.strip_prefix('/').unwrap_or(path);
        after_slash
            .find('/')
            .and_then(|i| after_slash.get(i..))
            .unwrap_or("/")
    }

    /// The raw path with the stage prefix (`requestContext.path`), as the client sent it; the
    /// `/restapis/{id}/{stage}/_user_request_/` form reads as `/{stage}/...`.
    pub(crate) fn path_with_stage(&self) -> String {
        let path = self.ctx.path.as_str();
        match &self.ctx.stage {
            Some(stage) if path.starts_with("/restapis/") && !stage.is_default() => {
                format!("/{}{}", stage.name, self.path_without_stage())
            }
            Some(_) if path.starts_with("/restapis/") => self.path_without_stage().to_owned(),
            _ => path.to_owned(),
        }
    }

    /// The headers a function sees; `content_length` keeps `Content-Length` (HTTP APIs),
    /// `cookies` keeps `Cookie` (payload 2.0 moves cookies to their own field).
    pub(crate) fn headers(&self, content_length: bool, cookies: bool) -> EventHeaders {
        let listed = hop_by_hop::connection_listed(self.headers);
        let mut out = EventHeaders::new();
        let mut forwarded_for = String::new();
        for (name, value) in self.headers {
            let value = String::from_utf8_lossy(value.as_bytes());
            if *name == X_FORWARDED_FOR {
                separate(&mut forwarded_for, ", ");
                forwarded_for.push_str(&value);
                continue;
            }
            let skip = hop_by_hop::is_hop_by_hop(name)
                || listed.contains(name)
                || (!content_length && name == CONTENT_LENGTH)
                || (!cookies && name == COOKIE)
                || *name == X_FORWARDED_PORT
                || *name == X_FORWARDED_PROTO
                || *name == TRACE_ID;
            if !skip {
                out.entry(name.as_str().to_owned())
                    .or_default()
                    .push(value.into_owned());
            }
        }
        separate(&mut forwarded_for, ", ");
        let _ = write!(forwarded_for, "{}", self.ctx.source_ip());
        let connection = &self.ctx.connection;
        let proto = if connection.tls { "https" } else { "http" };
        for (name, value) in [
            (&X_FORWARDED_FOR, forwarded_for),
            (&X_FORWARDED_PORT, connection.local.port().to_string()),
            (&X_FORWARDED_PROTO, proto.to_owned()),
            (&TRACE_ID, self.ctx.trace_id.clone()),
        ] {
            out.insert(name.as_str().to_owned(), vec![value]);
        }
        out
    }

    /// The `Cookie` headers split into cookies (`a=1; b=2` → `a=1`, `b=2`).
    pub(crate) fn cookies(&self) -> Vec<String> {
        let mut out = Vec::new();
        for value in self.headers.get_all(COOKIE) {
            let value = String::from_utf8_lossy(value.as_bytes());
            out.extend(
                value
                    .split(';')
                    .map(str::trim)
                    .filter(|c| !c.is_empty())
                    .map(str::to_owned),
            );
        }
        out
    }

    /// The query string's parameters, decoded, by name (sorted), values in order.
    pub(crate) fn query_parameters(&self) -> BTreeMap<String, Vec<String>> {
        let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for pair in self.query.unwrap_or_default().split('&') {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            if name.is_empty() {
                continue;
            }
            out.entry(form_decode(name))
                .or_default()
                .push(form_decode(value));
        }
        out
    }

    /// `pathParameters`: `None` when the route has none.
    pub(crate) fn path_parameters(&self) -> Option<Map<String, Value>> {
        let params = self.params.filter(|p| !p.is_empty())?;
        Some(
            params
                .iter()
                .map(|(name, value)| (name.to_owned(), Value::from(value)))
                .collect(),
        )
    }

    /// `stageVariables`: `None` when the stage has none.
    pub(crate) fn stage_variables(&self) -> Option<Map<String, Value>> {
        let variables = &self.ctx.stage.as_ref()?.variables;
        (!variables.is_empty()).then(|| {
            variables
                .iter()
                .map(|(name, value)| (name.clone(), Value::from(value.as_str())))
                .collect()
        })
    }

    /// `body`: the text, or `null` for an empty body.
    pub(crate) fn body_value(&self) -> Value {
        self.body.text.as_deref().map_or(Value::Null, Value::from)
    }

    /// `requestTimeEpoch` / `timeEpoch`: milliseconds.
    pub(crate) fn time_epoch(&self) -> Value {
        Value::from(self.ctx.request_time_epoch)
    }
}

fn separate(list: &mut String, separator: &str) {
    if !list.is_empty() {
        list.push_str(separator);
    }
}

/// `application/x-www-form-urlencoded` decoding: `+` is a space, then `%XX` escapes.
fn form_decode(text: &str) -> String {
    let spaced = text.replace('+', " ");
    percent_encoding::percent_decode_str(&spaced)
        .decode_utf8_lossy()
        .into_owned()
}

/// A map of names to one value each, as JSON.
pub(crate) fn single_values<'a>(
    values: impl IntoIterator<Item = (&'a String, String)>,
) -> Map<String, Value> {
    values
        .into_iter()
        .map(|(name, value)| (name.clone(), Value::String(value)))
        .collect()
}

/// A map of names to their list of values, as JSON.
pub(crate) fn multi_values(values: &BTreeMap<String, Vec<String>>) -> Map<String, Value> {
    values
        .iter()
        .map(|(name, list)| {
            (
                name.clone(),
                Value::Array(list.iter().map(|v| Value::from(v.as_str())).collect()),
            )
        })
        .collect()
}

/// `Some(object)` as JSON, `None` as `null`.
pub(crate) fn object_or_null(map: Option<Map<String, Value>>) -> Value {
    map.map_or(Value::Null, Value::Object)
}
