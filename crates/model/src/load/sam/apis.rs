//! `AWS::Serverless::Api`, `AWS::Serverless::HttpApi` and the implicit `ServerlessRestApi` /
//! `ServerlessHttpApi` → [`Api`]s and their stages.
//!
//! Like SAM, an API's routes are its OpenAPI body (`DefinitionBody`, or a document generated
//! when there is none) plus one Lambda proxy operation per event that targets it. An API read
//! from `DefinitionUri` is not edited: SAM cannot edit a document it only uploads, so there an
//! event adds no route.

use super::definition::{add_route, generated, set_title};
use super::events::EventRoute;
use super::gateway_stage::stage_name;
use super::resolved::{RNode, RVal, Raw};
use super::resources::{api_id, SERVERLESS_API};
use super::stack::Stack;
use super::{auth, body, cors, models};
use crate::api::{Api, ApiKind};
use crate::load::context::At;
use crate::stage::Stage;

const REST_PROPERTIES: &[&str] = &[
    "AccessLogSetting",
    "AlwaysDeploy",
    "ApiKeySourceType",
    "Auth",
    "BinaryMediaTypes",
    "CacheClusterEnabled",
    "CacheClusterSize",
    "CanarySetting",
    "Cors",
    "DefinitionBody",
    "DefinitionUri",
    "Description",
    "DisableExecuteApiEndpoint",
    "Domain",
    "EndpointConfiguration",
    "FailOnWarnings",
    "GatewayResponses",
    "MergeDefinitions",
    "MethodSettings",
    "MinimumCompressionSize",
    "Mode",
    "Models",
    "Name",
    "OpenApiVersion",
    "Policy",
    "PropagateTags",
    "StageName",
    "Tags",
    "TracingEnabled",
    "Variables",
];

const HTTP_PROPERTIES: &[&str] = &[
    "AccessLogSettings",
    "Auth",
    "CorsConfiguration",
    "DefaultRouteSettings",
    "DefinitionBody",
    "DefinitionUri",
    "Description",
    "DisableExecuteApiEndpoint",
    "Domain",
    "FailOnWarnings",
    "Name",
    "PropagateTags",
    "RouteSettings",
    "StageName",
    "StageVariables",
    "Tags",
];

/// Properties whose behaviour Turnpike does not have yet, and what is planned.
const NOT_YET: &[(&str, &str)] = &[
    (
        "GatewayResponses",
        "give them as x-amazon-apigateway-gateway-responses in DefinitionBody",
    ),
    ("CanarySetting", "canary deployments are planned"),
];

/// An API the template declares or its events imply.
pub(super) struct ApiDecl<'d> {
    pub logical_id: String,
    pub kind: ApiKind,
    /// Merged properties; `None` for an implicit API.
    pub props: Option<Raw<'d>>,
    /// The resource, or for an implicit API the first event that needs it.
    pub ptr: String,
    /// `ServerlessRestApi` or `ServerlessHttpApi`, whose properties come from `Globals` only.
    pub implicit: bool,
}

/// Builds one API with the events that target it; returns it with its stage.
pub(super) fn build<'d>(
    stack: &mut Stack<'d>,
    decl: &ApiDecl<'d>,
    events: &[&EventRoute],
) -> Option<(Api, Stage)> {
    let before = stack.ctx.error_count() + stack.located.len();
    let props = match &decl.props {
        Some(raw) if !decl.implicit => {
            let what = format!(
                "{} {}",
                if decl.kind == ApiKind::Rest {
                    SERVERLESS_API
                } else {
                    super::resources::SERVERLESS_HTTP_API
                },
                decl.logical_id
            );
            let allowed = if decl.kind == ApiKind::Rest {
                REST_PROPERTIES
            } else {
                HTTP_PROPERTIES
            };
            stack.check_keys(&raw.entries(), allowed, &what);
            stack.eval_raw(raw).ok().flatten()
        }
        Some(raw) => stack.eval_raw(raw).ok().flatten(),
        None => None,
    };
    let empty = RNode {
        ptr: decl.ptr.clone(),
        val: RVal::Map(Vec::new()),
    };
    let props = props.unwrap_or(empty);
    not_yet(stack, &props);
    let name = props.get("Name").and_then(|n| stack.text(n, "Name"));
    let stage = stage(stack, decl, &props)?;
    let binary_media_types = binary_media_types(stack, &props);
    let mut api = match (props.get("DefinitionBody"), props.get("DefinitionUri")) {
        (Some(_), Some(uri)) => {
            stack.error(
                &uri.ptr,
                At::Key,
                "give either DefinitionBody or DefinitionUri, not both",
            );
            return None;
        }
        (None, Some(uri)) => {
            // SAM cannot edit a document it only uploads, so the models never reach it.
            if let Some(models) = props.get("Models") {
                stack.warn(
                    &models.ptr,
                    "Models has no effect with DefinitionUri (SAM does not edit that document); \
                     declare the models in the document itself",
                );
            }
            definition_file(stack, uri, decl, events)?
        }
        (body, None) => {
            let mut doc = match body {
                Some(body) => body.clone(),
                None => generated(stack, decl),
            };
            if let Some(name) = &name {
                set_title(&mut doc, name);
            }
            for event in events {
                add_route(stack, &mut doc, event);
            }
            if decl.kind == ApiKind::Rest {
                let models = models::add_models(stack, &mut doc, &props);
                for event in events {
                    models::apply_event(stack, &mut doc, event, models.as_deref());
                }
            }
            let api_auth = auth::read(stack, &props, decl.kind);
            auth::apply(stack, &mut doc, &api_auth, events);
            cors::apply(stack, &mut doc, &props, decl.kind);
            body::resolve(stack, &doc, decl.kind)?
        }
    };
    if stack.ctx.error_count() + stack.located.len() != before {
        return None;
    }
    api.id = api_id(&stack.stack_name, &decl.logical_id);
    if let Some(name) = name {
        api.name = name;
    }
    api.binary_media_types.extend(binary_media_types);
    if decl.kind == ApiKind::Rest {
        let settings = super::method_settings::read(stack, &props);
        api.method_throttles = settings.throttles;
        if let Some(source) = super::usage_plans::api_key_source(stack, &props) {
            api.api_key_source = source;
        }
        if let Some(cache) = super::stage_cache::read(stack, &props, settings.caching) {
            api.caching.stages.insert(stage.name.clone(), cache);
        }
    }
    Some((api, stage))
}

fn not_yet(stack: &mut Stack<'_>, props: &RNode) {
    for (key, why) in NOT_YET {
        let Some(node) = props.get(key) else {
            continue;
        };
        let off = matches!(&node.val, RVal::Scalar(serde_json::Value::Bool(false)) | RVal::Map(_) if node.entries().is_empty());
        if !off {
            let message = format!("{key} is not supported yet by Turnpike ({why})");
            stack.error(&node.ptr, At::Key, message);
        }
    }
}

fn stage(stack: &mut Stack<'_>, decl: &ApiDecl<'_>, props: &RNode) -> Option<Stage> {
    let name = match (props.get("StageName"), decl.kind, decl.implicit) {
        (Some(node), _, _) => stage_name(stack, node, decl.kind == ApiKind::Http)?,
        (None, ApiKind::Rest, false) => {
            let message = format!(
                "{} has no StageName; SAM requires one for an AWS::Serverless::Api",
                decl.logical_id
            );
            stack.error(&props.ptr, At::Key, message);
            return None;
        }
        // SAM's implicit REST API is deployed to a stage called Prod.
        (None, ApiKind::Rest, true) => "Prod".to_owned(),
        (None, ApiKind::Http, _) => Stage::DEFAULT.to_owned(),
    };
    let key = if decl.kind == ApiKind::Rest {
        "Variables"
    } else {
        "StageVariables"
    };
    let variables = props
        .get(key)
        .map(|n| stack.string_map(n, key))
        .unwrap_or_default();
    for (variable, node) in props.get(key).map(RNode::entries).unwrap_or_default() {
        if variable.is_empty()
            || !variable
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_')
        {
            let message = format!(
                "stage variable name \"{variable}\" may only have letters, digits and underscores"
            );
            stack.error(&node.ptr, At::Key, message);
        }
    }
    Some(Stage { name, variables })
}

/// `BinaryMediaTypes`, where SAM writes `/` as `~1` (`image~1png`).
pub(super) fn binary_media_types(stack: &mut Stack<'_>, props: &RNode) -> Vec<String> {
    let Some(node) = props.get("BinaryMediaTypes") else {
        return Vec::new();
    };
    let items = stack
        .list(node, "BinaryMediaTypes")
        .map(<[RNode]>::to_vec)
        .unwrap_or_default();
    items
        .iter()
        .filter_map(|item| stack.text(item, "each binary media type"))
        .map(|t| t.replace("~1", "/"))
        .collect()
}

/// An API whose definition is a file beside the template.
fn definition_file(
    stack: &mut Stack<'_>,
    uri: &RNode,
    decl: &ApiDecl<'_>,
    events: &[&EventRoute],
) -> Option<Api> {
    if matches!(uri.val, RVal::Map(_)) {
        stack.error(&uri.ptr, At::Value, "DefinitionUri in S3 is not supported by Turnpike; give the path of the OpenAPI file beside the template");
        return None;
    }
    let text = stack.text(uri, "DefinitionUri")?;
    if text.starts_with("s3://") {
        let message = format!("DefinitionUri \"{text}\" is in S3, which Turnpike does not read; give the path of the OpenAPI file beside the template");
        stack.error(&uri.ptr, At::Value, message);
        return None;
    }
    let path = stack.dir.join(&text);
    let loaded = crate::load::read(&path)
        .and_then(|body| crate::load::load_openapi(&path, &body, Some(decl.kind), true));
    let api = match loaded {
        Ok(api) => api,
        Err(errors) => {
            stack.located.extend(errors.0);
            return None;
        }
    };
    for event in events {
        let key = event
            .route
            .as_ref()
            .map(|(p, m)| format!("{} {p}", m.to_ascii_uppercase()));
        let served = api.routes.iter().any(|r| {
            Some(r.key.to_string()) == key
                || (key.is_none() && r.key == crate::api::RouteKey::Default)
        });
        if !served {
            let route = key.unwrap_or_else(|| "$default".to_owned());
            let message = format!("this event adds no route to {}: SAM does not edit an API defined by DefinitionUri ({text}), so {route} is served only if that file declares it", decl.logical_id);
            stack.warn(&event.ptr, message);
        }
    }
    Some(api)
}
