//! `provided*` runtimes: a `bootstrap` executable speaking the Runtime API over real HTTP.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;

use crate::test_support::{pool, success_json, TempDir};
use crate::{FunctionConfig, InvokeContext, InvokeError, InvokeResponse, Runtime};

/// The bootstrap of AWS's custom runtime tutorial: curl in a shell loop.
pub(crate) const CURL_ECHO: &str = r#"#!/bin/sh
set -eu
API="http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime"
HEADERS="$(mktemp)"
while true; do
  EVENT=$(curl -sS -D "$HEADERS" "$API/invocation/next")
  REQUEST_ID=$(grep -i '^Lambda-Runtime-Aws-Request-Id:' "$HEADERS" | cut -d' ' -f2 | tr -d '\r\n')
  curl -sS -X POST "$API/invocation/$REQUEST_ID/response" --data-binary "$EVENT" > /dev/null
done
"#;

/// Answers each event with its environment, the `/next` headers and its working directory.
const PYTHON_INTROSPECT: &str = r#"#!/usr/bin/env python3
import json, os, urllib.request
api = "http://" + os.environ["AWS_LAMBDA_RUNTIME_API"] + "/2018-06-01/runtime"
while True:
    with urllib.request.urlopen(api + "/invocation/next") as r:
        request_id = r.headers["Lambda-Runtime-Aws-Request-Id"]
        headers = {k.lower(): v for k, v in r.headers.items()}
        event = json.loads(r.read())
    body = json.dumps({"env": dict(os.environ), "headers": headers, "cwd": os.getcwd(), "event": event})
    request = urllib.request.Request(api + "/invocation/" + request_id + "/response", data=body.encode(), method="POST")
    urllib.request.urlopen(request).read()
"#;

fn provided(dir: &TempDir, name: &str, bootstrap: &str) -> FunctionConfig {
    let code = dir.path().join(name);
    std::fs::create_dir_all(&code).unwrap();
    let path = code.join("bootstrap");
    std::fs::write(&path, bootstrap).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    FunctionConfig::new(name, Runtime::ProvidedAl2023, "unused.handler", code)
}

fn epoch_ms() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis()
}

#[tokio::test]
async fn a_curl_bootstrap_echoes_events() {
    let dir = TempDir::new();
    let (_host, pool) = pool(&dir, provided(&dir, "echo", CURL_ECHO)).await;
    for n in 0..3 {
        let event = format!(r#"{{"hello":"world","n":{n}}}"#);
        let outcome = pool
            .invoke(Bytes::from(event.clone()), InvokeContext::default())
            .await
            .unwrap();
        assert_eq!(
            outcome.response,
            InvokeResponse::Success(Bytes::from(event))
        );
        assert_eq!(outcome.cold_start, n == 0);
    }
}

#[tokio::test]
async fn workers_get_lambdas_environment_and_headers() {
    let dir = TempDir::new();
    let mut config = provided(&dir, "introspect", PYTHON_INTROSPECT);
    config.memory_mb = 256;
    config.timeout = Duration::from_secs(7);
    config
        .environment
        .insert("TABLE_NAME".into(), "pets".into());
    let code_dir = config.code_dir.clone();
    let (_host, pool) = pool(&dir, config).await;
    let ctx = InvokeContext {
        request_id: Some("8476a536-e9f4-11e8-9739-2dfe598c3fcd".into()),
        client_context: Some(r#"{"custom":{"k":"v"}}"#.into()),
        ..InvokeContext::default()
    };
    let before = epoch_ms();
    let outcome = pool.invoke(Bytes::from("{\"a\":1}"), ctx).await.unwrap();
    let after = epoch_ms();
    let answer = success_json(&outcome);

    let env: BTreeMap<String, String> = serde_json::from_value(answer["env"].clone()).unwrap();
    let lambda_env: BTreeMap<&str, &str> = env
        .iter()
        .filter(|(k, _)| {
            k.starts_with("AWS_")
                || k.starts_with("LAMBDA_")
                || ["_HANDLER", "_X_AMZN_TRACE_ID", "TZ"].contains(&k.as_str())
        })
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .filter(|(k, _)| std::env::var(k).is_err())
        .collect();
    let api = lambda_env["AWS_LAMBDA_RUNTIME_API"];
    let stream = lambda_env["AWS_LAMBDA_LOG_STREAM_NAME"];
    let code = code_dir.display().to_string();
    let expected: BTreeMap<&str, &str> = [
        ("_HANDLER", "unused.handler"),
        ("LAMBDA_TASK_ROOT", code.as_str()),
        ("LAMBDA_RUNTIME_DIR", code.as_str()),
        ("AWS_LAMBDA_RUNTIME_API", api),
        ("AWS_LAMBDA_FUNCTION_NAME", "introspect"),
        ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256"),
        ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST"),
        ("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand"),
        ("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/introspect"),
        ("AWS_LAMBDA_LOG_STREAM_NAME", stream),
        ("AWS_REGION", "us-east-1"),
        ("AWS_DEFAULT_REGION", "us-east-1"),
        ("TZ", ":UTC"),
    ]
    .into_iter()
    .collect();
    assert_eq!(lambda_env, expected);
    assert_eq!(env["TABLE_NAME"], "pets");
    let port: u16 = api.strip_prefix("127.0.0.1:").unwrap().parse().unwrap();
    assert_ne!(port, 0);
    assert!(stream.contains("/[$LATEST]"), "{stream}");

    let headers = &answer["headers"];
    assert_eq!(
        headers["lambda-runtime-aws-request-id"],
        "8476a536-e9f4-11e8-9739-2dfe598c3fcd"
    );
    assert_eq!(
        headers["lambda-runtime-invoked-function-arn"],
        "arn:aws:lambda:us-east-1:123456789012:function:introspect"
    );
    assert_eq!(
        headers["lambda-runtime-client-context"],
        r#"{"custom":{"k":"v"}}"#
    );
    assert_eq!(headers.get("lambda-runtime-cognito-identity"), None);
    assert_eq!(headers["content-type"], "application/json");
    assert!(headers["lambda-runtime-trace-id"]
        .as_str()
        .unwrap()
        .starts_with("Root=1-"));
    let deadline: u128 = headers["lambda-runtime-deadline-ms"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        (before + 7000..=after + 7000).contains(&deadline),
        "deadline {deadline} not 7 s after [{before}, {after}]"
    );
    let cwd = std::fs::canonicalize(answer["cwd"].as_str().unwrap()).unwrap();
    assert_eq!(cwd, std::fs::canonicalize(&code_dir).unwrap());
    assert_eq!(answer["event"], serde_json::json!({"a": 1}));
}

#[tokio::test]
async fn a_missing_or_unrunnable_bootstrap_is_an_invalid_entrypoint() {
    let dir = TempDir::new();
    let code = dir.path().join("empty");
    std::fs::create_dir_all(&code).unwrap();
    let config = FunctionConfig::new("empty", Runtime::Provided, "h", &code);
    let (_host, pool) = pool(&dir, config).await;
    let ctx = InvokeContext {
        request_id: Some("r1".into()),
        ..InvokeContext::default()
    };
    let error = pool.invoke(Bytes::from("{}"), ctx).await.unwrap_err();
    assert_eq!(error.error_type(), "Runtime.InvalidEntrypoint");
    assert_eq!(
        error.to_string(),
        format!(
            "RequestId: r1 Error: Couldn't find valid bootstrap(s): [{}/bootstrap]",
            code.display()
        )
    );

    let config = provided(&dir, "noexec", CURL_ECHO);
    use std::os::unix::fs::PermissionsExt;
    let bootstrap = config.code_dir.join("bootstrap");
    std::fs::set_permissions(&bootstrap, std::fs::Permissions::from_mode(0o644)).unwrap();
    let (_host, pool) = crate::test_support::pool(&dir, config).await;
    let ctx = InvokeContext {
        request_id: Some("r2".into()),
        ..InvokeContext::default()
    };
    let error = pool.invoke(Bytes::from("{}"), ctx).await.unwrap_err();
    assert!(matches!(error, InvokeError::InvalidEntrypoint { .. }));
    assert_eq!(
        error.to_string(),
        format!(
            "RequestId: r2 Error: fork/exec {}: permission denied",
            bootstrap.display()
        )
    );
}
