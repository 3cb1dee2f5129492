//! AWS's own Python runtime client (PyPI `awslambdaric`) against our Runtime API.

use bytes::Bytes;

use crate::test_support::{awslambdaric_python, pool, python_function, success_json, TempDir};
use crate::{FunctionConfig, InvokeContext, InvokeResponse, RuntimeClient};

const HANDLER: &str = r#"
import os
def handler(event, context):
    if event.get("fail"):
        raise KeyError("missing")
    return {
        "event": event,
        "pid": os.getpid(),
        "aws_request_id": context.aws_request_id,
        "function_name": context.function_name,
        "memory_limit_in_mb": context.memory_limit_in_mb,
        "invoked_function_arn": context.invoked_function_arn,
        "remaining_ok": 0 < context.get_remaining_time_in_millis() <= 3000,
    }
"#;

fn official(dir: &TempDir, name: &str, source: &str) -> FunctionConfig {
    let mut config = python_function(dir, name, source);
    config.client = RuntimeClient::Official;
    config.interpreter = Some(awslambdaric_python());
    config
}

fn ctx(request_id: &str) -> InvokeContext {
    InvokeContext {
        request_id: Some(request_id.into()),
        ..InvokeContext::default()
    }
}

#[tokio::test]
async fn awslambdaric_runs_handlers_warm() {
    let dir = TempDir::new();
    let (_host, pool) = pool(&dir, official(&dir, "ric", HANDLER)).await;
    let first = pool
        .invoke(Bytes::from(r#"{"n":1}"#), ctx("ric-1"))
        .await
        .unwrap();
    let second = pool
        .invoke(Bytes::from(r#"{"n":2}"#), ctx("ric-2"))
        .await
        .unwrap();
    assert_eq!(
        success_json(&second),
        serde_json::json!({
            "event": {"n": 2},
            "pid": first.worker_pid,
            "aws_request_id": "ric-2",
            "function_name": "ric",
            "memory_limit_in_mb": "128",
            "invoked_function_arn": "arn:aws:lambda:us-east-1:123456789012:function:ric",
            "remaining_ok": true,
        })
    );
    assert_eq!(second.worker_pid, first.worker_pid);
    assert!(!second.cold_start);
}

#[tokio::test]
async fn awslambdaric_reports_exceptions_and_import_errors() {
    let dir = TempDir::new();
    let config = official(&dir, "ricerr", HANDLER);
    let app = config.code_dir.join("app.py");
    let (_host, pool) = pool(&dir, config).await;
    let outcome = pool
        .invoke(Bytes::from(r#"{"fail":true}"#), ctx("ric-err"))
        .await
        .unwrap();
    let InvokeResponse::FunctionError(error) = &outcome.response else {
        panic!("expected a function error, got {:?}", outcome.response);
    };
    // awslambdaric posts the error document without a Lambda-Runtime-Function-Error-Type header.
    assert_eq!(error.error_type, None);
    let document: serde_json::Value = serde_json::from_slice(&error.payload).unwrap();
    assert_eq!(
        document,
        serde_json::json!({
            "errorMessage": "'missing'",
            "errorType": "KeyError",
            "requestId": "ric-err",
            "stackTrace": [format!(
                "  File \"{}\", line 5, in handler\n    raise KeyError(\"missing\")\n",
                app.display()
            )],
        })
    );
    // The worker survives a handled exception.
    let after = pool.invoke(Bytes::from("{}"), ctx("ric-ok")).await.unwrap();
    assert_eq!(after.worker_pid, outcome.worker_pid);

    let (_host, broken) = pool_of(&dir, "ricbroken", "import nope\n").await;
    let error = broken
        .invoke(Bytes::from("{}"), ctx("ric-init"))
        .await
        .unwrap_err();
    let document: serde_json::Value = serde_json::from_slice(&error.payload()).unwrap();
    assert_eq!(document["errorType"], "Runtime.ImportModuleError");
    assert_eq!(
        document["errorMessage"],
        "Unable to import module 'app': No module named 'nope'"
    );
}

async fn pool_of(
    dir: &TempDir,
    name: &str,
    source: &str,
) -> (crate::FunctionHost, crate::FunctionPool) {
    pool(dir, official(dir, name, source)).await
}
