//! SAM's request models and parameters: an `AWS::Serverless::Api`'s `Models` and an `Api`
//! event's `RequestModel` and `RequestParameters`, written into the API's OpenAPI document as
//! SAM's translator writes them, so the document loader turns them into request validation:
//!
//! - each model goes under `definitions` (Swagger 2, SAM's default) or `components/schemas`
//!   (OpenAPI 3), named in lower case; a model needs `type` and `properties`;
//! - `RequestModel` adds an `in: body` parameter referring to the model (Swagger 2) or a
//!   `requestBody` with it as `application/json` (OpenAPI 3), `required` when `Required` is given;
//!   with `ValidateBody` or `ValidateParameters` (the other one false when absent) it adds the
//!   validator `body-and-params`, `body-only`, `params-only` or `no-validation` and selects it;
//! - `RequestParameters` (`method.request.{querystring|path|header}.name`, or that as a key with
//!   `Required` / `Caching`) adds parameters, and `Caching: true` a `cacheKeyParameters` entry.
//!
//! Source: aws/serverless-application-model, `samtranslator/model/eventsources/push.py`
//! (`Api._add_swagger_integration`) and `samtranslator/swagger/swagger.py` (`add_models`,
//! `add_request_model_to_method`, `add_request_validator_to_method`, `get_validator_name`).

use serde_json::Value;

use super::events::EventRoute;
use super::resolved::{RNode, RVal};
use super::stack::Stack;
use crate::load::context::At;

const VALIDATORS: &str = "x-amazon-apigateway-request-validators";
const VALIDATOR: &str = "x-amazon-apigateway-request-validator";
const INTEGRATION: &str = "x-amazon-apigateway-integration";
const REQUEST_MODEL_PROPERTIES: &[&str] =
    &["Model", "Required", "ValidateBody", "ValidateParameters"];
const REQUEST_PARAMETER_PROPERTIES: &[&str] = &["Required", "Caching"];

/// Reads `Models` and adds them to `doc`; the names the API defines (as written), or `None` when
/// it has no `Models`.
pub(super) fn add_models(
    stack: &mut Stack<'_>,
    doc: &mut RNode,
    props: &RNode,
) -> Option<Vec<String>> {
    let node = props.get("Models")?;
    let entries = stack.mapping(node, "Models")?.to_vec();
    let openapi3 = is_openapi3(doc);
    let mut names = Vec::with_capacity(entries.len());
    for (name, schema) in entries {
        if !matches!(schema.val, RVal::Map(_)) {
            let found = schema.type_name();
            stack.error(
                &schema.ptr,
                At::Value,
                format!("model {name} must be a JSON schema (a mapping); found {found}"),
            );
            continue;
        }
        // SAM's own checks, with its messages.
        let missing = ["type", "properties"]
            .into_iter()
            .find(|key| schema.get(key).is_none_or(is_empty));
        if let Some(key) = missing {
            stack.error(
                &schema.ptr,
                At::Value,
                format!("'Models' schema is missing '{key}'."),
            );
            continue;
        }
        let doc_ptr = doc.ptr.clone();
        let slot = if openapi3 {
            doc.member("components", &doc_ptr)
                .and_then(|c| c.member("schemas", &doc_ptr))
        } else {
            doc.member("definitions", &doc_ptr)
        };
        if let Some(RNode {
            val: RVal::Map(models),
            ..
        }) = slot
        {
            let key = name.to_lowercase();
            models.retain(|(k, _)| *k != key);
            models.push((key, schema.clone()));
        }
        names.push(name);
    }
    Some(names)
}

/// Writes `event`'s `RequestModel` and `RequestParameters` into its operation of `doc`; `models`
/// are the API's model names (`None` when it defines none).
pub(super) fn apply_event(
    stack: &mut Stack<'_>,
    doc: &mut RNode,
    event: &EventRoute,
    models: Option<&[String]>,
) {
    let Some((path, method)) = &event.route else {
        return;
    };
    if let Some(request_model) = &event.request_model {
        request_model_to_method(stack, doc, path, method, request_model, models);
    }
    if let Some(parameters) = &event.request_parameters {
        let parameters = request_parameters(stack, parameters);
        let openapi3 = is_openapi3(doc);
        let Some(operation) = operation(doc, path, method) else {
            return;
        };
        for (target, required, caching) in parameters {
            let Some((location, name)) = parameter_location(&target) else {
                continue;
            };
            let ptr = event.ptr.clone();
            let scalar = |v: Value| RNode::scalar(&ptr, v);
            let mut parameter = vec![
                ("in".to_owned(), scalar(location.into())),
                ("name".to_owned(), scalar(name.into())),
                ("required".to_owned(), scalar(required.into())),
            ];
            // SAM writes Swagger 2's `type`; an OpenAPI 3 parameter carries it in a schema.
            if openapi3 {
                let schema = RNode {
                    ptr: ptr.clone(),
                    val: RVal::Map(vec![("type".to_owned(), scalar("string".into()))]),
                };
                parameter.push(("schema".to_owned(), schema));
            } else {
                parameter.push(("type".to_owned(), scalar("string".into())));
            }
            push_to_list(
                operation,
                "parameters",
                RNode {
                    ptr: ptr.clone(),
                    val: RVal::Map(parameter),
                },
            );
            if caching {
                if let Some(integration) = operation.member(INTEGRATION, &ptr) {
                    push_to_list(
                        integration,
                        "cacheKeyParameters",
                        RNode::scalar(&ptr, target.as_str()),
                    );
                }
            }
        }
    }
}

fn request_model_to_method(
    stack: &mut Stack<'_>,
    doc: &mut RNode,
    path: &str,
    method: &str,
    request_model: &RNode,
    models: Option<&[String]>,
) {
    let Some(entries) = stack.mapping(request_model, "RequestModel") else {
        return;
    };
    let entries = entries.to_vec();
    stack.check_keys(&entries, REQUEST_MODEL_PROPERTIES, "RequestModel");
    let Some(model_node) = request_model.get("Model") else {
        stack.error(
            &request_model.ptr,
            At::Key,
            "RequestModel has no Model; name one of the API's Models",
        );
        return;
    };
    let Some(model) = stack.text(model_node, "RequestModel.Model") else {
        return;
    };
    let unknown = match models {
        None => Some("because the related API does not define any 'Models'."),
        Some(names) if !names.contains(&model) => {
            Some("because it wasn't defined in the API's Models.")
        }
        Some(_) => None,
    };
    if let Some(why) = unknown {
        stack.error(
            &model_node.ptr,
            At::Value,
            format!(
                "Unable to set RequestModel [{model}] on API method [{method}] for path [{path}] {why}"
            ),
        );
        return;
    }
    let flag = |stack: &mut Stack<'_>, key: &str| -> Result<Option<bool>, ()> {
        let Some(node) = request_model.get(key) else {
            return Ok(None);
        };
        match &node.val {
            RVal::Scalar(Value::Bool(b)) => Ok(Some(*b)),
            _ => {
                stack.error(
                    &node.ptr,
                    At::Value,
                    format!(
                        "Unable to set Validator to RequestModel [{model}] on API method [{method}] for path [{path}] ValidateBody and ValidateParameters must be a boolean type, strings or intrinsics are not supported."
                    ),
                );
                Err(())
            }
        }
    };
    let required = match request_model.get("Required").map(|n| (&n.val, n)) {
        None => None,
        Some((RVal::Scalar(Value::Bool(b)), _)) => Some(*b),
        Some((_, node)) => {
            let found = node.type_name();
            stack.error(
                &node.ptr,
                At::Value,
                format!("RequestModel.Required must be true or false; found {found}"),
            );
            return;
        }
    };
    let (Ok(validate_body), Ok(validate_parameters)) = (
        flag(stack, "ValidateBody"),
        flag(stack, "ValidateParameters"),
    ) else {
        return;
    };
    let key = model.to_lowercase();
    let ptr = request_model.ptr.clone();
    let scalar = |v: Value| RNode::scalar(&ptr, v);
    let map = |entries: Vec<(&str, RNode)>| RNode {
        ptr: ptr.clone(),
        val: RVal::Map(
            entries
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v))
                .collect(),
        ),
    };
    let openapi3 = is_openapi3(doc);
    let validator = (validate_body.is_some() || validate_parameters.is_some()).then(|| {
        let body = validate_body.unwrap_or(false);
        let params = validate_parameters.unwrap_or(false);
        (validator_name(body, params), body, params)
    });
    if let Some((name, body, params)) = validator {
        let doc_ptr = doc.ptr.clone();
        if let Some(RNode {
            val: RVal::Map(validators),
            ..
        }) = doc.member(VALIDATORS, &doc_ptr)
        {
            // Added once per API, as SAM adds it.
            if !validators.iter().any(|(k, _)| k == name) {
                validators.push((
                    name.to_owned(),
                    map(vec![
                        ("validateRequestBody", scalar(body.into())),
                        ("validateRequestParameters", scalar(params.into())),
                    ]),
                ));
            }
        }
    }
    let Some(operation) = operation(doc, path, method) else {
        return;
    };
    let RVal::Map(members) = &mut operation.val else {
        return;
    };
    if openapi3 {
        let schema = map(vec![(
            "$ref",
            scalar(format!("#/components/schemas/{key}").into()),
        )]);
        let media = map(vec![("schema", schema)]);
        let content = map(vec![("application/json", media)]);
        let mut body = vec![("content", content)];
        if let Some(required) = required {
            body.push(("required", scalar(required.into())));
        }
        members.retain(|(k, _)| k != "requestBody");
        members.push(("requestBody".to_owned(), map(body)));
    } else {
        let schema = map(vec![(
            "$ref",
            scalar(format!("#/definitions/{key}").into()),
        )]);
        let mut parameter = vec![
            ("in", scalar("body".into())),
            ("name", scalar(key.clone().into())),
            ("schema", schema),
        ];
        if let Some(required) = required {
            parameter.push(("required", scalar(required.into())));
        }
        push_to_list(operation, "parameters", map(parameter));
    }
    if let Some((name, _, _)) = validator {
        if let RVal::Map(members) = &mut operation.val {
            members.retain(|(k, _)| k != VALIDATOR);
            members.push((VALIDATOR.to_owned(), scalar(name.into())));
        }
    }
}

/// SAM's name for a validator with these flags.
pub(super) fn validator_name(body: bool, parameters: bool) -> &'static str {
    match (body, parameters) {
        (true, true) => "body-and-params",
        (true, false) => "body-only",
        (false, true) => "params-only",
        (false, false) => "no-validation",
    }
}

/// `RequestParameters` as (target, Required, Caching); entries SAM refuses are reported.
fn request_parameters(stack: &mut Stack<'_>, node: &RNode) -> Vec<(String, bool, bool)> {
    let Some(items) = stack.list(node, "RequestParameters") else {
        return Vec::new();
    };
    let items = items.to_vec();
    let mut out = Vec::with_capacity(items.len());
    let bad_key = "Invalid value for 'RequestParameters' property. Keys must be in the format \
                   'method.request.[querystring|path|header].{value}', e.g \
                   'method.request.header.Authorization'.";
    for item in &items {
        match &item.val {
            RVal::Scalar(Value::String(target)) => {
                if parameter_location(target).is_none() {
                    stack.error(&item.ptr, At::Value, bad_key);
                    continue;
                }
                out.push((target.clone(), false, false));
            }
            RVal::Map(entries) if entries.len() == 1 => {
                let (target, settings) = &entries[0];
                if parameter_location(target).is_none() {
                    stack.error(&settings.ptr, At::Key, bad_key);
                    continue;
                }
                let valid = matches!(&settings.val, RVal::Map(s) if s.iter().all(|(k, _)| REQUEST_PARAMETER_PROPERTIES.contains(&k.as_str())));
                if !valid {
                    stack.error(
                        &settings.ptr,
                        At::Value,
                        "Invalid value for 'RequestParameters' property. Values must be an \
                         object, e.g { Required: true, Caching: false }",
                    );
                    continue;
                }
                let mut flags = [false, false];
                for (slot, key) in flags.iter_mut().zip(REQUEST_PARAMETER_PROPERTIES) {
                    match settings.get(key).map(|n| (&n.val, n)) {
                        None => {}
                        Some((RVal::Scalar(Value::Bool(b)), _)) => *slot = *b,
                        Some((_, n)) => {
                            let found = n.type_name();
                            stack.error(
                                &n.ptr,
                                At::Value,
                                format!("{key} must be true or false; found {found}"),
                            );
                        }
                    }
                }
                out.push((target.clone(), flags[0], flags[1]));
            }
            _ => stack.error(
                &item.ptr,
                At::Value,
                "Invalid value for 'RequestParameters' property. Property must be either a \
                 string or an object",
            ),
        }
    }
    out
}

/// `method.request.querystring.x` → (`query`, `x`), likewise `path` and `header`.
fn parameter_location(target: &str) -> Option<(&'static str, &str)> {
    let rest = target.strip_prefix("method.request.")?;
    let (location, name) = rest.split_once('.')?;
    let location = match location {
        "querystring" => "query",
        "path" => "path",
        "header" => "header",
        _ => return None,
    };
    (!name.is_empty()).then_some((location, name))
}

fn is_openapi3(doc: &RNode) -> bool {
    doc.get("openapi")
        .and_then(RNode::text)
        .is_some_and(|v| v.starts_with('3'))
}

fn is_empty(node: &RNode) -> bool {
    match &node.val {
        RVal::Scalar(Value::Null) => true,
        RVal::Scalar(Value::String(s)) => s.is_empty(),
        RVal::Scalar(Value::Bool(b)) => !b,
        RVal::Map(m) => m.is_empty(),
        RVal::List(l) => l.is_empty(),
        RVal::Scalar(_) => false,
    }
}

/// The operation `add_route` wrote for `path` and `method`.
fn operation<'n>(doc: &'n mut RNode, path: &str, method: &str) -> Option<&'n mut RNode> {
    let key = if method == "any" {
        "x-amazon-apigateway-any-method"
    } else {
        method
    };
    let paths = doc.get_mut("paths")?;
    let item = paths.get_mut(path)?;
    item.get_mut(key)
}

/// Appends `item` to the list `key` of a mapping, creating it when missing.
fn push_to_list(node: &mut RNode, key: &str, item: RNode) {
    let RVal::Map(entries) = &mut node.val else {
        return;
    };
    match entries.iter_mut().find(|(k, _)| k == key) {
        Some((
            _,
            RNode {
                val: RVal::List(list),
                ..
            },
        )) => list.push(item),
        Some(_) => {}
        None => entries.push((
            key.to_owned(),
            RNode {
                ptr: item.ptr.clone(),
                val: RVal::List(vec![item]),
            },
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::super::{load_template, TemplateOptions};
    use crate::function::Template;
    use crate::validation::{ParameterLocation, RequiredParameter};

    fn path(test: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join("turnpike-sam-models").join(test);
        std::fs::create_dir_all(dir.join("src")).unwrap();
        dir.join("template.yaml")
    }

    fn options() -> TemplateOptions {
        TemplateOptions {
            stack_name: Some("sam-app".into()),
            ..TemplateOptions::default()
        }
    }

    /// A REST API with `models` (YAML at 6 spaces, may be empty) and a function whose event has
    /// `event` (YAML at 12 spaces).
    fn template(models: &str, event: &str) -> String {
        format!(
            "Transform: AWS::Serverless-2016-10-31\nResources:\n  Api:\n    Type: AWS::Serverless::Api\n    Properties:\n      StageName: dev\n{models}  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: src\n      Handler: app.handler\n      Runtime: python3.12\n      Events:\n        Post:\n          Type: Api\n          Properties:\n            RestApiId: !Ref Api\n            Path: /users/{{id}}\n            Method: post\n{event}"
        )
    }

    const USER: &str = "      Models:\n        User:\n          type: object\n          required: [name]\n          properties:\n            name: { type: string }\n";

    fn load(test: &str, text: &str) -> Template {
        match load_template(&path(test), text, &options()) {
            Ok(t) => t,
            Err(errors) => panic!("unexpected load errors:\n{errors}"),
        }
    }

    fn errors(test: &str, text: &str) -> Vec<(usize, String, String)> {
        match load_template(&path(test), text, &options()) {
            Ok(_) => panic!("expected errors"),
            Err(errors) => errors
                .0
                .into_iter()
                .map(|e| (e.line, e.pointer, e.message))
                .collect(),
        }
    }

    #[test]
    fn request_model_with_validate_body_validates_as_sam_generates_it() {
        let t = load(
            "body",
            &template(
                USER,
                "            RequestModel:\n              Model: User\n              Required: true\n              ValidateBody: true\n",
            ),
        );
        let route = &t.apis[0].routes[0];
        let v = route.validation.as_ref().expect("a validator");
        assert_eq!(v.validator, "body-only");
        assert!(v.validate_body);
        assert!(!v.validate_parameters);
        assert_eq!(v.body_models.len(), 1);
        assert_eq!(v.body_models[0].content_type, "application/json");
        // SAM names models in lower case.
        assert_eq!(v.body_models[0].model, "user");
        assert_eq!(
            v.body_models[0].schema[crate::validation::MODELS_KEY]["user"]["required"],
            serde_json::json!(["name"])
        );
    }

    #[test]
    fn a_model_without_validate_flags_adds_no_validator() {
        let t = load(
            "no-flags",
            &template(
                USER,
                "            RequestModel:\n              Model: User\n",
            ),
        );
        assert!(t.apis[0].routes[0].validation.is_none());
    }

    #[test]
    fn request_parameters_are_required_under_params_validation() {
        let t = load(
            "params",
            &template(
                USER,
                "            RequestModel:\n              Model: User\n              ValidateParameters: true\n            RequestParameters:\n              - method.request.header.X-Trace\n              - method.request.querystring.lang:\n                  Required: true\n                  Caching: true\n",
            ),
        );
        let v = t.apis[0].routes[0]
            .validation
            .as_ref()
            .expect("a validator");
        assert_eq!(v.validator, "params-only");
        assert!(!v.validate_body);
        assert!(v.validate_parameters);
        // Only `Required: true` parameters are required; the header defaults to optional.
        assert_eq!(
            v.required_parameters,
            [RequiredParameter {
                location: ParameterLocation::Query,
                name: "lang".into()
            }]
        );
    }

    #[test]
    fn sam_errors_name_the_event_model_and_parameter() {
        let errs = errors(
            "unknown-model",
            &template(
                USER,
                "            RequestModel:\n              Model: Pet\n",
            ),
        );
        assert_eq!(
            errs,
            [(
                27,
                "/Resources/Fn/Properties/Events/Post/Properties/RequestModel/Model".to_owned(),
                "Unable to set RequestModel [Pet] on API method [post] for path [/users/{id}] because it wasn't defined in the API's Models.".to_owned()
            )]
        );
        let errs = errors(
            "no-models",
            &template("", "            RequestModel:\n              Model: User\n"),
        );
        assert_eq!(
            errs[0].2,
            "Unable to set RequestModel [User] on API method [post] for path [/users/{id}] because the related API does not define any 'Models'."
        );
        let errs = errors(
            "bad-param",
            &template(
                "",
                "            RequestParameters:\n              - method.request.body.x\n",
            ),
        );
        assert_eq!(
            errs[0].2,
            "Invalid value for 'RequestParameters' property. Keys must be in the format 'method.request.[querystring|path|header].{value}', e.g 'method.request.header.Authorization'."
        );
        let errs = errors(
            "no-type",
            &template("      Models:\n        User:\n          properties:\n            name: { type: string }\n", ""),
        );
        assert_eq!(
            errs,
            [(
                9,
                "/Resources/Api/Properties/Models/User".to_owned(),
                "'Models' schema is missing 'type'.".to_owned()
            )]
        );
    }

    #[test]
    fn validator_names_are_sams() {
        use super::validator_name;
        assert_eq!(validator_name(true, true), "body-and-params");
        assert_eq!(validator_name(true, false), "body-only");
        assert_eq!(validator_name(false, true), "params-only");
        assert_eq!(validator_name(false, false), "no-validation");
    }
}
