//! Gateway responses: every type this issue can produce, with AWS's default status, body and
//! `x-amzn-ErrorType`, `x-amzn-RequestId` on each; customised ones from
//! `x-amazon-apigateway-gateway-responses` (status, headers, `$context.error.*` templates), and the
//! DEFAULT_4XX / DEFAULT_5XX fallbacks.

use crate::support;

use std::time::Duration;

use support::client::{parse_raw, raw};
use support::fixture::serve_document;
use support::upstream::closed_port;
use support::{assert_gateway_response, Req, TempDir, Turnpike, Upstream};

/// Routes that fail in each of the ways this issue handles.
const FAILING: &str = r#"
openapi: 3.0.1
info: { title: Failing REST, version: "1" }
paths:
  /ok:
    get:
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates: { application/json: '{"statusCode": 200}' }
        responses:
          default: { statusCode: "200", responseTemplates: { application/json: '{"ok": true}' } }
    post:
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates: { application/json: '{"statusCode": 200}' }
        responses:
          default: { statusCode: "200", responseTemplates: { application/json: '{"ok": true}' } }
  /unmatched:
    get:
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates: { application/json: '{"statusCode": 418}' }
        responses:
          "200": { statusCode: "200" }
  /strict:
    post:
      x-amazon-apigateway-integration:
        type: mock
        passthroughBehavior: never
        requestTemplates: { application/json: '{"statusCode": 200}' }
        responses:
          default: { statusCode: "200" }
  /slow:
    get:
      x-amazon-apigateway-integration:
        type: http_proxy
        httpMethod: GET
        uri: "http://UPSTREAM/slow/3000"
        timeoutInMillis: 200
  /down:
    get:
      x-amazon-apigateway-integration: { type: http_proxy, httpMethod: GET, uri: "http://127.0.0.1:CLOSED/x" }
  /hangup:
    get:
      x-amazon-apigateway-integration: { type: http_proxy, httpMethod: GET, uri: "http://UPSTREAM/hangup" }
CUSTOM
"#;

/// Customisations: one specific type, and both fallbacks.
const CUSTOM: &str = r#"
x-amazon-apigateway-gateway-responses:
  MISSING_AUTHENTICATION_TOKEN:
    statusCode: 404
    responseParameters:
      gatewayresponse.header.X-Custom: "'custom-value'"
      gatewayresponse.header.X-Trace-Copy: method.request.header.X-Trace
      gatewayresponse.header.X-Query-Copy: method.request.querystring.q
    responseTemplates:
      application/json: '{"error": "$context.error.message", "quoted": $context.error.messageString, "type": "$context.error.responseType", "requestId": "$context.requestId"}'
  DEFAULT_4XX:
    responseParameters:
      gatewayresponse.header.X-Fallback: "'4xx'"
    responseTemplates:
      application/json: '{"fallback": "4xx", "type": "$context.error.responseType", "message": $context.error.messageString}'
  DEFAULT_5XX:
    statusCode: 502
    responseParameters:
      gatewayresponse.header.Access-Control-Allow-Origin: "'*'"
    responseTemplates:
      application/json: '{"fallback": "5xx", "type": "$context.error.responseType", "message": $context.error.messageString}'
"#;

/// Serves [`FAILING`] in front of a new upstream, with the [`CUSTOM`] gateway responses or not.
async fn serve_failing(custom: bool) -> (Upstream, TempDir, Turnpike) {
    let up = Upstream::start().await;
    let text = up
        .fill(FAILING)
        .replace("CLOSED", &closed_port().to_string())
        .replace("CUSTOM", if custom { CUSTOM } else { "" });
    let (dir, tp) = serve_document("failing.yaml", &text, &[]);
    (up, dir, tp)
}

/// 10 MiB + 1 bytes announced by Content-Length, sent over raw TCP (the server may answer before
/// reading it all).
async fn too_large(tp: &Turnpike, path: &str) -> String {
    let size = 10 * 1024 * 1024 + 1;
    let mut request = format!(
        "POST {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\n\
         Content-Length: {size}\r\nConnection: close\r\n\r\n",
        tp.addr
    )
    .into_bytes();
    request.extend(vec![b'a'; size]);
    raw(tp.addr, &request, Duration::from_secs(20)).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn default_responses_have_aws_status_body_and_error_type() {
    let (_up, _dir, tp) = serve_failing(false).await;

    // MISSING_AUTHENTICATION_TOKEN
    let reply = Req::get("/dev/nowhere").send(tp.addr).await;
    assert_gateway_response(
        &reply,
        403,
        r#"{"message":"Missing Authentication Token"}"#,
        Some("MissingAuthenticationTokenException"),
    );
    assert_eq!(reply.header("content-type"), Some("application/json"));

    // API_CONFIGURATION_ERROR: no integration response matches the mock's status.
    let reply = Req::get("/dev/unmatched").send(tp.addr).await;
    support::assert_internal_server_error(&reply);

    // UNSUPPORTED_MEDIA_TYPE: passthroughBehavior NEVER and no template for the content type.
    let reply = Req::new("POST", "/dev/strict")
        .header("content-type", "text/plain")
        .body("hello")
        .send(tp.addr)
        .await;
    assert_gateway_response(
        &reply,
        415,
        r#"{"message":"Unsupported Media Type"}"#,
        Some("BadRequestException"),
    );

    // INTEGRATION_TIMEOUT
    let reply = Req::get("/dev/slow").send(tp.addr).await;
    assert_gateway_response(
        &reply,
        504,
        r#"{"message": "Endpoint request timed out"}"#,
        Some("InternalServerErrorException"),
    );

    // The ordinary route still works, with a request id and no error type.
    let reply = Req::get("/dev/ok").send(tp.addr).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.text(), r#"{"ok": true}"#);
    assert_eq!(reply.header(support::ERROR_TYPE), None);
    support::assert_request_id(&reply);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_too_large_default() {
    let (_up, _dir, tp) = serve_failing(false).await;

    let reply = parse_raw(&too_large(&tp, "/dev/ok").await);
    assert_eq!(reply.status, 413, "{reply:?}");
    assert_eq!(reply.body, r#"{"message":"Request Too Long"}"#);
    assert_eq!(reply.header("content-type"), Some("application/json"));
    assert_eq!(
        reply.header("x-amzn-errortype"),
        Some("RequestTooLargeException")
    );
    assert!(reply
        .header("x-amzn-requestid")
        .is_some_and(|v| !v.is_empty()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn back_end_down_is_a_5xx_gateway_response() {
    let (_up, _dir, tp) = serve_failing(false).await;

    let reply = Req::get("/dev/down").send(tp.addr).await;
    support::assert_internal_server_error(&reply);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn back_end_hanging_up_is_integration_failure() {
    let (_up, _dir, tp) = serve_failing(false).await;

    let reply = Req::get("/dev/hangup").send(tp.addr).await;
    assert_gateway_response(
        &reply,
        504,
        r#"{"message": "Network error communicating with endpoint"}"#,
        Some("InternalServerErrorException"),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_response_has_a_distinct_request_id() {
    let (_up, _dir, tp) = serve_failing(false).await;

    let mut ids = Vec::new();
    for path in ["/dev/ok", "/dev/ok", "/dev/nowhere", "/dev/unmatched"] {
        let reply = Req::get(path).send(tp.addr).await;
        ids.push(reply.header(support::REQUEST_ID).unwrap().to_string());
    }
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), ids.len(), "{ids:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn customised_response_status_headers_and_error_context() {
    let (_up, _dir, tp) = serve_failing(true).await;

    let reply = Req::get("/dev/nowhere?q=searched")
        .header("x-trace", "trace-7")
        .send(tp.addr)
        .await;
    assert_eq!(reply.status, 404, "{reply:?}");
    let request_id = reply.header(support::REQUEST_ID).unwrap().to_string();
    assert_eq!(
        reply.text(),
        format!(
            r#"{{"error": "Missing Authentication Token", "quoted": "Missing Authentication Token", "type": "MISSING_AUTHENTICATION_TOKEN", "requestId": "{request_id}"}}"#
        )
    );
    assert_eq!(reply.header("content-type"), Some("application/json"));
    assert_eq!(reply.header("x-custom"), Some("custom-value"));
    assert_eq!(reply.header("x-trace-copy"), Some("trace-7"));
    assert_eq!(reply.header("x-query-copy"), Some("searched"));
    assert_eq!(
        reply.header(support::ERROR_TYPE),
        Some("MissingAuthenticationTokenException")
    );
    // A type customised on its own does not take DEFAULT_4XX's parameters.
    assert_eq!(reply.header("x-fallback"), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn default_4xx_and_5xx_apply_to_types_not_customised() {
    let (_up, _dir, tp) = serve_failing(true).await;

    // UNSUPPORTED_MEDIA_TYPE falls back to DEFAULT_4XX, keeping its own status.
    let reply = Req::new("POST", "/dev/strict")
        .header("content-type", "text/plain")
        .body("x")
        .send(tp.addr)
        .await;
    assert_eq!(reply.status, 415, "{reply:?}");
    assert_eq!(
        reply.text(),
        r#"{"fallback": "4xx", "type": "UNSUPPORTED_MEDIA_TYPE", "message": "Unsupported Media Type"}"#
    );
    assert_eq!(reply.header("x-fallback"), Some("4xx"));
    support::assert_request_id(&reply);

    // REQUEST_TOO_LARGE too.
    let reply = parse_raw(&too_large(&tp, "/dev/ok").await);
    assert_eq!(reply.status, 413);
    assert_eq!(
        reply.body,
        r#"{"fallback": "4xx", "type": "REQUEST_TOO_LARGE", "message": "Request Too Long"}"#
    );
    assert_eq!(reply.header("x-fallback"), Some("4xx"));

    // INTEGRATION_TIMEOUT falls back to DEFAULT_5XX, whose status code replaces the type's.
    let reply = Req::get("/dev/slow").send(tp.addr).await;
    assert_eq!(reply.status, 502, "{reply:?}");
    assert_eq!(
        reply.text(),
        r#"{"fallback": "5xx", "type": "INTEGRATION_TIMEOUT", "message": "Endpoint request timed out"}"#
    );
    assert_eq!(reply.header("access-control-allow-origin"), Some("*"));
    support::assert_request_id(&reply);

    // API_CONFIGURATION_ERROR as well.
    let reply = Req::get("/dev/unmatched").send(tp.addr).await;
    assert_eq!(reply.status, 502, "{reply:?}");
    assert_eq!(
        reply.text(),
        r#"{"fallback": "5xx", "type": "API_CONFIGURATION_ERROR", "message": "Internal server error"}"#
    );
}

/// HTTP APIs have no customisable gateway responses; their errors are fixed.
const HTTP_FAILING: &str = r#"
openapi: 3.0.1
info: { title: Failing HTTP, version: "1" }
x-amazon-apigateway-importexport-version: "1.0"
paths:
  /ok:
    post:
      x-amazon-apigateway-integration: { type: http_proxy, httpMethod: POST, uri: "http://UPSTREAM/echo", payloadFormatVersion: "1.0" }
  /slow:
    get:
      x-amazon-apigateway-integration: { type: http_proxy, httpMethod: GET, uri: "http://UPSTREAM/slow/3000", payloadFormatVersion: "1.0", timeoutInMillis: 200 }
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_api_errors() {
    let up = Upstream::start().await;
    let (_dir, tp) = serve_document("http.yaml", &up.fill(HTTP_FAILING), &[]);

    let reply = Req::get("/nowhere").send(tp.addr).await;
    assert_eq!(reply.status, 404);
    assert_eq!(reply.text(), r#"{"message":"Not Found"}"#);
    assert!(reply.header("apigw-requestid").is_some(), "{reply:?}");

    let reply = Req::get("/slow").send(tp.addr).await;
    assert_eq!(reply.status, 503, "{reply:?}");
    assert_eq!(reply.text(), r#"{"message":"Service Unavailable"}"#);
    assert!(reply.header("apigw-requestid").is_some(), "{reply:?}");

    let reply = parse_raw(&too_large(&tp, "/ok").await);
    assert_eq!(reply.status, 413);
    assert_eq!(reply.body, r#"{"message":"Request Entity Too Large"}"#);
}
