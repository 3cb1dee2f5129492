//! A Rust function built on AWS's own crates.io `lambda_runtime` and `aws_lambda_events`
//! (tests/fixtures/rust-fn, its own cargo project) runs as a `provided.al2023` bootstrap behind a
//! SAM template's REST API (payload 1.0, read as `ApiGatewayProxyRequest`) and HTTP API (payload
//! 2.0, read as `ApiGatewayV2httpRequest`). The function echoes the fields it parsed, so these
//! assertions prove Turnpike's events deserialize into the official types.
//!
//! The function is built with `cargo build --locked` into `target/rust-fn` (kept between runs);
//! the first build fetches its dependencies from crates.io.

use crate::support;

use std::path::PathBuf;
use std::process::Command;

use serde_json::{json, Value};
use support::fixture::TempDir;
use support::sam::repo;
use support::{Req, Turnpike};

const TEMPLATE: &str = r#"
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  RustFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: fn/
      Handler: bootstrap
      Runtime: provided.al2023
      Events:
        Rest:
          Type: Api
          Properties:
            Path: /pets/{id}
            Method: post
        Http:
          Type: HttpApi
          Properties:
            Path: /pets/{id}
            Method: post
"#;

/// Builds the fixture and returns its `bootstrap`.
fn build() -> PathBuf {
    let manifest = repo().join("tests/fixtures/rust-fn/Cargo.toml");
    let target = repo().join("target/rust-fn");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .args(["build", "--locked", "--manifest-path"])
        .arg(&manifest)
        .env("CARGO_TARGET_DIR", &target)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "building the Rust function failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    target.join("debug/bootstrap")
}

/// The echo the function answered.
fn echo(reply: &support::Reply) -> Value {
    assert_eq!(reply.status, 200, "{reply:?}");
    reply.json()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_deserialize_into_the_official_rust_types() {
    let bootstrap = build();
    let dir = TempDir::new();
    std::fs::create_dir_all(dir.path().join("fn")).unwrap();
    std::fs::copy(&bootstrap, dir.path().join("fn/bootstrap")).unwrap();
    let template = dir.write("template.yaml", TEMPLATE);
    let tp = Turnpike::serve(&template);

    let reply = Req::new("POST", "/Prod/pets/7?pet=a&pet=b")
        .header("x-echo", "one")
        .json(r#"{"name":"Rex"}"#)
        .send(tp.addr)
        .await;
    let mut answer = echo(&reply);
    let request_id = reply.header("x-amzn-requestid").unwrap().to_string();
    assert_eq!(answer["requestId"].take(), json!(request_id));
    assert!(!answer["awsRequestId"].take().as_str().unwrap().is_empty());
    assert_eq!(
        answer,
        json!({
            "format": "1.0",
            "resource": "/pets/{id}",
            "path": "/pets/7",
            "method": "POST",
            "headers": "one",
            "multiValueHeaders": ["one"],
            "query": "b",
            "multiValueQuery": ["a", "b"],
            "pathParameters": {"id": "7"},
            "stageVariables": {},
            "body": r#"{"name":"Rex"}"#,
            "isBase64Encoded": false,
            "requestId": null,
            "stage": "Prod",
            "sourceIp": "127.0.0.1",
            "awsRequestId": null,
        })
    );

    let reply = Req::new("POST", "/pets/8?pet=c")
        .header("x-echo", "two")
        .header("cookie", "a=1; b=2")
        .json(r#"{"name":"Fido"}"#)
        .send(tp.addr)
        .await;
    let mut answer = echo(&reply);
    assert!(!answer["requestId"].take().as_str().unwrap().is_empty());
    assert!(!answer["awsRequestId"].take().as_str().unwrap().is_empty());
    assert_eq!(
        answer,
        json!({
            "format": "2.0",
            "routeKey": "POST /pets/{id}",
            "rawPath": "/pets/8",
            "rawQueryString": "pet=c",
            "method": "POST",
            "path": "/pets/8",
            "sourceIp": "127.0.0.1",
            "cookies": ["a=1", "b=2"],
            "headers": "two",
            "query": "c",
            "pathParameters": {"id": "8"},
            "stageVariables": {},
            "body": r#"{"name":"Fido"}"#,
            "isBase64Encoded": false,
            "requestId": null,
            "stage": "$default",
            "awsRequestId": null,
        })
    );
}
