//! A real gateway on 127.0.0.1:0 in front of a real functions host whose Python handlers (the
//! bundled runtime client) echo the event they receive.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::Request;
use http_body_util::BodyExt;
use serde_json::json;
use turnpike_functions::{FunctionConfig, FunctionHost, HostConfig, Runtime};
use turnpike_model::{Api, ApiKind, PayloadFormatVersion, Stage};
use turnpike_testkit::TempDir;

use super::lambda;
use crate::test_support::{api, route};
use crate::tests::{client, full, get, send, stage, start_with, Answer, Running};
use crate::GatewayConfig;

/// The handler: `/raise` raises, `/garbage` returns no proxy response, `/sleep?s=N` sleeps,
/// `/binary` returns a base64 PNG header, `/inferred` returns a plain object; anything else
/// answers 201 with the event as its body.
const ECHO: &str = r#"
import base64, json, time

def handler(event, context):
    path = event.get("rawPath") or event["path"]
    if path.endswith("/raise"):
        raise ValueError("boom")
    if path.endswith("/garbage"):
        return "not a proxy response"
    if path.endswith("/sleep"):
        time.sleep(float(event["queryStringParameters"]["s"]))
        return {"statusCode": 200, "body": "slept"}
    if path.endswith("/binary"):
        png = base64.b64encode(b"\x89PNG").decode()
        return {"statusCode": 200, "headers": {"content-type": "image/png"},
                "body": png, "isBase64Encoded": True}
    if path.endswith("/inferred"):
        return {"message": "hi"}
    if event.get("version") == "2.0":
        return {"statusCode": 201, "headers": {"x-echo": "v2"}, "cookies": ["a=1", "b=2"],
                "body": json.dumps(event)}
    return {"statusCode": 201, "headers": {"x-echo": "v1"},
            "multiValueHeaders": {"x-multi": ["1", "2"]}, "body": json.dumps(event)}
"#;

/// A host with the `echo` function (1 s timeout), its code written into `dir`, and the same
/// code as `throttled`, whose reserved concurrency of 0 makes Lambda throttle every call.
async fn host(dir: &TempDir) -> Arc<FunctionHost> {
    let code = dir.path().join("echo");
    std::fs::create_dir_all(&code).unwrap();
    std::fs::write(code.join("app.py"), ECHO).unwrap();
    let host = FunctionHost::new(HostConfig {
        cache_dir: dir.path().join("cache"),
        ..HostConfig::default()
    })
    .unwrap();
    let mut config =
        FunctionConfig::new("echo", Runtime::Python("3.11".into()), "app.handler", code);
    config.timeout = Duration::from_secs(1);
    let mut throttled = config.clone();
    throttled.name = "throttled".into();
    throttled.reserved_concurrency = Some(0);
    host.add_function(config).await.unwrap();
    host.add_function(throttled).await.unwrap();
    Arc::new(host)
}

async fn serve(host: &Arc<FunctionHost>, apis: Vec<Api>, stages: &[Stage]) -> Running {
    let mut config = GatewayConfig::new("127.0.0.1:0".parse().unwrap());
    config.functions = Some(host.clone());
    start_with(apis, stages, config).await
}

/// The response with its body as bytes.
async fn raw(request: Request<crate::tests::TestBody>) -> (u16, http::HeaderMap, Bytes) {
    let response = client().request(request).await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, headers, body)
}

fn rest_api() -> Api {
    let v1 = || lambda("echo", PayloadFormatVersion::V1);
    let mut slow = lambda("echo", PayloadFormatVersion::V1);
    slow.timeout = Duration::from_millis(300);
    let mut staged = lambda("echo", PayloadFormatVersion::V1);
    staged.uri = Some(
        "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/\
         arn:aws:lambda:us-east-1:123456789012:function:${stageVariables.fn}/invocations"
            .into(),
    );
    let mut get_method = lambda("echo", PayloadFormatVersion::V1);
    get_method.http_method = Some(turnpike_model::HttpMethod::Get);
    let mut images = api(
        "Lambda REST",
        ApiKind::Rest,
        vec![
            route("ANY", "/pets/{petId}", v1()),
            route("GET", "/raise", v1()),
            route("GET", "/garbage", v1()),
            route("GET", "/sleep", v1()),
            route("GET", "/binary", v1()),
            route("GET", "/slow/sleep", slow),
            route("GET", "/staged", staged),
            route(
                "GET",
                "/missing",
                lambda("Missing", PayloadFormatVersion::V1),
            ),
            route("GET", "/get-method", get_method),
            route(
                "GET",
                "/throttled",
                lambda("throttled", PayloadFormatVersion::V1),
            ),
        ],
    );
    images.binary_media_types = vec!["image/png".into()];
    images
}

fn assert_rest_error(answer: &Answer, status: u16, body: &str) {
    assert_eq!((answer.status, answer.body.as_str()), (status, body));
    assert_eq!(answer.header("content-type"), Some("application/json"));
    assert_eq!(
        answer.header("x-amzn-errortype"),
        Some("InternalServerErrorException")
    );
    assert!(answer.header("x-amzn-requestid").is_some());
}

/// Sends `head` (a request without body) on a new connection and returns the answer's body.
async fn raw_exchange(addr: std::net::SocketAddr, head: &str) -> String {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.unwrap();
    let answer = String::from_utf8(answer).unwrap();
    let (_, body) = answer.split_once("\r\n\r\n").unwrap();
    body.to_string()
}

#[tokio::test]
async fn rest_events_keep_the_clients_header_name_case() {
    let dir = TempDir::new();
    let host = host(&dir).await;
    let gw = serve(&host, vec![rest_api()], &[stage("dev", &[("fn", "echo")])]).await;
    let head = format!(
        "POST /dev/pets/7 HTTP/1.1\r\nHost: {}\r\nX-Pet-Name: rex\r\nx-pet-name: max\r\n\
         user-AGENT: raw/1\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{{}}",
        gw.addr
    );
    let body = raw_exchange(gw.addr, &head).await;
    let event: serde_json::Value = serde_json::from_str(&body).unwrap();
    let keys: Vec<&str> = event["headers"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "Host",
            "user-AGENT",
            "X-Amzn-Trace-Id",
            "X-Forwarded-For",
            "X-Forwarded-Port",
            "X-Forwarded-Proto",
            "X-Pet-Name"
        ],
        "{event}"
    );
    assert_eq!(event["headers"]["X-Pet-Name"], "max");
    assert_eq!(
        event["multiValueHeaders"]["X-Pet-Name"],
        json!(["rex", "max"])
    );
    assert_eq!(event["headers"]["user-AGENT"], "raw/1");
}

#[tokio::test]
async fn rest_api_invokes_the_function_with_a_1_0_event() {
    let dir = TempDir::new();
    let host = host(&dir).await;
    let gw = serve(&host, vec![rest_api()], &[stage("dev", &[("fn", "echo")])]).await;
    let request = Request::post(gw.url("/dev/pets/7?tag=a&tag=b"))
        .header("content-type", "application/json")
        .header("x-multi", "one")
        .header("x-multi", "two")
        .header("user-agent", "lambda-test")
        .body(full(r#"{"name":"Rex"}"#))
        .unwrap();
    let answer = send(&client(), request).await;
    assert_eq!(answer.status, 201);
    assert_eq!(answer.header("x-echo"), Some("v1"));
    let multi: Vec<&str> = answer
        .headers
        .get_all("x-multi")
        .iter()
        .map(|v| v.to_str().unwrap())
        .collect();
    assert_eq!(multi, ["1", "2"]);
    assert_eq!(answer.header("content-type"), Some("application/json"));
    let request_id = answer.header("x-amzn-requestid").unwrap().to_owned();

    let event = answer.json();
    assert_eq!(event["resource"], "/pets/{petId}");
    assert_eq!(event["path"], "/pets/7");
    assert_eq!(event["httpMethod"], "POST");
    assert_eq!(event["headers"]["x-multi"], "two");
    assert_eq!(event["multiValueHeaders"]["x-multi"], json!(["one", "two"]));
    assert_eq!(event["headers"]["user-agent"], "lambda-test");
    // The headers API Gateway adds, as AWS spells them (REST, HTTP/1).
    assert_eq!(event["headers"]["X-Forwarded-For"], "127.0.0.1");
    assert_eq!(
        event["headers"]["X-Forwarded-Port"],
        gw.addr.port().to_string()
    );
    assert_eq!(event["headers"].get("content-length"), None);
    assert_eq!(event["queryStringParameters"], json!({"tag": "b"}));
    assert_eq!(
        event["multiValueQueryStringParameters"],
        json!({"tag": ["a", "b"]})
    );
    assert_eq!(event["pathParameters"], json!({"petId": "7"}));
    assert_eq!(event["stageVariables"], json!({"fn": "echo"}));
    assert_eq!(event["body"], r#"{"name":"Rex"}"#);
    assert_eq!(event["isBase64Encoded"], false);
    let request_context = &event["requestContext"];
    assert_eq!(request_context["requestId"], request_id);
    assert_eq!(request_context["path"], "/dev/pets/7");
    assert_eq!(request_context["stage"], "dev");
    assert_eq!(request_context["identity"]["sourceIp"], "127.0.0.1");
    assert_eq!(
        request_context["apiId"],
        turnpike_model::api_id_from_title("Lambda REST")
    );

    // `${stageVariables.fn}` in the ARN picks the function per stage.
    let answer = send(&client(), get(&gw.url("/dev/staged"))).await;
    assert_eq!(answer.status, 201);
    assert_eq!(answer.json()["resource"], "/staged");
    gw.stop().await.unwrap();
    host.shutdown().await;
}

#[tokio::test]
async fn rest_api_answers_function_failures_as_aws_does() {
    let dir = TempDir::new();
    let host = host(&dir).await;
    let gw = serve(&host, vec![rest_api()], &[stage("dev", &[])]).await;
    let c = client();
    let bad_gateway = r#"{"message": "Internal server error"}"#;
    // An unhandled exception, a result that is no proxy response, a function timeout (1 s).
    for path in ["/dev/raise", "/dev/garbage", "/dev/sleep?s=2"] {
        let answer = send(&c, get(&gw.url(path))).await;
        assert_rest_error(&answer, 502, bad_gateway);
    }
    // The integration's 300 ms elapse first.
    let answer = send(&c, get(&gw.url("/dev/slow/sleep?s=1"))).await;
    assert_rest_error(&answer, 504, r#"{"message": "Endpoint request timed out"}"#);
    // No such local function, no stage variable naming one, an integration method other than
    // POST, Lambda throttling the call.
    for path in [
        "/dev/missing",
        "/dev/staged",
        "/dev/get-method",
        "/dev/throttled",
    ] {
        let answer = send(&c, get(&gw.url(path))).await;
        assert_rest_error(&answer, 500, bad_gateway);
    }
    // An event over Lambda's 6 MB request limit.
    let request = Request::post(gw.url("/dev/pets/1"))
        .header("content-type", "text/plain")
        .body(full(vec![b'a'; 6 * 1024 * 1024 + 1]))
        .unwrap();
    let answer = send(&c, request).await;
    assert_eq!(
        (answer.status, answer.body.as_str()),
        (413, r#"{"message":"Request Too Long"}"#)
    );
    assert_eq!(
        answer.header("x-amzn-errortype"),
        Some("RequestTooLargeException")
    );
    // The worker killed by the function timeout was replaced.
    let answer = send(&c, get(&gw.url("/dev/sleep?s=0"))).await;
    assert_eq!((answer.status, answer.body.as_str()), (200, "slept"));
    gw.stop().await.unwrap();
    host.shutdown().await;
}

#[tokio::test]
async fn rest_api_binary_bodies_follow_binary_media_types() {
    let dir = TempDir::new();
    let host = host(&dir).await;
    let gw = serve(&host, vec![rest_api()], &[stage("dev", &[])]).await;
    let request = Request::get(gw.url("/dev/binary"))
        .header("accept", "image/png")
        .body(full(""))
        .unwrap();
    let (status, headers, body) = raw(request).await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "image/png");
    assert_eq!(&body[..], b"\x89PNG");
    // Without a binary Accept the base64 text is the body.
    let (_, _, body) = raw(get(&gw.url("/dev/binary"))).await;
    assert_eq!(&body[..], b"iVBORw==");

    let request = Request::put(gw.url("/dev/pets/1"))
        .header("content-type", "image/png")
        .body(full(&b"\x89PNG"[..]))
        .unwrap();
    let event = send(&client(), request).await.json();
    assert_eq!(event["body"], "iVBORw==");
    assert_eq!(event["isBase64Encoded"], true);
    gw.stop().await.unwrap();
    host.shutdown().await;
}

fn http_api() -> Api {
    let v2 = || lambda("echo", PayloadFormatVersion::V2);
    let mut slow = v2();
    slow.timeout = Duration::from_millis(300);
    let mut items = api(
        "Lambda HTTP",
        ApiKind::Http,
        vec![
            route("GET", "/items/{id}", v2()),
            route(
                "POST",
                "/v1/{proxy+}",
                lambda("echo", PayloadFormatVersion::V1),
            ),
            route("GET", "/raise", v2()),
            route("GET", "/inferred", v2()),
            route("GET", "/binary", v2()),
            route("GET", "/slow/sleep", slow),
            route(
                "GET",
                "/missing",
                lambda("Missing", PayloadFormatVersion::V2),
            ),
        ],
    );
    // HTTP APIs ignore binary media types: base64 results are always decoded.
    items.binary_media_types = Vec::new();
    items
}

#[tokio::test]
async fn http_api_invokes_the_function_with_a_2_0_event() {
    let dir = TempDir::new();
    let host = host(&dir).await;
    let gw = serve(&host, vec![http_api()], &[stage("$default", &[])]).await;
    let request = Request::get(gw.url("/items/42?a=1&a=2"))
        .header("cookie", "s=1; t=2")
        .header("x-multi", "one")
        .header("x-multi", "two")
        .body(full(""))
        .unwrap();
    let answer = send(&client(), request).await;
    assert_eq!(answer.status, 201);
    assert_eq!(answer.header("x-echo"), Some("v2"));
    assert_eq!(
        answer.header("content-type"),
        Some("text/plain; charset=utf-8")
    );
    let cookies: Vec<&str> = answer
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap())
        .collect();
    assert_eq!(cookies, ["a=1", "b=2"]);
    let request_id = answer.header("apigw-requestid").unwrap().to_owned();
    let event = answer.json();
    assert_eq!(event["version"], "2.0");
    assert_eq!(event["routeKey"], "GET /items/{id}");
    assert_eq!(event["rawPath"], "/items/42");
    assert_eq!(event["rawQueryString"], "a=1&a=2");
    assert_eq!(event["cookies"], json!(["s=1", "t=2"]));
    assert_eq!(event["headers"]["x-multi"], "one,two");
    assert_eq!(event["headers"].get("cookie"), None);
    assert_eq!(event["queryStringParameters"], json!({"a": "1,2"}));
    assert_eq!(event["pathParameters"], json!({"id": "42"}));
    assert_eq!(event["requestContext"]["requestId"], request_id);
    assert_eq!(event["requestContext"]["stage"], "$default");
    assert_eq!(event["requestContext"]["http"]["method"], "GET");
    assert_eq!(event.get("body"), None);
    assert_eq!(event.get("stageVariables"), None);

    // A 1.0 route of an HTTP API.
    let request = Request::post(gw.url("/v1/a/b"))
        .header("content-type", "text/plain")
        .body(full("hello"))
        .unwrap();
    let answer = send(&client(), request).await;
    assert_eq!(answer.status, 201);
    let event = answer.json();
    assert_eq!(event["version"], "1.0");
    assert_eq!(event["resource"], "/v1/{proxy+}");
    assert_eq!(event["pathParameters"], json!({"proxy": "a/b"}));
    assert_eq!(event["headers"]["content-length"], "5");
    assert_eq!(event["body"], "hello");
    gw.stop().await.unwrap();
    host.shutdown().await;
}

#[tokio::test]
async fn http_api_infers_responses_and_answers_failures_with_its_fixed_errors() {
    let dir = TempDir::new();
    let host = host(&dir).await;
    let gw = serve(&host, vec![http_api()], &[]).await;
    let c = client();
    let answer = send(&c, get(&gw.url("/inferred"))).await;
    assert_eq!(
        (answer.status, answer.body.as_str()),
        (200, r#"{"message": "hi"}"#)
    );
    assert_eq!(answer.header("content-type"), Some("application/json"));

    let (status, headers, body) = raw(get(&gw.url("/binary"))).await;
    assert_eq!((status, &body[..]), (200, &b"\x89PNG"[..]));
    assert_eq!(headers["content-type"], "image/png");

    for path in ["/raise", "/missing"] {
        let answer = send(&c, get(&gw.url(path))).await;
        assert_eq!(
            (answer.status, answer.body.as_str()),
            (500, r#"{"message":"Internal Server Error"}"#),
            "{path}"
        );
        assert_eq!(answer.header("x-amzn-errortype"), None);
    }
    let answer = send(&c, get(&gw.url("/slow/sleep?s=1"))).await;
    assert_eq!(
        (answer.status, answer.body.as_str()),
        (503, r#"{"message":"Service Unavailable"}"#)
    );
    gw.stop().await.unwrap();
    host.shutdown().await;
}
