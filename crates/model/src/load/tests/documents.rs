//! Realistic documents that load.

use std::time::Duration;

use super::*;
use crate::api::{
    ApiKind, ContentHandling, HttpMethod, IntegrationType, PassthroughBehavior,
    PayloadFormatVersion, RouteKey,
};
use crate::gateway_response::GatewayResponseType;
use crate::id::api_id_from_title;

pub(super) const PETSTORE_OAS3: &str = r##"
openapi: 3.0.1
info:
  title: PetStore
  description: Your first API with Amazon API Gateway.
  version: "2024-01-01T00:00:00Z"
servers:
  - url: https://example.execute-api.us-east-1.amazonaws.com/{basePath}
    variables:
      basePath: {default: /test}
tags: [{name: pets}]
x-amazon-apigateway-binary-media-types: [image/png, "*/*"]
paths:
  /:
    get:
      tags: [pets]
      description: PetStore HTML web page containing API usage information
      responses:
        "200":
          description: 200 response
          headers:
            Content-Type: {schema: {type: string}}
          content:
            text/html: {schema: {$ref: "#/components/schemas/Empty"}}
      x-amazon-apigateway-integration:
        type: mock
        passthroughBehavior: when_no_match
        requestTemplates:
          application/json: '{"statusCode": 200}'
        responses:
          default:
            statusCode: 200
            responseParameters:
              method.response.header.Content-Type: "'text/html'"
            responseTemplates:
              text/html: "<html><body>Welcome</body></html>"
  /pets:
    parameters:
      - {name: type, in: query, schema: {type: string}}
    get:
      operationId: ListPets
      parameters:
        - {name: page, in: query, schema: {type: string}}
      x-amazon-apigateway-integration:
        type: HTTP
        uri: http://petstore.execute-api.us-east-1.amazonaws.com/petstore/pets
        httpMethod: GET
        passthroughBehavior: WHEN_NO_TEMPLATES
        contentHandling: CONVERT_TO_TEXT
        timeoutInMillis: 5000
        requestParameters:
          integration.request.querystring.page: method.request.querystring.page
          integration.request.querystring.type: method.request.querystring.type
        cacheKeyParameters: []
        responses:
          "2\\d{2}":
            statusCode: "200"
            responseParameters:
              method.response.header.Access-Control-Allow-Origin: "'*'"
          "4\\d{2}|5\\d{2}":
            statusCode: "500"
            contentHandling: CONVERT_TO_BINARY
          default:
            statusCode: "200"
    post:
      operationId: CreatePet
      requestBody:
        content:
          application/json: {schema: {$ref: "#/components/schemas/NewPet"}}
        required: true
      security: []
      x-amazon-apigateway-integration:
        type: http_proxy
        uri: https://${stageVariables.backend}/petstore/pets
        httpMethod: POST
  /pets/{petId}:
    get:
      operationId: GetPet
      parameters:
        - {name: petId, in: path, required: true, schema: {type: string}}
      x-amazon-apigateway-integration:
        type: http_proxy
        uri: http://petstore.example.com/pets/{petId}
        httpMethod: ANY
        connectionType: INTERNET
        payloadFormatVersion: "1.0"
  /pets/{petId}/owner:
    x-amazon-apigateway-any-method:
      x-amazon-apigateway-integration:
        type: http_proxy
        uri: http://petstore.example.com/owners/{owner}
        httpMethod: ANY
        requestParameters:
          integration.request.path.owner: method.request.path.petId
  /static/{proxy+}:
    get:
      x-amazon-apigateway-integration:
        type: http_proxy
        uri: http://cdn.example.com/{proxy}
        httpMethod: GET
components:
  schemas:
    Empty: {type: object}
    NewPet:
      type: object
      properties:
        type: {type: string, enum: [dog, cat, fish]}
        price: {type: number}
x-amazon-apigateway-gateway-responses:
  DEFAULT_4XX:
    responseParameters:
      gatewayresponse.header.Access-Control-Allow-Origin: "'*'"
  MISSING_AUTHENTICATION_TOKEN:
    statusCode: "404"
    responseTemplates:
      application/json: '{"message": "$context.error.messageString"}'
"##;

#[test]
fn rest_pet_store_in_openapi_3_yaml() {
    let api = load_ok("petstore.yaml", PETSTORE_OAS3);
    assert_eq!(api.name, "PetStore");
    assert_eq!(api.id, api_id_from_title("PetStore"));
    assert_eq!(api.kind, ApiKind::Rest);
    assert_eq!(api.source, Path::new("petstore.yaml"));
    assert_eq!(api.binary_media_types, ["image/png", "*/*"]);
    let keys: Vec<String> = api.routes.iter().map(|r| r.key.to_string()).collect();
    assert_eq!(
        keys,
        [
            "GET /",
            "GET /pets",
            "POST /pets",
            "GET /pets/{petId}",
            "ANY /pets/{petId}/owner",
            "GET /static/{proxy+}",
        ]
    );

    let root = &api.routes[0];
    assert_eq!(root.pointer, "/paths/~1/get");
    assert_eq!(root.operation_id, None);
    assert_eq!(root.integration.kind, IntegrationType::Mock);
    assert_eq!(root.integration.uri, None);
    assert_eq!(root.integration.timeout, Duration::from_millis(29_000));
    assert_eq!(
        root.integration.request_templates["application/json"],
        r#"{"statusCode": 200}"#
    );
    let default = &root.integration.responses[0];
    assert_eq!(default.selection_pattern, "default");
    assert!(default.selection_regex.is_none());
    assert_eq!(default.status_code, 200);
    assert_eq!(
        default.response_parameters["method.response.header.Content-Type"],
        "'text/html'"
    );

    let list = &api.routes[1];
    assert_eq!(list.pointer, "/paths/~1pets/get");
    assert_eq!(list.operation_id.as_deref(), Some("ListPets"));
    let integration = &list.integration;
    assert_eq!(integration.kind, IntegrationType::Http);
    assert_eq!(integration.http_method, Some(HttpMethod::Get));
    assert_eq!(
        integration.passthrough_behavior,
        PassthroughBehavior::WhenNoTemplates
    );
    assert_eq!(
        integration.content_handling,
        Some(ContentHandling::ConvertToText)
    );
    assert_eq!(integration.timeout, Duration::from_millis(5000));
    assert_eq!(integration.request_parameters.len(), 2);
    let patterns: Vec<&str> = integration
        .responses
        .iter()
        .map(|r| r.selection_pattern.as_str())
        .collect();
    assert_eq!(patterns, ["2\\d{2}", "4\\d{2}|5\\d{2}", "default"]);
    let ok = integration.responses[0].selection_regex.as_ref().unwrap();
    assert!(ok.is_match("204"));
    assert!(
        !ok.is_match("2040"),
        "the pattern is anchored to the whole status"
    );
    let failed = integration.responses[1].selection_regex.as_ref().unwrap();
    assert!(failed.is_match("503") && !failed.is_match("200"));
    assert_eq!(integration.responses[1].status_code, 500);
    assert_eq!(
        integration.responses[1].content_handling,
        Some(ContentHandling::ConvertToBinary)
    );

    let create = &api.routes[2].integration;
    assert_eq!(create.kind, IntegrationType::HttpProxy);
    assert_eq!(
        create.uri.as_deref(),
        Some("https://${stageVariables.backend}/petstore/pets")
    );
    assert_eq!(
        create.passthrough_behavior,
        PassthroughBehavior::WhenNoMatch
    );

    let get = &api.routes[3].integration;
    assert_eq!(get.http_method, None, "ANY forwards the request's method");
    assert_eq!(get.payload_format_version, PayloadFormatVersion::V1);

    let owner = &api.routes[4];
    assert_eq!(
        owner.key,
        RouteKey::Method {
            method: HttpMethod::Any,
            path: "/pets/{petId}/owner".into()
        }
    );
    assert_eq!(
        owner.pointer,
        "/paths/~1pets~1{petId}~1owner/x-amazon-apigateway-any-method"
    );

    let not_found = &api.gateway_responses[&GatewayResponseType::MissingAuthenticationToken];
    assert_eq!(not_found.status_code, Some(404));
    assert_eq!(api.gateway_responses.len(), 2);
    let default_4xx = &api.gateway_responses[&GatewayResponseType::Default4xx];
    assert_eq!(default_4xx.status_code, None);
    assert_eq!(
        default_4xx.response_parameters["gatewayresponse.header.Access-Control-Allow-Origin"],
        "'*'"
    );
}

#[test]
fn kind_option_overrides_the_document() {
    let options = LoadOptions {
        kind: Some(ApiKind::Http),
    };
    let text = "openapi: 3.0.1\ninfo: {title: t}\npaths:\n  /a:\n    get:\n      x-amazon-apigateway-integration: {type: http_proxy, uri: 'http://h/a'}\n";
    let api = load_str(Path::new("a.yaml"), text, &options).unwrap();
    assert_eq!(api.kind, ApiKind::Http);
    assert_eq!(api.routes[0].integration.http_method, None);
}

#[test]
fn yaml_anchors_share_an_integration() {
    let text = r#"
openapi: 3.0.1
info: {title: anchors}
paths:
  /a:
    get:
      x-amazon-apigateway-integration: &mock
        type: mock
        requestTemplates: {application/json: '{"statusCode": 200}'}
        responses: {default: {statusCode: "200"}}
  /b:
    get:
      x-amazon-apigateway-integration: *mock
"#;
    let api = load_ok("anchors.yaml", text);
    assert_eq!(api.routes.len(), 2);
    assert_eq!(api.routes[1].integration.kind, IntegrationType::Mock);
}

#[test]
fn the_bundled_examples_load() {
    let rest = load_ok(
        "petstore.yaml",
        include_str!("../../../../../examples/petstore.yaml"),
    );
    assert_eq!(rest.kind, ApiKind::Rest);
    assert_eq!(rest.routes.len(), 5);
    let http = load_ok(
        "petstore-http.yaml",
        include_str!("../../../../../examples/petstore-http.yaml"),
    );
    assert_eq!(http.kind, ApiKind::Http);
    assert_eq!(http.routes.len(), 3);
    assert_eq!(
        http.routes[0].integration.timeout,
        Duration::from_millis(5000)
    );
}
