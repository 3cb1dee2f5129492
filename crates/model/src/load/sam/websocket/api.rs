//! `AWS::ApiGatewayV2::Api`: a WebSocket API's name and selection expressions. HTTP APIs
//! declared this way are built by `http`.

use std::collections::BTreeMap;

use super::{http_only, Read};
use crate::auth::ApiKeySource;
use crate::load::context::At;
use crate::load::sam::stack::Stack;
use crate::websocket::{RouteSelection, WebSocketApi};

pub(super) const PROPERTIES: &[&str] = &[
    "ApiKeySelectionExpression",
    "BasePath",
    "Body",
    "BodyS3Location",
    "CorsConfiguration",
    "CredentialsArn",
    "Description",
    "DisableExecuteApiEndpoint",
    "DisableSchemaValidation",
    "FailOnWarnings",
    "IpAddressType",
    "Name",
    "ProtocolType",
    "RouteKey",
    "RouteSelectionExpression",
    "Tags",
    "Target",
    "Version",
];

/// What CloudFormation documents as "supported only for HTTP APIs" (OpenAPI import and quick
/// create).
const HTTP_ONLY: &[&str] = &[
    "BasePath",
    "Body",
    "BodyS3Location",
    "CorsConfiguration",
    "CredentialsArn",
    "RouteKey",
    "Target",
];

const SUPPORTED_SELECTION: &str = "$request.body.PATH or ${request.body.PATH} (such as $request.body.action: the member of a JSON message whose value is the route key)";

/// The API with id `id`, without routes or authorizers yet; `None` after reporting why it is
/// not one Turnpike serves.
pub(super) fn read(stack: &mut Stack<'_>, r: &Read, id: &str) -> Option<WebSocketApi> {
    let props = &r.props;
    let Some(protocol) = props.get("ProtocolType") else {
        let message = format!("{} needs ProtocolType: WEBSOCKET", r.name());
        stack.error(&props.ptr, At::Key, message);
        return None;
    };
    match stack.text(protocol, "ProtocolType")?.as_str() {
        "WEBSOCKET" => {}
        // Set aside for `http` before WebSocket APIs are read.
        "HTTP" => return None,
        other => {
            let message = format!("ProtocolType must be WEBSOCKET or HTTP; found {other}");
            stack.error(&protocol.ptr, At::Value, message);
            return None;
        }
    }
    http_only(stack, r, HTTP_ONLY);
    let name = match props.get("Name") {
        Some(node) => stack.text(node, "Name"),
        None => {
            stack.error(&props.ptr, At::Key, format!("{} needs a Name", r.name()));
            None
        }
    };
    let route_selection = match props.get("RouteSelectionExpression") {
        Some(node) => {
            let text = stack.text(node, "RouteSelectionExpression")?;
            let parsed = route_selection(&text);
            if parsed.is_none() {
                let message = format!("RouteSelectionExpression \"{text}\" is not one Turnpike can evaluate; it supports {SUPPORTED_SELECTION}");
                stack.error(&node.ptr, At::Value, message);
            }
            parsed
        }
        None => {
            let message = format!("{} needs a RouteSelectionExpression, which WebSocket APIs require; Turnpike supports {SUPPORTED_SELECTION}", r.name());
            stack.error(&props.ptr, At::Key, message);
            None
        }
    };
    let api_key_source = match props.get("ApiKeySelectionExpression") {
        None => Some(ApiKeySource::Header),
        Some(node) => match stack.text(node, "ApiKeySelectionExpression")?.as_str() {
            "$request.header.x-api-key" => Some(ApiKeySource::Header),
            "$context.authorizer.usageIdentifierKey" => Some(ApiKeySource::Authorizer),
            other => {
                let message = format!("ApiKeySelectionExpression must be $request.header.x-api-key or $context.authorizer.usageIdentifierKey, the two API Gateway supports; found {other}");
                stack.error(&node.ptr, At::Value, message);
                None
            }
        },
    };
    Some(WebSocketApi {
        id: id.to_owned(),
        name: name?,
        source: stack.path.to_path_buf(),
        route_selection: route_selection?,
        api_key_source: api_key_source?,
        routes: Vec::new(),
        authorizers: BTreeMap::new(),
        stage_throttles: BTreeMap::new(),
    })
}

/// `$request.body.a.b` or `${request.body.a.b}` → `Body(["a", "b"])`; `None` for any other
/// expression (other variables, several of them, static text), which Turnpike cannot evaluate.
pub(in crate::load::sam) fn route_selection(text: &str) -> Option<RouteSelection> {
    let inner = match text.strip_prefix("${") {
        Some(braced) => braced.strip_suffix('}')?,
        None => text.strip_prefix('$')?,
    };
    let members: Vec<String> = inner
        .strip_prefix("request.body.")?
        .split('.')
        .map(str::to_owned)
        .collect();
    let plain = |m: &String| {
        !m.is_empty()
            && !m
                .chars()
                .any(|c| c.is_whitespace() || matches!(c, '$' | '{' | '}' | '\\'))
    };
    members
        .iter()
        .all(plain)
        .then_some(RouteSelection::Body(members))
}
