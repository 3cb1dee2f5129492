//! Each operation's `security`: an event's own `Auth`, else the API's `DefaultAuthorizer` and
//! `ApiKeyRequired`; and the security schemes they name, added to the document.

use super::{flag, list, map, s, texts, ApiAuth, API_KEY, EVENT_AUTH, IAM, OPERATIONS};
use crate::load::context::At;
use crate::load::sam::events::EventRoute;
use crate::load::sam::resolved::{RNode, RVal};
use crate::load::sam::stack::Stack;

/// Writes `auth` and the events' own `Auth` into the OpenAPI document `doc`.
pub(in crate::load::sam) fn apply(
    stack: &mut Stack<'_>,
    doc: &mut RNode,
    auth: &ApiAuth,
    events: &[&EventRoute],
) {
    let swagger = doc.get("swagger").is_some();
    let needs_key = auth.api_key_required
        || events.iter().any(|e| {
            e.auth.as_ref().is_some_and(|a| {
                a.get("ApiKeyRequired").and_then(RNode::text).as_deref() == Some("true")
            })
        });
    let mut schemes = auth.schemes.clone();
    if auth.default.as_deref() == Some(IAM) || uses_iam(events) {
        let p = auth.ptr.as_str();
        schemes.push((
            IAM.into(),
            map(
                p,
                vec![
                    ("type", s(p, "apiKey")),
                    ("name", s(p, "Authorization")),
                    ("in", s(p, "header")),
                    ("x-amazon-apigateway-authtype", s(p, "awsSigv4")),
                ],
            ),
        ));
    }
    if needs_key {
        let p = auth.ptr.as_str();
        schemes.push((
            API_KEY.into(),
            map(
                p,
                vec![
                    ("type", s(p, "apiKey")),
                    ("name", s(p, "x-api-key")),
                    ("in", s(p, "header")),
                ],
            ),
        ));
    }
    if auth.policy.is_some() {
        if let (Some(policy), RVal::Map(members)) = (&auth.policy, &mut doc.val) {
            members.push(("x-amazon-apigateway-policy".into(), policy.clone()));
        }
    }
    if !schemes.is_empty() {
        let holder = if swagger {
            member(doc, "securityDefinitions")
        } else {
            member(doc, "components").and_then(|c| member(c, "securitySchemes"))
        };
        if let Some(RNode {
            val: RVal::Map(members),
            ..
        }) = holder
        {
            for (name, scheme) in &schemes {
                if !members.iter().any(|(k, _)| k == name) {
                    members.push((name.clone(), scheme.clone()));
                }
            }
        }
    }
    // Each event's operation first (its own Auth wins), then the default everywhere else.
    for event in events {
        let Some(auth_node) = &event.auth else {
            continue;
        };
        let Some(requirement) = event_requirement(stack, auth_node, auth) else {
            continue;
        };
        let (path, method) = match &event.route {
            Some((path, method)) => (path.clone(), method.clone()),
            None => ("/$default".into(), "any".into()),
        };
        let key = if method == "any" {
            "x-amazon-apigateway-any-method".to_owned()
        } else {
            method
        };
        if let Some(RNode {
            val: RVal::Map(members),
            ..
        }) = member(doc, "paths")
            .and_then(|p| p.get_mut(&path))
            .and_then(|i| i.get_mut(&key))
        {
            members.retain(|(k, _)| k != "security");
            members.push(("security".into(), requirement));
        }
    }
    let default = default_requirement(auth);
    if let (
        Some(default),
        Some(RNode {
            val: RVal::Map(paths),
            ..
        }),
    ) = (default, member(doc, "paths"))
    {
        for (_, item) in paths.iter_mut() {
            let RVal::Map(ops) = &mut item.val else {
                continue;
            };
            for (op, node) in ops.iter_mut() {
                if !OPERATIONS.contains(&op.as_str()) {
                    continue;
                }
                if let RVal::Map(members) = &mut node.val {
                    if !members.iter().any(|(k, _)| k == "security") {
                        members.push(("security".into(), default.clone()));
                    }
                }
            }
        }
    }
}

fn uses_iam(events: &[&EventRoute]) -> bool {
    events.iter().any(|e| {
        e.auth
            .as_ref()
            .and_then(|a| a.get("Authorizer"))
            .and_then(RNode::text)
            .as_deref()
            == Some(IAM)
    })
}

fn requirement(ptr: &str, authorizer: Option<(&str, Vec<String>)>, api_key: bool) -> RNode {
    let mut entries = Vec::new();
    if let Some((name, scopes)) = authorizer {
        entries.push((
            name.to_owned(),
            list(
                ptr,
                scopes.into_iter().map(|s| RNode::scalar(ptr, s)).collect(),
            ),
        ));
    }
    if api_key {
        entries.push((API_KEY.to_owned(), list(ptr, Vec::new())));
    }
    let items = if entries.is_empty() {
        Vec::new()
    } else {
        vec![RNode {
            ptr: ptr.to_owned(),
            val: RVal::Map(entries),
        }]
    };
    list(ptr, items)
}

fn default_requirement(auth: &ApiAuth) -> Option<RNode> {
    if auth.default.is_none() && !auth.api_key_required {
        return None;
    }
    let authorizer = auth
        .default
        .as_deref()
        .map(|name| (name, default_scopes(auth, name)));
    Some(requirement(&auth.ptr, authorizer, auth.api_key_required))
}

fn default_scopes(auth: &ApiAuth, name: &str) -> Vec<String> {
    auth.scopes
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, s)| s.clone())
        .unwrap_or_default()
}

/// An event's `Auth: {Authorizer, ApiKeyRequired, AuthorizationScopes}` as a `security` list.
fn event_requirement(stack: &mut Stack<'_>, node: &RNode, api: &ApiAuth) -> Option<RNode> {
    let entries = stack.mapping(node, "Auth")?.to_vec();
    stack.check_keys(&entries, EVENT_AUTH, "the Auth of this event");
    let name = match node.get("Authorizer") {
        Some(n) => Some(stack.text(n, "Authorizer")?),
        None => api.default.clone(),
    };
    let name = match name.as_deref() {
        Some("NONE") | None => None,
        Some(IAM) => Some(IAM.to_owned()),
        Some(other) if api.schemes.iter().any(|(n, _)| n == other) => Some(other.to_owned()),
        Some(other) => {
            let at = node
                .get("Authorizer")
                .map_or(node.ptr.clone(), |n| n.ptr.clone());
            let message = format!("Authorizer \"{other}\" is not one of the API's Auth.Authorizers (or NONE, AWS_IAM)");
            stack.error(&at, At::Value, message);
            return None;
        }
    };
    let scopes = match node.get("AuthorizationScopes") {
        Some(n) => texts(stack, Some(n), "AuthorizationScopes"),
        None => name
            .as_deref()
            .map(|n| default_scopes(api, n))
            .unwrap_or_default(),
    };
    let api_key = match node.get("ApiKeyRequired") {
        Some(n) => flag(stack, n, "ApiKeyRequired"),
        None => api.api_key_required,
    };
    Some(requirement(
        &node.ptr,
        name.as_deref().map(|n| (n, scopes)),
        api_key,
    ))
}

/// The member `key` of a mapping, added empty (located where the mapping is) when missing.
fn member<'n>(node: &'n mut RNode, key: &str) -> Option<&'n mut RNode> {
    let ptr = node.ptr.clone();
    node.member(key, &ptr)
}
