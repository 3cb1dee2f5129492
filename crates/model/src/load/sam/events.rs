//! A function's `Events`: `Api` and `HttpApi` events become routes of an API; events of other
//! types (queues, schedules, buckets, ...) do not serve HTTP and are listed as ignored.

use serde_json::Value;

use super::resolved::{RNode, Raw};
use super::resources::{IMPLICIT_HTTP_API, IMPLICIT_REST_API, SERVERLESS_API, SERVERLESS_HTTP_API};
use super::stack::Stack;
use crate::api::{ApiKind, PayloadFormatVersion};
use crate::load::context::{one_of, type_name, At, Node};

/// Event types SAM knows that do not come through API Gateway.
const OTHER_TYPES: &[&str] = &[
    "AlexaSkill",
    "CloudWatchEvent",
    "CloudWatchLogs",
    "Cognito",
    "DocumentDB",
    "DynamoDB",
    "EventBridgeRule",
    "IoTRule",
    "Kinesis",
    "MQ",
    "MSK",
    "S3",
    "Schedule",
    "ScheduleV2",
    "SelfManagedKafka",
    "SNS",
    "SQS",
];

const API_PROPERTIES: &[&str] = &[
    "Path",
    "Method",
    "RestApiId",
    "Auth",
    "RequestModel",
    "RequestParameters",
    "TimeoutInMillis",
];
const HTTP_API_PROPERTIES: &[&str] = &[
    "Path",
    "Method",
    "ApiId",
    "Auth",
    "PayloadFormatVersion",
    "RouteSettings",
    "TimeoutInMillis",
];
const METHODS: &[&str] = &[
    "get", "post", "put", "delete", "patch", "head", "options", "any",
];

/// One route an event adds to an API.
#[derive(Debug, Clone)]
pub(super) struct EventRoute {
    /// Logical id of the API (explicit, or `ServerlessRestApi` / `ServerlessHttpApi`).
    pub api: String,
    pub kind: ApiKind,
    /// (path, lower-case method); `None` for an HTTP API's `$default` route.
    pub route: Option<(String, String)>,
    pub payload: PayloadFormatVersion,
    pub timeout_ms: Option<u64>,
    pub function_name: String,
    /// The event's `Auth`, written into its operation by [`super::auth`].
    pub auth: Option<RNode>,
    /// `RequestModel` and `RequestParameters` (REST), written into its operation by
    /// [`super::models`].
    pub request_model: Option<RNode>,
    pub request_parameters: Option<RNode>,
    /// Pointers of the event, its `Path` and its `Method` (the event's when absent).
    pub ptr: String,
    pub path_ptr: String,
    pub method_ptr: String,
}

/// Reads the `Events` of function `id` (named `function_name`).
pub(super) fn resolve<'d>(
    stack: &mut Stack<'d>,
    id: &str,
    function_name: &str,
    events: &Raw<'d>,
    routes: &mut Vec<EventRoute>,
    ignored: &mut Vec<(String, String)>,
) {
    let Some(node) = events.node() else {
        return;
    };
    if !node.value.is_object() {
        let found = type_name(node.value);
        stack.error(
            &node.ptr,
            At::Value,
            format!("Events must be a mapping of event names to events; found {found}"),
        );
        return;
    }
    for (name, event) in node.entries() {
        if !event.value.is_object() {
            let found = type_name(event.value);
            let message = format!("event {name} must be a mapping with a Type; found {found}");
            stack.error(&event.ptr, At::Value, message);
            continue;
        }
        let members: Vec<(String, Node<'d>)> = event
            .entries()
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect();
        stack.check_keys(&members, &["Type", "Properties"], &format!("event {name}"));
        let Some(type_node) = event.get("Type") else {
            let message = format!(
                "event {name} has no Type; expected Api, HttpApi or another SAM event type"
            );
            stack.error(&event.ptr, At::Key, message);
            continue;
        };
        let Ok(Some(type_node)) = stack.eval(&type_node) else {
            continue;
        };
        let type_node = &type_node;
        let Some(event_type) = stack.text(type_node, "the event Type") else {
            continue;
        };
        let (kind, api_key, allowed, implicit, api_type) = match event_type.as_str() {
            "Api" => (
                ApiKind::Rest,
                "RestApiId",
                API_PROPERTIES,
                IMPLICIT_REST_API,
                SERVERLESS_API,
            ),
            "HttpApi" => (
                ApiKind::Http,
                "ApiId",
                HTTP_API_PROPERTIES,
                IMPLICIT_HTTP_API,
                SERVERLESS_HTTP_API,
            ),
            t if OTHER_TYPES.contains(&t) => {
                let message = format!("event {name} of type {t} does not come through API Gateway; Turnpike serves HTTP only and ignores it");
                stack.warn(&type_node.ptr, message);
                ignored.push((format!("{id}.Events.{name}"), t.to_owned()));
                continue;
            }
            t => {
                let mut types = vec!["Api", "HttpApi"];
                types.extend(OTHER_TYPES);
                let message = format!(
                    "unknown event Type \"{t}\"; expected one of {}",
                    one_of(&types)
                );
                stack.error(&type_node.ptr, At::Value, message);
                continue;
            }
        };
        // Only HTTP events are evaluated: the others are ignored, whatever they refer to.
        let props = match event.get("Properties") {
            Some(props) => match stack.eval(&props) {
                Ok(Some(props)) => props,
                _ => continue,
            },
            None => RNode {
                ptr: event.ptr.clone(),
                val: super::resolved::RVal::Map(Vec::new()),
            },
        };
        let props = &props;
        let Some(entries) = stack.mapping(props, &format!("the Properties of event {name}")) else {
            continue;
        };
        let entries = entries.to_vec();
        stack.check_keys(
            &entries,
            allowed,
            &format!("the Properties of {event_type} event {name}"),
        );
        let raw_api = event.get("Properties").and_then(|p| p.get(api_key));
        let api = match raw_api {
            None => Some(implicit.to_owned()),
            Some(raw) => target(stack, &raw, api_key, api_type),
        };
        unsupported(stack, props, kind);
        let route = route(stack, props, kind, &event.ptr);
        let payload = payload(stack, props, kind);
        let max = if kind == ApiKind::Rest {
            29_000
        } else {
            30_000
        };
        let timeout_ms = props
            .get("TimeoutInMillis")
            .and_then(|n| stack.integer(n, "TimeoutInMillis", 50, max));
        let (Some(api), Some(route)) = (api, route) else {
            continue;
        };
        let field_ptr = |key: &str| {
            props
                .get(key)
                .map_or_else(|| event.ptr.clone(), |n| n.ptr.clone())
        };
        routes.push(EventRoute {
            api,
            kind,
            route,
            payload,
            timeout_ms,
            function_name: function_name.to_owned(),
            auth: props.get("Auth").cloned(),
            request_model: props.get("RequestModel").cloned(),
            request_parameters: props.get("RequestParameters").cloned(),
            ptr: event.ptr.clone(),
            path_ptr: field_ptr("Path"),
            method_ptr: field_ptr("Method"),
        });
    }
}

/// The API a `RestApiId` / `ApiId` names: it must be `!Ref` to an API of the right type here.
fn target(stack: &mut Stack<'_>, raw: &Node<'_>, key: &str, api_type: &str) -> Option<String> {
    let Some(id) = raw
        .get("Ref")
        .and_then(|r| r.value.as_str().map(str::to_owned))
        .filter(|_| raw.value.as_object().is_some_and(|m| m.len() == 1))
    else {
        let message = format!("{key} must be a Ref to an {api_type} of this template (such as !Ref MyApi); Turnpike serves only the APIs the template defines");
        stack.error(&raw.ptr, At::Value, message);
        return None;
    };
    let message = match stack.resources.get(&id) {
        Some(resource) if resource.kind == api_type && resource.active => return Some(id),
        Some(resource) if resource.kind == api_type => {
            format!("{key} refers to {id}, which is not created because its condition is false")
        }
        Some(resource) => format!(
            "{key} refers to {id}, which is a {}; this event needs an {api_type}",
            resource.kind
        ),
        None => format!("{key} refers to \"{id}\", which is not a resource of this template"),
    };
    stack.error(&raw.ptr, At::Value, message);
    None
}

/// Event properties whose behaviour Turnpike does not have yet.
fn unsupported(stack: &mut Stack<'_>, props: &RNode, kind: ApiKind) {
    if let (ApiKind::Http, Some(node)) = (kind, props.get("RouteSettings")) {
        stack.warn(
            &node.ptr,
            "RouteSettings (throttling and metrics) have no effect in Turnpike yet",
        );
    }
}

fn route(
    stack: &mut Stack<'_>,
    props: &RNode,
    kind: ApiKind,
    event_ptr: &str,
) -> Option<Option<(String, String)>> {
    let path = props
        .get("Path")
        .map(|n| (stack.text(n, "Path"), n.ptr.clone()));
    let method = props
        .get("Method")
        .map(|n| (stack.text(n, "Method"), n.ptr.clone()));
    let (path, method) = match (path, method, kind) {
        (None, None, ApiKind::Http) => return Some(None),
        (Some((path, path_ptr)), Some((method, method_ptr)), _) => {
            let path = path?;
            let method = method?.to_ascii_lowercase();
            if !path.starts_with('/') {
                stack.error(
                    &path_ptr,
                    At::Value,
                    format!("Path \"{path}\" must start with /"),
                );
                return None;
            }
            if !METHODS.contains(&method.as_str()) {
                let message = format!(
                    "unknown Method \"{method}\"; expected one of {}",
                    one_of(METHODS)
                );
                stack.error(&method_ptr, At::Value, message);
                return None;
            }
            (path, method)
        }
        (path, _, ApiKind::Rest) => {
            let missing = if path.is_none() { "Path" } else { "Method" };
            stack.error(
                event_ptr,
                At::Key,
                format!("this Api event has no {missing}; Api events need both Path and Method"),
            );
            return None;
        }
        (path, _, ApiKind::Http) => {
            let missing = if path.is_none() { "Path" } else { "Method" };
            let message = format!("this HttpApi event has no {missing}; give both Path and Method, or neither for the $default route");
            stack.error(event_ptr, At::Key, message);
            return None;
        }
    };
    Some(Some((path, method)))
}

fn payload(stack: &mut Stack<'_>, props: &RNode, kind: ApiKind) -> PayloadFormatVersion {
    let default = match kind {
        ApiKind::Rest => PayloadFormatVersion::V1,
        ApiKind::Http => PayloadFormatVersion::V2,
    };
    let Some(node) = props.get("PayloadFormatVersion") else {
        return default;
    };
    let text = match &node.val {
        // YAML users write 2.0 unquoted.
        super::resolved::RVal::Scalar(Value::Number(n)) => n.as_f64().map(|f| format!("{f:.1}")),
        _ => node.text(),
    };
    match text.as_deref() {
        Some("1.0") => PayloadFormatVersion::V1,
        Some("2.0") => PayloadFormatVersion::V2,
        _ => {
            let found = text.unwrap_or_else(|| node.type_name().to_owned());
            let message =
                format!("unknown PayloadFormatVersion \"{found}\"; expected \"1.0\" or \"2.0\"");
            stack.error(&node.ptr, At::Value, message);
            default
        }
    }
}
