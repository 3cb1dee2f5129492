//! Template tests: realistic templates that load, each intrinsic function, and one test per error
//! class asserting the exact file, line, column, pointer and message.

use std::path::{Path, PathBuf};

use super::{load_template, TemplateOptions};
use crate::error::LoadError;
use crate::function::Template;

mod auth;
mod caching;
mod cloudformation_http;
mod cloudformation_rest;
mod cors;
mod errors_functions;
mod errors_template;
mod example;
mod hello_world;
mod intrinsics;
mod traffic;
mod usage_plan_auth;
mod websocket;

/// A directory of its own for one test (tests run in parallel), holding the given code
/// directories; returns the path its `template.yaml` would have.
fn fixture(test: &str, code_dirs: &[&str]) -> PathBuf {
    let dir = std::env::temp_dir().join("turnpike-sam-tests").join(test);
    std::fs::create_dir_all(&dir).unwrap();
    for code in code_dirs {
        std::fs::create_dir_all(dir.join(code)).unwrap();
    }
    dir.join("template.yaml")
}

/// The options tests use: a fixed stack name, so API ids are the same wherever tests run.
fn options() -> TemplateOptions {
    TemplateOptions {
        stack_name: Some("sam-app".into()),
        ..TemplateOptions::default()
    }
}

fn load_ok(path: &Path, text: &str) -> Template {
    load_ok_with(path, text, &options())
}

fn load_ok_with(path: &Path, text: &str, options: &TemplateOptions) -> Template {
    match load_template(path, text, options) {
        Ok(template) => template,
        Err(errors) => panic!("unexpected load errors:\n{errors}"),
    }
}

/// Loads `text` expecting errors, all in `path`; returns them as (line, column, pointer, message).
fn load_errors(path: &Path, text: &str) -> Vec<(usize, usize, String, String)> {
    load_errors_with(path, text, &options())
}

fn load_errors_with(
    path: &Path,
    text: &str,
    options: &TemplateOptions,
) -> Vec<(usize, usize, String, String)> {
    match load_template(path, text, options) {
        Ok(t) => panic!("expected load errors, got {} functions", t.functions.len()),
        Err(errors) => located_all(path, errors.0),
    }
}

fn located(path: &Path, e: LoadError) -> (usize, usize, String, String) {
    assert_eq!(e.file, path, "{e}");
    (e.line, e.column, e.pointer, e.message)
}

/// Errors or warnings, all in `path`, as (line, column, pointer, message).
fn located_all(path: &Path, errors: Vec<LoadError>) -> Vec<(usize, usize, String, String)> {
    errors.into_iter().map(|e| located(path, e)).collect()
}

/// One expected error.
fn e(line: usize, column: usize, pointer: &str, message: &str) -> (usize, usize, String, String) {
    (line, column, pointer.to_owned(), message.to_owned())
}

/// A template with one Python function (code in `hello/`) whose `Environment.Variables` are
/// `variables` (YAML lines at 10 spaces of indent, from line 11 when `head` is empty), after `head` (YAML lines for
/// Parameters, Conditions, Mappings...).
fn with_variables(head: &str, variables: &[&str]) -> String {
    let variables: String = variables
        .iter()
        .map(|l| format!("          {l}\n"))
        .collect();
    format!(
        "Transform: AWS::Serverless-2016-10-31\n{head}Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: hello\n      Handler: app.handler\n      Runtime: python3.12\n      Environment:\n        Variables:\n{variables}"
    )
}
