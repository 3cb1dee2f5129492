//! `paths` → routes: path items, their operations, and the route conflicts AWS refuses.

use std::collections::HashMap;

use super::context::{At, Ctx, Node};
use super::integration::{self, Route as RouteInfo};
use super::method_responses;
use super::path_template::{self, ResourceTree, Template};
use super::reference;
use super::validation::{self, Validators};
use crate::api::{ApiKind, HttpMethod, Integration, Route, RouteKey};
use crate::validation::RequestValidation;

const OPERATIONS: &[(&str, HttpMethod)] = &[
    ("get", HttpMethod::Get),
    ("put", HttpMethod::Put),
    ("post", HttpMethod::Post),
    ("delete", HttpMethod::Delete),
    ("options", HttpMethod::Options),
    ("head", HttpMethod::Head),
    ("patch", HttpMethod::Patch),
    ("x-amazon-apigateway-any-method", HttpMethod::Any),
];

const OPERATION_NAMES: &str =
    "get, put, post, delete, options, head, patch, x-amazon-apigateway-any-method";

/// Standard OpenAPI path item members that are not operations.
const PATH_ITEM_MEMBERS: &[&str] = &["parameters", "summary", "description", "servers"];

/// The HTTP API path whose `x-amazon-apigateway-any-method` is the `$default` route.
const DEFAULT_PATH: &str = "/$default";

#[derive(Default)]
struct Routes {
    routes: Vec<Route>,
    tree: ResourceTree,
    /// HTTP APIs: (method, normalised path) → the route that first claimed it.
    seen: HashMap<(HttpMethod, String), String>,
}

/// A path item being resolved.
struct PathItem<'a> {
    path: &'a str,
    template: Option<Template>,
    params: Option<Vec<String>>,
    is_default: bool,
}

/// Resolves `paths` into routes, in document order.
pub(crate) fn resolve<'d>(
    ctx: &mut Ctx<'d>,
    paths: &Node<'d>,
    validators: &Validators,
) -> Vec<Route> {
    let mut state = Routes::default();
    if ctx.object(paths, "paths").is_some() {
        for (path, item) in paths.entries() {
            path_item(ctx, &mut state, validators, path, item);
        }
    }
    state.routes
}

fn path_item<'d>(
    ctx: &mut Ctx<'d>,
    state: &mut Routes,
    validators: &Validators,
    path: &str,
    node: Node<'d>,
) {
    let is_default = ctx.kind == ApiKind::Http && path == DEFAULT_PATH;
    let template = if is_default {
        None
    } else {
        match path_template::parse(path, ctx.kind) {
            Ok(template) => Some(template),
            Err(message) => {
                ctx.error(&node.ptr, At::Key, message);
                None
            }
        }
    };
    if let (ApiKind::Rest, Some(template)) = (ctx.kind, &template) {
        if let Err(message) = state.tree.add(path, template) {
            ctx.error(&node.ptr, At::Key, message);
        }
    }
    let Some(node) = reference::follow(ctx, node) else {
        return;
    };
    if ctx
        .object(&node, &format!("path item \"{path}\""))
        .is_none()
    {
        return;
    }
    // `$default` has no path parameters; an invalid path's are unknown (and already reported).
    let params = match &template {
        _ if is_default => Some(Vec::new()),
        Some(template) => Some(template.params()),
        None => None,
    };
    let item = PathItem {
        path,
        template,
        params,
        is_default,
    };
    for (key, member) in node.entries() {
        match OPERATIONS.iter().find(|(name, _)| *name == key) {
            Some((_, method)) => {
                let validation = validation::for_operation(ctx, validators, &node, &member);
                operation(ctx, state, &item, *method, &member, validation)
            }
            None => other_member(ctx, path, key, &member),
        }
    }
}

fn other_member(ctx: &mut Ctx<'_>, path: &str, key: &str, member: &Node<'_>) {
    if PATH_ITEM_MEMBERS.contains(&key) || key == "$ref" || key.starts_with("x-") {
        return;
    }
    let message = if key == "trace" {
        format!("TRACE is not supported by API Gateway; expected one of {OPERATION_NAMES}")
    } else {
        format!("unknown operation \"{key}\" in path item \"{path}\"; expected one of {OPERATION_NAMES} (parameters, summary, description, servers and x-* extensions are also allowed here)")
    };
    ctx.error(&member.ptr, At::Key, message);
    ctx.reject(member);
}

fn operation<'d>(
    ctx: &mut Ctx<'d>,
    state: &mut Routes,
    item: &PathItem<'_>,
    method: HttpMethod,
    node: &Node<'d>,
    validation: Option<RequestValidation>,
) {
    if method == HttpMethod::Any {
        ctx.handle(node);
    }
    let key = if item.is_default {
        RouteKey::Default
    } else {
        RouteKey::Method {
            method,
            path: item.path.to_owned(),
        }
    };
    if item.is_default && method != HttpMethod::Any {
        let message = format!(
            "the $default route takes only x-amazon-apigateway-any-method; found {}",
            method.as_str().to_ascii_lowercase()
        );
        ctx.error(&node.ptr, At::Key, message);
        ctx.reject(node);
        return;
    }
    let display = key.to_string();
    if ctx.object(node, &format!("operation {display}")).is_none() {
        return;
    }
    let operation_id = node
        .get("operationId")
        .and_then(|n| ctx.string(&n, "operationId").map(str::to_owned));
    let integration = integration_of(ctx, node, &display, item.params.as_deref());
    let duplicate = item
        .template
        .as_ref()
        .is_some_and(|t| is_duplicate(ctx, state, method, t, &display, node));
    let routable = item.is_default || item.template.is_some();
    if let Some((integration, cache_namespace)) = integration.filter(|_| routable && !duplicate) {
        let method_responses = match ctx.kind {
            ApiKind::Rest => method_responses::resolve(ctx, node),
            ApiKind::Http => Vec::new(),
        };
        method_responses::check_integration(ctx, node, &integration, &method_responses);
        state.routes.push(Route {
            operation_id,
            validation,
            method_responses,
            cache_namespace,
            ..Route::new(key, node.ptr.clone(), integration)
        });
    }
}

fn integration_of<'d>(
    ctx: &mut Ctx<'d>,
    operation: &Node<'d>,
    display: &str,
    params: Option<&[String]>,
) -> Option<(Integration, Option<String>)> {
    let Some(node) = operation.get("x-amazon-apigateway-integration") else {
        let message = match ctx.kind {
            ApiKind::Rest => format!("{display} has no x-amazon-apigateway-integration; AWS refuses to deploy a REST API method without an integration (add one, for example type: mock)"),
            ApiKind::Http => format!("{display} has no x-amazon-apigateway-integration; a route without an integration cannot answer (add one, for example type: http_proxy)"),
        };
        ctx.error(&operation.ptr, At::Key, message);
        return None;
    };
    ctx.handle(&node);
    let node = reference::follow(ctx, node)?;
    integration::resolve(
        ctx,
        &node,
        &RouteInfo {
            key: display,
            params,
        },
    )
}

/// HTTP API route keys that differ only in parameter names collide (REST APIs report the same
/// conflict through the resource tree).
fn is_duplicate(
    ctx: &mut Ctx<'_>,
    state: &mut Routes,
    method: HttpMethod,
    template: &Template,
    display: &str,
    node: &Node<'_>,
) -> bool {
    if ctx.kind != ApiKind::Http {
        return false;
    }
    let normalized = (method, template.normalized());
    match state.seen.get(&normalized) {
        Some(first) => {
            let message = format!("route {display} duplicates {first}: routes that differ only in path parameter names are the same route in API Gateway");
            ctx.error(&node.ptr, At::Key, message);
            true
        }
        None => {
            state.seen.insert(normalized, display.to_owned());
            false
        }
    }
}
