//! Lambda functions end to end: `turnpike serve template.yaml` runs a SAM application's Python
//! handlers as real worker processes behind its REST and HTTP APIs (events key for key, response
//! mapping, errors, timeouts, reserved concurrency, warm reuse, stage variables, parameter
//! overrides, the bundled client and AWS's `awslambdaric`), and no worker outlives Turnpike.
//! `turnpike invoke` has its own file (invoke.rs).

use crate::support;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use support::sam::{self, alive, project, project_with, wait_gone, TEMPLATE};
use support::turnpike::{api_id_of_kind, run_exit};
use support::{assert_gateway_response, Req, TempDir, Turnpike};

const REST_ERROR: &str = r#"{"message": "Internal server error"}"#;
const HTTP_ERROR: &str = r#"{"message":"Internal Server Error"}"#;

/// Serves the fixture project ([`TEMPLATE`] and its handlers) with `extra` arguments; returns its
/// directory, the template's path and the gateway.
fn serve_fixture(extra: &[&str]) -> (TempDir, PathBuf, Turnpike) {
    let (dir, template) = project(TEMPLATE);
    let mut args = vec![template.to_str().unwrap()];
    args.extend_from_slice(extra);
    let tp = Turnpike::serve_args(&args);
    (dir, template, tp)
}

/// A REST API's answer to a function that failed (raised, timed out, answered badly).
#[track_caller]
fn assert_rest_function_error(reply: &support::Reply) {
    assert_gateway_response(reply, 502, REST_ERROR, Some("InternalServerErrorException"));
}

/// An HTTP API's answer to a function that failed.
#[track_caller]
fn assert_http_function_error(reply: &support::Reply) {
    assert_eq!(reply.status, 500, "{reply:?}");
    assert_eq!(reply.text(), HTTP_ERROR);
}

/// The value of header `name` in an event's `headers` or `multiValueHeaders`, any case.
fn header(headers: &Value, name: &str) -> Value {
    let headers = headers.as_object().expect("headers are an object");
    headers
        .iter()
        .find(|(key, _)| key.eq_ignore_ascii_case(name))
        .map_or(Value::Null, |(_, value)| value.clone())
}

/// The echo handler's answer: (event, worker pid, TABLE, runtime client).
fn echo(reply: &support::Reply) -> (Value, u64, String, String) {
    assert_eq!(reply.status, 200, "{reply:?}");
    let answer = reply.json();
    (
        answer["event"].clone(),
        answer["pid"].as_u64().unwrap(),
        answer["table"].as_str().unwrap().to_string(),
        answer["client"].as_str().unwrap().to_string(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sam_example_serves_its_rest_and_http_api() {
    let template = sam::example_template();
    let tp = Turnpike::serve(&template);
    let banner = tp.banner().join("\n");
    let base = format!("http://{}", tp.addr);
    assert!(
        banner.contains(&format!(
            "  Prod   GET     /hello  {base}/Prod/hello  AWS_PROXY HelloFunction"
        )),
        "{banner}"
    );
    assert!(
        banner.contains(&format!(
            "  $default  GET     /hello/{{name}}  {base}/hello/{{name}}  AWS_PROXY GreetFunction"
        )),
        "{banner}"
    );
    assert!(banner.contains("\nFunctions\n"), "{banner}");

    let reply = Req::get("/Prod/hello").send(tp.addr).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.header("content-type"), Some("application/json"));
    let body = reply.json();
    assert_eq!(body["message"], "Hello from Turnpike");
    assert_eq!(body["path"], "/hello");

    let reply = Req::get("/hello/turnpike").send(tp.addr).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    let body = reply.json();
    assert_eq!(body["message"], "Hello, turnpike!");
    assert_eq!(body["routeKey"], "GET /hello/{name}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rest_events_carry_the_request_the_stage_and_its_variables() {
    let (dir, template, tp) = serve_fixture(&["--parameter-overrides", "Table=prod-table"]);
    let rest_id = api_id_of_kind(&tp.banner().join("\n"), "REST API");
    // The template's other resources are listed as ignored.
    assert!(
        tp.stderr().contains(&format!(
            "{}: ignored: Orders (AWS::DynamoDB::Table)",
            template.display()
        )),
        "{}",
        tp.stderr()
    );

    let reply = Req::get("/Prod/items/42?tag=a&tag=b&single=x")
        .header("X-Multi", "one")
        .header("X-Multi", "two")
        .header("User-Agent", "lambda-test")
        .send(tp.addr)
        .await;
    let (event, first_pid, table, client) = echo(&reply);
    assert_eq!(
        table, "prod-table",
        "--parameter-overrides reaches Environment"
    );
    assert_eq!(client, "bundled");
    assert_eq!(event["resource"], "/items/{id}");
    assert_eq!(event["path"], "/items/42");
    assert_eq!(event["httpMethod"], "GET");
    assert_eq!(event["pathParameters"], json!({"id": "42"}));
    assert_eq!(
        event["queryStringParameters"],
        json!({"tag": "b", "single": "x"})
    );
    assert_eq!(
        event["multiValueQueryStringParameters"],
        json!({"tag": ["a", "b"], "single": ["x"]})
    );
    // REST APIs keep an HTTP/1.1 client's header case (this test client sends lower case; the
    // gateway's own test `rest_events_keep_the_clients_header_name_case` sends mixed case).
    assert_eq!(
        header(&event["headers"], "X-Multi"),
        json!("two"),
        "{event}"
    );
    assert_eq!(
        header(&event["multiValueHeaders"], "X-Multi"),
        json!(["one", "two"])
    );
    assert_eq!(
        header(&event["headers"], "User-Agent"),
        json!("lambda-test")
    );
    assert_eq!(
        event["stageVariables"],
        json!({"color": "blue", "region": "here"})
    );
    assert_eq!(event["body"], Value::Null);
    assert_eq!(event["isBase64Encoded"], false);
    let ctx = &event["requestContext"];
    assert_eq!(ctx["stage"], "Prod");
    assert_eq!(ctx["apiId"], rest_id.as_str());
    assert_eq!(ctx["path"], "/Prod/items/42");
    assert_eq!(ctx["resourcePath"], "/items/{id}");
    assert_eq!(ctx["httpMethod"], "GET");
    assert_eq!(ctx["accountId"], "123456789012");
    assert_eq!(ctx["identity"]["sourceIp"], "127.0.0.1");
    assert_eq!(ctx["identity"]["userAgent"], "lambda-test");
    assert_eq!(ctx["requestId"], reply.header("x-amzn-requestid").unwrap());

    // Warm reuse: the second call is served by the same process.
    let (event, second_pid, _, _) = echo(&Req::get("/Prod/items/7").send(tp.addr).await);
    assert_eq!(second_pid, first_pid);
    assert_eq!(event["pathParameters"], json!({"id": "7"}));
    assert!(alive(u32::try_from(first_pid).unwrap()));
    drop(dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_api_events_are_payload_2_0() {
    let (_dir, _template, tp) = serve_fixture(&[]);
    let http_id = api_id_of_kind(&tp.banner().join("\n"), "HTTP API");
    let reply = Req::get("/items/7?tag=a&tag=b")
        .header("Cookie", "c1=v1; c2=v2")
        .header("X-Multi", "one")
        .header("X-Multi", "two")
        .send(tp.addr)
        .await;
    let (event, _, table, _) = echo(&reply);
    assert_eq!(table, "dev-table", "the parameter's default");
    assert_eq!(event["version"], "2.0");
    assert_eq!(event["routeKey"], "GET /items/{id}");
    assert_eq!(event["rawPath"], "/items/7");
    assert_eq!(event["rawQueryString"], "tag=a&tag=b");
    assert_eq!(event["cookies"], json!(["c1=v1", "c2=v2"]));
    assert_eq!(event["headers"]["x-multi"], "one,two");
    assert_eq!(event["queryStringParameters"], json!({"tag": "a,b"}));
    assert_eq!(event["pathParameters"], json!({"id": "7"}));
    assert_eq!(event["isBase64Encoded"], false);
    // The implicit HTTP API declares no stage variables, so the key is absent.
    assert_eq!(event.get("stageVariables"), None);
    let ctx = &event["requestContext"];
    assert_eq!(ctx["stage"], "$default");
    assert_eq!(ctx["apiId"], http_id.as_str());
    assert_eq!(ctx["routeKey"], "GET /items/{id}");
    assert_eq!(ctx["http"]["method"], "GET");
    assert_eq!(ctx["http"]["path"], "/items/7");
    assert_eq!(ctx["requestId"], reply.header("apigw-requestid").unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stage_options_rename_template_stages_and_merge_variables() {
    let (_dir, _template, tp) = serve_fixture(&[
        "--stage",
        "v1",
        "--stage-var",
        "v1:color=red",
        "--stage-var",
        "extra=1",
    ]);
    let (event, _, _, _) = echo(&Req::get("/v1/items/1").send(tp.addr).await);
    assert_eq!(event["requestContext"]["stage"], "v1");
    assert_eq!(
        event["stageVariables"],
        json!({"color": "red", "extra": "1", "region": "here"})
    );
    // The template's stage name is replaced, not added to.
    let reply = Req::get("/Prod/items/1").send(tp.addr).await;
    support::assert_forbidden(&reply);
    // `--stage` applies to the HTTP API too.
    let (event, _, _, _) = echo(&Req::get("/v1/items/2").send(tp.addr).await);
    assert_eq!(event["requestContext"]["stage"], "v1");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn function_results_become_responses() {
    let (_dir, _template, tp) = serve_fixture(&[]);
    let respond = |path: &str, result: Value| {
        Req::new("POST", path)
            .header("Content-Type", "application/json")
            .body(result.to_string())
    };

    let result = json!({
        "statusCode": 201,
        "headers": {"X-One": "1", "Content-Type": "text/plain"},
        "multiValueHeaders": {"X-Many": ["a", "b"]},
        "body": "created",
    });
    let reply = respond("/Prod/respond", result.clone()).send(tp.addr).await;
    assert_eq!(reply.status, 201, "{reply:?}");
    assert_eq!(reply.header("x-one"), Some("1"));
    assert_eq!(reply.headers_all("x-many"), ["a", "b"]);
    assert_eq!(reply.header("content-type"), Some("text/plain"));
    assert_eq!(reply.text(), "created");
    // Payload 2.0 has no multiValueHeaders (multiple values are comma-joined in headers).
    let reply = respond("/respond", result).send(tp.addr).await;
    assert_eq!(reply.status, 201, "{reply:?}");
    assert_eq!(reply.header("x-one"), Some("1"));
    assert_eq!(reply.headers_all("x-many"), Vec::<&str>::new());
    assert_eq!(reply.text(), "created");

    // Base64 bodies: REST decodes them when Accept names a binary media type of the API.
    let png = json!({
        "statusCode": 200,
        "headers": {"Content-Type": "image/png"},
        "body": "iVBORw0KGgo=",
        "isBase64Encoded": true,
    });
    let reply = respond("/Prod/respond", png.clone())
        .header("Accept", "image/png")
        .send(tp.addr)
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(&reply.body[..], b"\x89PNG\r\n\x1a\n");
    let reply = respond("/Prod/respond", png.clone()).send(tp.addr).await;
    assert_eq!(reply.text(), "iVBORw0KGgo=");
    // HTTP APIs always decode.
    let reply = respond("/respond", png).send(tp.addr).await;
    assert_eq!(&reply.body[..], b"\x89PNG\r\n\x1a\n");

    // Payload 2.0: cookies become Set-Cookie; a result without statusCode is a JSON 200.
    let with_cookies = json!({"statusCode": 200, "cookies": ["a=1", "b=2; Secure"], "body": "ok"});
    let reply = respond("/respond", with_cookies).send(tp.addr).await;
    assert_eq!(reply.headers_all("set-cookie"), ["a=1", "b=2; Secure"]);
    let reply = respond("/respond", json!({"hello": "world"}))
        .send(tp.addr)
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.header("content-type"), Some("application/json"));
    assert_eq!(reply.json(), json!({"hello": "world"}));
    // ... which a REST API (payload 1.0) refuses as a malformed proxy response.
    let reply = respond("/Prod/respond", json!({"hello": "world"}))
        .send(tp.addr)
        .await;
    assert_rest_function_error(&reply);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn raising_handlers_and_timeouts_answer_as_aws() {
    let (_dir, _template, tp) = serve_fixture(&[]);
    let reply = Req::get("/Prod/fail").send(tp.addr).await;
    assert_rest_function_error(&reply);
    let reply = Req::get("/fail").send(tp.addr).await;
    assert_http_function_error(&reply);

    // Timeout: 1 against a handler sleeping 30 s: Lambda stops it after a second.
    let started = Instant::now();
    let reply = Req::get("/Prod/slow").send(tp.addr).await;
    let took = started.elapsed();
    assert_rest_function_error(&reply);
    assert!(
        took >= Duration::from_secs(1) && took < Duration::from_secs(10),
        "{took:?}"
    );
    let reply = Req::get("/slow").send(tp.addr).await;
    assert_http_function_error(&reply);
    let log = tp.stderr();
    assert!(log.contains("Task timed out after 1.00 seconds"), "{log}");
    assert!(log.contains("ValueError") || log.contains("boom"), "{log}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reserved_concurrency_serialises_and_zero_throttles() {
    let (_dir, _template, tp) = serve_fixture(&[]);
    // Warm the single worker first, so the timing below is the handler's alone.
    let warm = Req::get("/Prod/serial").send(tp.addr).await;
    assert_eq!(warm.status, 200, "{warm:?}");
    let started = Instant::now();
    let (a, b) = tokio::join!(
        Req::get("/Prod/serial").send(tp.addr),
        Req::get("/Prod/serial").send(tp.addr)
    );
    let took = started.elapsed();
    assert_eq!((a.status, b.status), (200, 200), "{a:?} {b:?}");
    // One worker served both, one after the other (each sleeps 0.5 s).
    assert_eq!(a.text(), warm.text());
    assert_eq!(b.text(), warm.text());
    assert!(took >= Duration::from_millis(1000), "{took:?}");

    let reply = Req::get("/Prod/throttled").send(tp.addr).await;
    assert_gateway_response(
        &reply,
        500,
        REST_ERROR,
        Some("InternalServerErrorException"),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn awslambdaric_runs_the_same_handlers() {
    let python = sam::awslambdaric_python();
    let (_dir, _template, tp) = serve_fixture(&[
        "--runtime-client",
        "awslambdaric",
        "--python",
        python.to_str().unwrap(),
    ]);
    let (event, pid, _, client) = echo(&Req::get("/Prod/items/9?q=1").send(tp.addr).await);
    assert_eq!(client, "awslambdaric");
    assert_eq!(event["pathParameters"], json!({"id": "9"}));
    assert_eq!(event["queryStringParameters"], json!({"q": "1"}));
    let (event, second, _, _) = echo(&Req::get("/items/9").send(tp.addr).await);
    assert_eq!(second, pid, "warm reuse under awslambdaric");
    assert_eq!(event["routeKey"], "GET /items/{id}");
    let reply = Req::get("/Prod/fail").send(tp.addr).await;
    assert_rest_function_error(&reply);
}

#[test]
fn awslambdaric_missing_is_one_clear_error() {
    let (_dir, template) = project(TEMPLATE);
    let (_, stderr) = run_exit(
        &[
            "serve",
            template.to_str().unwrap(),
            "--listen",
            "127.0.0.1:0",
            "--runtime-client",
            "awslambdaric",
            "--python",
            "/nonexistent/python3",
        ],
        1,
    );
    assert!(
        stderr.contains(
            "turnpike: error: --runtime-client awslambdaric: cannot run /nonexistent/python3: "
        ),
        "{stderr}"
    );
}

/// The worker pids of a served fixture after a call to each of its functions that answers.
async fn warm_workers(tp: &Turnpike) -> Vec<u32> {
    let mut pids = Vec::new();
    for path in ["/Prod/items/1", "/Prod/serial"] {
        let reply = Req::get(path).send(tp.addr).await;
        assert_eq!(reply.status, 200, "{reply:?}");
        let pid = match reply.json() {
            Value::Number(n) => n.as_u64(),
            answer => answer["pid"].as_u64(),
        };
        pids.push(u32::try_from(pid.unwrap()).unwrap());
    }
    assert_ne!(pids[0], pids[1]);
    for &pid in &pids {
        assert!(alive(pid), "worker {pid} should run while Turnpike does");
    }
    pids
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_worker_outlives_a_sigterm() {
    let (_dir, _template, mut tp) = serve_fixture(&[]);
    let pids = warm_workers(&tp).await;
    tp.signal("TERM");
    let status = tp
        .wait_exit(Duration::from_secs(10))
        .expect("turnpike exits");
    assert!(status.success(), "{status:?}\n{}", tp.stderr());
    assert_eq!(wait_gone(&pids, Duration::from_secs(5)), Vec::<u32>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_worker_outlives_a_sigkill() {
    let (_dir, _template, mut tp) = serve_fixture(&[]);
    let pids = warm_workers(&tp).await;
    tp.signal("KILL");
    tp.wait_exit(Duration::from_secs(10))
        .expect("turnpike dies");
    assert_eq!(wait_gone(&pids, Duration::from_secs(5)), Vec::<u32>::new());
}

#[test]
fn unknown_runtimes_stop_serve_naming_file_and_function() {
    let java = TEMPLATE.replace(
        "  FailFunction:\n    Type: AWS::Serverless::Function\n    Properties:\n",
        "  FailFunction:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: java21\n",
    );
    let (_dir, template) = project(&java);
    let (_, stderr) = run_exit(
        &[
            "serve",
            template.to_str().unwrap(),
            "--listen",
            "127.0.0.1:0",
        ],
        1,
    );
    assert_eq!(
        stderr,
        format!(
            "turnpike: {}: ignored: Orders (AWS::DynamoDB::Table)\n\
             {}: /Resources/FailFunction: function FailFunction: unknown runtime `java21`: \
             Turnpike runs provided, provided.al2, provided.al2023, python3.x and nodejsN.x\n\
             turnpike: 1 error\n",
            template.display(),
            template.display()
        )
    );
    // `validate` finds the same.
    let (_, stderr) = run_exit(&["validate", template.to_str().unwrap()], 1);
    assert!(stderr.contains("function FailFunction: unknown runtime `java21`"));
}

#[test]
fn validate_and_routes_read_templates() {
    let template = sam::example_template();
    let (stdout, _) = run_exit(&["validate", template.to_str().unwrap()], 0);
    assert_eq!(
        stdout.lines().next(),
        Some(format!("{}: ok (2 APIs, 2 functions)", template.display()).as_str())
    );
    assert!(
        stdout.contains("  function HelloFunction: python3.12 app.lambda_handler\n"),
        "{stdout}"
    );
    assert!(stdout.contains(": 1 route, stage Prod\n"), "{stdout}");

    let (stdout, _) = run_exit(
        &[
            "routes",
            template.to_str().unwrap(),
            "--listen",
            "127.0.0.1:9999",
            "--parameter-overrides",
            "Greeting=Howdy",
        ],
        0,
    );
    assert!(
        stdout.contains(
            "  Prod   GET     /hello  http://127.0.0.1:9999/Prod/hello  AWS_PROXY HelloFunction\n"
        ),
        "{stdout}"
    );
    // An unknown parameter is the template's error, with its location.
    run_exit(
        &[
            "routes",
            template.to_str().unwrap(),
            "--parameter-overrides",
            "Nope=1",
        ],
        1,
    );
}

const WATCHED_TEMPLATE: &str = r#"
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  VersionFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: python3.11
      Events:
        Rest:
          Type: Api
          Properties:
            Path: /version
            Method: get
"#;

fn version_handler(version: &str) -> String {
    format!("def handler(event, context):\n    return {{\"statusCode\": 200, \"body\": \"{version}\"}}\n")
}

/// `GET /Prod/version` until it answers `want` (up to 5 s); the last answer.
async fn poll_version(tp: &Turnpike, want: &str) -> String {
    let started = Instant::now();
    loop {
        let reply = Req::get("/Prod/version").send(tp.addr).await;
        let text = reply.text();
        if text == want || started.elapsed() > Duration::from_secs(5) {
            return text;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_restarts_functions_whose_code_changes_unless_told_not_to() {
    let (dir, template) = project_with(WATCHED_TEMPLATE, "app.py", &version_handler("v1"));
    let tp = Turnpike::serve(&template);
    assert_eq!(poll_version(&tp, "v1").await, "v1");
    dir.write("src/app.py", &version_handler("v2"));
    assert_eq!(poll_version(&tp, "v2").await, "v2", "{}", tp.stderr());
    drop(tp);

    let tp = Turnpike::serve_args(&[template.to_str().unwrap(), "--no-watch"]);
    assert_eq!(poll_version(&tp, "v2").await, "v2");
    dir.write("src/app.py", &version_handler("v3"));
    tokio::time::sleep(Duration::from_millis(500)).await;
    let reply = Req::get("/Prod/version").send(tp.addr).await;
    assert_eq!(reply.text(), "v2");
}

const NODE_TEMPLATE: &str = r#"
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  NodeFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: index.handler
      Runtime: nodejs20.x
      Events:
        Rest:
          Type: Api
          Properties:
            Path: /node/{id}
            Method: get
        Http:
          Type: HttpApi
          Properties:
            Path: /node/{id}
            Method: get
"#;

const NODE_HANDLER: &str = r#"
export const handler = async (event, context) => {
  if (event.pathParameters.id === "fail") throw new TypeError("bad id");
  return {
    statusCode: 200,
    headers: { "x-runtime": process.env.AWS_EXECUTION_ENV },
    body: JSON.stringify({ version: event.version, id: event.pathParameters.id, fn: context.functionName }),
  };
};
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nodejs_functions_run_with_the_bundled_client() {
    let (_dir, template) = project_with(NODE_TEMPLATE, "index.mjs", NODE_HANDLER);
    let tp = Turnpike::serve(&template);

    let reply = Req::get("/Prod/node/7").send(tp.addr).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.header("x-runtime"), Some("AWS_Lambda_nodejs20.x"));
    assert_eq!(reply.json(), json!({"id": "7", "fn": "NodeFunction"}));
    let reply = Req::get("/node/8").send(tp.addr).await;
    assert_eq!(
        reply.json(),
        json!({"version": "2.0", "id": "8", "fn": "NodeFunction"})
    );
    // A thrown error is an unhandled function error: REST 502, HTTP API 500.
    let reply = Req::get("/Prod/node/fail").send(tp.addr).await;
    assert_rest_function_error(&reply);
    let reply = Req::get("/node/fail").send(tp.addr).await;
    assert_http_function_error(&reply);
}
