//! The headers a back end receives.
//!
//! HTTP_PROXY forwards the client's headers except hop-by-hop ones (RFC 9110 §7.6.1), `Host`
//! (the client sets it to the back end's) and those API Gateway drops before any integration
//! (`Content-MD5`, `Expect`, `Max-Forwards`, `Proxy-Authenticate`, `Server`, `WWW-Authenticate`,
//! per LocalStack's list recorded against AWS). Then, as AWS does:
//! - REST APIs append the client's address to `X-Forwarded-For` and set `X-Forwarded-Port`,
//!   `X-Forwarded-Proto`, `X-Amzn-Trace-Id` and `x-amzn-apigateway-api-id` (LocalStack's
//!   `test_http_integration_with_lambda` snapshot shows a back end receiving exactly these);
//! - HTTP APIs translate incoming `X-Forwarded-*` into a standard `Forwarded` header and append an
//!   element with the gateway's address, the client's, the host and the protocol (AWS, "Important
//!   notes for HTTP APIs"), plus `X-Amzn-Trace-Id`.
//!
//! Non-proxy HTTP integrations send no client headers at all, only the forwarding ones, their
//! mapped `requestParameters`, the body's content type, `Accept: application/json` and
//! `User-Agent: AmazonAPIGateway_{api-id}`.

use std::fmt::Write as _;
use std::net::IpAddr;

use http::header::{HeaderName, HeaderValue, ACCEPT, HOST, USER_AGENT};
use http::HeaderMap;
use turnpike_model::ApiKind;

use crate::context::RequestContext;
use crate::hop_by_hop;

static X_FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");
static X_FORWARDED_PORT: HeaderName = HeaderName::from_static("x-forwarded-port");
static X_FORWARDED_PROTO: HeaderName = HeaderName::from_static("x-forwarded-proto");
static X_FORWARDED_HOST: HeaderName = HeaderName::from_static("x-forwarded-host");
static FORWARDED: HeaderName = HeaderName::from_static("forwarded");
static TRACE_ID: HeaderName = HeaderName::from_static("x-amzn-trace-id");
static API_ID: HeaderName = HeaderName::from_static("x-amzn-apigateway-api-id");

/// Dropped by API Gateway before any integration sees the request.
static DROPPED: [HeaderName; 7] = [
    HOST,
    HeaderName::from_static("content-md5"),
    HeaderName::from_static("expect"),
    HeaderName::from_static("max-forwards"),
    HeaderName::from_static("proxy-authenticate"),
    HeaderName::from_static("server"),
    HeaderName::from_static("www-authenticate"),
];

/// The headers an HTTP_PROXY back end receives.
pub(crate) fn proxy_headers(client: &HeaderMap, ctx: &RequestContext) -> HeaderMap {
    let kind = ctx.api_kind();
    let listed = hop_by_hop::connection_listed(client);
    let mut headers = HeaderMap::with_capacity(client.len() + 5);
    for (name, value) in client {
        let skip = hop_by_hop::is_hop_by_hop(name)
            || listed.contains(name)
            || DROPPED.contains(name)
            || *name == TRACE_ID
            || *name == API_ID
            || *name == X_FORWARDED_FOR
            || *name == X_FORWARDED_PORT
            || *name == X_FORWARDED_PROTO
            || (kind == ApiKind::Http && (*name == X_FORWARDED_HOST || *name == FORWARDED));
        if !skip {
            headers.append(name.clone(), value.clone());
        }
    }
    add_forwarding(&mut headers, client, ctx);
    headers
}

/// The headers a non-proxy HTTP back end receives before mapped parameters and content type.
pub(crate) fn integration_headers(client: &HeaderMap, ctx: &RequestContext) -> HeaderMap {
    let mut headers = HeaderMap::with_capacity(8);
    headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
    if let Ok(agent) = HeaderValue::from_str(&format!(
        "AmazonAPIGateway_{}",
        ctx.api.as_ref().map_or("", |api| api.id.as_str())
    )) {
        headers.insert(USER_AGENT, agent);
    }
    add_forwarding(&mut headers, client, ctx);
    headers
}

fn add_forwarding(headers: &mut HeaderMap, client: &HeaderMap, ctx: &RequestContext) {
    let ip = ctx.source_ip();
    let proto = if ctx.connection.tls { "https" } else { "http" };
    match ctx.api_kind() {
        ApiKind::Rest => {
            let mut forwarded_for = joined(client, &X_FORWARDED_FOR);
            if !forwarded_for.is_empty() {
                forwarded_for.push_str(", ");
            }
            let _ = write!(forwarded_for, "{ip}");
            insert(headers, &X_FORWARDED_FOR, &forwarded_for);
            insert(
                headers,
                &X_FORWARDED_PORT,
                &ctx.connection.local.port().to_string(),
            );
            insert(headers, &X_FORWARDED_PROTO, proto);
            if let Some(api) = &ctx.api {
                insert(headers, &API_ID, &api.id);
            }
        }
        ApiKind::Http => {
            let mut forwarded = joined(client, &FORWARDED);
            for entry in joined(client, &X_FORWARDED_FOR).split(',').map(str::trim) {
                if let Ok(earlier) = entry.parse::<IpAddr>() {
                    separate(&mut forwarded);
                    let _ = write!(forwarded, "for={}", node(earlier));
                }
            }
            separate(&mut forwarded);
            let _ = write!(
                forwarded,
                "by={};for={};host={};proto={proto}",
                node(ctx.connection.local.ip()),
                node(ip),
                quoted_host(&ctx.domain_name)
            );
            insert(headers, &FORWARDED, &forwarded);
        }
    }
    insert(headers, &TRACE_ID, &ctx.trace_id);
}

fn separate(list: &mut String) {
    if !list.is_empty() {
        list.push_str(", ");
    }
}

/// Every value of a header, joined with `, `.
fn joined(headers: &HeaderMap, name: &HeaderName) -> String {
    let mut out = String::new();
    for value in headers.get_all(name).iter().filter_map(|v| v.to_str().ok()) {
        let value = value.trim();
        if !value.is_empty() {
            separate(&mut out);
            out.push_str(value);
        }
    }
    out
}

/// A `Forwarded` node (RFC 7239 §6): IPv6 addresses are bracketed and quoted.
fn node(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => format!("\"[{v6}]\""),
    }
}

fn quoted_host(host: &str) -> String {
    if host.contains(':') || host.contains('[') {
        format!("\"{host}\"")
    } else {
        host.to_owned()
    }
}

fn insert(headers: &mut HeaderMap, name: &HeaderName, value: &str) {
    if let Ok(value) = HeaderValue::from_str(value) {
        headers.insert(name.clone(), value);
    }
}

#[cfg(test)]
mod tests;
