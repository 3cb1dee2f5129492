use http::{HeaderMap, HeaderValue};
use serde_json::json;
use turnpike_model::{BodyModel, ParameterLocation, RequestValidation, RequiredParameter};

use super::{CompiledValidation, ValidationFailure};
use crate::mapping::MethodRequest;
use crate::router::PathParams;

fn required(location: ParameterLocation, name: &str) -> RequiredParameter {
    RequiredParameter {
        location,
        name: name.to_owned(),
    }
}

/// The pet model of AWS's examples, with `$ref` to a shared model already made self-contained
/// as the loader makes it.
fn pet_validation(body: bool, parameters: bool) -> CompiledValidation {
    let schema = json!({
        "type": "object",
        "required": ["name", "price"],
        "properties": {
            "name": {"type": "string", "minLength": 1, "maxLength": 8},
            "price": {"type": "number", "minimum": 25, "maximum": 500},
            "type": {"$ref": "#/x-turnpike-models/PetType"},
            "tags": {"type": "array", "maxItems": 2, "items": {"type": "string", "pattern": "^[a-z]+$"}}
        },
        "additionalProperties": false,
        "x-turnpike-models": {"PetType": {"type": "string", "enum": ["dog", "cat", "fish"]}}
    });
    let validation = RequestValidation {
        validator: "all".to_owned(),
        validate_body: body,
        validate_parameters: parameters,
        required_parameters: vec![
            required(ParameterLocation::Query, "page"),
            required(ParameterLocation::Header, "x-tenant"),
            required(ParameterLocation::Path, "petId"),
        ],
        body_models: vec![BodyModel {
            content_type: "application/json".to_owned(),
            model: "NewPet".to_owned(),
            schema,
        }],
    };
    let mut problems = Vec::new();
    let compiled = CompiledValidation::compile(&validation, &mut problems);
    assert!(problems.is_empty(), "{problems:?}");
    compiled
}

fn body_error(validation: &CompiledValidation, body: &str) -> String {
    match validation.check_body(Some("application/json"), body.as_bytes()) {
        Err(ValidationFailure::Body { details }) => details,
        other => panic!("expected a body failure for {body}, got {other:?}"),
    }
}

fn request<'a>(
    headers: &'a HeaderMap,
    query: Option<&'a str>,
    path_params: Option<&'a PathParams>,
) -> MethodRequest<'a> {
    MethodRequest {
        headers,
        query,
        path_params,
    }
}

fn path(pairs: &[(&str, &str)]) -> PathParams {
    let mut params = PathParams::with_capacity(pairs.len());
    for (name, value) in pairs {
        params.push((*name).into(), (*value).to_owned());
    }
    params
}

#[test]
fn a_valid_body_passes() {
    let v = pet_validation(true, false);
    let body = r#"{"name":"Rex","price":249.99,"type":"dog","tags":["good","boy"]}"#;
    assert_eq!(
        v.check_body(Some("application/json; charset=utf-8"), body.as_bytes()),
        Ok(())
    );
}

#[test]
fn missing_properties_are_reported_together_as_aws_reports_them() {
    let v = pet_validation(true, false);
    assert_eq!(
        body_error(&v, "{}"),
        r#"[object has missing required properties (["name","price"])]"#
    );
}

#[test]
fn each_keyword_is_phrased_like_the_validator_aws_runs() {
    let v = pet_validation(true, false);
    let cases = [
        (
            r#"{"name":"Rex","price":"cheap"}"#,
            r#"[instance type (string) does not match any allowed primitive type (allowed: ["number"])]"#,
        ),
        (
            r#"{"name":"Rex","price":1000}"#,
            "[numeric instance is greater than the required maximum (maximum: 500, found: 1000)]",
        ),
        (
            r#"{"name":"Rex","price":1}"#,
            "[numeric instance is lower than the required minimum (minimum: 25, found: 1)]",
        ),
        (
            r#"{"name":"Rexanderthegreat","price":30}"#,
            r#"[string "Rexanderthegreat" is too long (length: 16, maximum allowed: 8)]"#,
        ),
        (
            r#"{"name":"","price":30}"#,
            r#"[string "" is too short (length: 0, required minimum: 1)]"#,
        ),
        (
            r#"{"name":"Rex","price":30,"type":"bird"}"#,
            r#"[instance value ("bird") not found in enum (possible values: ["dog","cat","fish"])]"#,
        ),
        (
            r#"{"name":"Rex","price":30,"owner":"me"}"#,
            r#"[object instance has properties which are not allowed by the schema: ["owner"]]"#,
        ),
        (
            r#"{"name":"Rex","price":30,"tags":["a","b","c"]}"#,
            "[array is too long: must have at most 2 elements but instance has 3 elements]",
        ),
        (
            r#"{"name":"Rex","price":30,"tags":["A1"]}"#,
            r#"[ECMA 262 regex "^[a-z]+$" does not match input string "A1"]"#,
        ),
    ];
    for (body, expected) in cases {
        assert_eq!(body_error(&v, body), expected, "body {body}");
    }
}

#[test]
fn several_errors_are_listed_in_one_report() {
    let v = pet_validation(true, false);
    let details = body_error(&v, r#"{"price":"x","extra":1}"#);
    assert!(
        details.starts_with('[') && details.ends_with(']'),
        "{details}"
    );
    for part in [
        r#"object has missing required properties (["name"])"#,
        r#"instance type (string) does not match any allowed primitive type (allowed: ["number"])"#,
        r#"object instance has properties which are not allowed by the schema: ["extra"]"#,
    ] {
        assert!(details.contains(part), "{details} lacks {part}");
    }
}

#[test]
fn a_body_that_is_not_json_is_invalid() {
    let v = pet_validation(true, false);
    let failure = v.check_body(None, b"{not json").unwrap_err();
    assert_eq!(failure.message(), "Invalid request body");
    assert!(failure
        .validation_error_string()
        .starts_with("[Invalid JSON body: "));
}

#[test]
fn a_content_type_without_a_model_is_not_validated() {
    let v = pet_validation(true, false);
    assert_eq!(v.check_body(Some("text/plain"), b"anything"), Ok(()));
}

#[test]
fn body_checks_are_off_unless_the_validator_checks_bodies() {
    let v = pet_validation(false, true);
    assert!(!v.wants_body());
    assert_eq!(v.check_body(None, b"{}"), Ok(()));
}

#[test]
fn missing_parameters_are_named_in_declaration_order() {
    let v = pet_validation(false, true);
    let (headers, path) = (HeaderMap::new(), path(&[]));
    let failure = v
        .check_parameters(&request(&headers, Some("other=1"), Some(&path)))
        .unwrap_err();
    assert_eq!(
        failure,
        ValidationFailure::Parameters {
            message: "Missing required request parameters: [page, x-tenant, petId]".to_owned()
        }
    );
    assert_eq!(failure.message(), failure.validation_error_string());
}

#[test]
fn present_parameters_pass_whatever_their_spelling() {
    let v = pet_validation(false, true);
    let mut headers = HeaderMap::new();
    headers.insert("X-Tenant", HeaderValue::from_static("acme"));
    // An encoded name and an empty value both count as present.
    let path = path(&[("petId", "7")]);
    for query in ["page=2", "%70age=", "a=1&page"] {
        assert_eq!(
            v.check_parameters(&request(&headers, Some(query), Some(&path))),
            Ok(()),
            "query {query}"
        );
    }
}

#[test]
fn parameter_checks_are_off_unless_the_validator_checks_parameters() {
    let v = pet_validation(true, false);
    let headers = HeaderMap::new();
    assert_eq!(v.check_parameters(&request(&headers, None, None)), Ok(()));
}
