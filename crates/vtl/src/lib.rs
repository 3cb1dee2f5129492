//! A Velocity 1.7 template engine with Amazon API Gateway's mapping-template objects.
//!
//! This crate owns the Velocity Template Language as API Gateway runs it: parsing a mapping
//! template once ([`Template::compile`], with line/column errors), and rendering it per request
//! against a [`Scope`] that provides `$input` (body, `json`, `path`, `params`), `$util`,
//! `$context` and `$stageVariables`. Rendering is bounded (loop iterations, evaluation steps,
//! output size) and never panics. It does not choose templates, map parameters or talk to
//! integrations: the gateway's mapping stage does that with the [`Rendered`] result.
//!
//! ```
//! use turnpike_vtl::{Scope, Template};
//! let template = Template::compile(
//!     "#set($pets = $input.path('$.pets'))\n{\"count\": $pets.size()#if($pets.size() > 0), \"first\": \"$pets[0].name\"#end}",
//! )
//! .unwrap();
//! let rendered = template.render(&Scope::new(r#"{"pets": [{"name": "Rex"}]}"#)).unwrap();
//! assert_eq!(rendered.body, r#"{"count": 1, "first": "Rex"}"#);
//! ```
//!
//! Velocity behaviour is checked byte for byte against Apache Velocity 1.7 by
//! `tests/differential.rs`. Known differences, all outside what mapping templates use:
//! - `String.split` returns a list; Velocity prints a Java array as `[Ljava.lang.String;@1a2b3c`.
//! - Regular expressions (`matches`, `replaceAll`, `replaceFirst`, `split`) use the `regex`
//!   crate: no look-around, backreferences or possessive quantifiers (such a pattern is a
//!   [`RenderError`]); case mapping is Unicode's, not the JVM locale's.
//! - Lexer corner cases that Velocity rejects or mangles are text here: `$$`, a `$!` at the end
//!   of input, `$!!`, and a lone `$` right before `#set`.
//! - Only the listed Java methods exist (String, List, Map, Number, Boolean, `Map.Entry`); map
//!   keys are strings (other keys are converted with `toString()`); integers past 128 bits
//!   (`BigInteger`) give null.

mod ast;
mod aws;
mod error;
mod parse;
mod render;
mod scope;
mod text;
mod value;

#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::sync::Arc;

pub use aws::util::{escape_javascript, url_decode, url_encode};
pub use error::{CompileError, RenderError};
pub use scope::{Overrides, Rendered, Scope};

/// Bounds on one render.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Iterations of one `#foreach` (API Gateway stops at 1000).
    pub max_loop_iterations: usize,
    /// Nodes and expressions evaluated in one render.
    pub max_steps: u64,
    /// Bytes of output.
    pub max_output: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_loop_iterations: 1000,
            max_steps: 2_000_000,
            max_output: 10 * 1024 * 1024,
        }
    }
}

/// A compiled template: parse once per deployment, render per request. `Send + Sync`.
#[derive(Debug)]
pub struct Template {
    nodes: ast::Block,
    macros: HashMap<String, Arc<parse::Macro>>,
    limits: Limits,
}

impl Template {
    /// Parses `source`; errors carry the line and column of the problem.
    pub fn compile(source: &str) -> Result<Template, CompileError> {
        let parsed = parse::parse(source)?;
        Ok(Template {
            nodes: parsed.nodes,
            macros: parsed.macros,
            limits: Limits::default(),
        })
    }

    /// The same template with other render limits.
    pub fn with_limits(mut self, limits: Limits) -> Template {
        self.limits = limits;
        self
    }

    /// Renders against `scope`: the output and the `$context` overrides the template set.
    pub fn render(&self, scope: &Scope<'_>) -> Result<Rendered, RenderError> {
        render::Renderer::new(scope, &self.limits, &self.macros).run(&self.nodes)
    }
}
