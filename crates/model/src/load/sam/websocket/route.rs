//! `AWS::ApiGatewayV2::Route` → [`WebSocketRoute`] (a route key, its integration and who may
//! call it) and `AWS::ApiGatewayV2::RouteResponse`, which makes a route two-way.

use std::collections::{BTreeMap, BTreeSet};

use super::{integration, named, reference, Kinds, Read, AUTHORIZER, INTEGRATION, ROUTE};
use crate::auth::RouteAuth;
use crate::load::context::At;
use crate::load::sam::auth::flag;
use crate::load::sam::stack::Stack;
use crate::websocket::{WebSocketApi, WebSocketRoute};

pub(super) const PROPERTIES: &[&str] = &[
    "ApiId",
    "ApiKeyRequired",
    "AuthorizationScopes",
    "AuthorizationType",
    "AuthorizerId",
    "ModelSelectionExpression",
    "OperationName",
    "RequestModels",
    "RequestParameters",
    "RouteKey",
    "RouteResponseSelectionExpression",
    "Target",
];

pub(super) const RESPONSE_PROPERTIES: &[&str] = &[
    "ApiId",
    "ModelSelectionExpression",
    "ResponseModels",
    "ResponseParameters",
    "RouteId",
    "RouteResponseKey",
];

/// The only route key that may carry authorization: API Gateway authorizes a connection once,
/// when it opens.
const CONNECT: &str = "$connect";

/// What a route may refer to.
pub(super) struct Known<'a> {
    pub kinds: &'a Kinds,
    pub integrations: &'a BTreeMap<String, integration::Decl>,
    /// Authorizer logical id → index of its API.
    pub authorizer_apis: &'a BTreeMap<String, usize>,
    /// Routes with a route response.
    pub two_way: &'a BTreeSet<String>,
}

/// Reads the route `r` of `api` (index `owner`); `None` after reporting its problems.
pub(super) fn read(
    stack: &mut Stack<'_>,
    r: &Read,
    owner: usize,
    known: &Known<'_>,
    api: &WebSocketApi,
) -> Option<WebSocketRoute> {
    let props = &r.props;
    let Some(key_node) = props.get("RouteKey") else {
        let message = format!(
            "{} needs a RouteKey: $connect, $disconnect, $default or a value of the API's RouteSelectionExpression",
            r.name()
        );
        stack.error(&props.ptr, At::Key, message);
        return None;
    };
    let key = stack.text(key_node, "RouteKey")?;
    if key.is_empty() {
        let message = "RouteKey must not be empty; use $connect, $disconnect, $default or a value of the API's RouteSelectionExpression";
        stack.error(&key_node.ptr, At::Value, message);
        return None;
    }
    let target = target(stack, r, owner, known);
    let auth = auth(stack, r, &key, owner, known, api);
    let api_key_required = props
        .get("ApiKeyRequired")
        .is_some_and(|n| flag(stack, n, "ApiKeyRequired"));
    if let Some(node) = props.get("AuthorizationScopes") {
        let message = "AuthorizationScopes apply to JWT authorizers, which only HTTP APIs have";
        stack.error(&node.ptr, At::Key, message);
    }
    if let Some(node) = props.get("RouteResponseSelectionExpression") {
        let text = stack.text(node, "RouteResponseSelectionExpression")?;
        if text != "$default" {
            let message = format!("RouteResponseSelectionExpression must be $default, the only route response key API Gateway supports; found {text}");
            stack.error(&node.ptr, At::Value, message);
            return None;
        }
    }
    for name in [
        "ModelSelectionExpression",
        "RequestModels",
        "RequestParameters",
    ] {
        if let Some(node) = props.get(name) {
            let message = format!("{name} of a WebSocket route is not checked by Turnpike yet; messages and connections are not validated against it");
            stack.warn(&node.ptr, message);
        }
    }
    let (integration, template_selection) = target?;
    Some(WebSocketRoute {
        key,
        pointer: r.ptr.clone(),
        integration,
        auth: auth?,
        api_key_required,
        template_selection,
        two_way: known.two_way.contains(&r.id),
    })
}

/// The integration `Target` names (`integrations/ID`), with its template selection expression.
fn target(
    stack: &mut Stack<'_>,
    r: &Read,
    owner: usize,
    known: &Known<'_>,
) -> Option<(crate::api::Integration, Option<String>)> {
    let Some(node) = r.props.get("Target") else {
        let message = format!("{} has no Target; a WebSocket route calls the integration named by Target: integrations/ID, with ID the !Ref of an AWS::ApiGatewayV2::Integration (built with Fn::Join or Fn::Sub)", r.name());
        stack.error(&r.props.ptr, At::Key, message);
        return None;
    };
    let text = stack.text(node, "Target")?;
    let Some(id) = text
        .strip_prefix("integrations/")
        .filter(|id| !id.is_empty())
    else {
        let message = format!("Target must be integrations/ID, with ID the !Ref of an AWS::ApiGatewayV2::Integration; found {text}");
        stack.error(&node.ptr, At::Value, message);
        return None;
    };
    if !named(stack, node, id, "Target", INTEGRATION, known.kinds) {
        return None;
    }
    // An integration that did not load was reported already.
    let decl = known.integrations.get(id)?;
    if decl.api != owner {
        let message = format!("Target names the integration {id}, which belongs to another API; a route calls integrations of its own API");
        stack.error(&node.ptr, At::Value, message);
        return None;
    }
    Some((decl.integration.clone(), decl.template_selection.clone()))
}

/// `AuthorizationType` and `AuthorizerId`.
fn auth(
    stack: &mut Stack<'_>,
    r: &Read,
    key: &str,
    owner: usize,
    known: &Known<'_>,
    api: &WebSocketApi,
) -> Option<RouteAuth> {
    let props = &r.props;
    let type_node = props.get("AuthorizationType");
    let kind = match type_node {
        Some(node) => stack.text(node, "AuthorizationType")?,
        None => "NONE".to_owned(),
    };
    let at = type_node.map_or(props.ptr.as_str(), |n| n.ptr.as_str());
    let authorizer = props.get("AuthorizerId");
    match kind.as_str() {
        "NONE" | "AWS_IAM" | "CUSTOM" => {}
        "JWT" => {
            let message = "AuthorizationType JWT is for HTTP APIs; WebSocket routes take NONE, AWS_IAM or CUSTOM (a Lambda REQUEST authorizer)";
            stack.error(at, At::Value, message);
            return None;
        }
        other => {
            let message =
                format!("AuthorizationType must be NONE, AWS_IAM or CUSTOM; found {other}");
            stack.error(at, At::Value, message);
            return None;
        }
    }
    if kind != "NONE" && key != CONNECT {
        let message = format!("AuthorizationType {kind} on the route {key}: a WebSocket API authorizes a connection once, on its $connect route, and takes NONE on every other route");
        stack.error(at, At::Value, message);
        return None;
    }
    if kind != "CUSTOM" {
        if let Some(node) = authorizer {
            let message = format!("AuthorizerId is used only with AuthorizationType: CUSTOM; this route has AuthorizationType {kind}");
            stack.error(&node.ptr, At::Key, message);
            return None;
        }
        return Some(if kind == "AWS_IAM" {
            RouteAuth::Iam
        } else {
            RouteAuth::None
        });
    }
    let Some(node) = authorizer else {
        let message = "AuthorizationType CUSTOM needs AuthorizerId, the !Ref of an AWS::ApiGatewayV2::Authorizer of this API";
        stack.error(at, At::Value, message);
        return None;
    };
    let id = reference(stack, node, "AuthorizerId", AUTHORIZER, known.kinds)?;
    if known.authorizer_apis.get(&id).is_some_and(|a| *a != owner) {
        let message = format!("AuthorizerId names the authorizer {id}, which belongs to another API; a route uses authorizers of its own API");
        stack.error(&node.ptr, At::Value, message);
        return None;
    }
    // An authorizer that did not load was reported already.
    api.authorizers
        .contains_key(&id)
        .then_some(RouteAuth::Authorizer {
            name: id,
            scopes: Vec::new(),
        })
}

/// Adds `route` to `api` unless the API has a route with its key already.
pub(super) fn add(stack: &mut Stack<'_>, r: &Read, route: WebSocketRoute, api: &mut WebSocketApi) {
    if let Some(first) = api.route(&route.key) {
        let first = first.pointer.rsplit('/').next().unwrap_or_default();
        let message = format!(
            "the API {} already has a route with RouteKey {} ({first}); route keys are unique within an API",
            api.name, route.key
        );
        let at = r.props.get("RouteKey").map_or(&r.props.ptr, |n| &n.ptr);
        stack.error(at, At::Value, message);
        return;
    }
    api.routes.push(route);
}

/// Reads the route response `r` of API `owner`: its route becomes two-way.
pub(super) fn response(
    stack: &mut Stack<'_>,
    r: &Read,
    owner: usize,
    kinds: &Kinds,
    routes: &BTreeMap<&str, Option<usize>>,
    two_way: &mut BTreeSet<String>,
) {
    let props = &r.props;
    let (Some(id_node), Some(key_node)) = (props.get("RouteId"), props.get("RouteResponseKey"))
    else {
        let message = format!(
            "{} needs RouteId (!Ref of its AWS::ApiGatewayV2::Route) and RouteResponseKey: $default",
            r.name()
        );
        stack.error(&props.ptr, At::Key, message);
        return;
    };
    let Some(id) = reference(stack, id_node, "RouteId", ROUTE, kinds) else {
        return;
    };
    let Some(key) = stack.text(key_node, "RouteResponseKey") else {
        return;
    };
    if key != "$default" {
        let message = format!("RouteResponseKey must be $default, the only route response key API Gateway supports; found {key}");
        stack.error(&key_node.ptr, At::Value, message);
        return;
    }
    if routes
        .get(id.as_str())
        .copied()
        .flatten()
        .is_some_and(|a| a != owner)
    {
        let message = format!("RouteId names the route {id}, which belongs to another API; a route response belongs to the API of its route");
        stack.error(&id_node.ptr, At::Value, message);
        return;
    }
    for name in [
        "ModelSelectionExpression",
        "ResponseModels",
        "ResponseParameters",
    ] {
        if let Some(node) = props.get(name) {
            let message =
                format!("{name} of a WebSocket route response is not applied by Turnpike yet");
            stack.warn(&node.ptr, message);
        }
    }
    if !two_way.insert(id.clone()) {
        let message = format!(
            "the route {id} already has a route response; a route has at most one ($default)"
        );
        stack.error(&id_node.ptr, At::Value, message);
    }
}
