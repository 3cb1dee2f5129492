//! REST non-proxy mapping end to end: Velocity request and response templates on MOCK and HTTP
//! integrations (a real upstream), request parameters from every source, passthrough behaviours,
//! `$context.requestOverride` / `responseOverride`, and the AWS developer guide's photo-album and
//! pet-store examples.

use crate::support;

use std::convert::Infallible;
use std::net::SocketAddr;

use bytes::Bytes;
use http_body_util::Full;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use serde_json::{json, Value};
use support::fixture::serve_document;
use support::{Req, Turnpike, Upstream};
use tokio::net::TcpListener;

/// An OpenAPI document with `paths`, written as JSON so templates need no YAML escaping.
fn serve(paths: Value, args: &[&str]) -> (support::TempDir, Turnpike) {
    let doc = json!({
        "openapi": "3.0.1",
        "info": {"title": "Mapping", "version": "1"},
        "paths": paths,
    });
    serve_document("mapping.json", &doc.to_string(), args)
}

/// A back end answering every request with `body` as JSON (a real hyper server).
async fn fixed_upstream(body: &'static str) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let service = service_fn(move |_req| async move {
                    Ok::<_, Infallible>(
                        http::Response::builder()
                            .header("content-type", "application/json")
                            .header("x-pet-count", "3")
                            .body(Full::new(Bytes::from_static(body.as_bytes())))
                            .unwrap(),
                    )
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    addr
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mock_request_template_chooses_the_status_with_velocity() {
    let paths = json!({
        "/pets/{petId}": {"get": {
            "parameters": [{"name": "petId", "in": "path", "required": true, "schema": {"type": "string"}}],
            "x-amazon-apigateway-integration": {
                "type": "mock",
                "requestTemplates": {"application/json":
                    "#if($input.params('petId') == '404'){\"statusCode\": 404}#else{\"statusCode\": 200}#end"},
                "responses": {
                    "404": {"statusCode": "404", "responseTemplates": {"application/json":
                        "{\"message\": \"no pet $util.escapeJavaScript($input.params('petId'))\"}"}},
                    "default": {"statusCode": "200", "responseTemplates": {"application/json":
                        "#set($ids = [1..3])[#foreach($i in $ids){\"id\": $i, \"of\": \"$input.params('petId')\", \"stage\": \"$stageVariables.color\"}#if($foreach.hasNext),#end#end]"}}
                }
            }
        }}
    });
    let (_dir, tp) = serve(paths, &["--stage-var", "color=red"]);

    let reply = Req::get("/dev/pets/7").send(tp.addr).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(
        reply.text(),
        r#"[{"id": 1, "of": "7", "stage": "red"},{"id": 2, "of": "7", "stage": "red"},{"id": 3, "of": "7", "stage": "red"}]"#
    );
    let reply = Req::get("/dev/pets/404").send(tp.addr).await;
    assert_eq!(reply.status, 404);
    assert_eq!(reply.text(), r#"{"message": "no pet 404"}"#);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn response_override_sets_status_and_headers() {
    let paths = json!({
        "/teapot": {"get": {"x-amazon-apigateway-integration": {
            "type": "mock",
            "requestTemplates": {"application/json": "{\"statusCode\": 200}"},
            "responses": {"default": {
                "statusCode": "200",
                "responseParameters": {"method.response.header.X-Mapped": "'mapped'"},
                "responseTemplates": {"application/json":
                    "#set($context.responseOverride.status = 418)#set($context.responseOverride.header.X-Mapped = 'overridden')#set($context.responseOverride.header.X-Extra = $context.httpMethod){\"short\": \"stout\"}"}
            }}
        }}}
    });
    let (_dir, tp) = serve(paths, &[]);
    let reply = Req::get("/dev/teapot").send(tp.addr).await;
    assert_eq!(reply.status, 418, "{reply:?}");
    assert_eq!(reply.text(), r#"{"short": "stout"}"#);
    assert_eq!(reply.header("x-mapped"), Some("overridden"));
    assert_eq!(reply.header("x-extra"), Some("GET"));
}

fn http_paths(upstream: SocketAddr) -> Value {
    let uri = format!("http://{upstream}/backend/{{id}}");
    json!({
        "/pets/{petId}": {"post": {
            "parameters": [{"name": "petId", "in": "path", "required": true, "schema": {"type": "string"}}],
            "x-amazon-apigateway-integration": {
                "type": "http",
                "httpMethod": "POST",
                "uri": uri,
                "requestParameters": {
                    "integration.request.path.id": "method.request.path.petId",
                    "integration.request.header.X-Name": "method.request.body.pet.name",
                    "integration.request.header.X-Tags": "method.request.multivalueheader.X-Tag",
                    "integration.request.querystring.ids": "method.request.multivaluequerystring.id",
                    "integration.request.querystring.one": "method.request.querystring.id",
                    "integration.request.header.X-Method": "context.httpMethod",
                    "integration.request.header.X-Color": "stageVariables.color",
                    "integration.request.header.X-Literal": "'fixed'"
                },
                "requestTemplates": {"application/json":
                    "#set($pet = $input.path('$.pet'))\n{\"name\": \"$pet.name\", \"upper\": \"$pet.name.toUpperCase()\", \"tags\": $input.json('$.pet.tags'), \"id\": \"$input.params('petId')\", \"stage\": \"$context.stage\", \"color\": \"$stageVariables.color\"}"},
                "passthroughBehavior": "WHEN_NO_TEMPLATES",
                "responses": {"default": {
                    "statusCode": "200",
                    "responseParameters": {
                        "method.response.header.X-Echo-Path": "integration.response.body.path",
                        "method.response.header.X-Echo-Method": "integration.response.body.method"
                    },
                    "responseTemplates": {"application/json": "$input.path('$.body')"}
                }}
            }
        }},
        "/over": {"post": {"x-amazon-apigateway-integration": {
            "type": "http",
            "httpMethod": "POST",
            "uri": format!("http://{upstream}/over/{{slot}}?keep=1&drop=1"),
            "requestParameters": {"integration.request.path.slot": "'mapped'"},
            "requestTemplates": {"application/json":
                "#set($context.requestOverride.header.X-Over = 'yes')#set($context.requestOverride.querystring.drop = 'new value')#set($context.requestOverride.path.slot = 'overridden')body"},
            "responses": {"default": {"statusCode": "200"}}
        }}},
        "/never": {"post": {"x-amazon-apigateway-integration": {
            "type": "http", "httpMethod": "POST", "uri": format!("http://{upstream}/never"),
            "passthroughBehavior": "NEVER",
            "requestTemplates": {"application/json": "{\"templated\": true}"},
            "responses": {"default": {"statusCode": "200"}}
        }}},
        "/match": {"post": {"x-amazon-apigateway-integration": {
            "type": "http", "httpMethod": "POST", "uri": format!("http://{upstream}/match"),
            "passthroughBehavior": "WHEN_NO_MATCH",
            "requestTemplates": {"application/json": "{\"templated\": true}"},
            "responses": {"default": {"statusCode": "200"}}
        }}},
        "/notemplates": {"post": {"x-amazon-apigateway-integration": {
            "type": "http", "httpMethod": "POST", "uri": format!("http://{upstream}/notemplates"),
            "passthroughBehavior": "WHEN_NO_TEMPLATES",
            "responses": {"default": {"statusCode": "200"}}
        }}}
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_request_template_and_parameters_from_every_source() {
    let up = Upstream::start().await;
    let (_dir, tp) = serve(http_paths(up.addr), &["--stage-var", "color=blue"]);

    let reply = Req::new("POST", "/dev/pets/42?id=a&id=b%20c")
        .header("content-type", "application/json")
        .header("x-tag", "t1")
        .header("x-tag", "t2")
        .body(r#"{"pet": {"name": "Rex", "tags": ["good", "boy"]}}"#)
        .send(tp.addr)
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    // The response template returns the body the back end received: the request template's output.
    assert_eq!(
        reply.text(),
        r#"{"name": "Rex", "upper": "REX", "tags": ["good","boy"], "id": "42", "stage": "dev", "color": "blue"}"#
    );
    assert_eq!(reply.header("x-echo-path"), Some("/backend/42"));
    assert_eq!(reply.header("x-echo-method"), Some("POST"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_back_end_receives_the_mapped_request() {
    let up = Upstream::start().await;
    let mut paths = http_paths(up.addr);
    // Without a response template the back end's echo comes back as it is.
    paths["/pets/{petId}"]["post"]["x-amazon-apigateway-integration"]["responses"]["default"]
        .as_object_mut()
        .unwrap()
        .remove("responseTemplates");
    let (_dir, tp) = serve(paths, &["--stage-var", "color=blue"]);

    let reply = Req::new("POST", "/dev/pets/42?id=a&id=b%20c")
        .header("content-type", "application/json")
        .header("x-tag", "t1")
        .header("x-tag", "t2")
        .body(r#"{"pet": {"name": "Rex", "tags": []}}"#)
        .send(tp.addr)
        .await;
    let echo = reply.echo();
    assert_eq!(echo.path(), "/backend/42");
    assert_eq!(echo.query(), Some("ids=a,b%20c&one=b%20c"));
    assert_eq!(echo.headers("x-name"), ["Rex"]);
    assert_eq!(echo.headers("x-tags"), ["t1,t2"]);
    assert_eq!(echo.headers("x-method"), ["POST"]);
    assert_eq!(echo.headers("x-color"), ["blue"]);
    assert_eq!(echo.headers("x-literal"), ["fixed"]);
    assert_eq!(echo.headers("content-type"), ["application/json"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_override_changes_header_query_and_path() {
    let up = Upstream::start().await;
    let (_dir, tp) = serve(http_paths(up.addr), &[]);
    let reply = Req::new("POST", "/dev/over").json("{}").send(tp.addr).await;
    let echo = reply.echo();
    assert_eq!(echo.path(), "/over/overridden");
    assert_eq!(echo.query(), Some("keep=1&drop=new%20value"));
    assert_eq!(echo.headers("x-over"), ["yes"]);
    assert_eq!(echo.body(), "body");
}

/// Asserts AWS's answer to a body no template and no passthrough behaviour accepts.
#[track_caller]
fn assert_unsupported_media_type(reply: &support::Reply) {
    support::assert_gateway_response(
        reply,
        415,
        r#"{"message":"Unsupported Media Type"}"#,
        Some("BadRequestException"),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn passthrough_behaviours() {
    let up = Upstream::start().await;
    let (_dir, tp) = serve(http_paths(up.addr), &[]);
    let send = |path: &'static str, content_type: &'static str| {
        Req::new("POST", path)
            .header("content-type", content_type)
            .body("plain words")
            .send(tp.addr)
    };

    // NEVER: a matching template renders; anything else is refused.
    let echo = send("/dev/never", "application/json").await.echo();
    assert_eq!(echo.body(), r#"{"templated": true}"#);
    let reply = send("/dev/never", "text/plain").await;
    assert_unsupported_media_type(&reply);

    // WHEN_NO_MATCH: an unmatched content type passes the body through.
    let echo = send("/dev/match", "text/plain").await.echo();
    assert_eq!(echo.body(), "plain words");
    assert_eq!(echo.headers("content-type"), ["text/plain"]);

    // WHEN_NO_TEMPLATES: passes through only when there are no templates at all.
    let echo = send("/dev/notemplates", "text/plain").await.echo();
    assert_eq!(echo.body(), "plain words");
    let reply = send("/dev/pets/1", "text/plain").await;
    assert_unsupported_media_type(&reply);
}

const PHOTO_ALBUM_TEMPLATE: &str = "#set($inputRoot = $input.path('$'))
{
  \"photos\": [
#foreach($elem in $inputRoot.photos.photo)
    {
      \"id\": \"$elem.id\",
      \"photographedBy\": \"$elem.photographer_first_name $elem.photographer_last_name\",
      \"title\": \"$elem.title\",
      \"ispublic\": $elem.ispublic,
      \"isfriend\": $elem.isfriend,
      \"isfamily\": $elem.isfamily
    }#if($foreach.hasNext),#end
\t\t
#end
  ]
}";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn photo_album_request_template_end_to_end() {
    let up = Upstream::start().await;
    let paths = json!({"/photos": {"post": {"x-amazon-apigateway-integration": {
        "type": "http", "httpMethod": "POST", "uri": format!("http://{}/photos", up.addr),
        "requestTemplates": {"application/json": PHOTO_ALBUM_TEMPLATE},
        "responses": {"default": {"statusCode": "200"}}
    }}}});
    let (_dir, tp) = serve(paths, &[]);
    let body = r#"{
  "photos": {
    "page": 1, "pages": "1234", "perpage": 100, "total": "123398",
    "photo": [
      {"id": "12345678901", "owner": "23456789@A12", "photographer_first_name": "Saanvi",
       "photographer_last_name": "Sarkar", "secret": "abc123d456", "server": "1234", "farm": 1,
       "title": "Sample photo 1", "ispublic": true, "isfriend": false, "isfamily": false},
      {"id": "23456789012", "owner": "34567890@B23", "photographer_first_name": "Richard",
       "photographer_last_name": "Roe", "secret": "bcd234e567", "server": "2345", "farm": 2,
       "title": "Sample photo 2", "ispublic": true, "isfriend": false, "isfamily": false}
    ]
  }
}"#;
    let reply = Req::new("POST", "/dev/photos")
        .json(body)
        .send(tp.addr)
        .await;
    let expected = "{\n  \"photos\": [\n    {\n      \"id\": \"12345678901\",\n      \"photographedBy\": \"Saanvi Sarkar\",\n      \
\"title\": \"Sample photo 1\",\n      \"ispublic\": true,\n      \"isfriend\": false,\n      \"isfamily\": false\n    },\t\t\n    {\n      \
\"id\": \"23456789012\",\n      \"photographedBy\": \"Richard Roe\",\n      \"title\": \"Sample photo 2\",\n      \"ispublic\": true,\n      \
\"isfriend\": false,\n      \"isfamily\": false\n    }\t\t\n  ]\n}";
    assert_eq!(reply.echo().body(), expected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pet_store_response_template_end_to_end() {
    let upstream = fixed_upstream(
        r#"[{"id": 1, "type": "dog", "price": 249.99}, {"id": 2, "type": "cat", "price": 124.99}, {"id": 3, "type": "fish", "price": 0.99}]"#,
    )
    .await;
    let template = "#set($inputRoot = $input.path('$'))
[
#foreach($elem in $inputRoot)
  {
    \"description\" : \"Item $elem.id is a $elem.type.\",
    \"askingPrice\" : $elem.price
  }#if($foreach.hasNext),#end

#end
]";
    let paths = json!({"/pets": {"get": {"x-amazon-apigateway-integration": {
        "type": "http", "httpMethod": "GET", "uri": format!("http://{upstream}/petstore/pets"),
        "responses": {"default": {
            "statusCode": "200",
            "responseParameters": {
                "method.response.header.X-Count": "integration.response.header.x-pet-count",
                "method.response.header.X-First-Type": "integration.response.body[0].type"
            },
            "responseTemplates": {"application/json": template}
        }}
    }}}});
    let (_dir, tp) = serve(paths, &[]);
    let reply = Req::get("/dev/pets").send(tp.addr).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(
        reply.text(),
        "[\n  {\n    \"description\" : \"Item 1 is a dog.\",\n    \"askingPrice\" : 249.99\n  },\n  {\n    \
\"description\" : \"Item 2 is a cat.\",\n    \"askingPrice\" : 124.99\n  },\n  {\n    \"description\" : \"Item 3 is a fish.\",\n    \
\"askingPrice\" : 0.99\n  }\n]"
    );
    assert_eq!(reply.header("x-count"), Some("3"));
    assert_eq!(reply.header("content-type"), Some("application/json"));
}

const LAMBDA_SAM: &str = r#"
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  EchoFunction:
    Type: AWS::Serverless::Function
    Properties: { CodeUri: src/, Handler: app.echo, Runtime: python3.12 }
  FailFunction:
    Type: AWS::Serverless::Function
    Properties: { CodeUri: src/, Handler: app.fail, Runtime: python3.12 }
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      Variables: { color: green }
      DefinitionBody:
        openapi: 3.0.1
        info: { title: Lambda non-proxy, version: "1" }
        paths:
          /pets/{id}:
            post:
              x-amazon-apigateway-integration:
                type: aws
                httpMethod: POST
                uri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${EchoFunction.Arn}/invocations
                requestTemplates:
                  application/json: '{"name": "$input.path(''$.name'')", "id": "$input.params(''id'')", "color": "$stageVariables.color", "method": "$context.httpMethod"}'
                responses:
                  default:
                    statusCode: "200"
                    responseTemplates:
                      application/json: '#set($answer = $util.parseJson($input.path(''$.body'')))$answer.event.name/$answer.event.id/$answer.event.color/$answer.event.method'
          /fail:
            post:
              x-amazon-apigateway-integration:
                type: aws
                httpMethod: POST
                uri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${FailFunction.Arn}/invocations
                responses:
                  boom:
                    statusCode: "400"
                    responseParameters:
                      method.response.header.X-Error-Type: integration.response.body.errorType
                    responseTemplates:
                      application/json: '{"error": "$input.path(''$.errorMessage'')"}'
                  default:
                    statusCode: "200"
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lambda_non_proxy_templates_end_to_end() {
    let (_dir, template) = support::sam::project(LAMBDA_SAM);
    let tp = Turnpike::serve(&template);

    let reply = Req::new("POST", "/prod/pets/9")
        .json(r#"{"name": "Rex"}"#)
        .send(tp.addr)
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.text(), "Rex/9/green/POST");

    let reply = Req::new("POST", "/prod/fail")
        .json("{}")
        .send(tp.addr)
        .await;
    assert_eq!(reply.status, 400, "{reply:?}");
    assert_eq!(reply.text(), r#"{"error": "boom"}"#);
    assert_eq!(reply.header("x-error-type"), Some("ValueError"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_template_that_does_not_compile_is_reported_and_answers_500() {
    let paths = json!({"/broken": {"get": {"x-amazon-apigateway-integration": {
        "type": "mock",
        "requestTemplates": {"application/json": "{\"statusCode\": 200}\n#if($x"},
        "responses": {"default": {"statusCode": "200"}}
    }}}});
    let (_dir, tp) = serve(paths, &[]);
    let reply = Req::get("/dev/broken").send(tp.addr).await;
    support::assert_gateway_response(
        &reply,
        500,
        r#"{"message": "Internal server error"}"#,
        Some("InternalServerErrorException"),
    );
    let stderr = tp.stderr();
    assert!(
        stderr.contains(
            "GET /broken (/paths/~1broken/get): requestTemplates.application/json: the template does not compile: line 2, column 7: expected `)` closing the directive"
        ),
        "{stderr}"
    );
}
