//! SAM and CloudFormation templates → [`Template`]: the functions, APIs and stages a template
//! declares, as `sam deploy` would create them.
//!
//! The template is parsed once, with CloudFormation's YAML short forms read as their long forms.
//! Resolution then goes in the order CloudFormation's own does: [`parameters`] (defaults and
//! overrides, checked against their constraints), [`conditions`], [`globals`], the resource table
//! ([`resources`], including the implicit APIs events create), then each resource: functions
//! ([`function`], [`code`], [`events`]) and APIs ([`apis`], with [`definition`] and [`auth`] editing their
//! OpenAPI documents as SAM does, which go through the OpenAPI loader by way of [`body`]; WebSocket and HTTP
//! APIs from `AWS::ApiGatewayV2` resources in [`websocket`]; REST APIs from
//! `AWS::ApiGateway` resources, as `cdk synth` writes them, in [`rest_resources`]). [`intrinsics`] and [`sub`] evaluate intrinsic functions
//! wherever a value is read, into [`resolved`] values that remember where they came from, so
//! every error names the file, line, column and pointer (which names the resource) of its cause.
//! Outputs are not evaluated: nothing in them changes what is served.

mod apis;
mod auth;
mod body;
mod code;
mod conditions;
mod cors;
mod declared;
mod definition;
mod events;
mod function;
mod gateway_stage;
mod globals;
mod intrinsics;
mod method_settings;
mod models;
mod parameters;
mod resolved;
mod resources;
mod rest_resources;
mod stack;
mod stage_cache;
mod sub;
mod usage_plans;
mod websocket;

#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use serde_json::Value;

use super::context::{one_of, type_name, At, Ctx, Node};
use super::document::{self, Document};
use super::{finish, is_json_name, load_str, read, syntax_error, LoadOptions};
use crate::api::ApiKind;
use crate::error::LoadErrors;
use crate::function::Template;
use apis::ApiDecl;
use resolved::Raw;
use resources::{
    IMPLICIT_HTTP_API, IMPLICIT_REST_API, LAMBDA_FUNCTION, SAM_TRANSFORM, SERVERLESS_API,
    SERVERLESS_FUNCTION, SERVERLESS_HTTP_API,
};
use stack::Stack;

/// Choices made on the command line for a template.
#[derive(Debug, Clone, Default)]
pub struct TemplateOptions {
    /// `--parameter-overrides K=V`: values for the template's `Parameters`.
    pub parameter_overrides: BTreeMap<String, String>,
    /// `AWS::StackName` (which also seeds the APIs' ids). When `None`, the name of the template's
    /// directory (`sam-app` for `sam-app/template.yaml`), or `turnpike` when it has none.
    pub stack_name: Option<String>,
}

const SECTIONS: &[&str] = &[
    "AWSTemplateFormatVersion",
    "Description",
    "Metadata",
    "Parameters",
    "Rules",
    "Mappings",
    "Conditions",
    "Transform",
    "Resources",
    "Outputs",
    "Globals",
];

/// True for a CloudFormation or SAM template: it has `AWSTemplateFormatVersion`, `Resources`, or
/// the SAM `Transform`.
pub(crate) fn is_template(root: &Value) -> bool {
    let sam = |t: &Value| t.as_str() == Some(SAM_TRANSFORM);
    root.get("AWSTemplateFormatVersion").is_some()
        || root.get("Resources").is_some()
        || root
            .get("Transform")
            .is_some_and(|t| sam(t) || t.as_array().is_some_and(|a| a.iter().any(sam)))
}

/// Reads and loads one template.
pub fn load_template_file(path: &Path, options: &TemplateOptions) -> Result<Template, LoadErrors> {
    load_template(path, &read(path)?, options)
}

/// Loads a SAM or CloudFormation template already in memory; `path` locates `CodeUri` and
/// `DefinitionUri` (relative to its directory) and names the file in messages.
pub fn load_template(
    path: &Path,
    text: &str,
    options: &TemplateOptions,
) -> Result<Template, LoadErrors> {
    let doc =
        document::parse_with(text, is_json_name(path), true).map_err(|e| syntax_error(path, e))?;
    resolve(path, &doc, options)
}

/// Reads and loads a file that is either a template or an OpenAPI document.
pub fn load_any_file(
    path: &Path,
    options: &LoadOptions,
    template: &TemplateOptions,
) -> Result<Template, LoadErrors> {
    load_any(path, &read(path)?, options, template)
}

/// Loads a template ([`load_template`] with `template`) or an OpenAPI document ([`load_str`] with
/// `options`, as a [`Template`] holding that one API and nothing else), whichever the text is.
pub fn load_any(
    path: &Path,
    text: &str,
    options: &LoadOptions,
    template: &TemplateOptions,
) -> Result<Template, LoadErrors> {
    let doc =
        document::parse_with(text, is_json_name(path), true).map_err(|e| syntax_error(path, e))?;
    if is_template(&doc.root) {
        return resolve(path, &doc, template);
    }
    let api = load_str(path, text, options)?;
    Ok(Template {
        apis: vec![api],
        ..Template::default()
    })
}

fn resolve(path: &Path, doc: &Document, options: &TemplateOptions) -> Result<Template, LoadErrors> {
    let dir = path.parent().unwrap_or(Path::new("")).to_path_buf();
    let stack_name = options.stack_name.clone().unwrap_or_else(|| {
        let here = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir.as_path()
        };
        std::fs::canonicalize(here)
            .ok()
            .and_then(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()))
            .unwrap_or_else(|| "turnpike".to_owned())
    });
    let mut stack = Stack {
        ctx: Ctx::new(path, doc, ApiKind::Rest),
        path,
        dir,
        stack_name,
        params: BTreeMap::new(),
        conditions: BTreeMap::new(),
        resources: BTreeMap::new(),
        mappings: None,
        function_names: BTreeMap::new(),
        naming: HashSet::new(),
        in_conditions: false,
        warnings: Vec::new(),
        located: Vec::new(),
    };
    let template = template(&mut stack, &Node::root(doc), options);
    let Stack {
        ctx,
        mut warnings,
        mut located,
        ..
    } = stack;
    let mut errors = ctx.into_errors();
    located.sort_by(|a, b| (&a.file, a.line, a.column).cmp(&(&b.file, b.line, b.column)));
    errors.extend(located);
    let mut seen = HashSet::new();
    errors.retain(|e| seen.insert((e.file.clone(), e.pointer.clone(), e.message.clone())));
    warnings.sort_by_key(|w| (w.line, w.column));
    warnings.dedup_by(|a, b| a.pointer == b.pointer && a.message == b.message);
    finish(path, template, errors).map(|mut t| {
        t.warnings = warnings;
        t
    })
}

fn template<'d>(
    stack: &mut Stack<'d>,
    root: &Node<'d>,
    options: &TemplateOptions,
) -> Option<Template> {
    if !root.value.is_object() {
        let found = type_name(root.value);
        let message = format!("a template must be a mapping with Resources; found {found}");
        stack.error("", At::Value, message);
        return None;
    }
    let sam_transform = sections(stack, root);
    stack.mappings = root.get("Mappings");
    parameters::resolve(stack, root, &options.parameter_overrides);
    conditions::resolve(stack, root);
    let globals = globals::read(stack, root);
    let order = resources::collect(stack, root, sam_transform);
    let mut template = Template::default();
    let mut routes = Vec::new();
    let mut decls = Vec::new();
    let mut gateway_stages = Vec::new();
    let mut websocket_decls = Vec::new();
    let mut rest_decls = Vec::new();
    for id in &order {
        let Some(resource) = stack.resources.get(id).cloned() else {
            continue;
        };
        let Some(node) = resource.node.filter(|_| resource.active) else {
            continue;
        };
        let kind = resource.kind.as_str();
        match kind {
            SERVERLESS_FUNCTION | LAMBDA_FUNCTION => {
                let props = if kind == SERVERLESS_FUNCTION {
                    globals.merge(stack, "Function", &node)
                } else {
                    node.get("Properties").map(Raw::Node)
                };
                let function = function::resolve(stack, id, kind, &node.ptr, props.as_ref());
                let events = props.as_ref().and_then(|p| p.get("Events"));
                if let (Some(events), SERVERLESS_FUNCTION) = (events, kind) {
                    if let Ok(name) = resources::function_name(stack, id) {
                        events::resolve(
                            stack,
                            id,
                            &name,
                            &events,
                            &mut routes,
                            &mut template.ignored,
                        );
                    }
                }
                template.functions.extend(function);
            }
            SERVERLESS_API | SERVERLESS_HTTP_API => {
                let (section, api_kind) = if kind == SERVERLESS_API {
                    ("Api", ApiKind::Rest)
                } else {
                    ("HttpApi", ApiKind::Http)
                };
                let props = globals.merge(stack, section, &node);
                let ptr = node.ptr.clone();
                decls.push(ApiDecl {
                    logical_id: id.clone(),
                    kind: api_kind,
                    props,
                    ptr,
                    implicit: false,
                });
            }
            usage_plans::USAGE_PLAN | usage_plans::API_KEY | usage_plans::USAGE_PLAN_KEY => {
                usage_plans::read(stack, id, kind, &node, &mut template.usage_plans);
            }
            gateway_stage::STAGE => gateway_stages.extend(gateway_stage::read(stack, id, &node)),
            other if rest_resources::reads(other) => {
                rest_decls.extend(rest_resources::declared(id, other, node));
            }
            other => match websocket::declared(id, other, node) {
                Some(decl) => websocket_decls.push(decl),
                None => template.ignored.push((id.clone(), other.to_owned())),
            },
        }
    }
    for (id, kind, section) in [
        (IMPLICIT_REST_API, ApiKind::Rest, "Api"),
        (IMPLICIT_HTTP_API, ApiKind::Http, "HttpApi"),
    ] {
        let implicit = stack.resources.get(id).is_some_and(|r| r.node.is_none());
        let first = routes.iter().find(|r| r.api == id && r.kind == kind);
        if let (true, Some(first)) = (implicit, first) {
            let ptr = first.ptr.clone();
            let props = globals.section(section).map(Raw::Node);
            decls.push(ApiDecl {
                logical_id: id.to_owned(),
                kind,
                props,
                ptr,
                implicit: true,
            });
        }
    }
    for decl in &decls {
        let events: Vec<_> = routes
            .iter()
            .filter(|r| r.api == decl.logical_id && r.kind == decl.kind)
            .collect();
        if let Some((api, stage)) = apis::build(stack, decl, &events) {
            if decl.kind == ApiKind::Rest {
                let (props, plans) = (decl.props.as_ref(), &mut template.usage_plans);
                usage_plans::from_auth(stack, &decl.logical_id, props, &api.id, &stage.name, plans);
            }
            template.stages.push((api.id.clone(), stage));
            template.apis.push(api);
        }
    }
    let rest_apis = rest_resources::build(stack, rest_decls, &mut template);
    gateway_stage::attach(stack, gateway_stages, &mut template);
    rest_resources::warn_stageless(stack, &rest_apis, &template);
    websocket::build(stack, websocket_decls, &mut template);
    Some(template)
}

/// Checks the top-level sections; returns whether the SAM transform is declared.
fn sections(stack: &mut Stack<'_>, root: &Node<'_>) -> bool {
    for (key, member) in root.entries() {
        if !SECTIONS.contains(&key) {
            let message = format!(
                "unknown template section \"{key}\"; expected one of {}",
                one_of(SECTIONS)
            );
            stack.error(&member.ptr, At::Key, message);
        }
    }
    if let Some(version) = root.get("AWSTemplateFormatVersion") {
        if version.value.as_str() != Some("2010-09-09") {
            let message = format!("AWSTemplateFormatVersion must be \"2010-09-09\", the only version CloudFormation has; found {}", version.value);
            stack.error(&version.ptr, At::Value, message);
        }
    }
    if let Some(rules) = root.get("Rules") {
        stack.warn(&rules.ptr, "Rules are not checked by Turnpike; parameter values are checked against their own constraints only");
    }
    let mut sam = false;
    let names: Vec<Node<'_>> = match root.get("Transform") {
        Some(t) if t.value.is_array() => t.items(),
        Some(t) => vec![t],
        None => Vec::new(),
    };
    for name in names {
        match name.value.as_str() {
            Some(SAM_TRANSFORM) => sam = true,
            Some(other) => {
                let message = format!("the transform {other} is not supported by Turnpike; it reads templates with Transform: {SAM_TRANSFORM} or none");
                stack.error(&name.ptr, At::Value, message);
            }
            None => {
                let found = type_name(name.value);
                let message =
                    format!("Transform takes a transform name or a list of them; found {found}");
                stack.error(&name.ptr, At::Value, message);
            }
        }
    }
    if let (false, Some(globals)) = (sam, root.get("Globals")) {
        let message = format!("Globals is a SAM section, which needs Transform: {SAM_TRANSFORM}");
        stack.error(&globals.ptr, At::Key, message);
    }
    sam
}
