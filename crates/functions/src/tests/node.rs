//! `nodejsN.x` through the bundled runtime client with real `node`: CommonJS and ES module
//! handlers, async and callback style, the context object, and errors as AWS reports them.

use bytes::Bytes;
use serde_json::json;

use crate::test_support::{pool, success_json, TempDir};
use crate::{FunctionConfig, InvokeContext, InvokeError, InvokeResponse, Runtime};

/// A Node.js function whose code directory holds `files`, handler `handler`.
fn node_function(
    dir: &TempDir,
    name: &str,
    handler: &str,
    files: &[(&str, &str)],
) -> FunctionConfig {
    let code = dir.path().join(name);
    for (file, text) in files {
        let path = code.join(file);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    FunctionConfig::new(name, Runtime::Nodejs("20.x".into()), handler, code)
}

fn ctx(request_id: &str) -> InvokeContext {
    InvokeContext {
        request_id: Some(request_id.into()),
        ..InvokeContext::default()
    }
}

/// The error document of a function error.
fn error_json(response: &InvokeResponse) -> serde_json::Value {
    match response {
        InvokeResponse::FunctionError(error) => serde_json::from_slice(&error.payload).unwrap(),
        other => panic!("expected a function error, got {other:?}"),
    }
}

#[tokio::test]
async fn a_commonjs_async_handler_gets_the_event_and_lambdas_context() {
    let dir = TempDir::new();
    let source = r#"
exports.handler = async (event, context) => ({
  executionEnv: process.env.AWS_EXECUTION_ENV,
  event,
  awsRequestId: context.awsRequestId,
  functionName: context.functionName,
  functionVersion: context.functionVersion,
  memoryLimitInMB: context.memoryLimitInMB,
  invokedFunctionArn: context.invokedFunctionArn,
  logGroupName: context.logGroupName,
  remaining: context.getRemainingTimeInMillis(),
  identity: context.identity,
  callbackWaitsForEmptyEventLoop: context.callbackWaitsForEmptyEventLoop,
});
"#;
    let config = node_function(&dir, "ctx", "index.handler", &[("index.js", source)]);
    let (_host, pool) = pool(&dir, config).await;
    let invoke_ctx = InvokeContext {
        request_id: Some("req-1".into()),
        cognito_identity: Some(r#"{"cognitoIdentityId":"id-1"}"#.into()),
        ..InvokeContext::default()
    };
    let outcome = pool
        .invoke(Bytes::from(r#"{"pets":[1,2]}"#), invoke_ctx)
        .await
        .unwrap();
    let mut answer = success_json(&outcome);
    let remaining = answer["remaining"].take().as_i64().unwrap();
    assert!(
        (2000..=3000).contains(&remaining),
        "remaining {remaining} ms"
    );
    assert_eq!(
        answer,
        json!({
            "executionEnv": "AWS_Lambda_nodejs20.x",
            "event": {"pets": [1, 2]},
            "awsRequestId": "req-1",
            "functionName": "ctx",
            "functionVersion": "$LATEST",
            "memoryLimitInMB": "128",
            "invokedFunctionArn": "arn:aws:lambda:us-east-1:123456789012:function:ctx",
            "logGroupName": "/aws/lambda/ctx",
            "remaining": null,
            "identity": {"cognitoIdentityId": "id-1"},
            "callbackWaitsForEmptyEventLoop": true,
        })
    );
    // Warm: the same worker answers the next invocation.
    let again = pool.invoke(Bytes::from("{}"), ctx("req-2")).await.unwrap();
    assert_eq!(again.worker_pid, outcome.worker_pid);
    assert!(!again.cold_start);
}

#[tokio::test]
async fn es_modules_and_callback_handlers_work() {
    let dir = TempDir::new();
    let esm = node_function(
        &dir,
        "esm",
        "src/app.handler",
        &[(
            "src/app.mjs",
            "export const handler = async (event) => ({ kind: 'esm', n: event.n + 1 });\n",
        )],
    );
    let module_js = node_function(
        &dir,
        "typemodule",
        "index.handler",
        &[
            ("package.json", r#"{"type": "module"}"#),
            (
                "index.js",
                "export async function handler() { return 'module js'; }\n",
            ),
        ],
    );
    let callback = node_function(
        &dir,
        "callback",
        "index.handler",
        &[(
            "index.js",
            "exports.handler = (event, context, callback) => {\n  setTimeout(() => callback(null, { kind: 'callback', id: context.awsRequestId }), 10);\n};\n",
        )],
    );
    let (_h1, esm) = pool(&dir, esm).await;
    let (_h2, module_js) = pool(&dir, module_js).await;
    let (_h3, callback) = pool(&dir, callback).await;
    let outcome = esm
        .invoke(Bytes::from(r#"{"n":41}"#), ctx("a"))
        .await
        .unwrap();
    assert_eq!(success_json(&outcome), json!({"kind": "esm", "n": 42}));
    let outcome = module_js.invoke(Bytes::from("{}"), ctx("b")).await.unwrap();
    assert_eq!(success_json(&outcome), json!("module js"));
    let outcome = callback.invoke(Bytes::from("{}"), ctx("c")).await.unwrap();
    assert_eq!(
        success_json(&outcome),
        json!({"kind": "callback", "id": "c"})
    );
}

#[tokio::test]
async fn errors_are_reported_as_aws_reports_them() {
    let dir = TempDir::new();
    let source = r#"
class NotFound extends Error { constructor(m) { super(m); this.name = "NotFound"; } }
exports.thrown = async () => { throw new NotFound("no pet 7"); };
exports.callback = (event, context, callback) => callback(new Error("callback boom"));
"#;
    let thrown = node_function(&dir, "thrown", "index.thrown", &[("index.js", source)]);
    let callback = node_function(&dir, "cb", "index.callback", &[("index.js", source)]);
    let (_h1, thrown) = pool(&dir, thrown).await;
    let (_h2, callback) = pool(&dir, callback).await;

    let outcome = thrown.invoke(Bytes::from("{}"), ctx("t")).await.unwrap();
    let InvokeResponse::FunctionError(error) = &outcome.response else {
        panic!("not an error");
    };
    assert_eq!(error.error_type.as_deref(), Some("NotFound"));
    let mut document = error_json(&outcome.response);
    let trace = document["trace"].take();
    assert_eq!(
        document,
        json!({"errorType": "NotFound", "errorMessage": "no pet 7", "trace": null})
    );
    assert_eq!(trace[0], "NotFound: no pet 7");
    assert!(trace[1].as_str().unwrap().contains("index.js"), "{trace}");

    let outcome = callback.invoke(Bytes::from("{}"), ctx("c")).await.unwrap();
    let document = error_json(&outcome.response);
    assert_eq!(
        (&document["errorType"], &document["errorMessage"]),
        (&json!("Error"), &json!("callback boom"))
    );
}

#[tokio::test]
async fn a_missing_handler_is_an_init_error() {
    let dir = TempDir::new();
    let missing_export = node_function(
        &dir,
        "noexport",
        "index.nope",
        &[("index.js", "exports.handler = async () => 1;\n")],
    );
    let missing_module = node_function(&dir, "nomodule", "missing.handler", &[("index.js", "")]);
    let (_h1, missing_export) = pool(&dir, missing_export).await;
    let (_h2, missing_module) = pool(&dir, missing_module).await;
    let init = |error: InvokeError| match error {
        InvokeError::InitError {
            error_type,
            payload,
            ..
        } => {
            let mut document: serde_json::Value = serde_json::from_slice(&payload).unwrap();
            document["trace"].take();
            (error_type, document)
        }
        other => panic!("expected an init error, got {other:?}"),
    };
    let error = missing_export
        .invoke(Bytes::from("{}"), ctx("x"))
        .await
        .unwrap_err();
    assert_eq!(
        init(error),
        (
            Some("Runtime.HandlerNotFound".into()),
            json!({"errorType": "Runtime.HandlerNotFound", "errorMessage": "index.nope is undefined or not exported", "trace": null})
        )
    );
    let error = missing_module
        .invoke(Bytes::from("{}"), ctx("y"))
        .await
        .unwrap_err();
    assert_eq!(
        init(error),
        (
            Some("Runtime.ImportModuleError".into()),
            json!({"errorType": "Runtime.ImportModuleError", "errorMessage": "Error: Cannot find module 'missing'", "trace": null})
        )
    );
}

#[tokio::test]
async fn aws_lambda_ric_runs_the_same_handlers() {
    let modules = crate::test_support::aws_lambda_ric_modules();
    let dir = TempDir::new();
    let source = "export const handler = async (event, context) => ({ event, id: context.awsRequestId, fn: context.functionName });\n";
    let mut config = node_function(&dir, "ric", "index.handler", &[("index.mjs", source)]);
    std::os::unix::fs::symlink(&modules, config.code_dir.join("node_modules")).unwrap();
    config.client = crate::RuntimeClient::Official;
    let (_host, ok) = pool(&dir, config).await;
    let outcome = ok
        .invoke(Bytes::from(r#"{"a":1}"#), ctx("ric-1"))
        .await
        .unwrap();
    assert_eq!(
        success_json(&outcome),
        json!({"event": {"a": 1}, "id": "ric-1", "fn": "ric"})
    );
    let thrower = "exports.handler = async () => { throw new RangeError('out of range'); };\n";
    let mut config = node_function(&dir, "ricerr", "index.handler", &[("index.js", thrower)]);
    std::os::unix::fs::symlink(&modules, config.code_dir.join("node_modules")).unwrap();
    config.client = crate::RuntimeClient::Official;
    let (_host2, failing) = pool(&dir, config).await;
    let outcome = failing
        .invoke(Bytes::from("{}"), ctx("ric-2"))
        .await
        .unwrap();
    let document = error_json(&outcome.response);
    assert_eq!(
        (&document["errorType"], &document["errorMessage"]),
        (&json!("RangeError"), &json!("out of range"))
    );
}

/// Handlers whose answer depends on `callbackWaitsForEmptyEventLoop`. Each leaves work pending
/// that appends to `event.log`; the order of that work and the answer is read off the file.
const EVENT_LOOP_HANDLERS: &str = r#"
const fs = require("fs");
// Pending work that only finishes once the test has seen the answer and created `event.go`.
const afterGo = (event) => {
  const poll = setInterval(() => {
    if (fs.existsSync(event.go)) {
      clearInterval(poll);
      fs.appendFileSync(event.log, "after go\n");
    }
  }, 5);
};
exports.waits = (event, context, callback) => {
  setTimeout(() => fs.appendFileSync(event.log, "timer\n"), 50);
  callback(null, { waited: context.callbackWaitsForEmptyEventLoop });
};
exports.noWait = (event, context, callback) => {
  context.callbackWaitsForEmptyEventLoop = false;
  afterGo(event);
  callback(null, { waited: context.callbackWaitsForEmptyEventLoop });
};
exports.succeed = (event, context) => {
  afterGo(event);
  context.succeed("succeeded");
};
exports.neither = (event) => {
  setTimeout(() => fs.appendFileSync(event.log, "timer\n"), 50);
  return "ignored";
};
"#;

/// Runs the event-loop handlers under `client` and checks AWS's order of answer and pending work.
async fn callback_waits_for_empty_event_loop(client: crate::RuntimeClient) {
    let dir = TempDir::new();
    let function = |name: &str, handler: &str| {
        let mut config = node_function(&dir, name, handler, &[("index.js", EVENT_LOOP_HANDLERS)]);
        if client == crate::RuntimeClient::Official {
            let modules = crate::test_support::aws_lambda_ric_modules();
            std::os::unix::fs::symlink(modules, config.code_dir.join("node_modules")).unwrap();
        }
        config.client = client;
        config
    };
    let event = |case: &str| {
        let log = dir.path().join(format!("{case}.log"));
        let go = dir.path().join(format!("{case}.go"));
        let payload = json!({"log": log, "go": go}).to_string();
        (Bytes::from(payload), log, go)
    };
    let read = |path: &std::path::Path| std::fs::read_to_string(path).unwrap_or_default();

    // Default (true): the callback's result goes only once the timer has run.
    let (_h1, waits) = pool(&dir, function("waits", "index.waits")).await;
    let (payload, log, _) = event("waits");
    let outcome = waits.invoke(payload, ctx("w")).await.unwrap();
    assert_eq!(success_json(&outcome), json!({"waited": true}));
    assert_eq!(read(&log), "timer\n");

    // A handler that neither calls back nor returns a promise: null once the loop is empty.
    let (_h2, neither) = pool(&dir, function("neither", "index.neither")).await;
    let (payload, log, _) = event("neither");
    let outcome = neither.invoke(payload, ctx("n")).await.unwrap();
    assert_eq!(success_json(&outcome), json!(null));
    assert_eq!(read(&log), "timer\n");

    // false, and context.succeed: the answer comes while the work is still pending (it waits for
    // a file the test creates only after the answer), and the work goes on afterwards.
    for (name, expected) in [
        ("noWait", json!({"waited": false})),
        ("succeed", json!("succeeded")),
    ] {
        let (_host, pool) = pool(&dir, function(name, &format!("index.{name}"))).await;
        let (payload, log, go) = event(name);
        let outcome = pool.invoke(payload, ctx(name)).await.unwrap();
        assert_eq!(success_json(&outcome), expected, "{name}");
        assert_eq!(read(&log), "", "{name}");
        std::fs::write(&go, "").unwrap();
        let mut waited = 0;
        while read(&log).is_empty() && waited < 200 {
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
            waited += 1;
        }
        assert_eq!(read(&log), "after go\n", "{name}");
        // The same warm worker takes the next invocation.
        let (payload, _, _) = event(&format!("{name}-2"));
        let again = pool.invoke(payload, ctx("again")).await.unwrap();
        assert_eq!(again.worker_pid, outcome.worker_pid, "{name}");
    }
}

#[tokio::test]
async fn the_bundled_client_honours_callback_waits_for_empty_event_loop() {
    callback_waits_for_empty_event_loop(crate::RuntimeClient::Bundled).await;
}

/// The same expectations hold under AWS's own `aws-lambda-ric`: the bundled client matches it.
#[tokio::test]
async fn aws_lambda_ric_agrees_on_callback_waits_for_empty_event_loop() {
    callback_waits_for_empty_event_loop(crate::RuntimeClient::Official).await;
}
