//! Mapping templates (Velocity) as non-proxy integrations render them: compiled once per
//! deployment, rendered per request against a scope built from the method request, `$context`
//! and `$stageVariables`.

use std::sync::Arc;

use percent_encoding::percent_decode_str;
use turnpike_vtl::{Rendered, Scope, Template};

use crate::context::RequestContext;
use crate::gateway_response::GatewayError;
use crate::mapping::MethodRequest;

/// A compiled mapping template; one that did not compile answers every request with a 500, as a
/// deployment AWS would have refused cannot serve it.
#[derive(Debug, Clone)]
pub(crate) struct MappingTemplate(Option<Arc<Compiled>>);

/// A template and which of the request's objects it can reach: most templates name only a few,
/// and building `$context` or the parameter maps for a template that never reads them is most of
/// a MOCK request's cost.
#[derive(Debug)]
struct Compiled {
    template: Template,
    needs: Needs,
}

/// Whether the template's text mentions each root object. A mention that is not a reference
/// (in a comment, say) only costs building what is not read.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Needs {
    pub(crate) input: bool,
    pub(crate) context: bool,
    pub(crate) stage_variables: bool,
}

impl Needs {
    fn of(text: &str) -> Needs {
        Needs {
            input: text.contains("input"),
            context: text.contains("context"),
            stage_variables: text.contains("stageVariables"),
        }
    }
}

impl MappingTemplate {
    /// Compiles `text`; a syntax error becomes a problem naming `what` and the line and column.
    pub(crate) fn compile(text: &str, what: &str, problems: &mut Vec<String>) -> MappingTemplate {
        match Template::compile(text) {
            Ok(template) => MappingTemplate(Some(Arc::new(Compiled {
                template,
                needs: Needs::of(text),
            }))),
            Err(error) => {
                problems.push(format!("{what}: the template does not compile: {error}"));
                MappingTemplate(None)
            }
        }
    }

    /// Renders against the request with `$input.body` = `body`; a template that fails is AWS's
    /// 500 `Internal server error` ("Execution failed due to configuration error").
    pub(crate) fn render(
        &self,
        body: &str,
        request: &MethodRequest<'_>,
        ctx: &RequestContext,
    ) -> Result<Rendered, GatewayError> {
        let Some(compiled) = &self.0 else {
            tracing::warn!(
                "Execution failed due to configuration error: the mapping template does not compile"
            );
            return Err(GatewayError::internal_server_error());
        };
        let scope = scope(body, request, ctx, compiled.needs);
        compiled.template.render(&scope).map_err(|error| {
            tracing::warn!(%error, "Execution failed due to configuration error: Unable to transform");
            GatewayError::internal_server_error()
        })
    }
}

/// The scope a mapping template sees: `$input` over `body` and the method request's parameters
/// (single-value view: the last value of a repeated query parameter or header), `$context` and
/// `$stageVariables`; only the parts `needs` names are filled in.
pub(crate) fn scope<'a>(
    body: &'a str,
    request: &MethodRequest<'_>,
    ctx: &RequestContext,
    needs: Needs,
) -> Scope<'a> {
    let mut scope = Scope::new(body);
    if needs.input {
        scope = input_params(scope, request);
    }
    if needs.stage_variables {
        let stage_variables: Vec<(&str, &str)> = ctx
            .stage
            .as_ref()
            .map(|s| {
                s.variables
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_str()))
                    .collect()
            })
            .unwrap_or_default();
        scope = scope.stage_variables(stage_variables);
    }
    if needs.context {
        scope = scope.context(ctx.template_context());
    }
    scope
}

/// `$input.params()`: path, query string and headers.
fn input_params<'a>(scope: Scope<'a>, request: &MethodRequest<'_>) -> Scope<'a> {
    let path: Vec<(&str, &str)> = request
        .path_params
        .map(|p| p.iter().collect())
        .unwrap_or_default();
    let mut query: Vec<(String, String)> = Vec::new();
    for pair in request.query.unwrap_or_default().split('&') {
        if pair.is_empty() {
            continue;
        }
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let key = percent_decode_str(key).decode_utf8_lossy().into_owned();
        let value = percent_decode_str(value).decode_utf8_lossy().into_owned();
        match query.iter_mut().find(|(k, _)| *k == key) {
            Some(entry) => entry.1 = value,
            None => query.push((key, value)),
        }
    }
    let mut headers: Vec<(String, String)> = Vec::new();
    for (name, value) in request.headers {
        let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
        match headers.iter_mut().find(|(k, _)| k == name.as_str()) {
            Some(entry) => entry.1 = value,
            None => headers.push((name.as_str().to_owned(), value)),
        }
    }
    scope
        .path_params(path)
        .querystring_params(query)
        .header_params(headers)
}

#[cfg(test)]
mod tests;
