//! Whole-document tests: realistic APIs that load, and one test per error class asserting the
//! exact pointer, line, column and message.

use std::path::Path;

use super::{load_str, LoadOptions};
use crate::api::Api;
use crate::error::LoadError;

mod documents;
mod documents_json;
mod errors_document;
mod errors_integration;
mod errors_integration_subtype;
mod errors_paths;
mod errors_unsupported;
mod robustness;
mod security;

/// Loads `text` as `name`, expecting success.
fn load_ok(name: &str, text: &str) -> Api {
    match load_str(Path::new(name), text, &LoadOptions::default()) {
        Ok(api) => api,
        Err(errors) => panic!("unexpected load errors:\n{errors}"),
    }
}

/// Loads `text` as `name`, expecting errors; returns them as (line, column, pointer, message).
fn load_errors(name: &str, text: &str) -> Vec<(usize, usize, String, String)> {
    load_errors_with(name, text, &LoadOptions::default())
}

fn load_errors_with(
    name: &str,
    text: &str,
    options: &LoadOptions,
) -> Vec<(usize, usize, String, String)> {
    match load_str(Path::new(name), text, options) {
        Ok(api) => panic!("expected load errors, got {} routes", api.routes.len()),
        Err(errors) => errors
            .0
            .into_iter()
            .map(
                |LoadError {
                     file,
                     line,
                     column,
                     pointer,
                     message,
                 }| {
                    assert_eq!(file, Path::new(name));
                    (line, column, pointer, message)
                },
            )
            .collect(),
    }
}

/// One expected error.
fn e(line: usize, column: usize, pointer: &str, message: &str) -> (usize, usize, String, String) {
    (line, column, pointer.to_owned(), message.to_owned())
}
