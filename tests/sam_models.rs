//! SAM `Models` on an `AWS::Serverless::Api` and an `Api` event's `RequestModel` and
//! `RequestParameters`: request validation as SAM generates it (validators `body-only`,
//! `params-only`, `body-and-params`), with AWS's 400 bodies, in front of a real Python function.

use crate::support;

use support::{Req, Turnpike};

const TEMPLATE: &str = r#"
Transform: AWS::Serverless-2016-10-31
Resources:
  ShopApi:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      Models:
        Pet:
          type: object
          required: [name]
          properties:
            name: { type: string }
            age: { type: integer, minimum: 0 }
  Echo:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src
      Handler: app.echo
      Runtime: python3.12
      Events:
        CreatePet:
          Type: Api
          Properties:
            RestApiId: !Ref ShopApi
            Path: /pets
            Method: post
            RequestModel:
              Model: Pet
              Required: true
              ValidateBody: true
        ListPets:
          Type: Api
          Properties:
            RestApiId: !Ref ShopApi
            Path: /pets
            Method: get
            RequestParameters:
              - method.request.querystring.kind:
                  Required: true
              - method.request.header.X-Trace
            RequestModel:
              Model: Pet
              ValidateParameters: true
        UpdatePet:
          Type: Api
          Properties:
            RestApiId: !Ref ShopApi
            Path: /pets/{id}
            Method: put
            RequestParameters:
              - method.request.header.X-Owner:
                  Required: true
            RequestModel:
              Model: Pet
              ValidateBody: true
              ValidateParameters: true
        Unvalidated:
          Type: Api
          Properties:
            RestApiId: !Ref ShopApi
            Path: /free
            Method: post
            RequestModel:
              Model: Pet
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_models_validate_as_sam_generates_them() {
    let (_dir, template) = support::sam::project(TEMPLATE);
    let tp = Turnpike::serve(&template);

    // body-only: a body that misses `name` is refused before the function runs.
    let reply = Req::new("POST", "/prod/pets")
        .json(r#"{"age": 3}"#)
        .send(tp.addr)
        .await;
    support::assert_gateway_response(
        &reply,
        400,
        r#"{"message": "Invalid request body"}"#,
        Some("BadRequestException"),
    );
    let reply = Req::new("POST", "/prod/pets")
        .json(r#"{"name": "Rex", "age": -1}"#)
        .send(tp.addr)
        .await;
    assert_eq!(reply.status, 400, "{reply:?}");
    assert_eq!(reply.text(), r#"{"message": "Invalid request body"}"#);

    let reply = Req::new("POST", "/prod/pets")
        .json(r#"{"name": "Rex", "age": 3}"#)
        .send(tp.addr)
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(
        reply.json()["event"]["body"],
        r#"{"name": "Rex", "age": 3}"#
    );

    // params-only: the required query string is checked, the body is not.
    let reply = Req::get("/prod/pets").send(tp.addr).await;
    support::assert_gateway_response(
        &reply,
        400,
        r#"{"message": "Missing required request parameters: [kind]"}"#,
        Some("BadRequestException"),
    );
    let reply = Req::get("/prod/pets?kind=dog").send(tp.addr).await;
    assert_eq!(reply.status, 200, "{reply:?}");

    // body-and-params: both.
    let reply = Req::new("PUT", "/prod/pets/4")
        .json(r#"{"name": "Rex"}"#)
        .send(tp.addr)
        .await;
    assert_eq!(reply.status, 400, "{reply:?}");
    assert_eq!(
        reply.text(),
        r#"{"message": "Missing required request parameters: [X-Owner]"}"#
    );
    let reply = Req::new("PUT", "/prod/pets/4")
        .header("content-type", "application/json")
        .header("x-owner", "ann")
        .body(r#"{}"#)
        .send(tp.addr)
        .await;
    assert_eq!(reply.status, 400, "{reply:?}");
    assert_eq!(reply.text(), r#"{"message": "Invalid request body"}"#);
    let reply = Req::new("PUT", "/prod/pets/4")
        .header("content-type", "application/json")
        .header("x-owner", "ann")
        .body(r#"{"name": "Rex"}"#)
        .send(tp.addr)
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");

    // A RequestModel without ValidateBody / ValidateParameters adds no validator.
    let reply = Req::new("POST", "/prod/free")
        .json(r#"{"age": "old"}"#)
        .send(tp.addr)
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
}

#[test]
fn an_unknown_model_is_refused_with_sams_message() {
    let template = TEMPLATE.replace(
        "Model: Pet\n              Required: true",
        "Model: Cat\n              Required: true",
    );
    let (_dir, path) = support::sam::project(&template);
    let stderr = Turnpike::serve_refused(&[path.to_str().unwrap()]);
    assert!(
        stderr.contains("/Resources/Echo/Properties/Events/CreatePet/Properties/RequestModel/Model: Unable to set RequestModel [Cat] on API method [post] for path [/pets] because it wasn't defined in the API's Models."),
        "{stderr}"
    );
}
