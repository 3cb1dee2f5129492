//! Loaders: documents in, [`Api`] out.
//!
//! Loading runs in two steps. [`document`] parses YAML or JSON into a JSON value and an index of
//! where each node sits (line, column by JSON pointer). Resolution then reads that value into the
//! model in one pass that collects every problem instead of stopping at the first: [`openapi`]
//! takes the document as a whole, [`paths`] the routes (with [`path_template`] for the resource
//! paths), [`integration`] and [`integration_response`] the `x-amazon-apigateway-integration`
//! objects, [`gateway_responses`] the customised gateway responses, and [`unsupported`] reports
//! whatever Turnpike cannot serve yet. [`context::Ctx`] carries the errors and the typed
//! accessors that name a wrong type where it occurs.

mod context;
mod document;
mod gateway_responses;
mod integration;
mod integration_response;
mod integration_uri;
mod openapi;
mod parameters;
mod path_template;
mod paths;
mod pointer;
mod reference;
mod unsupported;
mod values;

use std::path::Path;

use crate::api::{Api, ApiKind};
use crate::error::{LoadError, LoadErrors};

/// Choices the user makes on the command line rather than in the document.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// `--kind`: forces REST or HTTP API. When `None`, a document with
    /// `x-amazon-apigateway-importexport-version` is an HTTP API and any other a REST API.
    pub kind: Option<ApiKind>,
}

/// Reads and loads one document.
pub fn load_file(path: &Path, options: &LoadOptions) -> Result<Api, LoadErrors> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        LoadErrors(vec![LoadError {
            file: path.to_path_buf(),
            line: 0,
            column: 0,
            pointer: String::new(),
            message: format!("cannot read file: {e}"),
        }])
    })?;
    load_str(path, &text, options)
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
    let json_name = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    let doc = document::parse(text, json_name).map_err(|e| {
        LoadErrors(vec![LoadError {
            file: path.to_path_buf(),
            line: e.pos.line,
            column: e.pos.column,
            pointer: String::new(),
            message: e.message,
        }])
    })?;
    let kind = openapi::kind_of(&doc.root, options);
    let mut ctx = context::Ctx::new(path, &doc, kind);
    let api = openapi::resolve(&mut ctx, path);
    let errors = ctx.into_errors();
    match api {
        Some(api) if errors.is_empty() => Ok(api),
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
