//! Request validation: `x-amazon-apigateway-request-validators` (named validators, top level),
//! `x-amazon-apigateway-request-validator` (the default at the top level, or one operation's),
//! required parameters, and body models with their `$ref`s made self-contained.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use super::context::{type_name, At, Ctx, Node};
use super::reference;
use crate::api::ApiKind;
use crate::validation::{
    BodyModel, ParameterLocation, RequestValidation, RequiredParameter, MODELS_KEY,
};

const VALIDATORS: &str = "x-amazon-apigateway-request-validators";
const VALIDATOR: &str = "x-amazon-apigateway-request-validator";

/// The document's named validators and its default one.
#[derive(Debug, Default)]
pub(crate) struct Validators {
    /// Name → (validateRequestBody, validateRequestParameters).
    named: BTreeMap<String, (bool, bool)>,
    default: Option<String>,
}

/// Reads the top-level validator extensions; HTTP APIs have no request validation.
pub(crate) fn validators(ctx: &mut Ctx<'_>, root: &Node<'_>) -> Validators {
    let mut out = Validators::default();
    if let Some(node) = root.get(VALIDATORS) {
        ctx.handle(&node);
        if rest_only(ctx, &node) && ctx.object(&node, VALIDATORS).is_some() {
            for (name, member) in node.entries() {
                if let Some(flags) = validator(ctx, &member, name) {
                    out.named.insert(name.to_owned(), flags);
                }
            }
        }
    }
    if let Some(node) = root.get(VALIDATOR) {
        ctx.handle(&node);
        if rest_only(ctx, &node) {
            out.default = known_name(ctx, &out, &node);
        }
    }
    out
}

/// What `operation` validates, if a validator applies to it.
pub(crate) fn for_operation<'d>(
    ctx: &mut Ctx<'d>,
    validators: &Validators,
    path_item: &Node<'d>,
    operation: &Node<'d>,
) -> Option<RequestValidation> {
    let chosen = match operation.get(VALIDATOR) {
        Some(node) => {
            ctx.handle(&node);
            if !rest_only(ctx, &node) {
                return None;
            }
            known_name(ctx, validators, &node)?
        }
        None => validators.default.clone()?,
    };
    let (validate_body, validate_parameters) = *validators.named.get(&chosen)?;
    Some(RequestValidation {
        validator: chosen,
        validate_body,
        validate_parameters,
        required_parameters: required_parameters(ctx, path_item, operation),
        body_models: body_models(ctx, operation),
    })
}

fn rest_only(ctx: &mut Ctx<'_>, node: &Node<'_>) -> bool {
    if ctx.kind == ApiKind::Rest {
        return true;
    }
    let name = node.ptr.rsplit('/').next().unwrap_or_default();
    let message = format!("{name} is a REST API feature (request validation) that HTTP APIs do not have; remove it, or load the document as a REST API (--kind rest)");
    ctx.error(&node.ptr, At::Key, message);
    false
}

fn validator(ctx: &mut Ctx<'_>, node: &Node<'_>, name: &str) -> Option<(bool, bool)> {
    ctx.object(node, &format!("request validator \"{name}\""))?;
    let mut flags = (false, false);
    for (key, member) in node.entries() {
        let slot = match key {
            "validateRequestBody" => &mut flags.0,
            "validateRequestParameters" => &mut flags.1,
            _ => {
                let message = format!("unknown request validator property \"{key}\"; expected validateRequestBody or validateRequestParameters");
                ctx.error(&member.ptr, At::Key, message);
                continue;
            }
        };
        match member.value {
            Value::Bool(b) => *slot = *b,
            other => {
                let found = type_name(other);
                ctx.error(
                    &member.ptr,
                    At::Value,
                    format!("{key} must be true or false; found {found}"),
                );
            }
        }
    }
    Some(flags)
}

fn known_name(ctx: &mut Ctx<'_>, validators: &Validators, node: &Node<'_>) -> Option<String> {
    let name = ctx.string(node, VALIDATOR)?;
    if validators.named.contains_key(name) {
        return Some(name.to_owned());
    }
    let known: Vec<&str> = validators.named.keys().map(String::as_str).collect();
    let message = if known.is_empty() {
        format!("request validator \"{name}\" is not defined; declare it under {VALIDATORS} at the top of the document")
    } else {
        format!(
            "request validator \"{name}\" is not defined; expected one of {} (from {VALIDATORS})",
            known.join(", ")
        )
    };
    ctx.error(&node.ptr, At::Value, message);
    None
}

/// `required: true` parameters of the path item and the operation (the operation's declaration
/// of the same name and location wins), path parameters always.
fn required_parameters<'d>(
    ctx: &mut Ctx<'d>,
    path_item: &Node<'d>,
    operation: &Node<'d>,
) -> Vec<RequiredParameter> {
    let mut declared: Vec<(RequiredParameter, bool)> = Vec::new();
    for list in [path_item.get("parameters"), operation.get("parameters")]
        .into_iter()
        .flatten()
    {
        if ctx.array(&list, "parameters").is_none() {
            continue;
        }
        for item in list.items() {
            let Some(item) = reference::follow(ctx, item) else {
                continue;
            };
            let location = match item.get("in").and_then(|n| n.value.as_str()) {
                Some("path") => ParameterLocation::Path,
                Some("query") => ParameterLocation::Query,
                Some("header") => ParameterLocation::Header,
                _ => continue,
            };
            let Some(name) = item.get("name").and_then(|n| n.value.as_str()) else {
                continue;
            };
            let required = location == ParameterLocation::Path
                || item
                    .get("required")
                    .is_some_and(|n| n.value == &Value::Bool(true));
            let parameter = RequiredParameter {
                location,
                name: name.to_owned(),
            };
            match declared.iter_mut().find(|(p, _)| *p == parameter) {
                Some(slot) => slot.1 = required,
                None => declared.push((parameter, required)),
            }
        }
    }
    declared
        .into_iter()
        .filter_map(|(p, required)| required.then_some(p))
        .collect()
}

/// OpenAPI 3 `requestBody.content.*.schema`, or Swagger 2's `in: body` parameter (for each type
/// of `consumes`, else `application/json`).
fn body_models<'d>(ctx: &mut Ctx<'d>, operation: &Node<'d>) -> Vec<BodyModel> {
    let mut out = Vec::new();
    if let Some(body) = operation.get("requestBody") {
        let Some(body) = reference::follow(ctx, body) else {
            return out;
        };
        let Some(content) = body.get("content") else {
            return out;
        };
        for (content_type, media) in content.entries() {
            if let Some(schema) = media.get("schema") {
                if let Some(model) = body_model(ctx, content_type, &schema) {
                    out.push(model);
                }
            }
        }
        return out;
    }
    let body_param = operation.get("parameters").and_then(|list| {
        list.items().into_iter().find(|p| {
            p.get("in")
                .is_some_and(|n| n.value.as_str() == Some("body"))
        })
    });
    if let Some(schema) = body_param.and_then(|p| p.get("schema")) {
        let consumes: Vec<String> = operation
            .get("consumes")
            .and_then(|n| n.value.as_array().cloned())
            .unwrap_or_default()
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect();
        let types = if consumes.is_empty() {
            vec!["application/json".to_owned()]
        } else {
            consumes
        };
        for content_type in types {
            if let Some(model) = body_model(ctx, &content_type, &schema) {
                out.push(model);
            }
        }
    }
    out
}

fn body_model<'d>(ctx: &mut Ctx<'d>, content_type: &str, schema: &Node<'d>) -> Option<BodyModel> {
    let model = schema
        .get("$ref")
        .and_then(|r| r.value.as_str())
        .and_then(model_name)
        .unwrap_or("inline")
        .to_owned();
    let library = library(ctx);
    let mut needed = BTreeSet::new();
    let mut models = Map::new();
    let mut root = rewrite(ctx, &library, schema, &mut needed)?;
    let mut pending: Vec<String> = needed.iter().cloned().collect();
    while let Some(name) = pending.pop() {
        let Some(node) = library.get(&name) else {
            continue;
        };
        let mut more = BTreeSet::new();
        let rewritten = rewrite(ctx, &library, node, &mut more)?;
        models.insert(name, rewritten);
        for next in more {
            if needed.insert(next.clone()) {
                pending.push(next);
            }
        }
    }
    if let Value::Object(map) = &mut root {
        if !models.is_empty() {
            map.insert(MODELS_KEY.to_owned(), Value::Object(models));
        }
    }
    Some(BodyModel {
        content_type: content_type.to_owned(),
        model,
        schema: root,
    })
}

/// The document's models by name.
type Library<'d> = BTreeMap<String, Node<'d>>;

/// The document's models: `components/schemas` (OpenAPI 3) or `definitions` (Swagger 2).
fn library<'d>(ctx: &Ctx<'d>) -> Library<'d> {
    let root = Node::root(ctx.doc);
    let mut out = BTreeMap::new();
    let sources = [
        root.get("components").and_then(|c| c.get("schemas")),
        root.get("definitions"),
    ];
    for source in sources.into_iter().flatten() {
        for (name, node) in source.entries() {
            out.insert(name.to_owned(), node);
        }
    }
    out
}

/// The model a `$ref` names: `#/components/schemas/X`, `#/definitions/X`, or API Gateway's
/// `https://apigateway.amazonaws.com/restapis/{id}/models/X`.
fn model_name(reference: &str) -> Option<&str> {
    reference
        .strip_prefix("#/components/schemas/")
        .or_else(|| reference.strip_prefix("#/definitions/"))
        .or_else(|| reference.split_once("/models/").map(|(_, name)| name))
        .filter(|name| !name.is_empty() && !name.contains('/'))
}

/// A copy of `node` with each model `$ref` pointing under [`MODELS_KEY`]; the models it names
/// go into `needed`. `None` after reporting a reference that names no model.
fn rewrite(
    ctx: &mut Ctx<'_>,
    library: &Library<'_>,
    node: &Node<'_>,
    needed: &mut BTreeSet<String>,
) -> Option<Value> {
    match node.value {
        Value::Object(_) => {
            let mut out = Map::new();
            for (key, member) in node.entries() {
                let value = if key == "$ref" {
                    let target = member.value.as_str().unwrap_or_default();
                    let Some(name) = model_name(target) else {
                        let message = format!("$ref \"{target}\" in a model must name a model: \"#/components/schemas/NAME\", \"#/definitions/NAME\" or an API Gateway model URL");
                        ctx.error(&member.ptr, At::Value, message);
                        return None;
                    };
                    if !library.contains_key(name) {
                        ctx.error(&member.ptr, At::Value, format!("$ref \"{target}\" names model \"{name}\", which the document does not define"));
                        return None;
                    }
                    needed.insert(name.to_owned());
                    Value::String(format!("#/{MODELS_KEY}/{}", escape(name)))
                } else {
                    rewrite(ctx, library, &member, needed)?
                };
                out.insert(key.to_owned(), value);
            }
            Some(Value::Object(out))
        }
        Value::Array(_) => node
            .items()
            .iter()
            .map(|item| rewrite(ctx, library, item, needed))
            .collect::<Option<Vec<_>>>()
            .map(Value::Array),
        other => Some(other.clone()),
    }
}

/// A model name as a JSON pointer token.
fn escape(name: &str) -> String {
    name.replace('~', "~0").replace('/', "~1")
}

#[cfg(test)]
mod tests;
