//! `python3.x` through the bundled runtime client, with handlers written into temp dirs.

use bytes::Bytes;

use crate::test_support::{
    function_logs, gone, pool, python_function, success_json, LogCapture, TempDir,
};
use crate::{ExitReason, InvokeContext, InvokeError, InvokeResponse};

fn ctx(request_id: &str) -> InvokeContext {
    InvokeContext {
        request_id: Some(request_id.into()),
        ..InvokeContext::default()
    }
}

#[tokio::test]
async fn the_handler_gets_the_event_and_lambdas_context() {
    let dir = TempDir::new();
    let source = r#"
import os
def handler(event, context):
    return {
        "execution_env": os.environ["AWS_EXECUTION_ENV"],
        "runtime_dir_has_client": os.path.basename(__import__("__main__").__file__) in os.listdir(os.environ["LAMBDA_RUNTIME_DIR"]),
        "event": event,
        "aws_request_id": context.aws_request_id,
        "function_name": context.function_name,
        "memory_limit_in_mb": context.memory_limit_in_mb,
        "function_version": context.function_version,
        "invoked_function_arn": context.invoked_function_arn,
        "log_group_name": context.log_group_name,
        "remaining": context.get_remaining_time_in_millis(),
        "client_context": context.client_context,
        "identity": context.identity,
    }
"#;
    let (_host, pool) = pool(&dir, python_function(&dir, "ctx", source)).await;
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
        "remaining {remaining} ms of a 3 s timeout"
    );
    assert_eq!(
        answer,
        serde_json::json!({
            "execution_env": "AWS_Lambda_python3.11",
            "runtime_dir_has_client": true,
            "event": {"pets": [1, 2]},
            "aws_request_id": "req-1",
            "function_name": "ctx",
            "memory_limit_in_mb": "128",
            "function_version": "$LATEST",
            "invoked_function_arn": "arn:aws:lambda:us-east-1:123456789012:function:ctx",
            "log_group_name": "/aws/lambda/ctx",
            "remaining": null,
            "client_context": null,
            "identity": {"cognitoIdentityId": "id-1"},
        })
    );
    assert_eq!(outcome.request_id, "req-1");
}

#[tokio::test]
async fn an_exception_is_reported_as_a_function_error() {
    let dir = TempDir::new();
    let source = "def handler(event, context):\n    raise ValueError(\"boom\")\n";
    let config = python_function(&dir, "raises", source);
    let app = config.code_dir.join("app.py");
    let (_host, pool) = pool(&dir, config).await;
    let outcome = pool
        .invoke(Bytes::from("{}"), ctx("req-err"))
        .await
        .unwrap();
    let InvokeResponse::FunctionError(error) = &outcome.response else {
        panic!("expected a function error, got {:?}", outcome.response);
    };
    assert_eq!(error.error_type.as_deref(), Some("ValueError"));
    assert_eq!(error.error_message().as_deref(), Some("boom"));
    let document: serde_json::Value = serde_json::from_slice(&error.payload).unwrap();
    assert_eq!(
        document,
        serde_json::json!({
            "errorMessage": "boom",
            "errorType": "ValueError",
            "requestId": "req-err",
            "stackTrace": [format!(
                "  File \"{}\", line 2, in handler\n    raise ValueError(\"boom\")\n",
                app.display()
            )],
        })
    );
}

#[tokio::test]
async fn prints_reach_the_log_with_function_and_request_id() {
    let dir = TempDir::new();
    let capture = LogCapture::start();
    let source = "import sys\ndef handler(event, context):\n    print('hello', event['n'])\n    print('oops', file=sys.stderr)\n    return None\n";
    let (_host, pool) = pool(&dir, python_function(&dir, "printer", source)).await;
    let outcome = pool
        .invoke(Bytes::from(r#"{"n":7}"#), ctx("req-log"))
        .await
        .unwrap();
    assert_eq!(
        outcome.response,
        InvokeResponse::Success(Bytes::from("null"))
    );
    let mut logs = function_logs(&capture, "printer", 2).await;
    logs.sort_by(|a, b| a["stream"].cmp(&b["stream"]));
    let fields = |event: &crate::test_support::Event| {
        (
            event["request_id"].clone(),
            event["stream"].clone(),
            event["message"].clone(),
        )
    };
    assert_eq!(
        logs.iter().map(fields).collect::<Vec<_>>(),
        [
            ("req-log".into(), "stderr".into(), "oops".into()),
            ("req-log".into(), "stdout".into(), "hello 7".into()),
        ]
    );
}

#[tokio::test]
async fn an_import_error_is_an_init_error_on_every_invocation() {
    let dir = TempDir::new();
    let source = "import missing_dependency\ndef handler(event, context):\n    return 1\n";
    let (_host, pool) = pool(&dir, python_function(&dir, "broken", source)).await;
    for id in ["i1", "i2"] {
        let error = pool.invoke(Bytes::from("{}"), ctx(id)).await.unwrap_err();
        assert_eq!(error.error_type(), "Runtime.ImportModuleError");
        assert_eq!(
            error.payload(),
            Bytes::from_static(
                br#"{"errorMessage": "Unable to import module 'app': No module named 'missing_dependency'", "errorType": "Runtime.ImportModuleError", "requestId": "", "stackTrace": []}"#
            )
        );
    }
    assert_eq!(pool.stats().idle, 0);
}

#[tokio::test]
async fn a_response_over_6_mb_is_refused_and_the_worker_stays_warm() {
    let dir = TempDir::new();
    // 6291555 characters plus two quotes: one byte over 6 MiB + 100.
    let source = "import os\ndef handler(event, context):\n    if event.get('big'):\n        return 'x' * 6291555\n    return os.getpid()\n";
    let (_host, pool) = pool(&dir, python_function(&dir, "big", source)).await;
    let error = pool
        .invoke(Bytes::from(r#"{"big":true}"#), ctx("r-big"))
        .await
        .unwrap_err();
    assert_eq!(error.error_type(), "Function.ResponseSizeTooLarge");
    assert_eq!(
        error.payload(),
        Bytes::from_static(br#"{"errorMessage":"Response payload size (6291557 bytes) exceeded maximum allowed payload size (6291556 bytes).","errorType":"Function.ResponseSizeTooLarge"}"#)
    );
    let after = pool
        .invoke(Bytes::from("{}"), ctx("r-small"))
        .await
        .unwrap();
    assert!(!after.cold_start);
    assert_eq!(success_json(&after), serde_json::json!(after.worker_pid));
}

#[tokio::test]
async fn a_crashing_worker_is_reported_and_replaced() {
    let dir = TempDir::new();
    let source = r#"
import os, signal, sys
def handler(event, context):
    how = event.get("crash")
    if how == "exit3":
        os._exit(3)
    if how == "exit0":
        sys.exit(0)
    if how == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    return os.getpid()
"#;
    let (_host, pool) = pool(&dir, python_function(&dir, "crashy", source)).await;
    let cases = [
        (
            "exit3",
            ExitReason::Code(3),
            "Runtime exited with error: exit status 3",
        ),
        (
            "exit0",
            ExitReason::Code(0),
            "Runtime exited without providing a reason",
        ),
        (
            "kill",
            ExitReason::Signal(9),
            "Runtime exited with error: signal: killed",
        ),
    ];
    for (how, expected, text) in cases {
        let warm = pool.invoke(Bytes::from("{}"), ctx("warm")).await.unwrap();
        let pid = warm.worker_pid;
        let event = format!(r#"{{"crash":"{how}"}}"#);
        let error = pool.invoke(Bytes::from(event), ctx(how)).await.unwrap_err();
        let InvokeError::RuntimeExited { reason, .. } = &error else {
            panic!("expected an exit, got {error:?}");
        };
        assert_eq!(*reason, expected);
        assert_eq!(error.to_string(), format!("RequestId: {how} Error: {text}"));
        assert_eq!(
            String::from_utf8(error.payload().to_vec()).unwrap(),
            format!(
                r#"{{"errorType":"Runtime.ExitError","errorMessage":"RequestId: {how} Error: {text}"}}"#
            )
        );
        assert!(gone(pid).await);
        let replaced = pool.invoke(Bytes::from("{}"), ctx("again")).await.unwrap();
        assert!(replaced.cold_start);
        assert_ne!(replaced.worker_pid, pid);
        assert_eq!(
            success_json(&replaced),
            serde_json::json!(replaced.worker_pid)
        );
    }
}
