//! MOCK integrations (statusCode selection, static response templates with `$context` and
//! `$stageVariables`, response headers) and HTTP non-proxy integrations (passthrough of bodies,
//! integration responses chosen by selectionPattern).

use crate::support;

use support::fixture::serve_document;
use support::{Req, Upstream};

const MOCKS: &str = r#"
openapi: 3.0.1
info: { title: Mocks, version: "1" }
paths:
  /pets:
    get:
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates: { application/json: '{"statusCode": 200}' }
        responses:
          default:
            statusCode: "200"
            responseParameters:
              method.response.header.Access-Control-Allow-Origin: "'*'"
              method.response.header.X-Stage: "'fixed'"
            responseTemplates:
              application/json: '[{"id": 1}, {"id": 2}]'
    post:
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates: { application/json: '{"statusCode": 201}' }
        responses:
          "201":
            statusCode: "201"
            responseTemplates:
              application/json: '{"created": true, "requestId": "$context.requestId"}'
          default:
            statusCode: "500"
            responseTemplates: { application/json: '{"created": false}' }
  /pets/{petId}:
    get:
      parameters:
        - { name: petId, in: path, required: true, schema: { type: string } }
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates: { application/json: '{"statusCode": 404}' }
        responses:
          "4\\d{2}":
            statusCode: "404"
            responseTemplates:
              application/json: '{"stage": "$context.stage", "resourcePath": "$context.resourcePath", "method": "$context.httpMethod", "color": "$stageVariables.color"}'
          default:
            statusCode: "200"
  /empty:
    delete:
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates: { application/json: '{"statusCode": 204}' }
        responses:
          "204": { statusCode: "204" }
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mock_default_response_with_headers() {
    let (_dir, tp) = serve_document("mocks.yaml", MOCKS, &[]);

    let reply = Req::get("/dev/pets").send(tp.addr).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.text(), r#"[{"id": 1}, {"id": 2}]"#);
    assert_eq!(reply.header("content-type"), Some("application/json"));
    assert_eq!(reply.header("access-control-allow-origin"), Some("*"));
    assert_eq!(reply.header("x-stage"), Some("fixed"));
    assert_eq!(reply.header(support::ERROR_TYPE), None);
    support::assert_request_id(&reply);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mock_status_code_selects_the_integration_response() {
    let (_dir, tp) = serve_document("mocks.yaml", MOCKS, &[]);

    let reply = Req::new("POST", "/dev/pets")
        .json(r#"{"name": "rex"}"#)
        .send(tp.addr)
        .await;
    assert_eq!(reply.status, 201, "{reply:?}");
    let request_id = reply.header(support::REQUEST_ID).unwrap();
    assert_eq!(
        reply.text(),
        format!(r#"{{"created": true, "requestId": "{request_id}"}}"#)
    );

    let reply = Req::new("DELETE", "/dev/empty").send(tp.addr).await;
    assert_eq!(reply.status, 204);
    assert_eq!(reply.text(), "");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mock_templates_see_context_and_stage_variables() {
    let (_dir, tp) = serve_document(
        "mocks.yaml",
        MOCKS,
        &["--stage", "prod", "--stage-var", "color=blue"],
    );

    let reply = Req::get("/prod/pets/5").send(tp.addr).await;
    assert_eq!(
        reply.status, 404,
        "selected by the 4\\d{{2}} pattern: {reply:?}"
    );
    assert_eq!(
        reply.text(),
        r#"{"stage": "prod", "resourcePath": "/pets/{petId}", "method": "GET", "color": "blue"}"#
    );
    assert_eq!(
        reply.header(support::ERROR_TYPE),
        None,
        "a mapped 404 is not a gateway error"
    );
}

const HTTP_INTEGRATION: &str = r#"
openapi: 3.0.1
info: { title: HTTP Integration, version: "1" }
paths:
  /echo:
    post:
      x-amazon-apigateway-integration:
        type: http
        httpMethod: POST
        uri: "http://UPSTREAM/echo/non-proxy"
        responses:
          default: { statusCode: "200" }
  /status/{code}:
    get:
      parameters:
        - { name: code, in: path, required: true, schema: { type: string } }
      x-amazon-apigateway-integration:
        type: http
        httpMethod: GET
        uri: "http://UPSTREAM/status/{code}"
        requestParameters: { integration.request.path.code: method.request.path.code }
        responses:
          default:
            statusCode: "200"
          "4\\d{2}":
            statusCode: "400"
            responseParameters:
              method.response.header.X-Upstream-Status: integration.response.header.x-upstream-status
          "5\\d{2}":
            statusCode: "502"
            responseTemplates:
              application/json: '{"message": "upstream failed"}'
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_integration_passes_bodies_through() {
    let up = Upstream::start().await;
    let (_dir, tp) = serve_document("http.yaml", &up.fill(HTTP_INTEGRATION), &[]);

    let reply = Req::new("POST", "/dev/echo")
        .json(r#"{"a": 1}"#)
        .send(tp.addr)
        .await;
    let echo = reply.echo();
    assert_eq!(echo.method(), "POST");
    assert_eq!(echo.path(), "/echo/non-proxy");
    assert_eq!(echo.body(), r#"{"a": 1}"#);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_integration_selection_pattern_maps_status_headers_and_body() {
    let up = Upstream::start().await;
    let (_dir, tp) = serve_document("http.yaml", &up.fill(HTTP_INTEGRATION), &[]);

    // 2xx: the default response, body passed through.
    let reply = Req::get("/dev/status/201").send(tp.addr).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.text(), "status 201");

    // 4xx: mapped to 400, header mapped from the integration response, body passed through.
    let reply = Req::get("/dev/status/404").send(tp.addr).await;
    assert_eq!(reply.status, 400);
    assert_eq!(reply.text(), "status 404");
    assert_eq!(reply.header("x-upstream-status"), Some("404"));

    // 5xx: mapped to 502 with a static template.
    let reply = Req::get("/dev/status/503").send(tp.addr).await;
    assert_eq!(reply.status, 502);
    assert_eq!(reply.text(), r#"{"message": "upstream failed"}"#);
    assert_eq!(reply.header("content-type"), Some("application/json"));
}
