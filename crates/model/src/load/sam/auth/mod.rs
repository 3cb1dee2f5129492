//! SAM's `Auth` (on `AWS::Serverless::Api` / `HttpApi`, and per event), written into the API's
//! OpenAPI document as SAM writes it: each authorizer becomes a security scheme with
//! `x-amazon-apigateway-authorizer`, `DefaultAuthorizer` and `ApiKeyRequired` become `security` on
//! every operation that has none, an event's `Auth` becomes its operation's `security`, and
//! `ResourcePolicy` becomes `x-amazon-apigateway-policy`. The OpenAPI loader then checks and
//! resolves them like any document's, with errors pointing back at the template.
//!
//! [`authorizer`] writes the authorizers as security schemes, [`policy`] the resource policy and
//! [`requirement`] the `security` of each operation.

mod authorizer;
mod policy;
mod requirement;

use serde_json::Value;

pub(super) use super::resolved::map;
use super::resolved::{RNode, RVal};
use super::stack::Stack;
use crate::api::ApiKind;
use crate::load::context::At;

pub(super) use requirement::apply;

const REST_AUTH: &[&str] = &[
    "Authorizers",
    "DefaultAuthorizer",
    "ApiKeyRequired",
    "ResourcePolicy",
    "AddDefaultAuthorizerToCorsPreflight",
    "InvokeRole",
    // Read by `usage_plans::from_auth`: it makes resources, not OpenAPI.
    "UsagePlan",
];
const HTTP_AUTH: &[&str] = &["Authorizers", "DefaultAuthorizer", "EnableIamAuthorizer"];
pub(super) const EVENT_AUTH: &[&str] = &[
    "Authorizer",
    "ApiKeyRequired",
    "AuthorizationScopes",
    "InvokeRole",
];
pub(super) const OPERATIONS: &[&str] = &[
    "get",
    "put",
    "post",
    "delete",
    "options",
    "head",
    "patch",
    "x-amazon-apigateway-any-method",
];
pub(super) const IAM: &str = "AWS_IAM";
pub(super) const API_KEY: &str = "api_key";

/// The `Auth` of one API, read.
#[derive(Default)]
pub(super) struct ApiAuth {
    /// Security schemes to add, by name.
    pub(super) schemes: Vec<(String, RNode)>,
    /// Default scopes of each authorizer (`AuthorizationScopes`).
    pub(super) scopes: Vec<(String, Vec<String>)>,
    pub(super) default: Option<String>,
    pub(super) api_key_required: bool,
    pub(super) policy: Option<RNode>,
    pub(super) ptr: String,
}

/// Reads the API's `Auth` property.
pub(super) fn read(stack: &mut Stack<'_>, props: &RNode, kind: ApiKind) -> ApiAuth {
    let Some(auth) = props.get("Auth") else {
        return ApiAuth::default();
    };
    let mut out = ApiAuth {
        ptr: auth.ptr.clone(),
        ..ApiAuth::default()
    };
    let Some(entries) = stack.mapping(auth, "Auth") else {
        return out;
    };
    let allowed = if kind == ApiKind::Rest {
        REST_AUTH
    } else {
        HTTP_AUTH
    };
    stack.check_keys(entries, allowed, "Auth");
    if let Some(authorizers) = auth.get("Authorizers") {
        let list = stack
            .mapping(authorizers, "Auth.Authorizers")
            .map(<[_]>::to_vec)
            .unwrap_or_default();
        for (name, node) in &list {
            if let Some((scheme, scopes)) = authorizer::scheme(stack, name, node, kind) {
                out.schemes.push((name.clone(), scheme));
                out.scopes.push((name.clone(), scopes));
            }
        }
    }
    let iam = kind == ApiKind::Http
        && auth
            .get("EnableIamAuthorizer")
            .and_then(RNode::text)
            .as_deref()
            == Some("true");
    if let Some(node) = auth.get("DefaultAuthorizer") {
        if let Some(name) = stack.text(node, "DefaultAuthorizer") {
            let known = out.schemes.iter().any(|(n, _)| *n == name)
                || (name == IAM && (kind == ApiKind::Rest || iam));
            if known {
                out.default = Some(name);
            } else if name != "NONE" {
                let message = format!(
                    "DefaultAuthorizer \"{name}\" is not one of Auth.Authorizers{}",
                    if kind == ApiKind::Rest {
                        " (or AWS_IAM)"
                    } else {
                        " (or AWS_IAM with EnableIamAuthorizer)"
                    }
                );
                stack.error(&node.ptr, At::Value, message);
            }
        }
    }
    out.api_key_required = auth
        .get("ApiKeyRequired")
        .is_some_and(|n| flag(stack, n, "ApiKeyRequired"));
    if let Some(policy) = auth.get("ResourcePolicy") {
        out.policy = policy::resource_policy(stack, policy);
    }
    out
}

pub(super) fn flag(stack: &mut Stack<'_>, node: &RNode, what: &str) -> bool {
    match node.text().as_deref() {
        Some("true") => true,
        Some("false") => false,
        _ => {
            let message = format!("{what} must be true or false; found {}", node.type_name());
            stack.error(&node.ptr, At::Value, message);
            false
        }
    }
}

pub(super) fn s(ptr: &str, v: impl Into<Value>) -> RNode {
    RNode::scalar(ptr, v)
}

pub(super) fn list(ptr: &str, items: Vec<RNode>) -> RNode {
    RNode {
        ptr: ptr.to_owned(),
        val: RVal::List(items),
    }
}

/// Texts of a list property (`Headers`, `AuthorizationScopes`, ...).
pub(super) fn texts(stack: &mut Stack<'_>, node: Option<&RNode>, what: &str) -> Vec<String> {
    let Some(node) = node else {
        return Vec::new();
    };
    let items = stack
        .list(node, what)
        .map(<[_]>::to_vec)
        .unwrap_or_default();
    items.iter().filter_map(|i| stack.text(i, what)).collect()
}
