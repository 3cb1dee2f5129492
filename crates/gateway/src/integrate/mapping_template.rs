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
pub(crate) struct MappingTemplate(Option<Arc<Template>>);

impl MappingTemplate {
    /// Compiles `text`; a syntax error becomes a problem naming `what` and the line and column.
    pub(crate) fn compile(text: &str, what: &str, problems: &mut Vec<String>) -> MappingTemplate {
        match Template::compile(text) {
            Ok(template) => MappingTemplate(Some(Arc::new(template))),
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
        let Some(template) = &self.0 else {
            tracing::warn!(
                "Execution failed due to configuration error: the mapping template does not compile"
            );
            return Err(GatewayError::internal_server_error());
        };
        template.render(&scope(body, request, ctx)).map_err(|error| {
            tracing::warn!(%error, "Execution failed due to configuration error: Unable to transform");
            GatewayError::internal_server_error()
        })
    }
}

/// The scope a mapping template sees: `$input` over `body` and the method request's parameters
/// (single-value view: the last value of a repeated query parameter or header), `$context` and
/// `$stageVariables`.
pub(crate) fn scope<'a>(
    body: &'a str,
    request: &MethodRequest<'_>,
    ctx: &RequestContext,
) -> Scope<'a> {
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
    Scope::new(body)
        .path_params(path)
        .querystring_params(query)
        .header_params(headers)
        .stage_variables(stage_variables)
        .context(ctx.template_context())
}

#[cfg(test)]
mod tests;
