//! Loaders: documents in, [`Api`] out.
//!
//! Loading runs in two steps. [`document`] parses YAML or JSON into a JSON value and an index of
//! where each node sits (line, column by JSON pointer). Resolution then reads that value into the
//! model in one pass that collects every problem instead of stopping at the first: [`openapi`]
//! takes the document as a whole, [`paths`] the routes (with [`path_template`] for the resource
//! paths), [`integration`] and [`integration_response`] the `x-amazon-apigateway-integration`
//! objects, [`gateway_responses`] the customised gateway responses, [`security`] (with
//! [`authorizer`]) the security schemes, requirements, API key source and resource policy, and [`unsupported`] reports
//! whatever Turnpike cannot serve yet. [`context::Ctx`] carries the errors and the typed
//! accessors that name a wrong type where it occurs. [`sam`] reads SAM and CloudFormation
//! templates, and runs the OpenAPI bodies of the APIs they define through the same resolution.

mod authorizer;
mod cache_keys;
mod context;
mod cors;
mod document;
mod gateway_responses;
mod http_mapping;
mod integration;
mod integration_response;
mod integration_subtype;
mod integration_uri;
mod method_responses;
mod openapi;
mod parameters;
mod path_template;
mod paths;
mod pointer;
mod reference;
mod sam;
mod security;
mod unsupported;
mod validation;
mod values;

use std::path::Path;

use crate::api::{Api, ApiKind};
use crate::error::{LoadError, LoadErrors};

pub use sam::{load_any, load_any_file, load_template, load_template_file, TemplateOptions};

/// Choices the user makes on the command line rather than in the document.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// `--kind`: forces REST or HTTP API. When `None`, a document with
    /// `x-amazon-apigateway-importexport-version` is an HTTP API and any other a REST API.
    pub kind: Option<ApiKind>,
}

/// Whether OpenAPI documents may use AWS and AWS_PROXY integrations of Lambda functions. On: the
/// gateway invokes a function a template declares locally and any other through Lambda's Invoke
/// API; SAM templates allow them for the APIs they define either way.
const LAMBDA_INTEGRATIONS: bool = true;

/// Reads and loads one document.
pub fn load_file(path: &Path, options: &LoadOptions) -> Result<Api, LoadErrors> {
    let text = read(path)?;
    load_str(path, &text, options)
}

/// The text of a file, or the error that says why it cannot be read.
fn read(path: &Path) -> Result<String, LoadErrors> {
    std::fs::read_to_string(path).map_err(|e| {
        LoadErrors(vec![LoadError {
            file: path.to_path_buf(),
            line: 0,
            column: 0,
            pointer: String::new(),
            message: format!("cannot read file: {e}"),
        }])
    })
}

/// Loads one document already in memory; `path` is only used in messages, as [`Api::source`], and
/// (a `.json` extension) to read the text as JSON.
///
/// ```
/// use std::path::Path;
/// use turnpike_model::{load_str, LoadOptions, RouteKey, HttpMethod};
///
/// let text = r#"
/// openapi: 3.0.1
/// info: {title: Pets}
/// paths:
///   /pets:
///     get:
///       x-amazon-apigateway-integration:
///         type: mock
///         requestTemplates: {application/json: '{"statusCode": 200}'}
///         responses: {default: {statusCode: "200"}}
/// "#;
/// let api = load_str(Path::new("pets.yaml"), text, &LoadOptions::default()).unwrap();
/// assert_eq!(api.routes[0].key, RouteKey::Method { method: HttpMethod::Get, path: "/pets".into() });
/// ```
pub fn load_str(path: &Path, text: &str, options: &LoadOptions) -> Result<Api, LoadErrors> {
    load_openapi(path, text, options.kind, LAMBDA_INTEGRATIONS)
}

/// [`load_str`] with the kind decided by the caller (or by the document when `None`) and Lambda
/// integrations allowed or not.
fn load_openapi(
    path: &Path,
    text: &str,
    kind: Option<ApiKind>,
    allow_lambda: bool,
) -> Result<Api, LoadErrors> {
    let doc = document::parse(text, is_json_name(path)).map_err(|e| syntax_error(path, e))?;
    let kind = openapi::kind_of(&doc.root, &LoadOptions { kind });
    let mut ctx = context::Ctx::new(path, &doc, kind);
    ctx.allow_lambda = allow_lambda;
    let api = openapi::resolve(&mut ctx, path);
    finish(path, api, ctx.into_errors())
}

fn is_json_name(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
}

fn syntax_error(path: &Path, e: document::SyntaxError) -> LoadErrors {
    LoadErrors(vec![LoadError {
        file: path.to_path_buf(),
        line: e.pos.line,
        column: e.pos.column,
        pointer: String::new(),
        message: e.message,
    }])
}

/// The result of a resolution that reports its problems as `errors`.
fn finish<T>(path: &Path, value: Option<T>, errors: Vec<LoadError>) -> Result<T, LoadErrors> {
    match value {
        Some(value) if errors.is_empty() => Ok(value),
        Some(_) => Err(LoadErrors(errors)),
        // Resolution reports why it gave up; this only guards the "never empty" promise.
        None if errors.is_empty() => Err(LoadErrors(vec![LoadError {
            file: path.to_path_buf(),
            line: 1,
            column: 1,
            pointer: String::new(),
            message: "the document could not be loaded".into(),
        }])),
        None => Err(LoadErrors(errors)),
    }
}

#[cfg(test)]
mod tests;
