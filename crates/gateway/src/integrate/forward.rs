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

use http::header::{HeaderName, HeaderValue, ACCEPT, USER_AGENT};
use http::HeaderMap;
use turnpike_model::ApiKind;

use crate::context::RequestContext;
use crate::hop_by_hop;

static X_FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");
static X_FORWARDED_PORT: HeaderName = HeaderName::from_static("x-forwarded-port");
static X_FORWARDED_PROTO: HeaderName = HeaderName::from_static("x-forwarded-proto");
static FORWARDED: HeaderName = HeaderName::from_static("forwarded");
static TRACE_ID: HeaderName = HeaderName::from_static("x-amzn-trace-id");
static API_ID: HeaderName = HeaderName::from_static("x-amzn-apigateway-api-id");

/// The headers an HTTP_PROXY back end receives.
pub(crate) fn proxy_headers(client: &HeaderMap, ctx: &RequestContext) -> HeaderMap {
    let kind = ctx.api_kind();
    let listed = hop_by_hop::connection_listed(client);
    let mut headers = HeaderMap::with_capacity(client.len() + 5);
    for (name, value) in client {
        let skip = hop_by_hop::is_hop_by_hop(name)
            || listed.contains(name)
            || is_replaced(name.as_str(), kind);
        if !skip {
            headers.append(name, value.clone());
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
            let ip = IpText::new(ip);
            let mut forwarded_for = joined(client, &X_FORWARDED_FOR);
            let forwarded_for = if forwarded_for.is_empty() {
                HeaderValue::from_str(ip.as_str())
            } else {
                forwarded_for.push_str(", ");
                forwarded_for.push_str(ip.as_str());
                HeaderValue::from_str(&forwarded_for)
            };
            if let Ok(value) = forwarded_for {
                headers.insert(&X_FORWARDED_FOR, value);
            }
            headers.insert(
                &X_FORWARDED_PORT,
                HeaderValue::from(ctx.connection.local.port()),
            );
            headers.insert(&X_FORWARDED_PROTO, HeaderValue::from_static(proto));
            if let Some(id) = ctx.api.as_ref().and_then(|api| api.id_header.clone()) {
                headers.insert(&API_ID, id);
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

/// True for a client header that API Gateway drops before any integration or that the forwarding
/// headers replace. One `match` on the name instead of a comparison per listed header.
fn is_replaced(name: &str, kind: ApiKind) -> bool {
    match name {
        // Dropped before any integration (`Host` is the back end's own).
        "host" | "content-md5" | "expect" | "max-forwards" | "proxy-authenticate" | "server"
        | "www-authenticate" => true,
        // Replaced by the forwarding headers.
        "x-amzn-trace-id"
        | "x-amzn-apigateway-api-id"
        | "x-forwarded-for"
        | "x-forwarded-port"
        | "x-forwarded-proto" => true,
        "x-forwarded-host" | "forwarded" => kind == ApiKind::Http,
        _ => false,
    }
}

/// An IP address as text, formatted on the stack (IPv4 by hand, the common case on every
/// request; IPv6 through `Display`).
struct IpText {
    buf: [u8; 64],
    len: usize,
}

impl IpText {
    fn new(ip: IpAddr) -> IpText {
        let mut text = IpText {
            buf: [0; 64],
            len: 0,
        };
        match ip {
            IpAddr::V4(v4) => {
                for (i, octet) in v4.octets().into_iter().enumerate() {
                    if i > 0 {
                        text.push(b'.');
                    }
                    if octet >= 100 {
                        text.push(b'0' + octet / 100);
                    }
                    if octet >= 10 {
                        text.push(b'0' + octet / 10 % 10);
                    }
                    text.push(b'0' + octet % 10);
                }
            }
            IpAddr::V6(v6) => {
                let _ = write!(text, "{v6}");
            }
        }
        text
    }

    fn push(&mut self, byte: u8) {
        if let Some(slot) = self.buf.get_mut(self.len) {
            *slot = byte;
            self.len += 1;
        }
    }

    fn as_str(&self) -> &str {
        self.buf
            .get(..self.len)
            .and_then(|bytes| std::str::from_utf8(bytes).ok())
            .unwrap_or_default()
    }
}

impl std::fmt::Write for IpText {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let end = self.len + s.len();
        let slot = self.buf.get_mut(self.len..end).ok_or(std::fmt::Error)?;
        slot.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
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
