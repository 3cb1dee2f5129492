//! AWS (non-proxy) Lambda integrations through a real gateway and a real Python function (the
//! bundled runtime client): the body or the request template's output as the event, the result
//! as the default integration response, function errors selected by `selectionPattern` against
//! `errorMessage`, and AWS's answers when nothing matches or the call fails.

use std::sync::Arc;
use std::time::Duration;

use http::Request;
use serde_json::json;
use turnpike_functions::{FunctionConfig, FunctionHost, HostConfig, Runtime};
use turnpike_model::{Api, ApiKind, HttpMethod, Integration, IntegrationType};
use turnpike_testkit::TempDir;

use crate::test_support::{api, integration_response as response, route};
use crate::tests::{client, full, get, send, stage, start_with, Running};
use crate::GatewayConfig;

const HANDLER: &str = r#"
import time

class NotFound(Exception):
    pass

def handler(event, context):
    action = event.get("action") if isinstance(event, dict) else None
    if action == "missing":
        raise NotFound("NotFound: no pet " + str(event.get("id")))
    if action == "fail":
        raise ValueError("something else")
    if action == "sleep":
        time.sleep(2)
    return {"received": event}
"#;

fn custom(function: &str) -> Integration {
    let mut integration = Integration::new(IntegrationType::Aws);
    integration.uri = Some(format!(
        "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/\
         arn:aws:lambda:us-east-1:123456789012:function:{function}/invocations"
    ));
    integration.http_method = Some(HttpMethod::Post);
    integration.responses = vec![
        response(
            "default",
            200,
            &[("method.response.header.X-Mapped", "'yes'")],
            &[],
        ),
        response(
            "NotFound:.*",
            404,
            &[("method.response.header.X-Error", "'not-found'")],
            &[("application/json", r#"{"message": "no such pet"}"#)],
        ),
        // Anchored to the whole message: "something else" does not match.
        response("something", 400, &[], &[]),
    ];
    integration
}

async fn serve(dir: &std::path::Path) -> (Arc<FunctionHost>, Running) {
    let code = dir.join("custom");
    std::fs::create_dir_all(&code).unwrap();
    std::fs::write(code.join("app.py"), HANDLER).unwrap();
    let host = FunctionHost::new(HostConfig {
        cache_dir: dir.join("cache"),
        ..HostConfig::default()
    })
    .unwrap();
    let mut config = FunctionConfig::new(
        "custom",
        Runtime::Python("3.11".into()),
        "app.handler",
        code,
    );
    config.timeout = Duration::from_secs(1);
    host.add_function(config).await.unwrap();
    let host = Arc::new(host);

    let mut templated = custom("custom");
    templated.request_templates = [(
        "application/json".to_string(),
        r#"{"action": "echo", "stage": "$context.stage"}"#.to_string(),
    )]
    .into();
    let mut slow = custom("custom");
    slow.timeout = Duration::from_millis(300);
    let mut no_default = custom("custom");
    no_default.responses.remove(0);
    let apis: Vec<Api> = vec![api(
        "Lambda custom",
        ApiKind::Rest,
        vec![
            route("POST", "/pets", custom("custom")),
            route("GET", "/pets", custom("custom")),
            route("POST", "/templated", templated),
            route("POST", "/slow", slow),
            route("POST", "/strict", no_default),
            route("POST", "/absent", custom("Absent")),
        ],
    )];
    let mut gateway = GatewayConfig::new("127.0.0.1:0".parse().unwrap());
    gateway.functions = Some(host.clone());
    let running = start_with(apis, &[stage("dev", &[])], gateway).await;
    (host, running)
}

fn post(url: &str, content_type: &str, body: &'static str) -> Request<crate::tests::TestBody> {
    Request::post(url)
        .header("content-type", content_type)
        .body(full(body))
        .unwrap()
}

#[tokio::test]
async fn results_and_errors_select_integration_responses() {
    let dir = TempDir::new();
    let (_host, gw) = serve(dir.path()).await;
    let c = client();

    // The body is the event; the result is the default response's body.
    let answer = send(
        &c,
        post(
            &gw.url("/dev/pets"),
            "application/json",
            r#"{"name":"Rex"}"#,
        ),
    )
    .await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.json(), json!({"received": {"name": "Rex"}}));
    assert_eq!(answer.header("content-type"), Some("application/json"));
    assert_eq!(answer.header("x-mapped"), Some("yes"));

    // No body: the event is `{}`.
    let answer = send(&c, get(&gw.url("/dev/pets"))).await;
    assert_eq!(answer.json(), json!({"received": {}}));

    // A request template's output is the event.
    let answer = send(
        &c,
        post(&gw.url("/dev/templated"), "application/json", "ignored"),
    )
    .await;
    assert_eq!(
        answer.json(),
        json!({"received": {"action": "echo", "stage": "dev"}})
    );

    // An error whose errorMessage matches a selection pattern takes that response.
    let answer = send(
        &c,
        post(
            &gw.url("/dev/pets"),
            "application/json",
            r#"{"action":"missing","id":7}"#,
        ),
    )
    .await;
    assert_eq!(answer.status, 404);
    assert_eq!(answer.body, r#"{"message": "no such pet"}"#);
    assert_eq!(answer.header("x-error"), Some("not-found"));
    assert_eq!(answer.header("x-mapped"), None);

    // An unmatched error is the default response with the error document as its body.
    let answer = send(
        &c,
        post(
            &gw.url("/dev/pets"),
            "application/json",
            r#"{"action":"fail"}"#,
        ),
    )
    .await;
    assert_eq!(answer.status, 200);
    let mut document = answer.json();
    document["stackTrace"].take();
    assert_eq!(
        document,
        json!({"errorMessage": "something else", "errorType": "ValueError", "requestId": document["requestId"].clone(), "stackTrace": null})
    );

    // A function timeout is an error too: its message selects, here the default.
    let answer = send(
        &c,
        post(
            &gw.url("/dev/pets"),
            "application/json",
            r#"{"action":"sleep"}"#,
        ),
    )
    .await;
    assert_eq!(answer.status, 200);
    let document = answer.json();
    assert_eq!(document["errorType"], "Sandbox.Timedout");
    assert!(document["errorMessage"]
        .as_str()
        .unwrap()
        .ends_with("Task timed out after 1.00 seconds"));
    gw.stop().await.unwrap();
}

#[tokio::test]
async fn failures_answer_as_aws_does() {
    let dir = TempDir::new();
    let (_host, gw) = serve(dir.path()).await;
    let c = client();
    let internal = r#"{"message": "Internal server error"}"#;

    // The integration timeout.
    let answer = send(
        &c,
        post(
            &gw.url("/dev/slow"),
            "application/json",
            r#"{"action":"sleep"}"#,
        ),
    )
    .await;
    assert_eq!(
        (answer.status, answer.body.as_str()),
        (504, r#"{"message": "Endpoint request timed out"}"#)
    );

    // A result with no default response to take it.
    let answer = send(&c, post(&gw.url("/dev/strict"), "application/json", "{}")).await;
    assert_eq!((answer.status, answer.body.as_str()), (500, internal));

    // A body Lambda's Invoke API refuses (not JSON).
    let answer = send(&c, post(&gw.url("/dev/pets"), "text/plain", "hello")).await;
    assert_eq!((answer.status, answer.body.as_str()), (500, internal));

    // A function the host does not run (and no remote invoke configured).
    let answer = send(&c, post(&gw.url("/dev/absent"), "application/json", "{}")).await;
    assert_eq!((answer.status, answer.body.as_str()), (500, internal));
    gw.stop().await.unwrap();
}
