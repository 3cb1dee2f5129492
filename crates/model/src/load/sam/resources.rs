//! `Resources`: which resources exist (their type and `Condition`), including the implicit APIs
//! that SAM creates for events, and what `Ref` and `Fn::GetAtt` give for each.

use super::conditions;
use super::resolved::RNode;
use super::rest_resources;
use super::stack::{Eval, Failed, Stack};
use super::websocket;
use crate::function::{function_arn, REGION};
use crate::id::api_id_from_title;
use crate::load::context::{one_of, type_name, At, Node};

pub(super) const SERVERLESS_FUNCTION: &str = "AWS::Serverless::Function";
pub(super) const LAMBDA_FUNCTION: &str = "AWS::Lambda::Function";
pub(super) const SERVERLESS_API: &str = "AWS::Serverless::Api";
pub(super) const SERVERLESS_HTTP_API: &str = "AWS::Serverless::HttpApi";
/// The REST API SAM creates for `Api` events without `RestApiId`.
pub(super) const IMPLICIT_REST_API: &str = "ServerlessRestApi";
/// The HTTP API SAM creates for `HttpApi` events without `ApiId`.
pub(super) const IMPLICIT_HTTP_API: &str = "ServerlessHttpApi";
pub(super) const SAM_TRANSFORM: &str = "AWS::Serverless-2016-10-31";

const ATTRIBUTES: &[&str] = &[
    "Type",
    "Properties",
    "Condition",
    "DependsOn",
    "Metadata",
    "DeletionPolicy",
    "UpdateReplacePolicy",
    "UpdatePolicy",
    "CreationPolicy",
    "IgnoreGlobals",
    "Connectors",
];

/// One resource of the template.
#[derive(Debug, Clone)]
pub(super) struct Resource<'d> {
    pub kind: String,
    /// `None` for the implicit APIs.
    pub node: Option<Node<'d>>,
    /// False when its `Condition` is false: CloudFormation does not create it.
    pub active: bool,
}

/// Reads `Resources` into `stack.resources`; returns the logical ids in template order.
pub(super) fn collect<'d>(
    stack: &mut Stack<'d>,
    root: &Node<'d>,
    sam_transform: bool,
) -> Vec<String> {
    let Some(section) = root.get("Resources") else {
        let message =
            "the template has no Resources; CloudFormation requires at least one resource";
        stack.error("", At::Value, message);
        return Vec::new();
    };
    if section.value.as_object().is_none_or(|m| m.is_empty()) {
        let found = type_name(section.value);
        let message =
            format!("Resources must be a mapping with at least one resource; found {found}");
        stack.error(&section.ptr, At::Value, message);
        return Vec::new();
    }
    let mut order = Vec::new();
    for (id, node) in section.entries() {
        if let Some(resource) = resource(stack, id, &node, sam_transform) {
            order.push(id.to_owned());
            stack.resources.insert(id.to_owned(), resource);
        }
    }
    implicit_apis(stack, &order);
    generated_usage_plans(stack, root);
    order
}

/// Adds the usage plans, keys and memberships SAM generates from `Auth.UsagePlan`, so that
/// `Ref` finds them.
fn generated_usage_plans(stack: &mut Stack<'_>, root: &Node<'_>) {
    let mut generated = Vec::new();
    for (id, resource) in &stack.resources {
        if resource.active && resource.kind == SERVERLESS_API {
            let api = resource.node.as_ref();
            generated.extend(super::usage_plans::generated_resources(root, id, api));
        }
    }
    for (id, kind) in generated {
        let resource = Resource {
            kind: kind.to_owned(),
            node: None,
            active: true,
        };
        stack.resources.entry(id).or_insert(resource);
    }
}

fn resource<'d>(
    stack: &mut Stack<'d>,
    id: &str,
    node: &Node<'d>,
    sam_transform: bool,
) -> Option<Resource<'d>> {
    if !node.value.is_object() {
        let found = type_name(node.value);
        let message = format!("resource {id} must be a mapping with a Type; found {found}");
        stack.error(&node.ptr, At::Value, message);
        return None;
    }
    for (key, member) in node.entries() {
        if !ATTRIBUTES.contains(&key) {
            let message = format!(
                "unknown attribute \"{key}\" of resource {id}; expected one of {}",
                one_of(ATTRIBUTES)
            );
            stack.error(&member.ptr, At::Key, message);
        }
    }
    if let Some(props) = node.get("Properties").filter(|p| !p.value.is_object()) {
        let found = type_name(props.value);
        let message = format!("the Properties of resource {id} must be a mapping; found {found}");
        stack.error(&props.ptr, At::Value, message);
        return None;
    }
    let Some(type_node) = node.get("Type") else {
        stack.error(&node.ptr, At::Key, format!("resource {id} has no Type"));
        return None;
    };
    let Some(kind) = type_node.value.as_str() else {
        let found = type_name(type_node.value);
        stack.error(
            &type_node.ptr,
            At::Value,
            format!("Type must be a string; found {found}"),
        );
        return None;
    };
    if kind.starts_with("AWS::Serverless::") && !sam_transform {
        let message = format!("{kind} is a SAM resource type, which needs Transform: {SAM_TRANSFORM} at the top of the template");
        stack.error(&type_node.ptr, At::Value, message);
    }
    let active = match node.get("Condition") {
        None => true,
        Some(condition) => match condition.value.as_str() {
            Some(name) => conditions::condition(stack, name, &condition.ptr).unwrap_or(false),
            None => {
                let found = type_name(condition.value);
                let message = format!("Condition takes the name of a condition; found {found}");
                stack.error(&condition.ptr, At::Value, message);
                false
            }
        },
    };
    Some(Resource {
        kind: kind.to_owned(),
        node: Some(node.clone()),
        active,
    })
}

/// Adds `ServerlessRestApi` / `ServerlessHttpApi` when an active function has an event that
/// needs one (an `Api` event without `RestApiId`, an `HttpApi` event without `ApiId`).
fn implicit_apis(stack: &mut Stack<'_>, order: &[String]) {
    let mut needs = [
        (IMPLICIT_REST_API, "Api", "RestApiId", SERVERLESS_API, false),
        (
            IMPLICIT_HTTP_API,
            "HttpApi",
            "ApiId",
            SERVERLESS_HTTP_API,
            false,
        ),
    ];
    for id in order {
        let Some(resource) = stack.resources.get(id) else {
            continue;
        };
        if !resource.active || resource.kind != SERVERLESS_FUNCTION {
            continue;
        }
        let events = resource
            .node
            .as_ref()
            .and_then(|n| n.get("Properties"))
            .and_then(|p| p.get("Events"));
        for (_, event) in events.map(|e| e.entries()).unwrap_or_default() {
            let event_type = event
                .get("Type")
                .and_then(|t| t.value.as_str().map(str::to_owned));
            for need in &mut needs {
                let targets_other = event
                    .get("Properties")
                    .is_some_and(|p| p.get(need.2).is_some());
                if event_type.as_deref() == Some(need.1) && !targets_other {
                    need.4 = true;
                }
            }
        }
    }
    for (id, _, _, kind, needed) in needs {
        if needed && !stack.resources.contains_key(id) {
            let resource = Resource {
                kind: kind.to_owned(),
                node: None,
                active: true,
            };
            stack.resources.insert(id.to_owned(), resource);
        }
    }
}

/// The id of the API with this logical id: stable across restarts, and distinct for every API
/// of every stack.
pub(super) fn api_id(stack_name: &str, logical_id: &str) -> String {
    api_id_from_title(&format!("{stack_name}/{logical_id}"))
}

/// The resource `id` if it exists and is created; reports otherwise.
fn active<'d>(
    stack: &mut Stack<'d>,
    id: &str,
    at: &str,
    function: &str,
) -> Result<Resource<'d>, Failed> {
    match stack.resources.get(id) {
        Some(resource) if resource.active => Ok(resource.clone()),
        Some(resource) => {
            let condition = resource
                .node
                .as_ref()
                .and_then(|n| n.get("Condition"))
                .and_then(|c| c.value.as_str().map(str::to_owned))
                .unwrap_or_default();
            let message = format!("{function} refers to {id}, which is not created because its condition {condition} is false; guard this value with Fn::If on the same condition");
            stack.error(at, At::Value, message);
            Err(Failed)
        }
        None => {
            let message = format!("{function} refers to \"{id}\", which is neither a parameter nor a resource of this template");
            stack.error(at, At::Value, message);
            Err(Failed)
        }
    }
}

/// What `Ref` gives for the resource `id`: a function's name, an API's id, and for resources
/// Turnpike does not create their logical id (as `sam local` does).
pub(super) fn ref_value(stack: &mut Stack<'_>, id: &str, at: &str) -> Eval {
    let resource = active(stack, id, at, "Ref")?;
    let value = match resource.kind.as_str() {
        SERVERLESS_FUNCTION | LAMBDA_FUNCTION => function_name(stack, id)?,
        SERVERLESS_API | SERVERLESS_HTTP_API | websocket::API | rest_resources::REST_API => {
            api_id(&stack.stack_name, id)
        }
        _ => id.to_owned(),
    };
    Ok(Some(RNode::scalar(at, value)))
}

/// What `Fn::GetAtt` gives for `id.attribute`.
pub(super) fn get_att(stack: &mut Stack<'_>, id: &str, attribute: &str, at: &str) -> Eval {
    let resource = active(stack, id, at, "Fn::GetAtt")?;
    let value = match (resource.kind.as_str(), attribute) {
        (SERVERLESS_FUNCTION | LAMBDA_FUNCTION, "Arn") => function_arn(&function_name(stack, id)?),
        (SERVERLESS_HTTP_API, "ApiEndpoint") => format!(
            "https://{}.execute-api.{REGION}.amazonaws.com",
            api_id(&stack.stack_name, id)
        ),
        (websocket::API, "ApiEndpoint") => {
            let protocol = resource
                .node
                .as_ref()
                .and_then(|n| n.get("Properties"))
                .and_then(|p| p.get("ProtocolType"))
                .and_then(|t| t.value.as_str().map(str::to_owned));
            let scheme = if protocol.as_deref() == Some("WEBSOCKET") {
                "wss"
            } else {
                "https"
            };
            let id = api_id(&stack.stack_name, id);
            format!("{scheme}://{id}.execute-api.{REGION}.amazonaws.com")
        }
        (websocket::API, "ApiId") => api_id(&stack.stack_name, id),
        (rest_resources::REST_API, "RootResourceId") => {
            rest_resources::root_resource_id(&stack.stack_name, id)
        }
        (rest_resources::REST_API, "RestApiId") => api_id(&stack.stack_name, id),
        // What their Ref gives, so either names them (see rest_resources).
        (rest_resources::RESOURCE, "ResourceId") | (rest_resources::AUTHORIZER, "AuthorizerId") => {
            id.to_owned()
        }
        (
            kind @ (SERVERLESS_FUNCTION
            | LAMBDA_FUNCTION
            | SERVERLESS_API
            | SERVERLESS_HTTP_API
            | websocket::API
            | rest_resources::REST_API),
            _,
        ) => {
            let known = match kind {
                rest_resources::REST_API => "RestApiId and RootResourceId",
                SERVERLESS_HTTP_API => "ApiEndpoint",
                websocket::API => "ApiEndpoint and ApiId",
                SERVERLESS_API => "none",
                _ => "Arn",
            };
            let message = format!("Fn::GetAtt {id}.{attribute}: Turnpike does not know the attribute {attribute} of a {kind}; it knows {known}");
            stack.error(at, At::Value, message);
            return Err(Failed);
        }
        (kind, _) => {
            let placeholder = format!("{id}.{attribute}");
            let message = format!("Fn::GetAtt {id}.{attribute} gives the placeholder \"{placeholder}\": Turnpike does not create {kind} resources, so their attributes have no value here");
            stack.warn(at, message);
            placeholder
        }
    };
    Ok(Some(RNode::scalar(at, value)))
}

/// A function's name: its `FunctionName` (which may itself use intrinsics), else its logical id.
pub(super) fn function_name(stack: &mut Stack<'_>, id: &str) -> Result<String, Failed> {
    if let Some(known) = stack.function_names.get(id) {
        return known.clone().ok_or(Failed);
    }
    let node = stack
        .resources
        .get(id)
        .and_then(|r| r.node.as_ref())
        .and_then(|n| n.get("Properties"))
        .and_then(|p| p.get("FunctionName"));
    let Some(node) = node else {
        return Ok(id.to_owned());
    };
    if !stack.naming.insert(id.to_owned()) {
        let message = format!("the FunctionName of {id} depends on itself");
        stack.error(&node.ptr, At::Value, message);
        return Err(Failed);
    }
    let name = match stack.eval(&node) {
        Ok(Some(value)) => stack.text(&value, "FunctionName"),
        Ok(None) => Some(id.to_owned()),
        Err(Failed) => None,
    };
    stack.naming.remove(id);
    stack.function_names.insert(id.to_owned(), name.clone());
    name.ok_or(Failed)
}
