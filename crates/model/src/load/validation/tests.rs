//! Request validators, required parameters and body models, loaded from whole documents.

use std::path::Path;

use serde_json::json;

use crate::api::ApiKind;
use crate::load::{load_str, LoadOptions};
use crate::validation::{ParameterLocation, RequiredParameter};

const PETS: &str = r##"
openapi: 3.0.1
info: { title: Validated pets, version: "1" }
x-amazon-apigateway-request-validators:
  all: { validateRequestBody: true, validateRequestParameters: true }
  params-only: { validateRequestBody: false, validateRequestParameters: true }
x-amazon-apigateway-request-validator: all
paths:
  /pets/{petId}:
    parameters:
      - { name: x-tenant, in: header, required: true, schema: { type: string } }
    put:
      parameters:
        - { name: petId, in: path, required: true, schema: { type: string } }
        - { name: dryRun, in: query, required: true, schema: { type: string } }
        - { name: verbose, in: query, schema: { type: string } }
      requestBody:
        content:
          application/json: { schema: { $ref: "#/components/schemas/Pet" } }
      x-amazon-apigateway-integration: { type: mock, requestTemplates: { application/json: '{"statusCode": 200}' } }
    get:
      x-amazon-apigateway-request-validator: params-only
      x-amazon-apigateway-integration: { type: mock, requestTemplates: { application/json: '{"statusCode": 200}' } }
  /open:
    get:
      x-amazon-apigateway-integration: { type: mock, requestTemplates: { application/json: '{"statusCode": 200}' } }
components:
  schemas:
    Pet:
      type: object
      required: [name]
      properties:
        name: { type: string }
        kind: { $ref: "#/components/schemas/Kind" }
    Kind: { type: string, enum: [dog, cat] }
    Unused: { type: integer }
"##;

fn load(text: &str, kind: Option<ApiKind>) -> Result<crate::api::Api, Vec<String>> {
    let options = LoadOptions { kind };
    load_str(Path::new("pets.yaml"), text, &options).map_err(|errors| {
        errors
            .0
            .iter()
            .map(|e| format!("{}:{} {}: {}", e.line, e.column, e.pointer, e.message))
            .collect()
    })
}

#[test]
fn the_default_validator_applies_with_required_parameters_and_a_self_contained_model() {
    let api = load(PETS, None).unwrap();
    let put = api
        .routes
        .iter()
        .find(|r| r.key.to_string() == "PUT /pets/{petId}")
        .unwrap();
    let validation = put.validation.as_ref().unwrap();
    assert_eq!(validation.validator, "all");
    assert!(validation.validate_body && validation.validate_parameters);
    let required = |location, name: &str| RequiredParameter {
        location,
        name: name.to_owned(),
    };
    assert_eq!(
        validation.required_parameters,
        [
            required(ParameterLocation::Header, "x-tenant"),
            required(ParameterLocation::Path, "petId"),
            required(ParameterLocation::Query, "dryRun"),
        ]
    );
    assert_eq!(validation.body_models.len(), 1);
    let model = &validation.body_models[0];
    assert_eq!(model.content_type, "application/json");
    assert_eq!(model.model, "Pet");
    assert_eq!(
        model.schema,
        json!({
            "$ref": "#/x-turnpike-models/Pet",
            "x-turnpike-models": {
                "Pet": {
                    "type": "object",
                    "required": ["name"],
                    "properties": {
                        "name": {"type": "string"},
                        "kind": {"$ref": "#/x-turnpike-models/Kind"}
                    }
                },
                "Kind": {"type": "string", "enum": ["dog", "cat"]}
            }
        })
    );
}

#[test]
fn an_operation_picks_its_own_validator_and_unvalidated_apis_have_none() {
    let api = load(PETS, None).unwrap();
    let get = api
        .routes
        .iter()
        .find(|r| r.key.to_string() == "GET /pets/{petId}")
        .unwrap();
    let validation = get.validation.as_ref().unwrap();
    assert_eq!(validation.validator, "params-only");
    assert!(!validation.validate_body && validation.validate_parameters);
    let without_default = PETS.replace("x-amazon-apigateway-request-validator: all\n", "");
    let api = load(&without_default, None).unwrap();
    let open = api
        .routes
        .iter()
        .find(|r| r.key.to_string() == "GET /open")
        .unwrap();
    assert_eq!(open.validation, None);
}

#[test]
fn swagger_body_parameters_are_models_for_each_consumed_type() {
    let text = r##"
swagger: "2.0"
info: { title: Swagger pets, version: "1" }
x-amazon-apigateway-request-validators: { body: { validateRequestBody: true } }
paths:
  /pets:
    post:
      x-amazon-apigateway-request-validator: body
      consumes: [application/json, application/x-pet+json]
      parameters:
        - { name: pet, in: body, schema: { $ref: "#/definitions/Pet" } }
      x-amazon-apigateway-integration: { type: mock }
definitions:
  Pet: { type: object, required: [name] }
"##;
    let api = load(text, None).unwrap();
    let validation = api.routes[0].validation.as_ref().unwrap();
    let types: Vec<&str> = validation
        .body_models
        .iter()
        .map(|m| m.content_type.as_str())
        .collect();
    assert_eq!(types, ["application/json", "application/x-pet+json"]);
    assert_eq!(
        validation.body_models[1].schema["x-turnpike-models"]["Pet"]["required"],
        json!(["name"])
    );
}

#[test]
fn mistakes_are_located() {
    let unknown = PETS.replace(
        "x-amazon-apigateway-request-validator: params-only",
        "x-amazon-apigateway-request-validator: strict",
    );
    let errors = load(&unknown, None).unwrap_err();
    assert_eq!(errors, ["22:46 /paths/~1pets~1{petId}/get/x-amazon-apigateway-request-validator: request validator \"strict\" is not defined; expected one of all, params-only (from x-amazon-apigateway-request-validators)"]);

    let dangling = PETS.replace(
        "$ref: \"#/components/schemas/Kind\"",
        "$ref: \"#/components/schemas/Breed\"",
    );
    let errors = load(&dangling, None).unwrap_err();
    assert_eq!(errors, ["34:23 /components/schemas/Pet/properties/kind/$ref: $ref \"#/components/schemas/Breed\" names model \"Breed\", which the document does not define"]);

    let bad_flag = PETS.replace(
        "params-only: { validateRequestBody: false",
        "params-only: { validateRequestBody: no",
    );
    let errors = load(&bad_flag, None).unwrap_err();
    assert!(
        errors[0].ends_with("validateRequestBody must be true or false; found a string"),
        "{errors:?}"
    );
}

#[test]
fn http_apis_have_no_request_validation() {
    let errors = load(PETS, Some(ApiKind::Http)).unwrap_err();
    assert!(
        errors.iter().any(|e| e.starts_with("4:1 /x-amazon-apigateway-request-validators: x-amazon-apigateway-request-validators is a REST API feature (request validation)")),
        "{errors:?}"
    );
}
