//! `turnpike invoke FUNCTION [--event FILE|-] [TEMPLATE]`: one invocation of a template's
//! function, like `sam local invoke`: the result on stdout and exit 0, or the error document on
//! stdout and exit 1.

use crate::support;

use serde_json::{json, Value};
use support::sam::{self, project, TEMPLATE};
use support::turnpike::invoke;

#[test]
fn invoke_runs_one_function_of_the_template_in_the_current_directory() {
    let example = sam::repo().join("examples/sam");
    let output = invoke(
        &example,
        &["HelloFunction", "--event", "-"],
        r#"{"path": "/from-stdin"}"#,
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    let result: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(result["statusCode"], 200);
    let body: Value = serde_json::from_str(result["body"].as_str().unwrap()).unwrap();
    assert_eq!(body["message"], "Hello from Turnpike");
    assert_eq!(body["path"], "/from-stdin");
    assert!(stderr.contains("REPORT"), "{stderr}");

    // An event file, a template path and a parameter override.
    let (dir, template) = project(TEMPLATE);
    let event = dir.write("event.json", r#"{"pathParameters": {"id": "5"}}"#);
    let output = invoke(
        dir.path(),
        &[
            "EchoFunction",
            "--event",
            event.to_str().unwrap(),
            template.to_str().unwrap(),
            "--parameter-overrides",
            "Table=from-cli",
        ],
        "",
    );
    assert_eq!(output.status.code(), Some(0));
    let result: Value = serde_json::from_slice(&output.stdout).unwrap();
    let body: Value = serde_json::from_str(result["body"].as_str().unwrap()).unwrap();
    assert_eq!(body["event"], json!({"pathParameters": {"id": "5"}}));
    assert_eq!(body["table"], "from-cli");
    assert_eq!(body["function"], "EchoFunction");
}

#[test]
fn invoke_prints_a_function_error_and_exits_1() {
    let (dir, _template) = project(TEMPLATE);
    let output = invoke(dir.path(), &["FailFunction"], "");
    assert_eq!(output.status.code(), Some(1));
    let error: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(error["errorType"], "ValueError");
    assert_eq!(error["errorMessage"], "boom");

    let output = invoke(dir.path(), &["SlowFunction"], "");
    assert_eq!(output.status.code(), Some(1));
    let error: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(error["errorType"], "Sandbox.Timedout");
    let message = error["errorMessage"].as_str().unwrap();
    assert!(
        message.ends_with("Error: Task timed out after 1.00 seconds"),
        "{message}"
    );

    let output = invoke(dir.path(), &["Missing"], "");
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty());
    assert!(String::from_utf8_lossy(&output.stderr).contains(
        "template.yaml declares no function \"Missing\"; its functions: EchoFunction, \
         RespondFunction, FailFunction, SlowFunction, SerialFunction, ThrottledFunction"
    ));
}
