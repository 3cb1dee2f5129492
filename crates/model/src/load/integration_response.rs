//! `x-amazon-apigateway-integration.responses`: selection pattern → integration response.

use regex::Regex;

use super::context::{one_of, At, Ctx, Node};
use super::parameters::{self, METHOD_RESPONSE};
use super::values::content_handling;
use crate::api::IntegrationResponse;

const PROPERTIES: &[&str] = &[
    "statusCode",
    "responseParameters",
    "responseTemplates",
    "contentHandling",
];

/// All responses, in document order.
pub(crate) fn resolve_all<'d>(ctx: &mut Ctx<'d>, node: &Node<'d>) -> Vec<IntegrationResponse> {
    if ctx.object(node, "responses").is_none() {
        return Vec::new();
    }
    node.entries()
        .into_iter()
        .filter_map(|(pattern, response)| resolve_one(ctx, pattern, &response))
        .collect()
}

fn resolve_one<'d>(
    ctx: &mut Ctx<'d>,
    pattern: &str,
    node: &Node<'d>,
) -> Option<IntegrationResponse> {
    let what = format!("integration response \"{pattern}\"");
    ctx.object(node, &what)?;
    for (key, member) in node.entries() {
        if !PROPERTIES.contains(&key) && !key.starts_with("x-") {
            let message = format!(
                "unknown property \"{key}\" in an integration response; expected one of {}",
                one_of(PROPERTIES)
            );
            ctx.error(&member.ptr, At::Key, message);
        }
    }
    let selection_regex = selection_regex(ctx, pattern, node);
    let status_code = match node.get("statusCode") {
        Some(status) => status_code(ctx, &status),
        None => {
            let message = format!("{what} has no statusCode; expected the HTTP status to answer with, such as \"200\"");
            ctx.error(&node.ptr, At::Key, message);
            None
        }
    };
    let response_parameters = node
        .get("responseParameters")
        .map(|n| parameters::mapping(ctx, &n, "responseParameters", METHOD_RESPONSE))
        .unwrap_or_default();
    let response_templates = node
        .get("responseTemplates")
        .map(|n| ctx.string_map(&n, "responseTemplates"))
        .unwrap_or_default();
    let content_handling = node
        .get("contentHandling")
        .and_then(|n| content_handling(ctx, &n));
    Some(IntegrationResponse {
        selection_pattern: pattern.to_owned(),
        selection_regex: selection_regex.ok()?,
        status_code: status_code?,
        response_parameters,
        response_templates,
        content_handling,
    })
}

/// `None` for `default`; otherwise the pattern anchored to the whole string, as AWS matches it.
fn selection_regex(ctx: &mut Ctx<'_>, pattern: &str, node: &Node<'_>) -> Result<Option<Regex>, ()> {
    if pattern == "default" {
        return Ok(None);
    }
    match Regex::new(&format!("^(?:{pattern})$")) {
        Ok(regex) => Ok(Some(regex)),
        Err(e) => {
            let message = format!(
                "invalid selection pattern \"{pattern}\": {}; the key of an integration response is \"default\" or a regular expression matched against the whole status code",
                short_regex_error(&e)
            );
            ctx.error(&node.ptr, At::Key, message);
            Err(())
        }
    }
}

/// The last line of the regex crate's multi-line message (`error: unclosed group`).
fn short_regex_error(e: &regex::Error) -> String {
    let text = e.to_string();
    let last = text.lines().last().unwrap_or_default();
    last.strip_prefix("error: ").unwrap_or(last).to_owned()
}

/// A status code written as a string (`"200"`, as AWS exports it) or a number.
pub(crate) fn status_code(ctx: &mut Ctx<'_>, node: &Node<'_>) -> Option<u16> {
    let text = match node.value {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Number(n) => n.to_string(),
        other => {
            let found = super::context::type_name(other);
            let message = format!("statusCode must be a string such as \"200\"; found {found}");
            ctx.error(&node.ptr, At::Value, message);
            return None;
        }
    };
    let code = text
        .parse::<u16>()
        .ok()
        .filter(|c| text.len() == 3 && (100..=599).contains(c));
    if code.is_none() {
        let message = format!(
            "invalid statusCode \"{text}\"; expected a three-digit HTTP status from 100 to 599"
        );
        ctx.error(&node.ptr, At::Value, message);
    }
    code
}
