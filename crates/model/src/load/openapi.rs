//! The document as a whole: version, title, kind, and the top-level extensions.
//!
//! OpenAPI 3.0/3.1 and Swagger 2.0 differ in places the model does not read (schemas, servers vs.
//! host/basePath, which AWS's importer ignores by default), so one resolver serves both.

use std::path::Path;

use serde_json::Value;

use super::context::{At, Ctx, Node};
use super::{cors, gateway_responses, paths, security, unsupported, validation, LoadOptions};
use crate::api::{Api, ApiKind};
use crate::id::api_id_from_title;

const IMPORTEXPORT_VERSION: &str = "x-amazon-apigateway-importexport-version";
const GATEWAY_RESPONSES: &str = "x-amazon-apigateway-gateway-responses";
const BINARY_MEDIA_TYPES: &str = "x-amazon-apigateway-binary-media-types";

/// `--kind` if given; otherwise an HTTP API when the document carries the HTTP API export marker.
pub(crate) fn kind_of(root: &Value, options: &LoadOptions) -> ApiKind {
    match options.kind {
        Some(kind) => kind,
        None if root.get(IMPORTEXPORT_VERSION).is_some() => ApiKind::Http,
        None => ApiKind::Rest,
    }
}

/// Resolves the whole document; `None` when it is not even a mapping or has no usable title.
pub(crate) fn resolve(ctx: &mut Ctx<'_>, source: &Path) -> Option<Api> {
    let root = Node::root(ctx.doc);
    if !root.value.is_object() {
        let found = super::context::type_name(root.value);
        let message = format!(
            "the document must be a mapping (an OpenAPI 3 or Swagger 2 object); found {found}"
        );
        ctx.error("", At::Value, message);
        return None;
    }
    version(ctx, &root);
    let name = title(ctx, &root);
    importexport_version(ctx, &root);
    let gateway_responses = root
        .get(GATEWAY_RESPONSES)
        .filter(|n| rest_only(ctx, n))
        .map(|n| gateway_responses::resolve(ctx, &n))
        .unwrap_or_default();
    let binary_media_types = root
        .get(BINARY_MEDIA_TYPES)
        .filter(|n| rest_only(ctx, n))
        .map(|n| binary_media_types(ctx, &n))
        .unwrap_or_default();
    let schemes = security::schemes(ctx, &root);
    let api_key_source = security::api_key_source(ctx, &root);
    let resource_policy = security::resource_policy(ctx, &root);
    // Reusable HTTP API integrations; each is checked where a route references it.
    if let Some(shared) = root
        .get("components")
        .and_then(|c| c.get("x-amazon-apigateway-integrations"))
    {
        ctx.handle(&shared);
    }
    let cors = cors::resolve(ctx, &root);
    let validators = validation::validators(ctx, &root);
    let mut routes = root
        .get("paths")
        .map(|p| paths::resolve(ctx, &p, &validators))
        .unwrap_or_default();
    security::apply(ctx, &root, &schemes, &mut routes);
    unsupported::extensions(ctx, &root);
    let name = name?;
    Some(Api {
        id: api_id_from_title(&name),
        name,
        kind: ctx.kind,
        source: source.to_path_buf(),
        routes,
        gateway_responses,
        binary_media_types,
        authorizers: schemes
            .into_values()
            .filter_map(|s| match s {
                security::Scheme::Authorizer(a) => Some((a.name.clone(), *a)),
                _ => None,
            })
            .collect(),
        api_key_source,
        resource_policy,
        cors,
        method_throttles: Vec::new(),
        caching: Default::default(),
    })
}

fn version(ctx: &mut Ctx<'_>, root: &Node<'_>) {
    match (root.get("openapi"), root.get("swagger")) {
        (Some(_), Some(swagger)) => ctx.error(&swagger.ptr, At::Key, "a document has either openapi or swagger, not both; keep the one that matches its format"),
        (Some(openapi), None) => {
            let Some(text) = ctx.string(&openapi, "openapi (the version, such as \"3.0.1\")") else {
                return;
            };
            if !is_openapi_3(text) {
                let message = format!("unsupported OpenAPI version \"{text}\"; Turnpike reads OpenAPI 3.0.x and 3.1.x, and Swagger 2.0");
                ctx.error(&openapi.ptr, At::Value, message);
            }
        }
        (None, Some(swagger)) => {
            // `swagger: 2.0` unquoted in YAML is a number; it means the same.
            let text = match swagger.value {
                Value::Number(n) => n.as_f64().map(|f| format!("{f:.1}")).unwrap_or_default(),
                Value::String(s) => s.clone(),
                _ => {
                    ctx.string(&swagger, "swagger (the version, \"2.0\")");
                    return;
                }
            };
            if text != "2.0" {
                let message = format!("unsupported Swagger version \"{text}\"; expected \"2.0\" (or openapi: 3.0.x / 3.1.x)");
                ctx.error(&swagger.ptr, At::Value, message);
            }
        }
        (None, None) => ctx.error("", At::Value, "missing version: expected openapi: 3.0.x or 3.1.x, or swagger: \"2.0\", at the top of the document"),
    }
}

/// `3.0.x` or `3.1.x` (patch digits required, as the specification writes them).
fn is_openapi_3(text: &str) -> bool {
    let mut parts = text.split('.');
    let digits =
        |p: Option<&str>| p.is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    matches!(parts.next(), Some("3"))
        && matches!(parts.next(), Some("0" | "1"))
        && digits(parts.next())
        && parts.next().is_none()
}

fn title(ctx: &mut Ctx<'_>, root: &Node<'_>) -> Option<String> {
    const MISSING: &str = "missing info.title; API Gateway names the API after it, so give info: {title: ...} a non-empty string";
    let Some(info) = root.get("info") else {
        ctx.error("", At::Value, MISSING);
        return None;
    };
    ctx.object(&info, "info")?;
    let Some(title) = info.get("title") else {
        ctx.error(&info.ptr, At::Key, MISSING);
        return None;
    };
    let text = ctx.string(&title, "info.title")?;
    if text.trim().is_empty() {
        ctx.error(
            &title.ptr,
            At::Value,
            "info.title must not be empty; API Gateway names the API after it",
        );
        return None;
    }
    Some(text.to_owned())
}

fn importexport_version(ctx: &mut Ctx<'_>, root: &Node<'_>) {
    let Some(node) = root.get(IMPORTEXPORT_VERSION) else {
        return;
    };
    ctx.handle(&node);
    let text = match node.value {
        Value::Number(n) => n.as_f64().map(|f| format!("{f:.1}")).unwrap_or_default(),
        Value::String(s) => s.clone(),
        other => super::context::type_name(other).to_owned(),
    };
    if text != "1.0" {
        let message = format!("unsupported {IMPORTEXPORT_VERSION} \"{text}\"; expected \"1.0\", the only version AWS defines");
        ctx.error(&node.ptr, At::Value, message);
    }
}

/// Marks a REST-only top-level extension handled; in an HTTP API it is an error.
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

fn binary_media_types(ctx: &mut Ctx<'_>, node: &Node<'_>) -> Vec<String> {
    if ctx.array(node, BINARY_MEDIA_TYPES).is_none() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for item in node.items() {
        let Some(text) = ctx.string(&item, &format!("each entry of {BINARY_MEDIA_TYPES}")) else {
            continue;
        };
        if text.contains('/') {
            out.push(text.to_owned());
        } else {
            let message = format!("\"{text}\" is not a media type; expected type/subtype such as \"image/png\" or \"*/*\"");
            ctx.error(&item.ptr, At::Value, message);
        }
    }
    out
}
