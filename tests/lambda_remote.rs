//! Remote functions end to end: a plain OpenAPI document whose Lambda ARNs name no local function
//! is served, and `turnpike serve`/`turnpike invoke --lambda-endpoint URL` invoke them through
//! the Lambda Invoke API with SigV4. The endpoint is a stand-in Invoke API
//! (crates/functions/src/remote/lambda_api_server.py) that recomputes every signature with
//! botocore, so an answered call was signed correctly. Covered: a result (proxy and non-proxy),
//! an unhandled function error, Lambda's 404, a forged signature, an unreachable endpoint and the
//! integration timeout, each answered as API Gateway answers it.

use crate::support;

use std::io::{BufRead as _, BufReader};
use std::process::{Child, Command, Stdio};

use serde_json::{json, Value};
use support::fixture::document;
use support::sam::{awslambdaric_python, repo};
use support::turnpike::{command, invoke, ACCESS_KEY_ID, SECRET_ACCESS_KEY};
use support::{assert_gateway_response, Req, Turnpike};

const REST_ERROR: &str = r#"{"message": "Internal server error"}"#;
const HTTP_ERROR: &str = r#"{"message":"Internal Server Error"}"#;

/// The stand-in Invoke API, killed when dropped.
struct LambdaApi {
    child: Child,
    url: String,
}

impl LambdaApi {
    fn start() -> LambdaApi {
        let python = awslambdaric_python();
        let has_botocore = Command::new(&python)
            .args(["-c", "import botocore"])
            .status()
            .is_ok_and(|s| s.success());
        assert!(
            has_botocore,
            "{} cannot import botocore: pip install botocore into the .venv",
            python.display()
        );
        let script = repo().join("crates/functions/src/remote/lambda_api_server.py");
        let mut child = Command::new(python)
            .arg(script)
            .args([ACCESS_KEY_ID, SECRET_ACCESS_KEY])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port: u16 = line.trim().parse().unwrap();
        LambdaApi {
            child,
            url: format!("http://127.0.0.1:{port}"),
        }
    }
}

impl Drop for LambdaApi {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl LambdaApi {
    /// How many TCP connections have carried an invocation so far (the stand-in's own
    /// `GET /connections`).
    fn invoking_connections(&self) -> u64 {
        use std::io::{Read as _, Write as _};
        let address = self.url.trim_start_matches("http://");
        let mut stream = std::net::TcpStream::connect(address).unwrap();
        write!(
            stream,
            "GET /connections HTTP/1.1\r\nhost: {address}\r\nconnection: close\r\n\r\n"
        )
        .unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        let body = answer.split("\r\n\r\n").nth(1).unwrap();
        serde_json::from_str::<Value>(body).unwrap()["connections"]
            .as_u64()
            .unwrap()
    }
}

fn uri(name: &str) -> String {
    format!(
        "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/\
         arn:aws:lambda:eu-west-1:210987654321:function:{name}/invocations"
    )
}

fn rest_document() -> String {
    let proxy = |name: &str, extra: &str| {
        format!(
            "      x-amazon-apigateway-integration: {{type: aws_proxy, httpMethod: POST, uri: '{}'{extra}}}\n",
            uri(name)
        )
    };
    format!(
        "openapi: 3.0.1\ninfo: {{title: Remote}}\npaths:\n\
         \x20 /echo:\n    post:\n{}\
         \x20 /boom:\n    get:\n{}\
         \x20 /missing:\n    get:\n{}\
         \x20 /slow:\n    get:\n{}\
         \x20 /custom:\n    post:\n\
         \x20     x-amazon-apigateway-integration:\n\
         \x20       type: aws\n        httpMethod: POST\n        uri: '{}'\n\
         \x20       responses:\n          default: {{statusCode: '200'}}\n\
         \x20         'remote boom': {{statusCode: '418'}}\n\
         \x20 /custom-boom:\n    post:\n\
         \x20     x-amazon-apigateway-integration:\n\
         \x20       type: aws\n        httpMethod: POST\n        uri: '{}'\n\
         \x20       responses:\n          default: {{statusCode: '200'}}\n\
         \x20         'remote boom': {{statusCode: '418'}}\n",
        proxy("echo", ""),
        proxy("boom", ""),
        proxy("nope", ""),
        proxy("slow", ", timeoutInMillis: 500"),
        uri("echo"),
        uri("boom"),
    )
}

const HTTP_DOCUMENT: &str = "openapi: 3.0.1\ninfo: {title: RemoteHttp}\nx-amazon-apigateway-importexport-version: '1.0'\npaths:\n  /boom:\n    get:\n      x-amazon-apigateway-integration: {type: aws_proxy, httpMethod: POST, payloadFormatVersion: '2.0', uri: 'arn:aws:lambda:eu-west-1:210987654321:function:boom'}\n  /echo:\n    get:\n      x-amazon-apigateway-integration: {type: aws_proxy, httpMethod: POST, payloadFormatVersion: '2.0', uri: 'arn:aws:lambda:eu-west-1:210987654321:function:echo'}\n";

/// What the stand-in echoed: (function ARN invoked, event).
fn echoed(reply: &support::Reply) -> (String, Value) {
    assert_eq!(reply.status, 200, "{reply:?}");
    let received = reply.json();
    (
        received["function"].as_str().unwrap().to_string(),
        received["event"].clone(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plain_openapi_document_invokes_functions_in_aws() {
    let api = LambdaApi::start();
    let (_rest_dir, rest) = document("remote.yaml", &rest_document());
    let (_http_dir, http) = document("remote-http.yaml", HTTP_DOCUMENT);
    let tp = Turnpike::serve_args(&[
        rest.to_str().unwrap(),
        http.to_str().unwrap(),
        "--lambda-endpoint",
        &api.url,
    ]);
    let rest_id = support::turnpike::api_id_of_kind(&tp.banner().join("\n"), "REST API");

    // AWS_PROXY: the 1.0 event reached the function; its proxy response is the answer.
    let reply = Req::new("POST", "/dev/echo")
        .body(r#"{"n":1}"#)
        .send(tp.addr)
        .await;
    let (function, event) = echoed(&reply);
    assert_eq!(
        function,
        "arn:aws:lambda:eu-west-1:210987654321:function:echo"
    );
    assert_eq!(event["path"], "/echo");
    assert_eq!(event["body"], r#"{"n":1}"#);
    assert_eq!(event["requestContext"]["apiId"], json!(rest_id));

    // AWS (non-proxy): the body is the event, the result the default response's body.
    let reply = Req::new("POST", "/dev/custom")
        .body(r#"{"n":2}"#)
        .send(tp.addr)
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    let result = reply.json();
    let received: Value = serde_json::from_str(result["body"].as_str().unwrap()).unwrap();
    assert_eq!(received["event"], json!({"n": 2}));
    // ... and a function error's errorMessage selects the response.
    let reply = Req::new("POST", "/dev/custom-boom")
        .body("{}")
        .send(tp.addr)
        .await;
    assert_eq!(reply.status, 418, "{reply:?}");
    assert_eq!(reply.json()["errorMessage"], "remote boom");

    // X-Amz-Function-Error: Unhandled → REST 502, HTTP API 500.
    let reply = Req::get("/dev/boom").send(tp.addr).await;
    assert_gateway_response(
        &reply,
        502,
        REST_ERROR,
        Some("InternalServerErrorException"),
    );
    let reply = Req::get("/boom").send(tp.addr).await;
    assert_eq!((reply.status, reply.text().as_str()), (500, HTTP_ERROR));
    // The 2.0 event reached the function from the HTTP API.
    let reply = Req::get("/echo?x=1").send(tp.addr).await;
    let (_, event) = echoed(&reply);
    assert_eq!(
        (event["version"].clone(), event["rawQueryString"].clone()),
        (json!("2.0"), json!("x=1"))
    );

    // Lambda's 404 ResourceNotFoundException → 500.
    let reply = Req::get("/dev/missing").send(tp.addr).await;
    assert_gateway_response(
        &reply,
        500,
        REST_ERROR,
        Some("InternalServerErrorException"),
    );

    // Every invocation so far, one after the other, went over one kept-alive connection.
    assert_eq!(api.invoking_connections(), 1);

    // The integration's 500 ms timeout, the function answering after 3 s → 504.
    let reply = Req::get("/dev/slow").send(tp.addr).await;
    assert_gateway_response(
        &reply,
        504,
        r#"{"message": "Endpoint request timed out"}"#,
        Some("InternalServerErrorException"),
    );
    let logs = tp.stderr();
    assert!(logs.contains("ResourceNotFoundException"), "{logs}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_signatures_and_unreachable_endpoints_answer_500() {
    let api = LambdaApi::start();
    let (_dir, rest) = document("remote.yaml", &rest_document());
    // Nothing listens on a port just freed.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", listener.local_addr().unwrap())
    };
    let unreachable = Turnpike::serve_args(&[rest.to_str().unwrap(), "--lambda-endpoint", &closed]);
    let reply = Req::new("POST", "/dev/echo")
        .body("{}")
        .send(unreachable.addr)
        .await;
    assert_gateway_response(
        &reply,
        500,
        REST_ERROR,
        Some("InternalServerErrorException"),
    );

    // The same document signed with the wrong secret: Lambda's 403 → 500.
    let output = command()
        .args([
            "invoke",
            "arn:aws:lambda:eu-west-1:210987654321:function:echo",
            "--lambda-endpoint",
            &api.url,
        ])
        .env("AWS_SECRET_ACCESS_KEY", "forged")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(
            "InvalidSignatureException (403): The request signature we calculated does not match"
        ),
        "{stderr}"
    );
}

#[test]
fn invoke_takes_a_function_arn() {
    let api = LambdaApi::start();
    let run = |name: &str| {
        let arn = format!("arn:aws:lambda:eu-west-1:210987654321:function:{name}");
        let args = [arn.as_str(), "--event", "-", "--lambda-endpoint", &api.url];
        invoke(&std::env::temp_dir(), &args, r#"{"from":"stdin"}"#)
    };
    let output = run("echo");
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let result: Value = serde_json::from_slice(&output.stdout).unwrap();
    let received: Value = serde_json::from_str(result["body"].as_str().unwrap()).unwrap();
    assert_eq!(received["event"], json!({"from": "stdin"}));

    let output = run("boom");
    assert_eq!(output.status.code(), Some(1));
    let error: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        (error["errorType"].clone(), error["errorMessage"].clone()),
        (json!("ValueError"), json!("remote boom"))
    );
}
