//! REST request validators end to end: required parameters and body models, AWS's 400 bodies,
//! and BAD_REQUEST_BODY customised with `$context.error.validationErrorString`.

use crate::support;

use support::fixture::serve_document;
use support::{assert_gateway_response, Req};

const PETS: &str = r##"
openapi: 3.0.1
info: { title: Validated pets, version: "1" }
x-amazon-apigateway-request-validators:
  all: { validateRequestBody: true, validateRequestParameters: true }
  params: { validateRequestBody: false, validateRequestParameters: true }
x-amazon-apigateway-request-validator: all
x-amazon-apigateway-gateway-responses:
  BAD_REQUEST_BODY:
    responseTemplates:
      application/json: '{"error": "$context.error.message", "details": "$context.error.validationErrorString"}'
paths:
  /pets:
    post:
      parameters:
        - { name: x-tenant, in: header, required: true, schema: { type: string } }
      requestBody:
        content:
          application/json: { schema: { $ref: "#/components/schemas/NewPet" } }
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates: { application/json: '{"statusCode": 201}' }
        responses: { default: { statusCode: "201", responseTemplates: { application/json: '{"created": true}' } } }
    get:
      x-amazon-apigateway-request-validator: params
      parameters:
        - { name: page, in: query, required: true, schema: { type: string } }
        - { name: x-tenant, in: header, required: true, schema: { type: string } }
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates: { application/json: '{"statusCode": 200}' }
        responses: { default: { statusCode: "200", responseTemplates: { application/json: '[]' } } }
components:
  schemas:
    NewPet:
      type: object
      required: [name, type]
      properties:
        name: { type: string }
        type: { $ref: "#/components/schemas/PetType" }
        price: { type: number, minimum: 25, maximum: 500 }
    PetType: { type: string, enum: [dog, cat, fish] }
"##;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_parameters_get_aws_400_naming_them() {
    let (_dir, tp) = serve_document("pets.yaml", PETS, &[]);

    let reply = Req::get("/dev/pets").send(tp.addr).await;
    assert_gateway_response(
        &reply,
        400,
        r#"{"message": "Missing required request parameters: [page, x-tenant]"}"#,
        Some("BadRequestException"),
    );
    let reply = Req::get("/dev/pets?page=1").send(tp.addr).await;
    assert_gateway_response(
        &reply,
        400,
        r#"{"message": "Missing required request parameters: [x-tenant]"}"#,
        Some("BadRequestException"),
    );
    let reply = Req::get("/dev/pets?page=1")
        .header("x-tenant", "acme")
        .send(tp.addr)
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.text(), "[]");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bodies_are_checked_against_the_model_with_its_references() {
    let (_dir, tp) = serve_document("pets.yaml", PETS, &[]);
    let post = |body: &'static str| {
        Req::new("POST", "/dev/pets")
            .header("x-tenant", "acme")
            .json(body)
    };

    let reply = post(r#"{"name": "Rex", "type": "dog", "price": 249.99}"#)
        .send(tp.addr)
        .await;
    assert_eq!(reply.status, 201, "{reply:?}");
    assert_eq!(reply.text(), r#"{"created": true}"#);

    // BAD_REQUEST_BODY is customised here: its template shows the validator's report.
    let reply = post(r#"{"name": "Rex"}"#).send(tp.addr).await;
    assert_eq!(reply.status, 400);
    assert_eq!(
        reply.header(support::ERROR_TYPE),
        Some("BadRequestException")
    );
    assert_eq!(
        reply.text(),
        r#"{"error": "Invalid request body", "details": "[object has missing required properties (["type"])]"}"#
    );
    let reply = post(r#"{"name": "Rex", "type": "bird", "price": 1}"#)
        .send(tp.addr)
        .await;
    assert_eq!(reply.status, 400);
    let text = reply.text();
    assert!(
        text.contains(
            r#"instance value ("bird") not found in enum (possible values: ["dog","cat","fish"])"#
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "numeric instance is lower than the required minimum (minimum: 25, found: 1)"
        ),
        "{text}"
    );

    // Parameters come first: a bad body without its header is a parameters error.
    let reply = Req::new("POST", "/dev/pets").json("{}").send(tp.addr).await;
    assert_gateway_response(
        &reply,
        400,
        r#"{"message": "Missing required request parameters: [x-tenant]"}"#,
        Some("BadRequestException"),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_uncustomised_invalid_body_is_awss_default_400() {
    let text = PETS.replace(
        "x-amazon-apigateway-gateway-responses:\n  BAD_REQUEST_BODY:\n    responseTemplates:\n      application/json: '{\"error\": \"$context.error.message\", \"details\": \"$context.error.validationErrorString\"}'\n",
        "",
    );
    let (_dir, tp) = serve_document("pets.yaml", &text, &[]);
    let reply = Req::new("POST", "/dev/pets")
        .header("x-tenant", "acme")
        .json("not json")
        .send(tp.addr)
        .await;
    assert_gateway_response(
        &reply,
        400,
        r#"{"message": "Invalid request body"}"#,
        Some("BadRequestException"),
    );
}
