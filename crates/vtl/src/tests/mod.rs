//! Unit tests: directives, references and values, API Gateway's objects, limits and errors.

mod aws;
mod directives;
mod errors;
mod examples;
mod limits;
mod values;

use crate::{Scope, Template};

/// Renders `source` against `scope`, panicking on any error.
fn render_with(source: &str, scope: &Scope<'_>) -> String {
    let template = Template::compile(source).unwrap_or_else(|e| panic!("compile {source:?}: {e}"));
    template
        .render(scope)
        .unwrap_or_else(|e| panic!("render {source:?}: {e}"))
        .body
}

/// Renders `source` with an empty scope.
fn render(source: &str) -> String {
    render_with(source, &Scope::new(""))
}
