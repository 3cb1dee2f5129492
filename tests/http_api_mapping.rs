//! HTTP API parameter mapping end to end: `requestParameters` (append / overwrite / remove of
//! headers and query strings, overwrite of the path) from every source, and `responseParameters`
//! by the back end's status code, against a real upstream.

use crate::support;

use support::fixture::{document, serve_document};
use support::{Req, Turnpike, Upstream};

/// An HTTP API (served on `$default`, no stage prefix) whose routes call `UPSTREAM`.
fn serve(doc: &str, up: &Upstream, extra: &[&str]) -> (support::TempDir, Turnpike) {
    serve_document("api.yaml", &up.fill(doc), extra)
}

const REQUEST: &str = r#"
openapi: 3.0.1
info: { title: Mapping HTTP, version: "1" }
x-amazon-apigateway-importexport-version: "1.0"
paths:
  /headers:
    post:
      x-amazon-apigateway-integration:
        type: http_proxy
        httpMethod: POST
        uri: "http://UPSTREAM/echo/headers"
        payloadFormatVersion: "1.0"
        requestParameters:
          append:header.x-from-header: $request.header.x-in
          append:header.x-existing: added
          overwrite:header.x-replaced: "id-${request.querystring.user}"
          remove:header.x-secret: "''"
          overwrite:header.x-body: $request.body.pet.name
          overwrite:header.x-body-index: $request.body.tags[1]
          overwrite:header.x-stage: $stageVariables.tier
          overwrite:header.x-context: "$context.httpMethod $context.routeKey"
          overwrite:header.x-path: $request.path
          overwrite:header.x-missing: $request.header.x-absent
  /query/{id}:
    get:
      x-amazon-apigateway-integration:
        type: http_proxy
        httpMethod: GET
        uri: "http://UPSTREAM/echo/query"
        payloadFormatVersion: "1.0"
        requestParameters:
          append:querystring.tag: $request.path.id
          overwrite:querystring.page: "2"
          remove:querystring.debug: "''"
          append:querystring.from: ${request.header.x-origin}
  /rewrite/{proxy+}:
    get:
      x-amazon-apigateway-integration:
        type: http_proxy
        httpMethod: GET
        uri: "http://UPSTREAM/ignored"
        payloadFormatVersion: "1.0"
        requestParameters:
          overwrite:path: /v2/${request.path.proxy}/$stageVariables.tier
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_headers_from_every_source() {
    let up = Upstream::start().await;
    let (_dir, tp) = serve(REQUEST, &up, &["--stage-var", "tier=gold"]);

    let reply = Req::new("POST", "/headers?user=ann&user=bob")
        .header("x-in", "one")
        .header("x-existing", "first")
        .header("x-replaced", "client")
        .header("x-secret", "hidden")
        .json(r#"{"pet": {"name": "Rex"}, "tags": ["a", "b"]}"#)
        .send(tp.addr)
        .await;
    let echo = reply.echo();
    assert_eq!(echo.headers("x-from-header"), ["one"]);
    assert_eq!(echo.headers("x-existing"), ["first,added"]);
    // Repeated query values are joined with commas.
    assert_eq!(echo.headers("x-replaced"), ["id-ann,bob"]);
    assert_eq!(echo.headers("x-secret"), Vec::<String>::new());
    assert_eq!(echo.headers("x-body"), ["Rex"]);
    assert_eq!(echo.headers("x-body-index"), ["b"]);
    assert_eq!(echo.headers("x-stage"), ["gold"]);
    assert_eq!(echo.headers("x-context"), ["POST POST /headers"]);
    assert_eq!(echo.headers("x-path"), ["/headers"]);
    assert_eq!(echo.headers("x-missing"), Vec::<String>::new());
    // The client's own headers and body still arrive.
    assert_eq!(echo.headers("x-in"), ["one"]);
    assert_eq!(
        echo.body(),
        r#"{"pet": {"name": "Rex"}, "tags": ["a", "b"]}"#
    );
    assert_eq!(echo.path(), "/echo/headers");
    assert_eq!(echo.query(), Some("user=ann&user=bob"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_query_strings() {
    let up = Upstream::start().await;
    let (_dir, tp) = serve(REQUEST, &up, &["--stage-var", "tier=gold"]);

    let echo = Req::get("/query/42?tag=a&page=1&debug=true&page=9&keep=x%20y")
        .header("x-origin", "web app")
        .send(tp.addr)
        .await
        .echo();
    assert_eq!(echo.path(), "/echo/query");
    assert_eq!(
        echo.query(),
        Some("tag=a&keep=x%20y&page=2&tag=42&from=web%20app")
    );

    // A source the request lacks maps nothing.
    let echo = Req::get("/query/7").send(tp.addr).await.echo();
    assert_eq!(echo.query(), Some("page=2&tag=7"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn overwrite_path_keeps_the_query() {
    let up = Upstream::start().await;
    let (_dir, tp) = serve(REQUEST, &up, &["--stage-var", "tier=gold"]);

    let echo = Req::get("/rewrite/a/b?x=1").send(tp.addr).await.echo();
    assert_eq!(echo.path(), "/v2/a/b/gold");
    assert_eq!(echo.query(), Some("x=1"));
}

const RESPONSE: &str = r#"
openapi: 3.0.1
info: { title: Mapping HTTP responses, version: "1" }
x-amazon-apigateway-importexport-version: "1.0"
paths:
  /echo:
    get:
      x-amazon-apigateway-integration:
        type: http_proxy
        httpMethod: GET
        uri: "http://UPSTREAM/echo"
        payloadFormatVersion: "1.0"
        responseParameters:
          "200":
            append:header.x-upstream: again
            overwrite:header.x-method: $response.body.method
            overwrite:header.x-copied: "from-${response.header.x-upstream}"
            remove:header.content-type: "''"
            overwrite:header.x-stage: $stageVariables.tier
            overwrite:header.x-route: $context.routeKey
            overwrite:statuscode: "202"
  /status/{code}:
    get:
      x-amazon-apigateway-integration:
        type: http_proxy
        httpMethod: GET
        uri: "http://UPSTREAM/status/{code}"
        payloadFormatVersion: "1.0"
        responseParameters:
          "404":
            overwrite:statuscode: $response.body
            append:header.x-mapped: "404"
          "201":
            overwrite:statuscode: $response.header.x-absent
            overwrite:header.x-mapped: $response.header.x-upstream-status
          "500":
            overwrite:statuscode: "403"
            overwrite:header.x-error: $response.body
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn response_headers_and_status_by_status_code() {
    let up = Upstream::start().await;
    let (_dir, tp) = serve(RESPONSE, &up, &["--stage-var", "tier=gold"]);

    let reply = Req::get("/echo").send(tp.addr).await;
    assert_eq!(reply.status, 202, "{reply:?}");
    assert_eq!(reply.headers_all("x-upstream"), ["echo,again"]);
    assert_eq!(reply.header("x-method"), Some("GET"));
    assert_eq!(reply.header("x-copied"), Some("from-echo"));
    assert_eq!(reply.header("content-type"), None);
    assert_eq!(reply.header("x-stage"), Some("gold"));
    assert_eq!(reply.header("x-route"), Some("GET /echo"));
    // The gateway's own header comes after the mapping, untouched by it.
    assert!(reply.header("apigw-requestid").is_some(), "{reply:?}");
    // The body read for the mapping still reaches the client.
    assert_eq!(reply.json()["path"], "/echo");

    let reply = Req::get("/status/500").send(tp.addr).await;
    assert_eq!(reply.status, 403, "{reply:?}");
    assert_eq!(reply.header("x-error"), Some("status 500"));
    assert_eq!(reply.text(), "status 500");

    // A status mapped from a header the back end did not send stays as it was.
    let reply = Req::get("/status/201").send(tp.addr).await;
    assert_eq!(reply.status, 201);
    assert_eq!(reply.header("x-mapped"), Some("201"));

    // No mapping for 202: the response passes as it is.
    let reply = Req::get("/status/202").send(tp.addr).await;
    assert_eq!(reply.status, 202);
    assert_eq!(reply.header("x-mapped"), None);
    assert_eq!(reply.header("x-upstream-status"), Some("202"));
    assert_eq!(reply.text(), "status 202");
}

/// A status code read at request time that is no status code is the back end's fault as AWS
/// sees a failed mapping: HTTP APIs answer 500.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mapped_status_that_is_no_status_code_is_500() {
    let up = Upstream::start().await;
    let (_dir, tp) = serve(RESPONSE, &up, &[]);

    let reply = Req::get("/status/404").send(tp.addr).await;
    assert_eq!(reply.status, 500, "{reply:?}");
    assert_eq!(reply.text(), r#"{"message":"Internal Server Error"}"#);
}

#[test]
fn reserved_headers_are_load_errors() {
    let text = r#"openapi: 3.0.1
info: { title: Reserved, version: "1" }
x-amazon-apigateway-importexport-version: "1.0"
paths:
  /a:
    get:
      x-amazon-apigateway-integration:
        type: http_proxy
        uri: "http://127.0.0.1:1/a"
        payloadFormatVersion: "1.0"
        requestParameters: {overwrite:header.Authorization: x}
"#;
    let (_dir, file) = document("api.yaml", text);
    let output = support::turnpike::run(&["validate", file.to_str().unwrap()]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    let expected = format!("{}:11:29: /paths/~1a/get/x-amazon-apigateway-integration/requestParameters/overwrite:header.Authorization: requestParameters key \"overwrite:header.Authorization\" maps the reserved header Authorization; parameter mapping cannot change access-control-*, apigw-*, Authorization, Connection, Content-Encoding, Content-Length, Content-Location, Forwarded, Keep-Alive, Origin, Proxy-Authenticate, Proxy-Authorization, TE, Trailers, Transfer-Encoding, Upgrade, x-amz-*, x-amzn-*, X-Forwarded-For, X-Forwarded-Host, X-Forwarded-Proto, Via", file.display());
    assert!(stderr.contains(&expected), "{stderr}");
}

/// AWS maps parameters for Lambda proxy integrations too: the event carries the mapped headers
/// and query string, and the function's response is mapped by its status code.
const LAMBDA_SAM: &str = r#"
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  EchoFunction:
    Type: AWS::Serverless::Function
    Properties: { CodeUri: src/, Handler: app.echo, Runtime: python3.12 }
  Api:
    Type: AWS::Serverless::HttpApi
    Properties:
      StageName: prod
      StageVariables: { color: green }
      DefinitionBody:
        openapi: 3.0.1
        info: { title: Lambda mapping, version: "1" }
        paths:
          /pets/{id}:
            get:
              x-amazon-apigateway-integration:
                type: aws_proxy
                httpMethod: POST
                uri: !GetAtt EchoFunction.Arn
                payloadFormatVersion: "2.0"
                requestParameters:
                  overwrite:header.x-pet: "pet-$request.path.id"
                  append:querystring.color: $stageVariables.color
                  remove:header.x-drop: "''"
                  overwrite:header.x-request-path: $request.path
                responseParameters:
                  "200":
                    overwrite:statuscode: "201"
                    overwrite:header.x-function: $response.body.function
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lambda_proxy_events_see_the_mapped_request() {
    let (_dir, template) = support::sam::project(LAMBDA_SAM);
    let tp = Turnpike::serve(&template);

    let reply = Req::get("/prod/pets/9?a=1")
        .header("x-drop", "gone")
        .send(tp.addr)
        .await;
    assert_eq!(reply.status, 201, "{reply:?}");
    assert_eq!(reply.header("x-function"), Some("EchoFunction"));
    let event = &reply.json()["event"];
    assert_eq!(event["headers"]["x-pet"], "pet-9");
    assert_eq!(event["headers"]["x-request-path"], "/pets/9");
    assert_eq!(event["headers"].get("x-drop"), None);
    assert_eq!(event["rawQueryString"], "a=1&color=green");
    assert_eq!(
        event["queryStringParameters"],
        serde_json::json!({"a": "1", "color": "green"})
    );
    assert_eq!(event["rawPath"], "/prod/pets/9");
}

/// `overwrite:path` for Lambda: payload 2.0 events carry the mapped path as `rawPath` (AWS
/// supports path mapping for Lambda in 2.0, not in 1.0: re:Post "Parameter mapping for incoming
/// request"); 1.0 events keep the client's path.
const LAMBDA_PATH_SAM: &str = r#"
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  EchoFunction:
    Type: AWS::Serverless::Function
    Properties: { CodeUri: src/, Handler: app.echo, Runtime: python3.12 }
  Api:
    Type: AWS::Serverless::HttpApi
    Properties:
      StageName: prod
      StageVariables: { tier: gold }
      DefinitionBody:
        openapi: 3.0.1
        info: { title: Lambda path mapping, version: "1" }
        paths:
          /rewrite/{proxy+}:
            get:
              x-amazon-apigateway-integration:
                type: aws_proxy
                httpMethod: POST
                uri: !GetAtt EchoFunction.Arn
                payloadFormatVersion: "2.0"
                requestParameters:
                  overwrite:path: /v2/${request.path.proxy}/$stageVariables.tier
          /legacy/{proxy+}:
            get:
              x-amazon-apigateway-integration:
                type: aws_proxy
                httpMethod: POST
                uri: !GetAtt EchoFunction.Arn
                payloadFormatVersion: "1.0"
                requestParameters:
                  overwrite:path: /v2/$request.path.proxy
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lambda_payload_2_0_raw_path_is_the_mapped_path() {
    let (_dir, template) = support::sam::project(LAMBDA_PATH_SAM);
    let tp = Turnpike::serve(&template);

    let reply = Req::get("/prod/rewrite/a/b?x=1").send(tp.addr).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    let event = &reply.json()["event"];
    assert_eq!(event["version"], "2.0");
    assert_eq!(event["rawPath"], "/v2/a/b/gold");
    assert_eq!(event["rawQueryString"], "x=1");
    // The routing facts stay the client's.
    assert_eq!(event["routeKey"], "GET /rewrite/{proxy+}");
    assert_eq!(event["requestContext"]["routeKey"], "GET /rewrite/{proxy+}");
    assert_eq!(event["requestContext"]["http"]["path"], "/prod/rewrite/a/b");
    assert_eq!(event["pathParameters"], serde_json::json!({"proxy": "a/b"}));

    let reply = Req::get("/prod/legacy/a/b").send(tp.addr).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    let event = &reply.json()["event"];
    assert_eq!(event["version"], "1.0");
    assert_eq!(event["path"], "/prod/legacy/a/b");
    assert_eq!(event["requestContext"]["path"], "/prod/legacy/a/b");
}
