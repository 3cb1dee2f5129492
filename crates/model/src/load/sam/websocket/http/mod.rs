//! HTTP APIs from `AWS::ApiGatewayV2::*` resources (`ProtocolType: HTTP`, what `cdk synth` writes
//! for an `HttpApi`) → [`Api`](crate::api::Api)s of kind HTTP and their stages.
//!
//! Each API becomes the OpenAPI document API Gateway would export for it: its `Body`, a one-route
//! document for quick create (`Target`), or one written from its `Route`, `Integration` and
//! `Authorizer` resources (operations with `x-amazon-apigateway-integration`, authorizers as
//! security schemes, `CorsConfiguration` as `x-amazon-apigateway-cors`). That document goes
//! through the OpenAPI loader as an `AWS::Serverless::HttpApi`'s `DefinitionBody` does, so the
//! checks and the model are those of any HTTP API; every node keeps its template position.
//! [`routes`] writes routes and their `security`, [`targets`] the integrations and authorizers
//! they name.

mod routes;
mod targets;

use std::collections::BTreeMap;

use super::{Kinds, Read, AUTHORIZER, INTEGRATION};
use super::{API, INTEGRATION_RESPONSE, ROUTE, ROUTE_RESPONSE, STAGE};
use crate::api::ApiKind;
use crate::function::Template;
use crate::load::context::At;
use crate::load::sam::body;
use crate::load::sam::definition::set_title;
use crate::load::sam::gateway_stage::stage_name;
use crate::load::sam::resolved::{map, RNode, RVal};
use crate::load::sam::resources::api_id;
use crate::load::sam::stack::Stack;
use crate::stage::Stage;

/// What CloudFormation documents as "supported only for WebSocket APIs", by resource type.
const WEBSOCKET_ONLY: &[(&str, &[&str])] = &[
    (
        API,
        &[
            "ApiKeySelectionExpression",
            "DisableSchemaValidation",
            "RouteSelectionExpression",
        ],
    ),
    (
        ROUTE,
        &[
            "ApiKeyRequired",
            "ModelSelectionExpression",
            "RequestModels",
            "RequestParameters",
            "RouteResponseSelectionExpression",
        ],
    ),
    (
        INTEGRATION,
        &[
            "ContentHandlingStrategy",
            "PassthroughBehavior",
            "RequestTemplates",
            "TemplateSelectionExpression",
        ],
    ),
    (AUTHORIZER, &["IdentityValidationExpression"]),
];

const CORS_PROPERTIES: &[&str] = &[
    "AllowCredentials",
    "AllowHeaders",
    "AllowMethods",
    "AllowOrigins",
    "ExposeHeaders",
    "MaxAge",
];

const METHODS: &[&str] = &[
    "ANY", "DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT",
];

/// The security scheme AWS_IAM routes name.
const IAM_SCHEME: &str = "sigv4";

/// Whether `r` is an `AWS::ApiGatewayV2::Api` with `ProtocolType: HTTP`.
pub(super) fn is_http_api(r: &Read) -> bool {
    r.kind == API && r.props.get("ProtocolType").and_then(RNode::text).as_deref() == Some("HTTP")
}

/// The API id the resource's `ApiId` gives, if it is a plain text.
pub(super) fn api_id_of(r: &Read) -> Option<String> {
    r.props.get("ApiId").and_then(RNode::text)
}

/// Builds every HTTP API among `reads` (the APIs and the resources whose `ApiId` names one of
/// them) into `template`.
pub(super) fn build(stack: &mut Stack<'_>, reads: &[Read], kinds: &Kinds, template: &mut Template) {
    for r in reads.iter().filter(|r| r.kind == API) {
        let id = api_id(&stack.stack_name, &r.id);
        let members: Vec<&Read> = reads
            .iter()
            .filter(|m| m.kind != API && api_id_of(m).as_deref() == Some(id.as_str()))
            .collect();
        build_one(stack, r, &id, &members, kinds, template);
    }
}

fn build_one(
    stack: &mut Stack<'_>,
    r: &Read,
    id: &str,
    members: &[&Read],
    kinds: &Kinds,
    template: &mut Template,
) {
    let before = stack.ctx.error_count() + stack.located.len();
    websocket_only(stack, r);
    let of = |kind: &'static str| members.iter().copied().filter(move |m| m.kind == kind);
    for m in members {
        websocket_only(stack, m);
        if m.kind == ROUTE_RESPONSE || m.kind == INTEGRATION_RESPONSE {
            let message = format!("{} belongs to an HTTP API; route and integration responses are supported only for WebSocket APIs (HTTP APIs map responses with the integration's ResponseParameters)", m.name());
            stack.error(&m.props.ptr, At::Key, message);
        }
    }
    let props = &r.props;
    let name = match props.get("Name") {
        Some(node) => stack.text(node, "Name"),
        None => None,
    };
    // Each stage with where to report a duplicate name.
    let mut stages: Vec<(Stage, String)> = Vec::new();
    let doc = if let Some(s3) = props.get("BodyS3Location") {
        let message = "BodyS3Location is not supported by Turnpike, which does not read S3; give the OpenAPI document inline as Body";
        stack.error(&s3.ptr, At::Key, message);
        None
    } else if let Some(body) = props.get("Body") {
        for m in of(ROUTE).chain(of(INTEGRATION)).chain(of(AUTHORIZER)) {
            let message = format!("{} adds to an API imported from Body, which Turnpike builds from Body alone; declare it in Body instead", m.name());
            stack.error(&m.props.ptr, At::Key, message);
        }
        quick_create_conflicts(stack, r, "Body");
        Some(body.clone())
    } else if props.get("Target").is_some() {
        // Quick create: one route to one integration and an automatically deployed $default
        // stage.
        let stage = Stage {
            name: Stage::DEFAULT.to_owned(),
            variables: BTreeMap::new(),
        };
        stages.push((stage, props.ptr.clone()));
        quick_create(stack, r)
    } else {
        for key in ["RouteKey", "CredentialsArn"] {
            if let Some(node) = props.get(key) {
                let message = format!("{key} is for quick create and needs Target, the Lambda function or HTTP URL of the API's one route");
                stack.error(&node.ptr, At::Key, message);
            }
        }
        if props.get("Name").is_none() {
            let message = format!(
                "{} needs a Name (or an OpenAPI Body that gives its title)",
                r.name()
            );
            stack.error(&props.ptr, At::Key, message);
        }
        Some(routes::document(stack, r, members, kinds))
    };
    let Some(mut doc) = doc else {
        return;
    };
    if let Some(name) = &name {
        set_title(&mut doc, name);
    }
    if let Some(cors) = props.get("CorsConfiguration") {
        if let Some(cors) = cors_extension(stack, cors) {
            if let RVal::Map(entries) = &mut doc.val {
                entries.retain(|(k, _)| k != crate::load::cors::EXTENSION);
                entries.push((crate::load::cors::EXTENSION.to_owned(), cors));
            }
        }
    }
    for m in of(STAGE) {
        if let Some(stage) = stage(stack, m) {
            let at = m.props.get("StageName").map_or(&m.props.ptr, |n| &n.ptr);
            stages.push((stage, at.clone()));
        }
    }
    if stages.is_empty() {
        let message = format!("{} has no AWS::ApiGatewayV2::Stage, which API Gateway needs to serve it; Turnpike serves it at $default meanwhile (declare one, such as StageName: $default with AutoDeploy: true)", r.name());
        stack.warn(&props.ptr, message);
    }
    if stack.ctx.error_count() + stack.located.len() != before {
        return;
    }
    let Some(mut api) = body::resolve(stack, &doc, ApiKind::Http) else {
        return;
    };
    api.id = id.to_owned();
    if let Some(name) = name {
        api.name = name;
    }
    for (stage, at) in stages {
        let duplicate = template
            .stages
            .iter()
            .any(|(api, s)| api == id && s.name == stage.name);
        if duplicate {
            let message = format!(
                "the API already has a stage named {}; stage names are unique within an API",
                stage.name
            );
            stack.error(&at, At::Value, message);
            continue;
        }
        template.stages.push((id.to_owned(), stage));
    }
    template.apis.push(api);
}

/// Reports each property `r` sets that only WebSocket APIs take.
fn websocket_only(stack: &mut Stack<'_>, r: &Read) {
    let names = WEBSOCKET_ONLY
        .iter()
        .find(|(kind, _)| *kind == r.kind)
        .map_or(&[][..], |(_, names)| names);
    for (key, value) in r.props.entries() {
        if names.contains(&key.as_str()) {
            let message = format!(
                "{key} is supported only for WebSocket APIs; {} belongs to an HTTP API",
                r.name()
            );
            stack.error(&value.ptr, At::Key, message);
        }
    }
}

/// Reports `RouteKey`/`Target`/`CredentialsArn` beside `Body`: quick create makes the whole API.
fn quick_create_conflicts(stack: &mut Stack<'_>, r: &Read, with: &str) {
    for key in ["Target", "RouteKey", "CredentialsArn"] {
        if let Some(node) = r.props.get(key) {
            let message = format!("{key} is for quick create, which makes the whole API; it cannot be combined with {with}");
            stack.error(&node.ptr, At::Key, message);
        }
    }
}

/// The document's skeleton: `openapi`, `info` titled `title`, and `paths`.
fn skeleton(ptr: &str, title: &str, paths: RNode) -> Vec<(&'static str, RNode)> {
    let info = map(
        ptr,
        vec![
            ("title", RNode::scalar(ptr, title)),
            ("version", RNode::scalar(ptr, "1.0")),
        ],
    );
    vec![
        ("openapi", RNode::scalar(ptr, "3.0.1")),
        ("info", info),
        ("paths", paths),
    ]
}

/// The document of a quick-created API: `RouteKey` (default `$default`) to `Target`, a Lambda
/// function (proxy integration) or an HTTP URL (HTTP proxy integration).
fn quick_create(stack: &mut Stack<'_>, r: &Read) -> Option<RNode> {
    let props = &r.props;
    let target = props.get("Target")?;
    let (path, operation, key_ptr) = match props.get("RouteKey") {
        Some(node) => {
            let text = stack.text(node, "RouteKey")?;
            let (path, operation) = route_key(stack, node, &text)?;
            (path, operation, node.ptr.clone())
        }
        None => (
            "/$default".to_owned(),
            ANY_METHOD.to_owned(),
            target.ptr.clone(),
        ),
    };
    let p = target.ptr.as_str();
    let url = target
        .text()
        .is_some_and(|t| t.starts_with("http://") || t.starts_with("https://"));
    // A URL target is an HTTP proxy passing the caller's method; a function gets payload 2.0.
    let (kind, method, version) = if url {
        ("http_proxy", "ANY", "1.0")
    } else {
        ("aws_proxy", "POST", "2.0")
    };
    let mut integration = vec![
        ("type", RNode::scalar(p, kind)),
        ("httpMethod", RNode::scalar(p, method)),
        ("uri", target.clone()),
        ("payloadFormatVersion", RNode::scalar(p, version)),
    ];
    if let Some(credentials) = props.get("CredentialsArn") {
        integration.push(("credentials", credentials.clone()));
    }
    let op = map(&key_ptr, vec![(INTEGRATION_EXTENSION, map(p, integration))]);
    let item = map(&key_ptr, vec![(operation.as_str(), op)]);
    let paths = map(&props.ptr, vec![(path.as_str(), item)]);
    let title = props
        .get("Name")
        .and_then(RNode::text)
        .unwrap_or_else(|| r.id.clone());
    Some(map(&props.ptr, skeleton(&props.ptr, &title, paths)))
}

const INTEGRATION_EXTENSION: &str = "x-amazon-apigateway-integration";
const ANY_METHOD: &str = "x-amazon-apigateway-any-method";

/// `GET /pets/{id}` → (`/pets/{id}`, `get`); `$default` → (`/$default`, any method). Reports
/// other keys (the path itself is checked by the OpenAPI loader).
fn route_key(stack: &mut Stack<'_>, node: &RNode, text: &str) -> Option<(String, String)> {
    if text == "$default" {
        return Some(("/$default".to_owned(), ANY_METHOD.to_owned()));
    }
    let parsed = text
        .split_once(' ')
        .filter(|(m, p)| METHODS.contains(m) && p.starts_with('/'));
    let Some((method, path)) = parsed else {
        let message = format!("RouteKey \"{text}\" is not an HTTP API route key; give METHOD /PATH (METHOD one of {}, such as GET /pets/{{id}} or ANY /{{proxy+}}) or $default", METHODS.join(", "));
        stack.error(&node.ptr, At::Value, message);
        return None;
    };
    let operation = if method == "ANY" {
        ANY_METHOD.to_owned()
    } else {
        method.to_ascii_lowercase()
    };
    Some((path.to_owned(), operation))
}

/// `CorsConfiguration` → `x-amazon-apigateway-cors` (the same members, first letter lower-case).
fn cors_extension(stack: &mut Stack<'_>, node: &RNode) -> Option<RNode> {
    let entries = stack.mapping(node, "CorsConfiguration")?.to_vec();
    stack.check_keys(&entries, CORS_PROPERTIES, "CorsConfiguration");
    let members = entries
        .into_iter()
        .filter(|(k, _)| CORS_PROPERTIES.contains(&k.as_str()))
        .map(|(k, v)| (lower_first(&k), v))
        .collect();
    Some(RNode {
        ptr: node.ptr.clone(),
        val: RVal::Map(members),
    })
}

fn lower_first(key: &str) -> String {
    let mut chars = key.chars();
    match chars.next() {
        Some(c) => c.to_ascii_lowercase().to_string() + chars.as_str(),
        None => String::new(),
    }
}

/// An `AWS::ApiGatewayV2::Stage` of an HTTP API: its name (`$default` allowed) and variables.
/// `AutoDeploy` and the route settings are accepted: Turnpike serves what the template declares.
fn stage(stack: &mut Stack<'_>, r: &Read) -> Option<Stage> {
    let props = &r.props;
    let Some(node) = props.get("StageName") else {
        stack.error(
            &props.ptr,
            At::Key,
            format!("{} needs a StageName", r.name()),
        );
        return None;
    };
    let name = stage_name(stack, node, true)?;
    let variables = props
        .get("StageVariables")
        .map(|n| stack.string_map(n, "StageVariables"))
        .unwrap_or_default();
    for key in ["DefaultRouteSettings", "RouteSettings"] {
        if let Some(node) = props.get(key) {
            let message = format!(
                "{key} has no effect in Turnpike on HTTP APIs yet: their routes are not throttled"
            );
            stack.warn(&node.ptr, message);
        }
    }
    Some(Stage { name, variables })
}
