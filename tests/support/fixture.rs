//! Temporary directories for OpenAPI fixtures, removed when dropped.

use std::path::PathBuf;

pub use turnpike_testkit::TempDir;

use super::turnpike::Turnpike;

/// Writes `text` as `name` into a new temp dir; returns both (keep the dir alive while serving).
pub fn document(name: &str, text: &str) -> (TempDir, PathBuf) {
    let dir = TempDir::new();
    let path = dir.write(name, text);
    (dir, path)
}

/// Writes `text` as `name` into a new temp dir and serves it, with `extra` arguments after the
/// file; returns both (keep the dir alive while serving).
pub fn serve_document(name: &str, text: &str, extra: &[&str]) -> (TempDir, Turnpike) {
    let (dir, path) = document(name, text);
    let mut args = vec![path.to_str().unwrap()];
    args.extend_from_slice(extra);
    let turnpike = Turnpike::serve_args(&args);
    (dir, turnpike)
}

/// `x-amazon-apigateway-integration` for a MOCK integration that answers 200 with `template` as
/// its `application/json` response template. One line (YAML flow style), so it fits at any
/// indentation; `template` is single-quoted, so write `'` in it as `''`.
pub fn mock_integration(template: &str) -> String {
    format!(
        r#"x-amazon-apigateway-integration: {{type: mock, requestTemplates: {{application/json: '{{"statusCode": 200}}'}}, responses: {{default: {{statusCode: "200", responseTemplates: {{application/json: '{template}'}}}}}}}}"#
    )
}
