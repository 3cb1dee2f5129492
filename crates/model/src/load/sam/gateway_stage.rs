//! `AWS::ApiGateway::Stage`: another stage of an API the template declares (`RestApiId: !Ref
//! MyApi`), with its variables and cache settings.

use super::resolved::{RNode, RVal};
use super::stack::Stack;
use crate::cache::StageCache;
use crate::function::Template;
use crate::load::context::{At, Node};
use crate::stage::Stage;

pub(super) const STAGE: &str = "AWS::ApiGateway::Stage";

const PROPERTIES: &[&str] = &[
    "AccessLogSetting",
    "CacheClusterEnabled",
    "CacheClusterSize",
    "CanarySetting",
    "ClientCertificateId",
    "DeploymentId",
    "Description",
    "DocumentationVersion",
    "MethodSettings",
    "RestApiId",
    "StageName",
    "Tags",
    "TracingEnabled",
    "Variables",
];

/// One `AWS::ApiGateway::Stage`, read.
pub(super) struct StageDecl {
    ptr: String,
    api_id: String,
    stage: Stage,
    cache: Option<StageCache>,
    /// Its `MethodSettings` throttles, and where they were given.
    throttles: Vec<crate::throttle::MethodThrottle>,
    throttles_ptr: String,
}

/// Reads the resource `id`; `None` after reporting its problems.
pub(super) fn read<'d>(stack: &mut Stack<'d>, id: &str, node: &Node<'d>) -> Option<StageDecl> {
    let props = match node.get("Properties") {
        Some(p) => stack.eval(&p).ok().flatten()?,
        None => RNode {
            ptr: node.ptr.clone(),
            val: RVal::Map(Vec::new()),
        },
    };
    let entries = stack
        .mapping(&props, &format!("the Properties of {STAGE} {id}"))?
        .to_vec();
    stack.check_keys(&entries, PROPERTIES, &format!("{STAGE} {id}"));
    if let Some(canary) = props.get("CanarySetting") {
        let message =
            "CanarySetting is not supported yet by Turnpike (canary deployments are planned)";
        stack.error(&canary.ptr, At::Key, message);
    }
    let (Some(api), Some(name)) = (props.get("RestApiId"), props.get("StageName")) else {
        let message = format!("{STAGE} {id} needs RestApiId and StageName");
        stack.error(&props.ptr, At::Key, message);
        return None;
    };
    let api_id = stack.text(api, "RestApiId")?;
    let name = stage_name(stack, name, false)?;
    let variables = props
        .get("Variables")
        .map(|n| stack.string_map(n, "Variables"))
        .unwrap_or_default();
    let settings = super::method_settings::read(stack, &props);
    let throttles_ptr = props
        .get("MethodSettings")
        .map_or(&props.ptr, |n| &n.ptr)
        .clone();
    let cache = super::stage_cache::read(stack, &props, settings.caching);
    Some(StageDecl {
        ptr: api.ptr.clone(),
        api_id,
        stage: Stage { name, variables },
        cache,
        throttles: settings.throttles,
        throttles_ptr,
    })
}

/// The stage name `node` (a `StageName`) gives: up to 128 letters, digits, hyphens and
/// underscores, or `$default` where `default_allowed` (HTTP APIs); `None` after reporting it.
pub(super) fn stage_name(
    stack: &mut Stack<'_>,
    node: &RNode,
    default_allowed: bool,
) -> Option<String> {
    let name = stack.text(node, "StageName")?;
    let valid = !name.is_empty()
        && name.len() <= 128
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !(valid || (default_allowed && name == Stage::DEFAULT)) {
        let message = format!("StageName \"{name}\" is not a valid stage name; use up to 128 letters, digits, hyphens and underscores");
        stack.error(&node.ptr, At::Value, message);
        return None;
    }
    Some(name)
}

/// Adds each stage to the API it names.
pub(super) fn attach(stack: &mut Stack<'_>, decls: Vec<StageDecl>, template: &mut Template) {
    let mut throttled = Vec::new();
    for decl in decls {
        let Some(api) = template.apis.iter_mut().find(|a| a.id == decl.api_id) else {
            let message = format!(
                "RestApiId \"{}\" is no REST API of this template; use !Ref of an AWS::Serverless::Api",
                decl.api_id
            );
            stack.error(&decl.ptr, At::Value, message);
            continue;
        };
        let taken = template
            .stages
            .iter()
            .any(|(id, s)| *id == decl.api_id && s.name == decl.stage.name);
        if taken {
            let message = format!(
                "the API already has a stage named {}; an AWS::ApiGateway::Stage adds another",
                decl.stage.name
            );
            stack.error(&decl.ptr, At::Value, message);
            continue;
        }
        if let Some(cache) = decl.cache {
            api.caching.stages.insert(decl.stage.name.clone(), cache);
        }
        if !decl.throttles.is_empty() {
            throttled.push((decl.api_id.clone(), decl.throttles, decl.throttles_ptr));
        }
        template.stages.push((decl.api_id, decl.stage));
    }
    // An API's method throttles hold for all its stages, so a Stage's throttling MethodSettings
    // apply when it is the API's only stage (as with SAM's one stage per API).
    for (api_id, throttles, ptr) in throttled {
        let stages = template
            .stages
            .iter()
            .filter(|(id, _)| *id == api_id)
            .count();
        let api = template.apis.iter_mut().find(|a| a.id == api_id);
        match api {
            Some(api) if stages == 1 && api.method_throttles.is_empty() => {
                api.method_throttles = throttles;
            }
            _ => stack.warn(&ptr, "throttling MethodSettings of an AWS::ApiGateway::Stage are applied only to an API with that one stage and no throttling of its own; these are not applied"),
        }
    }
}
