//! SAM projects for the functions tests: a template with Python handlers written into a temp
//! dir, the repository's example and venv, and worker processes seen through /proc.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::TempDir;

/// The repository root.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `examples/sam/template.yaml`.
pub fn example_template() -> PathBuf {
    repo().join("examples/sam/template.yaml")
}

/// The venv with PyPI `awslambdaric` that `.ci/run` creates; panics with how to make it.
pub fn awslambdaric_python() -> PathBuf {
    let python = repo().join(".venv/bin/python");
    assert!(
        python.is_file(),
        "{} is missing: run .ci/run, or `python3 -m venv .venv && .venv/bin/pip install \
         awslambdaric` at the repository root",
        python.display()
    );
    python
}

/// The handlers of [`TEMPLATE`].
pub const APP: &str = r#"
import json
import os
import sys
import time


def echo(event, context):
    """Returns the event it received, and who ran it."""
    return {
        "statusCode": 200,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps({
            "event": event,
            "pid": os.getpid(),
            "table": os.environ.get("TABLE"),
            "client": "awslambdaric" if "awslambdaric" in sys.modules else "bundled",
            "function": context.function_name,
        }),
    }


def respond(event, context):
    """Answers with the proxy response the request body holds."""
    return json.loads(event["body"])


def fail(event, context):
    raise ValueError("boom")


def slow(event, context):
    time.sleep(30)
    return {"statusCode": 200, "body": "late"}


def serial(event, context):
    time.sleep(0.5)
    return {"statusCode": 200, "body": str(os.getpid())}
"#;

/// A SAM application: an explicit REST API (`ShopApi`, stage `Prod`, stage variables, a binary
/// media type) and the implicit HTTP API, in front of the handlers of [`APP`].
pub const TEMPLATE: &str = r#"AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Parameters:
  Table:
    Type: String
    Default: dev-table

Globals:
  Function:
    Runtime: python3.12
    CodeUri: src/
    Timeout: 3
    Environment:
      Variables:
        TABLE: !Ref Table

Resources:
  ShopApi:
    Type: AWS::Serverless::Api
    Properties:
      StageName: Prod
      Variables:
        color: blue
        region: here
      BinaryMediaTypes: ["image~1png"]

  EchoFunction:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.echo
      Events:
        Rest:
          Type: Api
          Properties: { RestApiId: !Ref ShopApi, Path: "/items/{id}", Method: get }
        Http:
          Type: HttpApi
          Properties: { Path: "/items/{id}", Method: get }

  RespondFunction:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.respond
      Events:
        Rest:
          Type: Api
          Properties: { RestApiId: !Ref ShopApi, Path: /respond, Method: post }
        Http:
          Type: HttpApi
          Properties: { Path: /respond, Method: post }

  FailFunction:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.fail
      Events:
        Rest:
          Type: Api
          Properties: { RestApiId: !Ref ShopApi, Path: /fail, Method: get }
        Http:
          Type: HttpApi
          Properties: { Path: /fail, Method: get }

  SlowFunction:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.slow
      Timeout: 1
      Events:
        Rest:
          Type: Api
          Properties: { RestApiId: !Ref ShopApi, Path: /slow, Method: get }
        Http:
          Type: HttpApi
          Properties: { Path: /slow, Method: get }

  SerialFunction:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.serial
      ReservedConcurrentExecutions: 1
      Events:
        Rest:
          Type: Api
          Properties: { RestApiId: !Ref ShopApi, Path: /serial, Method: get }

  ThrottledFunction:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.echo
      ReservedConcurrentExecutions: 0
      Events:
        Rest:
          Type: Api
          Properties: { RestApiId: !Ref ShopApi, Path: /throttled, Method: get }

  Orders:
    Type: AWS::DynamoDB::Table
    Properties:
      AttributeDefinitions: [{ AttributeName: id, AttributeType: S }]
      KeySchema: [{ AttributeName: id, KeyType: HASH }]
      BillingMode: PAY_PER_REQUEST
"#;

/// A project directory holding `template` as `template.yaml` and [`APP`] as `src/app.py`.
pub fn project(template: &str) -> (TempDir, PathBuf) {
    project_with(template, "app.py", APP)
}

/// A project directory holding `template` as `template.yaml` and `code` as `src/NAME`; returns it
/// with the template's path.
pub fn project_with(template: &str, name: &str, code: &str) -> (TempDir, PathBuf) {
    let dir = TempDir::new();
    std::fs::create_dir_all(dir.path().join("src")).unwrap();
    dir.write(&format!("src/{name}"), code);
    let path = dir.write("template.yaml", template);
    (dir, path)
}

/// True while process `pid` exists and is not a zombie.
pub fn alive(pid: u32) -> bool {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return false;
    };
    // `pid (comm) STATE ...`; comm may hold spaces and parentheses.
    let state = stat.rsplit_once(')').map(|(_, rest)| rest.trim_start());
    !state.is_some_and(|s| s.starts_with('Z'))
}

/// Waits up to `timeout` for every process of `pids` to be gone; returns those still alive.
pub fn wait_gone(pids: &[u32], timeout: Duration) -> Vec<u32> {
    let deadline = Instant::now() + timeout;
    loop {
        let left: Vec<u32> = pids.iter().copied().filter(|&pid| alive(pid)).collect();
        if left.is_empty() || Instant::now() > deadline {
            return left;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}
