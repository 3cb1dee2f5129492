//! Access control in an OpenAPI document: security schemes (`components.securitySchemes` /
//! `securityDefinitions`) with `x-amazon-apigateway-authtype` and `x-amazon-apigateway-authorizer`,
//! `security` requirements at the top level and per operation, `x-amazon-apigateway-api-key-source`
//! and `x-amazon-apigateway-policy`.
//!
//! A scheme is one of: an authorizer (Lambda TOKEN/REQUEST, Cognito user pools, JWT), AWS IAM
//! (`awsSigv4`), or the API key (`type: apiKey`, `name: x-api-key`, `in: header`). A requirement
//! names schemes; all the objects of a `security` list are required together, since API Gateway
//! gives a method one authorizer plus the API key flag (stricter than OpenAPI's "any of", which
//! API Gateway does not have).

use std::collections::BTreeMap;

use serde_json::Value;

use super::authorizer;
use super::context::{one_of, At, Ctx, Node};
use crate::api::{ApiKind, Route};
use crate::auth::{ApiKeySource, Authorizer, PolicyDocument, RouteAuth, API_KEY_HEADER};

const AUTHTYPE: &str = "x-amazon-apigateway-authtype";
const AUTHORIZER: &str = "x-amazon-apigateway-authorizer";
const API_KEY_SOURCE: &str = "x-amazon-apigateway-api-key-source";
const POLICY: &str = "x-amazon-apigateway-policy";

/// A security scheme, resolved.
#[derive(Debug, Clone)]
pub(crate) enum Scheme {
    Authorizer(Box<Authorizer>),
    Iam,
    ApiKey,
    /// A scheme API Gateway does not apply (such as `http` basic); an error if a route uses it.
    Other(String),
}

/// The document's security schemes by name.
pub(crate) type Schemes = BTreeMap<String, Scheme>;

/// Reads the security schemes of the document.
pub(crate) fn schemes(ctx: &mut Ctx<'_>, root: &Node<'_>) -> Schemes {
    let container = root
        .get("components")
        .and_then(|c| c.get("securitySchemes"))
        .or_else(|| root.get("securityDefinitions"));
    let mut out = Schemes::new();
    let Some(container) = container else {
        return out;
    };
    if ctx.object(&container, "securitySchemes").is_none() {
        return out;
    }
    for (name, node) in container.entries() {
        if let Some(scheme) = scheme(ctx, name, &node) {
            out.insert(name.to_owned(), scheme);
        }
    }
    out
}

fn scheme(ctx: &mut Ctx<'_>, name: &str, node: &Node<'_>) -> Option<Scheme> {
    ctx.object(node, &format!("security scheme {name}"))?;
    let authtype = node.get(AUTHTYPE).and_then(|n| {
        ctx.handle(&n);
        ctx.string(&n, AUTHTYPE).map(str::to_ascii_lowercase)
    });
    let scheme_type = node.get("type").and_then(|n| n.value.as_str());
    if let Some(found) = node.get(AUTHORIZER) {
        ctx.handle(&found);
        let header = node.get("name").and_then(|n| n.value.as_str());
        return authorizer::resolve(ctx, name, &found, header)
            .map(|a| Scheme::Authorizer(Box::new(a)));
    }
    match authtype.as_deref() {
        Some("awssigv4") => return Some(Scheme::Iam),
        Some("custom" | "cognito_user_pools" | "oauth2") => {
            let message =
                format!("security scheme {name} has {AUTHTYPE} but no {AUTHORIZER} to say how to authorize; add one");
            ctx.error(&node.ptr, At::Key, message);
            return None;
        }
        Some(other) => {
            let message = format!(
                "unknown {AUTHTYPE} \"{other}\"; expected one of {}",
                one_of(&["custom", "cognito_user_pools", "awsSigv4", "oauth2"])
            );
            if let Some(n) = node.get(AUTHTYPE) {
                ctx.error(&n.ptr, At::Value, message);
            }
            return None;
        }
        None => {}
    }
    let in_header = node.get("in").and_then(|n| n.value.as_str()) == Some("header");
    let key_name = node.get("name").and_then(|n| n.value.as_str());
    if scheme_type == Some("apiKey")
        && in_header
        && key_name.is_some_and(|n| n.eq_ignore_ascii_case(API_KEY_HEADER))
    {
        return Some(Scheme::ApiKey);
    }
    Some(Scheme::Other(format!(
        "security scheme {name} is neither an API key (type: apiKey, name: x-api-key, in: header), AWS IAM ({AUTHTYPE}: awsSigv4) nor an authorizer ({AUTHORIZER}); API Gateway cannot apply it"
    )))
}

/// Sets each route's requirement from its operation's `security`, or the document's.
pub(crate) fn apply(ctx: &mut Ctx<'_>, root: &Node<'_>, schemes: &Schemes, routes: &mut [Route]) {
    let default = root
        .get("security")
        .map(|n| requirement(ctx, &n, schemes))
        .unwrap_or_default();
    for route in routes {
        let operation = ctx.doc.root.pointer(&route.pointer).map(|value| Node {
            value,
            ptr: route.pointer.clone(),
        });
        let own = operation
            .and_then(|op| op.get("security"))
            .map(|n| requirement(ctx, &n, schemes));
        let (auth, api_key) = own.unwrap_or_else(|| default.clone());
        route.auth = auth;
        route.api_key_required = api_key;
    }
}

/// One `security` list: the route's authorizer or IAM, and whether it needs an API key.
fn requirement(ctx: &mut Ctx<'_>, node: &Node<'_>, schemes: &Schemes) -> (RouteAuth, bool) {
    let mut auth = RouteAuth::None;
    let mut api_key = false;
    if ctx.array(node, "security").is_none() {
        return (auth, api_key);
    }
    for item in node.items() {
        if ctx.object(&item, "each security requirement").is_none() {
            continue;
        }
        for (name, scopes_node) in item.entries() {
            let scopes = scopes(ctx, &scopes_node);
            let found = match schemes.get(name) {
                Some(Scheme::ApiKey) => {
                    api_key = true;
                    continue;
                }
                Some(Scheme::Iam) => RouteAuth::Iam,
                Some(Scheme::Authorizer(a)) => RouteAuth::Authorizer {
                    name: a.name.clone(),
                    scopes,
                },
                Some(Scheme::Other(message)) => {
                    ctx.error(&scopes_node.ptr, At::Key, message.clone());
                    continue;
                }
                None => {
                    let known: Vec<&str> = schemes.keys().map(String::as_str).collect();
                    let message = format!("security requirement names \"{name}\", which is not a security scheme of this document; expected one of {}", if known.is_empty() { "(none declared)".to_owned() } else { one_of(&known) });
                    ctx.error(&scopes_node.ptr, At::Key, message);
                    continue;
                }
            };
            if auth != RouteAuth::None && auth != found {
                let message = "API Gateway gives a method one authorizer (or AWS IAM) besides the API key; this requirement names a second one";
                ctx.error(&scopes_node.ptr, At::Key, message);
                continue;
            }
            auth = found;
        }
    }
    (auth, api_key)
}

fn scopes(ctx: &mut Ctx<'_>, node: &Node<'_>) -> Vec<String> {
    if ctx
        .array(node, "the scopes of a security requirement")
        .is_none()
    {
        return Vec::new();
    }
    node.items()
        .iter()
        .filter_map(|item| ctx.string(item, "each scope").map(str::to_owned))
        .collect()
}

/// `x-amazon-apigateway-api-key-source` (REST APIs).
pub(crate) fn api_key_source(ctx: &mut Ctx<'_>, root: &Node<'_>) -> ApiKeySource {
    let Some(node) = root.get(API_KEY_SOURCE) else {
        return ApiKeySource::Header;
    };
    if !rest_only(ctx, &node) {
        return ApiKeySource::Header;
    }
    match ctx.string(&node, API_KEY_SOURCE) {
        Some(t) if t.eq_ignore_ascii_case("HEADER") => ApiKeySource::Header,
        Some(t) if t.eq_ignore_ascii_case("AUTHORIZER") => ApiKeySource::Authorizer,
        Some(other) => {
            let message =
                format!("unknown {API_KEY_SOURCE} \"{other}\"; expected HEADER or AUTHORIZER");
            ctx.error(&node.ptr, At::Value, message);
            ApiKeySource::Header
        }
        None => ApiKeySource::Header,
    }
}

/// `x-amazon-apigateway-policy` (REST APIs): the resource policy.
pub(crate) fn resource_policy(ctx: &mut Ctx<'_>, root: &Node<'_>) -> Option<PolicyDocument> {
    let node = root.get(POLICY)?;
    if !rest_only(ctx, &node) {
        return None;
    }
    // AWS exports the policy as a JSON string as often as as an object.
    let parsed;
    let value = match node.value {
        Value::String(text) => match serde_json::from_str::<Value>(text) {
            Ok(v) => {
                parsed = v;
                &parsed
            }
            Err(e) => {
                let message = format!("{POLICY} is a string that is not JSON: {e}");
                ctx.error(&node.ptr, At::Value, message);
                return None;
            }
        },
        other => other,
    };
    match PolicyDocument::from_json(value) {
        Ok(doc) => Some(doc),
        Err(e) => {
            let at = if node.value.is_string() {
                node.ptr.clone()
            } else {
                format!("{}{}", node.ptr, e.pointer)
            };
            let at = if ctx.doc.root.pointer(&at).is_some() {
                at
            } else {
                node.ptr.clone()
            };
            ctx.error(&at, At::Value, format!("{POLICY}: {}", e.message));
            None
        }
    }
}

fn rest_only(ctx: &mut Ctx<'_>, node: &Node<'_>) -> bool {
    ctx.handle(node);
    if ctx.kind == ApiKind::Rest {
        return true;
    }
    let name = node.ptr.trim_start_matches('/');
    let message = format!("{name} is a REST API feature that HTTP APIs do not have; remove it, or load the document as a REST API (--kind rest)");
    ctx.error(&node.ptr, At::Key, message);
    false
}
