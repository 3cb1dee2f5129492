//! An HTTP API's `AWS::ApiGatewayV2::Route`s → the operations of its OpenAPI document, each with
//! the integration its `Target` names and the `security` its authorization asks for.

use std::collections::{BTreeMap, BTreeSet};

use super::targets::{authorizer, integration};
use super::{map, route_key, skeleton, IAM_SCHEME, INTEGRATION_EXTENSION};
use crate::load::context::At;
use crate::load::sam::resolved::{RNode, RVal};
use crate::load::sam::stack::Stack;
use crate::load::sam::websocket::{named, reference, Kinds, Read, AUTHORIZER, INTEGRATION, ROUTE};

/// The API's integrations (by logical id, `None` for one already reported) and authorizers
/// (logical id → kind and security scheme), which its routes name.
struct Parts {
    integrations: BTreeMap<String, Option<RNode>>,
    authorizers: BTreeMap<String, Option<(String, RNode)>>,
}

/// The document written from the API's routes, their integrations and authorizers.
pub(super) fn document(stack: &mut Stack<'_>, r: &Read, members: &[&Read], kinds: &Kinds) -> RNode {
    let props = &r.props;
    let p = props.ptr.as_str();
    let of = |kind: &'static str| members.iter().copied().filter(move |m| m.kind == kind);
    let parts = Parts {
        integrations: of(INTEGRATION)
            .map(|m| (m.id.clone(), integration(stack, m)))
            .collect(),
        authorizers: of(AUTHORIZER)
            .map(|m| (m.id.clone(), authorizer(stack, m)))
            .collect(),
    };
    let mut paths: Vec<(String, RNode)> = Vec::new();
    let mut seen_keys: BTreeSet<String> = BTreeSet::new();
    let mut iam = false;
    for route in of(ROUTE) {
        let key = match route.props.get("RouteKey") {
            Some(node) => stack.text(node, "RouteKey").map(|t| (node, t)),
            None => {
                let message = format!("{} needs a RouteKey", route.name());
                stack.error(&route.props.ptr, At::Key, message);
                None
            }
        };
        let operation = operation(stack, route, kinds, &parts, &mut iam);
        let (Some((key_node, text)), Some(operation)) = (key, operation) else {
            continue;
        };
        let Some((path, method)) = route_key(stack, key_node, &text) else {
            continue;
        };
        if !seen_keys.insert(text.clone()) {
            let message = format!("another AWS::ApiGatewayV2::Route of this API has the route key {text}; route keys are unique within an API");
            stack.error(&key_node.ptr, At::Value, message);
            continue;
        }
        let index = match paths.iter().position(|(k, _)| *k == path) {
            Some(i) => i,
            None => {
                paths.push((path, map::<String>(&key_node.ptr, Vec::new())));
                paths.len() - 1
            }
        };
        if let Some((
            _,
            RNode {
                val: RVal::Map(ops),
                ..
            },
        )) = paths.get_mut(index)
        {
            ops.push((method, operation));
        }
    }
    let mut schemes: Vec<(String, RNode)> = parts
        .authorizers
        .into_iter()
        .filter_map(|(id, a)| a.map(|(_, scheme)| (id, scheme)))
        .collect();
    if iam {
        let scheme = map(
            p,
            vec![
                ("type", RNode::scalar(p, "apiKey")),
                ("name", RNode::scalar(p, "Authorization")),
                ("in", RNode::scalar(p, "header")),
                ("x-amazon-apigateway-authtype", RNode::scalar(p, "awsSigv4")),
            ],
        );
        schemes.push((IAM_SCHEME.to_owned(), scheme));
    }
    let title = props
        .get("Name")
        .and_then(RNode::text)
        .unwrap_or_else(|| r.id.clone());
    let paths = RNode {
        ptr: p.to_owned(),
        val: RVal::Map(paths),
    };
    let mut doc = skeleton(p, &title, paths);
    if !schemes.is_empty() {
        let schemes = RNode {
            ptr: p.to_owned(),
            val: RVal::Map(schemes),
        };
        doc.push(("components", map(p, vec![("securitySchemes", schemes)])));
    }
    map(p, doc)
}

/// The operation of `route`: its integration and its `security`; `None` after reporting.
fn operation(
    stack: &mut Stack<'_>,
    route: &Read,
    kinds: &Kinds,
    parts: &Parts,
    iam: &mut bool,
) -> Option<RNode> {
    let props = &route.props;
    let p = props.ptr.as_str();
    let security = security(stack, route, kinds, parts, iam);
    let Some(target) = props.get("Target") else {
        let message = format!("{} needs a Target (integrations/ID of an AWS::ApiGatewayV2::Integration of its API); Turnpike serves only routes with an integration", route.name());
        stack.error(p, At::Key, message);
        return None;
    };
    let text = stack.text(target, "Target")?;
    let Some(id) = text.strip_prefix("integrations/") else {
        let message = format!("Target must be integrations/ID, the !Ref of an AWS::ApiGatewayV2::Integration after \"integrations/\"; found {text}");
        stack.error(&target.ptr, At::Value, message);
        return None;
    };
    if !named(stack, target, id, "Target", INTEGRATION, kinds) {
        return None;
    }
    let Some(integration) = parts.integrations.get(id) else {
        let message = format!("Target names the integration \"{id}\" of another API; a route's integration belongs to its own API");
        stack.error(&target.ptr, At::Value, message);
        return None;
    };
    let mut operation = vec![(INTEGRATION_EXTENSION, integration.clone()?)];
    if let Some(name) = props.get("OperationName") {
        operation.push(("operationId", name.clone()));
    }
    if let Some(security) = security? {
        operation.push(("security", security));
    }
    Some(map(p, operation))
}

/// The route's `security` from `AuthorizationType`, `AuthorizerId` and `AuthorizationScopes`:
/// `Some(None)` for none, `None` after reporting.
fn security(
    stack: &mut Stack<'_>,
    route: &Read,
    kinds: &Kinds,
    parts: &Parts,
    iam: &mut bool,
) -> Option<Option<RNode>> {
    let props = &route.props;
    let kind = match props.get("AuthorizationType") {
        Some(node) => stack.text(node, "AuthorizationType")?,
        None => "NONE".to_owned(),
    };
    let at = props
        .get("AuthorizationType")
        .map_or(&props.ptr, |n| &n.ptr);
    let scopes = props.get("AuthorizationScopes");
    if let (Some(node), false) = (scopes, kind == "JWT") {
        let message = "AuthorizationScopes apply to routes with AuthorizationType JWT only";
        stack.error(&node.ptr, At::Key, message);
        return None;
    }
    let authorizer = props.get("AuthorizerId");
    if let (Some(node), false) = (authorizer, kind == "JWT" || kind == "CUSTOM") {
        let message =
            format!("AuthorizerId needs AuthorizationType JWT or CUSTOM; this route has {kind}");
        stack.error(&node.ptr, At::Key, message);
        return None;
    }
    let scheme = match kind.as_str() {
        "NONE" => return Some(None),
        "AWS_IAM" => {
            *iam = true;
            IAM_SCHEME.to_owned()
        }
        "JWT" | "CUSTOM" => {
            let Some(node) = authorizer else {
                let message = format!("{} has AuthorizationType {kind} and needs an AuthorizerId, the !Ref of an AWS::ApiGatewayV2::Authorizer of its API", route.name());
                stack.error(&props.ptr, At::Key, message);
                return None;
            };
            let id = reference(stack, node, "AuthorizerId", AUTHORIZER, kinds)?;
            let Some(found) = parts.authorizers.get(&id) else {
                let message = format!("AuthorizerId names the authorizer \"{id}\" of another API; a route's authorizer belongs to its own API");
                stack.error(&node.ptr, At::Value, message);
                return None;
            };
            let (authorizer_type, _) = found.as_ref()?;
            let expected = if kind == "JWT" { "JWT" } else { "REQUEST" };
            if authorizer_type != expected {
                let message = format!("AuthorizationType {kind} needs a {expected} authorizer; {id} is a {authorizer_type} authorizer");
                stack.error(at, At::Value, message);
                return None;
            }
            id
        }
        other => {
            let message = format!(
                "AuthorizationType must be NONE, JWT, AWS_IAM or CUSTOM for HTTP API routes; found {other}"
            );
            stack.error(at, At::Value, message);
            return None;
        }
    };
    let p = at.as_str();
    let scopes = match scopes {
        Some(node) => node.clone(),
        None => RNode {
            ptr: p.to_owned(),
            val: RVal::List(Vec::new()),
        },
    };
    let requirement = map(p, vec![(scheme.as_str(), scopes)]);
    Some(Some(RNode {
        ptr: p.to_owned(),
        val: RVal::List(vec![requirement]),
    }))
}
