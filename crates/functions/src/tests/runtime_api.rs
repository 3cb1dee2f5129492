//! The Runtime API's answers to misbehaving runtimes: a `provided` bootstrap probes the endpoint
//! over real HTTP and reports what it got in its responses (or its log lines).

use bytes::Bytes;

use crate::test_support::{function_logs, pool, success_json, LogCapture, TempDir};
use crate::{FunctionConfig, InvokeContext, InvokeError, Runtime};

const PROBE: &str = r#"#!/usr/bin/env python3
import json, os, urllib.request, urllib.error
api = "http://" + os.environ["AWS_LAMBDA_RUNTIME_API"] + "/2018-06-01/runtime"

def call(method, path, body=None, headers={}):
    request = urllib.request.Request(api + path, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request) as r:
            return [r.status, r.read().decode()]
    except urllib.error.HTTPError as e:
        return [e.code, e.read().decode()]

def next_id():
    with urllib.request.urlopen(api + "/invocation/next") as r:
        r.read()
        return r.headers["Lambda-Runtime-Aws-Request-Id"]

seen = {"before_next": call("POST", "/invocation/nope/response", b"{}")}
rid = next_id()
seen["next_again_same_id"] = next_id() == rid
seen["wrong_id"] = call("POST", "/invocation/not-" + rid + "/response", b"{}")
seen["init_error_after_next"] = call("POST", "/init/error", b"{}")
seen["unknown_path"] = call("GET", "/invocation/x")
seen["wrong_method"] = call("GET", "/invocation/" + rid + "/response")
first = call("POST", "/invocation/" + rid + "/response", json.dumps(seen).encode())
duplicate = call("POST", "/invocation/" + rid + "/response", b"{}")

rid = next_id()
call("POST", "/invocation/" + rid + "/response", json.dumps({"first": first, "duplicate": duplicate}).encode())

rid = next_id()
too_large = call("POST", "/invocation/" + rid + "/response", b'"' + b"x" * (6 * 1024 * 1024 + 100) + b'"')

rid = next_id()
error = call("POST", "/invocation/" + rid + "/error", b'{"errorMessage":"bad","errorType":"Custom.Bad"}', {"Lambda-Runtime-Function-Error-Type": "Custom.Bad"})

rid = next_id()
call("POST", "/invocation/" + rid + "/response", json.dumps({"too_large": too_large, "error": error}).encode())
while True:
    rid = next_id()
    call("POST", "/invocation/" + rid + "/response", b"{}")
"#;

/// Reports an init error, prints what a second init error and `/next` get, then waits.
const INIT_FAILS: &str = r#"#!/usr/bin/env python3
import os, time, urllib.request, urllib.error
api = "http://" + os.environ["AWS_LAMBDA_RUNTIME_API"] + "/2018-06-01/runtime"

def call(method, path, body=None, headers={}):
    request = urllib.request.Request(api + path, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request) as r:
            return "%d %s" % (r.status, r.read().decode().strip())
    except urllib.error.HTTPError as e:
        return "%d %s" % (e.code, e.read().decode().strip())

headers = {"Lambda-Runtime-Function-Error-Type": "Custom.Init"}
print(call("POST", "/init/error", b'{"errorMessage":"no config","errorType":"Custom.Init"}', headers), flush=True)
print(call("POST", "/init/error", b"{}", headers), flush=True)
print(call("GET", "/invocation/next"), flush=True)
time.sleep(60)
"#;

fn provided(dir: &TempDir, name: &str, bootstrap: &str) -> FunctionConfig {
    let code = dir.path().join(name);
    std::fs::create_dir_all(&code).unwrap();
    std::fs::write(code.join("bootstrap"), bootstrap).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(
        code.join("bootstrap"),
        std::fs::Permissions::from_mode(0o755),
    )
    .unwrap();
    FunctionConfig::new(name, Runtime::Provided, "h", code)
}

fn ctx(request_id: &str) -> InvokeContext {
    InvokeContext {
        request_id: Some(request_id.into()),
        ..InvokeContext::default()
    }
}

#[tokio::test]
async fn wrong_ids_states_paths_and_sizes_get_lambdas_answers() {
    let dir = TempDir::new();
    let (_host, pool) = pool(&dir, provided(&dir, "probe", PROBE)).await;

    let first = pool.invoke(Bytes::from("{}"), ctx("one")).await.unwrap();
    let forbidden = |from: &str, to: &str| {
        format!("{{\"errorMessage\":\"State transition from {from} to {to} failed for runtime. Error: State transition is not allowed\",\"errorType\":\"InvalidStateTransition\"}}\n")
    };
    let invalid_id =
        "{\"errorMessage\":\"Invalid request ID\",\"errorType\":\"InvalidRequestID\"}\n";
    assert_eq!(
        success_json(&first),
        serde_json::json!({
            "before_next": [400, invalid_id],
            "next_again_same_id": true,
            "wrong_id": [400, invalid_id],
            "init_error_after_next": [403, forbidden("Ready", "InitError")],
            "unknown_path": [404, "404 page not found\n"],
            "wrong_method": [405, ""],
        })
    );

    let second = pool.invoke(Bytes::from("{}"), ctx("two")).await.unwrap();
    assert_eq!(
        success_json(&second),
        serde_json::json!({
            "first": [202, "{\"status\":\"OK\"}\n"],
            "duplicate": [403, forbidden("RuntimeResponseSentState", "InvocationResponse")],
        })
    );

    let error = pool
        .invoke(Bytes::from("{}"), ctx("three"))
        .await
        .unwrap_err();
    assert!(matches!(error, InvokeError::ResponseTooLarge { .. }));
    assert_eq!(
        error.to_string(),
        "Response payload size (6291558 bytes) exceeded maximum allowed payload size (6291556 bytes)."
    );

    let reported = pool.invoke(Bytes::from("{}"), ctx("four")).await.unwrap();
    assert_eq!(
        reported.response,
        crate::InvokeResponse::FunctionError(crate::FunctionError {
            error_type: Some("Custom.Bad".into()),
            payload: Bytes::from_static(br#"{"errorMessage":"bad","errorType":"Custom.Bad"}"#),
        })
    );

    let last = pool.invoke(Bytes::from("{}"), ctx("five")).await.unwrap();
    assert_eq!(
        success_json(&last),
        serde_json::json!({
            "too_large": [413, "{\"errorMessage\":\"Exceeded maximum allowed payload size (6291556 bytes).\",\"errorType\":\"RequestEntityTooLarge\"}\n"],
            "error": [202, "{\"status\":\"OK\"}\n"],
        })
    );
    // One warm worker served all of it.
    for outcome in [&second, &reported, &last] {
        assert_eq!(outcome.worker_pid, first.worker_pid);
    }
}

#[tokio::test]
async fn an_init_error_fails_the_invocation_and_locks_the_runtime_out() {
    let dir = TempDir::new();
    let capture = LogCapture::start();
    let mut config = provided(&dir, "initfails", INIT_FAILS);
    // Pre-warmed: the init error arrives before any invocation and waits for the first one.
    config.min_warm = 1;
    let (_host, pool) = pool(&dir, config).await;
    let lines: Vec<String> = function_logs(&capture, "initfails", 3)
        .await
        .into_iter()
        .map(|event| event["message"].clone())
        .collect();
    assert_eq!(
        lines,
        [
            "202 {\"status\":\"OK\"}",
            "403 {\"errorMessage\":\"State transition from InitError to InitError failed for runtime. Error: State transition is not allowed\",\"errorType\":\"InvalidStateTransition\"}",
            "403 {\"errorMessage\":\"State transition from InitError to Ready failed for runtime. Error: State transition is not allowed\",\"errorType\":\"InvalidStateTransition\"}",
        ]
    );
    let error = pool
        .invoke(Bytes::from("{}"), ctx("r-init"))
        .await
        .unwrap_err();
    let InvokeError::InitError {
        request_id,
        error_type,
        payload,
    } = &error
    else {
        panic!("expected an init error, got {error:?}");
    };
    assert_eq!(request_id, "r-init");
    assert_eq!(error_type.as_deref(), Some("Custom.Init"));
    assert_eq!(
        payload,
        &Bytes::from_static(br#"{"errorMessage":"no config","errorType":"Custom.Init"}"#)
    );
    assert_eq!(error.payload(), *payload);
    assert!(error.is_function_error());
}
