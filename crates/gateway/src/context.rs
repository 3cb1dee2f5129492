//! `$context`: what API Gateway knows about a request, as its `$context` variables name it.
//!
//! One [`RequestContext`] lives for each request. It starts with what the connection and request
//! line say (ids, time, method, path, source IP), gains the API, stage and route when dispatch
//! finds them, and the status, lengths, latencies and error as the pipeline answers. Templates and
//! access logs read it through one function, [`RequestContext::lookup`], so both see the same
//! values under AWS's names.

use std::borrow::Cow;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Instant;

use http::request::Parts;
use http::{header, Method, Version};
use time::OffsetDateTime;
use turnpike_model::{ApiKind, GatewayResponseType};

use crate::authorize::sigv4::CallerIdentity;
use crate::authorize::AuthorizerContext;
use crate::ids;
use crate::snapshot::{CompiledApi, CompiledRoute, StageInfo};
use crate::template::Variables;

/// `$context.accountId`: there is no AWS account locally; this is the account AWS documentation uses
/// in its examples, so ARNs built from it look familiar.
pub(crate) const ACCOUNT_ID: &str = "123456789012";

/// The connection a request arrived on.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ClientConnection {
    pub(crate) peer: SocketAddr,
    pub(crate) local: SocketAddr,
    pub(crate) tls: bool,
}

/// The error a gateway response is about: `$context.error.*`.
#[derive(Debug, Clone)]
pub(crate) struct ContextError {
    pub(crate) message: Cow<'static, str>,
    pub(crate) response_type: GatewayResponseType,
    /// `$context.error.validationErrorString`: what request validation found wrong.
    pub(crate) validation_error_string: Option<String>,
}

/// The context variables of one request.
#[derive(Debug)]
pub(crate) struct RequestContext {
    uuid: ids::RequestUuid,
    /// A UUID the client sent in `x-amzn-RequestId`, which REST APIs adopt as the request id.
    client_request_id: Option<String>,
    pub(crate) extended_request_id: String,
    pub(crate) trace_id: String,
    request_time: Arc<str>,
    pub(crate) request_time_epoch: u64,
    pub(crate) started: Instant,
    pub(crate) http_method: Method,
    /// The raw request path, stage included.
    pub(crate) path: String,
    pub(crate) protocol: &'static str,
    pub(crate) connection: ClientConnection,
    pub(crate) user_agent: Option<String>,
    pub(crate) domain_name: String,
    pub(crate) api: Option<Arc<CompiledApi>>,
    pub(crate) stage: Option<Arc<StageInfo>>,
    pub(crate) route: Option<usize>,
    pub(crate) status: Option<u16>,
    pub(crate) response_length: Option<u64>,
    pub(crate) response_latency: Option<u64>,
    pub(crate) integration_latency: Option<u64>,
    pub(crate) integration_status: Option<u16>,
    pub(crate) error: Option<ContextError>,
    /// What the route's authorizer established: `$context.authorizer.*`.
    pub(crate) authorizer: Option<Arc<AuthorizerContext>>,
    /// The SigV4 caller of an AWS_IAM route: `$context.identity.*`.
    pub(crate) identity: Option<Arc<CallerIdentity>>,
    /// The API key the authorize stage admitted (from `x-api-key` or the authorizer's
    /// `usageIdentifierKey`), whose usage plan the throttling stage applies.
    pub(crate) api_key: Option<Arc<crate::authorize::api_key::ApiKeyRecord>>,
    /// That key's value: `$context.identity.apiKey` (stores keep only hashes).
    pub(crate) api_key_value: Option<Box<str>>,
    /// A WebSocket event's own variables (`connectionId`, `eventType`, ...), which take
    /// precedence; `None` for REST and HTTP requests.
    pub(crate) websocket: Option<Box<crate::websocket::WsContext>>,
}

impl RequestContext {
    /// The context of a request that has just arrived.
    pub(crate) fn new(parts: &Parts, connection: ClientConnection) -> RequestContext {
        let now = OffsetDateTime::now_utc();
        let epoch_ms = u64::try_from(now.unix_timestamp_nanos() / 1_000_000).unwrap_or(0);
        let header_str = |name: header::HeaderName| {
            parts
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let client_request_id = parts
            .headers
            .get("x-amzn-requestid")
            .and_then(|v| v.to_str().ok())
            .filter(|v| ids::is_uuid(v))
            .map(str::to_ascii_lowercase);
        let host = parts
            .headers
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .or_else(|| parts.uri.authority().map(|a| a.as_str()));
        let domain_name = match host {
            Some(host) => strip_port(host).to_owned(),
            None => connection.local.ip().to_string(),
        };
        RequestContext {
            uuid: ids::request_uuid(),
            client_request_id,
            extended_request_id: ids::extended_request_id(),
            trace_id: ids::trace_id(epoch_ms / 1000),
            request_time: cached_request_time(now),
            request_time_epoch: epoch_ms,
            started: Instant::now(),
            http_method: parts.method.clone(),
            path: parts.uri.path().to_owned(),
            protocol: protocol(parts.version),
            connection,
            user_agent: header_str(header::USER_AGENT),
            domain_name,
            api: None,
            stage: None,
            route: None,
            status: None,
            response_length: None,
            response_latency: None,
            integration_latency: None,
            integration_status: None,
            error: None,
            authorizer: None,
            identity: None,
            api_key: None,
            api_key_value: None,
            websocket: None,
        }
    }

    /// The kind of the API serving the request; REST until dispatch says otherwise.
    pub(crate) fn api_kind(&self) -> ApiKind {
        self.api.as_ref().map_or(ApiKind::Rest, |api| api.kind)
    }

    /// `$context.requestId`: a UUID for REST APIs (the client's own when it sent one in
    /// `x-amzn-RequestId`), the short extended id for HTTP APIs.
    pub(crate) fn request_id(&self) -> &str {
        match self.api_kind() {
            ApiKind::Http => &self.extended_request_id,
            ApiKind::Rest => self
                .client_request_id
                .as_deref()
                .unwrap_or(self.uuid.as_str()),
        }
    }

    pub(crate) fn source_ip(&self) -> IpAddr {
        self.connection.peer.ip()
    }

    fn route(&self) -> Option<&CompiledRoute> {
        let api = self.api.as_ref()?;
        api.routes.get(self.route?)
    }

    /// Milliseconds since the request arrived.
    pub(crate) fn elapsed_ms(&self) -> u64 {
        u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// The value of `$context.<name>`, if the request has one.
    pub(crate) fn lookup(&self, name: &str) -> Option<Cow<'_, str>> {
        if let Some(value) = self.websocket.as_ref().and_then(|ws| ws.lookup(name)) {
            return Some(value);
        }
        let kind = self.api_kind();
        match name {
            "requestId" => borrowed(self.request_id()),
            "extendedRequestId" => borrowed(&self.extended_request_id),
            "requestTime" => borrowed(&self.request_time),
            "requestTimeEpoch" => Some(Cow::Owned(self.request_time_epoch.to_string())),
            "httpMethod" => borrowed(self.http_method.as_str()),
            "path" => borrowed(&self.path),
            "protocol" => borrowed(self.protocol),
            "domainName" => borrowed(&self.domain_name),
            "domainPrefix" => borrowed(domain_prefix(&self.domain_name)),
            "accountId" => borrowed(ACCOUNT_ID),
            "apiId" => self.api.as_ref().map(|api| Cow::Borrowed(api.id.as_str())),
            "stage" => self.stage.as_ref().map(|s| Cow::Borrowed(s.name.as_str())),
            "resourcePath" if kind == ApiKind::Rest => self
                .route()
                .map(|r| Cow::Borrowed(r.resource_path.as_str())),
            "resourceId" if kind == ApiKind::Rest => {
                self.route().map(|r| Cow::Borrowed(r.resource_id.as_str()))
            }
            "routeKey" if kind == ApiKind::Http => {
                self.route().map(|r| Cow::Borrowed(r.route_key.as_str()))
            }
            "identity.sourceIp" => Some(Cow::Owned(self.source_ip().to_string())),
            "identity.accessKey" => self
                .identity
                .as_ref()
                .map(|i| Cow::Borrowed(i.access_key.as_str())),
            "identity.accountId" => self
                .identity
                .as_ref()
                .map(|i| Cow::Borrowed(i.account_id.as_str())),
            "identity.caller" => self
                .identity
                .as_ref()
                .map(|i| Cow::Borrowed(i.caller.as_str())),
            "identity.user" => self
                .identity
                .as_ref()
                .map(|i| Cow::Borrowed(i.user.as_str())),
            "identity.userArn" => self
                .identity
                .as_ref()
                .map(|i| Cow::Borrowed(i.user_arn.as_str())),
            // AWS fills these only on methods that require an API key.
            "identity.apiKey" => self.api_key_value.as_deref().map(Cow::Borrowed),
            "identity.apiKeyId" => self.api_key.as_ref().map(|k| Cow::Borrowed(k.id.as_str())),
            "identity.userAgent" => self.user_agent.as_deref().map(Cow::Borrowed),
            "status" => number(self.status),
            "responseLength" => number(self.response_length),
            "responseLatency" => number(self.response_latency),
            "integrationLatency" | "integration.latency" => number(self.integration_latency),
            "integrationStatus" | "integration.status" => number(self.integration_status),
            "error.message" => self.error.as_ref().map(|e| Cow::Borrowed(&*e.message)),
            "error.validationErrorString" => self
                .error
                .as_ref()
                .and_then(|e| e.validation_error_string.as_deref())
                .map(Cow::Borrowed),
            "error.messageString" => self
                .error
                .as_ref()
                .map(|e| Cow::Owned(json_string(&e.message))),
            "error.responseType" => self
                .error
                .as_ref()
                .map(|e| Cow::Borrowed(e.response_type.as_str())),
            _ => {
                let key = name.strip_prefix("authorizer.")?;
                self.authorizer.as_ref()?.lookup(key).map(Cow::Owned)
            }
        }
    }
}

impl RequestContext {
    /// `$context` for a mapping template: every variable [`RequestContext::lookup`] knows, as a
    /// JSON tree (`identity.sourceIp` under `identity`), with `authorizer.*` carrying the
    /// authorizer's context values, `principalId` and `claims`.
    pub(crate) fn template_context(&self) -> serde_json::Map<String, serde_json::Value> {
        use serde_json::{Map, Value};
        const NAMES: &[&str] = &[
            "requestId",
            "extendedRequestId",
            "requestTime",
            "requestTimeEpoch",
            "httpMethod",
            "path",
            "protocol",
            "domainName",
            "domainPrefix",
            "accountId",
            "apiId",
            "stage",
            "resourcePath",
            "resourceId",
            "routeKey",
            "identity.sourceIp",
            "identity.accessKey",
            "identity.accountId",
            "identity.caller",
            "identity.user",
            "identity.userArn",
            "identity.userAgent",
            "identity.apiKey",
            "identity.apiKeyId",
            "status",
            "responseLength",
            "responseLatency",
            "integrationLatency",
            "integration.latency",
            "integration.status",
            "error.message",
            "error.messageString",
            "error.responseType",
            "error.validationErrorString",
        ];
        let mut root = Map::new();
        fill_tree(&mut root, NAMES, |name| self.lookup(name));
        if let Some(authorizer) = &self.authorizer {
            let mut map: Map<String, Value> = authorizer.context.clone();
            if let Some(principal) = &authorizer.principal_id {
                map.insert("principalId".into(), Value::String(principal.clone()));
            }
            if let Some(claims) = &authorizer.claims {
                map.insert("claims".into(), Value::Object(claims.clone()));
            }
            if let Some(latency) = self.lookup("authorizer.integrationLatency") {
                map.insert(
                    "integrationLatency".into(),
                    Value::String(latency.into_owned()),
                );
            }
            root.insert("authorizer".into(), Value::Object(map));
        }
        if let Some(ws) = &self.websocket {
            ws.fill(&mut root);
        }
        root
    }
}

impl Variables for RequestContext {
    fn context(&self, name: &str) -> Option<Cow<'_, str>> {
        self.lookup(name)
    }

    fn stage_variable(&self, name: &str) -> Option<&str> {
        self.stage.as_ref()?.variables.get(name).map(String::as_str)
    }
}

/// Puts the value `lookup` gives each of `names` into a template's `$context` tree, a dotted
/// name (`identity.sourceIp`) under its section; names without a value are left out.
pub(crate) fn fill_tree<'a>(
    root: &mut serde_json::Map<String, serde_json::Value>,
    names: &[&str],
    lookup: impl Fn(&str) -> Option<Cow<'a, str>>,
) {
    use serde_json::{Map, Value};
    for name in names {
        let Some(value) = lookup(name) else {
            continue;
        };
        let value = Value::String(value.into_owned());
        match name.split_once('.') {
            Some((section, key)) => {
                if let Value::Object(map) = root
                    .entry(section)
                    .or_insert_with(|| Value::Object(Map::new()))
                {
                    map.insert(key.to_owned(), value);
                }
            }
            None => {
                root.insert((*name).to_owned(), value);
            }
        }
    }
}

pub(crate) fn borrowed(s: &str) -> Option<Cow<'_, str>> {
    Some(Cow::Borrowed(s))
}

fn number<T: ToString>(value: Option<T>) -> Option<Cow<'static, str>> {
    value.map(|v| Cow::Owned(v.to_string()))
}

/// A string as a JSON string literal, quotes included: `$context.error.messageString`.
pub(crate) fn json_string(s: &str) -> String {
    serde_json::Value::from(s).to_string()
}

/// [`format_request_time`], formatted once per second per thread and shared by the requests of
/// that second.
fn cached_request_time(now: OffsetDateTime) -> Arc<str> {
    thread_local! {
        static CACHE: std::cell::RefCell<Option<(i64, Arc<str>)>> = const { std::cell::RefCell::new(None) };
    }
    let second = now.unix_timestamp();
    CACHE.with(|cache| match cache.try_borrow_mut() {
        Ok(mut cache) => match &*cache {
            Some((cached, text)) if *cached == second => text.clone(),
            _ => {
                let text: Arc<str> = format_request_time(now).into();
                *cache = Some((second, text.clone()));
                text
            }
        },
        Err(_) => format_request_time(now).into(),
    })
}

/// `$context.requestTime`: `25/Nov/2026:17:36:42 +0000`.
fn format_request_time(now: OffsetDateTime) -> String {
    const FORMAT: &[time::format_description::BorrowedFormatItem<'static>] = time::macros::format_description!(
        "[day]/[month repr:short]/[year]:[hour]:[minute]:[second] +0000"
    );
    now.format(FORMAT).unwrap_or_default()
}

fn protocol(version: Version) -> &'static str {
    match version {
        Version::HTTP_09 => "HTTP/0.9",
        Version::HTTP_10 => "HTTP/1.0",
        Version::HTTP_2 => "HTTP/2.0",
        Version::HTTP_3 => "HTTP/3.0",
        _ => "HTTP/1.1",
    }
}

/// `host:port` → `host`, leaving IPv6 literals (`[::1]:80` → `[::1]`) intact.
pub(crate) fn strip_port(host: &str) -> &str {
    if let Some(end) = host.strip_prefix('[').and_then(|rest| rest.find(']')) {
        return &host[..end + 2];
    }
    match host.rsplit_once(':') {
        Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
        _ => host,
    }
}

/// `$context.domainPrefix`: the first label of the domain name.
fn domain_prefix(domain: &str) -> &str {
    domain.split('.').next().unwrap_or(domain)
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::Request;

    fn connection() -> ClientConnection {
        ClientConnection {
            peer: "10.1.2.3:55000".parse().unwrap(),
            local: "127.0.0.1:8080".parse().unwrap(),
            tls: false,
        }
    }

    fn context(request: Request<()>) -> RequestContext {
        let (parts, ()) = request.into_parts();
        RequestContext::new(&parts, connection())
    }

    #[test]
    fn knows_the_request_line_and_connection() {
        let ctx = context(
            Request::get("/dev/pets?x=1")
                .header("host", "abc123defg.execute-api.localhost:8080")
                .header("user-agent", "curl/8.5.0")
                .body(())
                .unwrap(),
        );
        let get = |name| ctx.lookup(name).map(|v| v.into_owned());
        assert_eq!(get("httpMethod").as_deref(), Some("GET"));
        assert_eq!(get("path").as_deref(), Some("/dev/pets"));
        assert_eq!(get("protocol").as_deref(), Some("HTTP/1.1"));
        assert_eq!(get("identity.sourceIp").as_deref(), Some("10.1.2.3"));
        assert_eq!(get("identity.userAgent").as_deref(), Some("curl/8.5.0"));
        assert_eq!(
            get("domainName").as_deref(),
            Some("abc123defg.execute-api.localhost")
        );
        assert_eq!(get("domainPrefix").as_deref(), Some("abc123defg"));
        assert_eq!(get("accountId").as_deref(), Some(ACCOUNT_ID));
        assert_eq!(
            get("requestTimeEpoch"),
            Some(ctx.request_time_epoch.to_string())
        );
        // Not known before dispatch and the response.
        for name in [
            "apiId",
            "stage",
            "resourcePath",
            "status",
            "error.message",
            "nope",
        ] {
            assert_eq!(get(name), None, "{name}");
        }
    }

    #[test]
    fn request_time_has_aws_format() {
        let t = time::macros::datetime!(2026-11-25 17:36:42 UTC);
        assert_eq!(format_request_time(t), "25/Nov/2026:17:36:42 +0000");
        let t = time::macros::datetime!(2026-01-05 03:04:05 UTC);
        assert_eq!(format_request_time(t), "05/Jan/2026:03:04:05 +0000");
    }

    #[test]
    fn rest_request_ids_are_uuids_and_a_client_uuid_is_adopted() {
        let ctx = context(Request::get("/").body(()).unwrap());
        assert!(ids::is_uuid(ctx.request_id()));
        let ctx = context(
            Request::get("/")
                .header("x-amzn-RequestId", "3F2504E0-4F89-11D3-9A0C-0305E82C3301")
                .body(())
                .unwrap(),
        );
        assert_eq!(ctx.request_id(), "3f2504e0-4f89-11d3-9a0c-0305e82c3301");
        let ctx = context(
            Request::get("/")
                .header("x-amzn-RequestId", "mine")
                .body(())
                .unwrap(),
        );
        assert_ne!(ctx.request_id(), "mine");
    }

    #[test]
    fn error_variables_quote_the_message_string() {
        let mut ctx = context(Request::get("/").body(()).unwrap());
        ctx.error = Some(ContextError {
            message: "say \"hi\"".into(),
            response_type: GatewayResponseType::MissingAuthenticationToken,
            validation_error_string: None,
        });
        ctx.status = Some(403);
        assert_eq!(ctx.lookup("error.message").unwrap(), "say \"hi\"");
        assert_eq!(
            ctx.lookup("error.messageString").unwrap(),
            r#""say \"hi\"""#
        );
        assert_eq!(
            ctx.lookup("error.responseType").unwrap(),
            "MISSING_AUTHENTICATION_TOKEN"
        );
        assert_eq!(ctx.lookup("status").unwrap(), "403");
    }

    #[test]
    fn ports_are_stripped_from_hosts() {
        assert_eq!(strip_port("example.com:8080"), "example.com");
        assert_eq!(strip_port("example.com"), "example.com");
        assert_eq!(strip_port("[::1]:8080"), "[::1]");
        assert_eq!(strip_port("[::1]"), "[::1]");
        assert_eq!(strip_port("127.0.0.1:80"), "127.0.0.1");
    }

    #[test]
    fn http_2_is_named_as_aws_names_it() {
        assert_eq!(protocol(Version::HTTP_2), "HTTP/2.0");
        assert_eq!(protocol(Version::HTTP_10), "HTTP/1.0");
    }
}
