//! An HTTP API integration's `requestParameters` and `responseParameters` →
//! [`ParameterMapping`] (AWS, "Transform API requests and responses for HTTP APIs").
//!
//! Keys are `ACTION:header.NAME`, `ACTION:querystring.NAME`, `overwrite:path` (requests) and
//! `ACTION:header.NAME`, `overwrite:statuscode` (responses, under a status code), ACTION being
//! `append`, `overwrite` or `remove`. Values are static text with `$source` or `${source}`
//! interpolated. Every problem is reported where it is, with what is allowed.

use std::collections::BTreeMap;

use super::context::{At, Ctx, Node};
use crate::http_mapping::{
    is_reserved_header, HttpRequestParameter, HttpRequestTarget, HttpResponseParameter,
    HttpResponseTarget, MappingAction, MappingSource, MappingValue, ParameterMapping, ValuePart,
};

/// Which side of the exchange a value is read on: the sources differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Request,
    Response,
}

const REQUEST_FORMS: &str = "ACTION:header.NAME, ACTION:querystring.NAME or overwrite:path, where ACTION is append, overwrite or remove";
const RESPONSE_FORMS: &str =
    "ACTION:header.NAME or overwrite:statuscode, where ACTION is append, overwrite or remove";
const REQUEST_SOURCES: &str = "$request.header.NAME, $request.querystring.NAME, $request.body, $request.body.JSONPATH, $request.path, $request.path.NAME, $context.NAME, $stageVariables.NAME";
const RESPONSE_SOURCES: &str = "$response.header.NAME, $response.body, $response.body.JSONPATH, $context.NAME, $stageVariables.NAME";
const RESERVED: &str = "access-control-*, apigw-*, Authorization, Connection, Content-Encoding, Content-Length, Content-Location, Forwarded, Keep-Alive, Origin, Proxy-Authenticate, Proxy-Authorization, TE, Trailers, Transfer-Encoding, Upgrade, x-amz-*, x-amzn-*, X-Forwarded-For, X-Forwarded-Host, X-Forwarded-Proto, Via";

/// The mapping of the integration `node`; `None` when it has none.
pub(crate) fn resolve<'d>(ctx: &mut Ctx<'d>, node: &Node<'d>) -> Option<ParameterMapping> {
    let present = |n: &Node<'_>| !n.value.is_null();
    let mut mapping = ParameterMapping::default();
    if let Some(member) = node.get("requestParameters").filter(present) {
        mapping.request = request(ctx, &member);
    }
    if let Some(member) = node.get("responseParameters").filter(present) {
        mapping.response = response(ctx, &member);
    }
    (!mapping.is_empty()).then_some(mapping)
}

/// The `responseParameters` of the integration `node` alone: an AWS service integration's
/// `requestParameters` are its subtype's parameters (see `integration_subtype`).
pub(crate) fn resolve_response<'d>(ctx: &mut Ctx<'d>, node: &Node<'d>) -> Option<ParameterMapping> {
    let mut mapping = ParameterMapping::default();
    if let Some(member) = node
        .get("responseParameters")
        .filter(|n| !n.value.is_null())
    {
        mapping.response = response(ctx, &member);
    }
    (!mapping.is_empty()).then_some(mapping)
}

/// One request-side value (`text`, read from `member`), in the parameter-mapping syntax; `None`
/// after reporting why it is wrong. `described` starts the message ("the value of …").
pub(crate) fn request_value(
    ctx: &mut Ctx<'_>,
    member: &Node<'_>,
    described: &str,
    text: &str,
) -> Option<MappingValue> {
    value(
        ctx,
        member,
        described,
        MappingAction::Overwrite,
        text,
        Side::Request,
    )
}

fn request<'d>(ctx: &mut Ctx<'d>, node: &Node<'d>) -> Vec<HttpRequestParameter> {
    let mut out = Vec::new();
    if ctx.object(node, "requestParameters").is_none() {
        return out;
    }
    for (key, member) in node.entries() {
        let described = format!("the value of \"{key}\" in requestParameters");
        let Some(text) = ctx.string(&member, &described) else {
            continue;
        };
        let (action, target) = match request_key(key) {
            Ok(parsed) => parsed,
            Err(message) => {
                let message = format!("requestParameters key \"{key}\" {message}");
                ctx.error(&member.ptr, At::Key, message);
                continue;
            }
        };
        let Some(value) = value(ctx, &member, &described, action, text, Side::Request) else {
            continue;
        };
        out.push(HttpRequestParameter {
            action,
            target,
            value,
        });
    }
    out
}

fn response<'d>(ctx: &mut Ctx<'d>, node: &Node<'d>) -> BTreeMap<u16, Vec<HttpResponseParameter>> {
    let mut out = BTreeMap::new();
    if ctx.object(node, "responseParameters").is_none() {
        return out;
    }
    for (status_key, status_node) in node.entries() {
        let Some(status) = status_code(status_key).filter(|s| (200..=599).contains(s)) else {
            let message = format!("responseParameters key \"{status_key}\" must be a status code from 200 to 599: the back end's status the mappings under it apply to");
            ctx.error(&status_node.ptr, At::Key, message);
            continue;
        };
        let what = format!("responseParameters.{status_key}");
        if ctx.object(&status_node, &what).is_none() {
            continue;
        }
        let mut parameters = Vec::new();
        for (key, member) in status_node.entries() {
            let described = format!("the value of \"{key}\" in {what}");
            let Some(text) = ctx.string(&member, &described) else {
                continue;
            };
            let (action, target) = match response_key(key) {
                Ok(parsed) => parsed,
                Err(message) => {
                    ctx.error(
                        &member.ptr,
                        At::Key,
                        format!("{what} key \"{key}\" {message}"),
                    );
                    continue;
                }
            };
            let Some(value) = value(ctx, &member, &described, action, text, Side::Response) else {
                continue;
            };
            if target == HttpResponseTarget::StatusCode {
                if let Some(message) = static_status_problem(&value) {
                    ctx.error(&member.ptr, At::Value, format!("{described} {message}"));
                    continue;
                }
            }
            parameters.push(HttpResponseParameter {
                action,
                target,
                value,
            });
        }
        out.insert(status, parameters);
    }
    out
}

/// The value of one entry, or `None` after reporting why it is wrong. `remove:` ignores it.
fn value(
    ctx: &mut Ctx<'_>,
    member: &Node<'_>,
    described: &str,
    action: MappingAction,
    text: &str,
    side: Side,
) -> Option<MappingValue> {
    if action == MappingAction::Remove {
        return Some(MappingValue::default());
    }
    let message = if text.is_empty() {
        let sources = match side {
            Side::Request => REQUEST_SOURCES,
            Side::Response => RESPONSE_SOURCES,
        };
        format!(
            "{described} is empty; append and overwrite need static text or a source ({sources})"
        )
    } else {
        match parse_value(text, side) {
            Ok(value) => return Some(value),
            Err(problem) => format!("{described} {problem}"),
        }
    };
    ctx.error(&member.ptr, At::Value, message);
    None
}

fn action(text: &str) -> Option<MappingAction> {
    match text {
        "append" => Some(MappingAction::Append),
        "overwrite" => Some(MappingAction::Overwrite),
        "remove" => Some(MappingAction::Remove),
        _ => None,
    }
}

/// A request key; the error completes "requestParameters key "…" ".
fn request_key(key: &str) -> Result<(MappingAction, HttpRequestTarget), String> {
    let form_error = || format!("must have the form {REQUEST_FORMS}");
    let (action_text, target) = key.split_once(':').ok_or_else(form_error)?;
    let action = action(action_text).ok_or_else(form_error)?;
    if target == "path" {
        return match action {
            MappingAction::Overwrite => Ok((action, HttpRequestTarget::Path)),
            _ => Err("is not allowed: the path can only be overwritten (overwrite:path)".into()),
        };
    }
    if let Some(name) = target.strip_prefix("header.") {
        return header_name(name).map(|name| (action, HttpRequestTarget::Header(name)));
    }
    match target.strip_prefix("querystring.") {
        Some(name) if !name.is_empty() => {
            Ok((action, HttpRequestTarget::QueryString(name.to_owned())))
        }
        Some(_) => Err("names no query string parameter".into()),
        None => Err(form_error()),
    }
}

/// A response key; the error completes "responseParameters.STATUS key "…" ".
fn response_key(key: &str) -> Result<(MappingAction, HttpResponseTarget), String> {
    let form_error = || format!("must have the form {RESPONSE_FORMS}");
    let (action_text, target) = key.split_once(':').ok_or_else(form_error)?;
    let action = action(action_text).ok_or_else(form_error)?;
    if target == "statuscode" {
        return match action {
            MappingAction::Overwrite => Ok((action, HttpResponseTarget::StatusCode)),
            _ => Err(
                "is not allowed: the status code can only be overwritten (overwrite:statuscode)"
                    .into(),
            ),
        };
    }
    match target.strip_prefix("header.") {
        Some(name) => header_name(name).map(|name| (action, HttpResponseTarget::Header(name))),
        None => Err(form_error()),
    }
}

fn header_name(name: &str) -> Result<String, String> {
    if name.is_empty() {
        return Err("names no header".into());
    }
    if !name.bytes().all(is_token_byte) {
        return Err(format!(
            "names \"{name}\", which is not a valid header name"
        ));
    }
    if is_reserved_header(name) {
        return Err(format!(
            "maps the reserved header {name}; parameter mapping cannot change {RESERVED}"
        ));
    }
    Ok(name.to_owned())
}

/// RFC 9110 `tchar`.
fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// `"204"` → 204; anything but three digits → `None`.
fn status_code(text: &str) -> Option<u16> {
    if text.len() == 3 && text.bytes().all(|b| b.is_ascii_digit()) {
        text.parse().ok()
    } else {
        None
    }
}

/// A static `overwrite:statuscode` value must be a status code; one read per request is checked then.
fn static_status_problem(value: &MappingValue) -> Option<String> {
    let [ValuePart::Text(text)] = value.parts.as_slice() else {
        return None;
    };
    let valid = status_code(text).is_some_and(|s| (100..=599).contains(&s));
    (!valid).then(|| format!("must be a status code from 100 to 599; found \"{text}\""))
}

/// Splits a value into static text and sources; the error completes "the value of … ".
fn parse_value(text: &str, side: Side) -> Result<MappingValue, String> {
    let mut parts = Vec::new();
    let mut literal = String::new();
    let mut rest = text;
    while let Some(dollar) = rest.find('$') {
        literal.push_str(&rest[..dollar]);
        let after = &rest[dollar + 1..];
        let (expression, remaining) = if let Some(braced) = after.strip_prefix('{') {
            let close = braced
                .find('}')
                .ok_or_else(|| format!("has \"${{\" without a closing \"}}\": {text}"))?;
            (&braced[..close], &braced[close + 1..])
        } else {
            let end = after
                .find(|c: char| !is_bare_char(c))
                .unwrap_or(after.len());
            // A sentence's full stop is not part of the name.
            let name = after[..end].trim_end_matches('.');
            (name, &after[name.len()..])
        };
        let root = expression.split(['.', '[']).next().unwrap_or_default();
        if matches!(root, "request" | "response" | "context" | "stageVariables") {
            if !literal.is_empty() {
                parts.push(ValuePart::Text(std::mem::take(&mut literal)));
            }
            parts.push(ValuePart::Source(source(expression, side)?));
            rest = remaining;
        } else if after.starts_with('{') {
            return Err(format!(
                "names an unknown source ${{{expression}}}; {}",
                sources_of(side)
            ));
        } else {
            // A `$` that starts no source is text (`$5`).
            literal.push('$');
            rest = after;
        }
    }
    literal.push_str(rest);
    if !literal.is_empty() {
        parts.push(ValuePart::Text(literal));
    }
    Ok(MappingValue { parts })
}

/// Characters of an unbraced source: names, dots, and the brackets of a JSONPath index.
fn is_bare_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '[' | ']' | '*')
}

fn sources_of(side: Side) -> String {
    match side {
        Side::Request => format!("requestParameters read {REQUEST_SOURCES} or static text"),
        Side::Response => format!("responseParameters read {RESPONSE_SOURCES} or static text"),
    }
}

/// One source, `expression` without its `$`.
fn source(expression: &str, side: Side) -> Result<MappingSource, String> {
    let unknown = || {
        format!(
            "names an unknown source ${expression}; {}",
            sources_of(side)
        )
    };
    let named = |name: &str| {
        if name.is_empty() {
            Err(format!("names no parameter in ${expression}"))
        } else {
            Ok(name.to_owned())
        }
    };
    if let Some(name) = expression.strip_prefix("context.") {
        return named(name).map(MappingSource::Context);
    }
    if let Some(name) = expression.strip_prefix("stageVariables.") {
        return named(name).map(MappingSource::StageVariable);
    }
    let (own, other, rest) = match side {
        Side::Request => ("request", "response", expression.strip_prefix("request")),
        Side::Response => ("response", "request", expression.strip_prefix("response")),
    };
    let Some(rest) = rest.and_then(|r| r.strip_prefix('.')) else {
        if expression.starts_with(other) {
            return Err(format!(
                "reads ${expression}, which {} have; {}",
                match side {
                    Side::Request => "requests do not",
                    Side::Response => "responses do not",
                },
                sources_of(side)
            ));
        }
        return Err(unknown());
    };
    if let Some(name) = rest.strip_prefix("header.") {
        if name.is_empty() || !name.bytes().all(is_token_byte) {
            return Err(format!("names an invalid header in ${expression}"));
        }
        return Ok(match side {
            Side::Request => MappingSource::RequestHeader(name.to_owned()),
            Side::Response => MappingSource::ResponseHeader(name.to_owned()),
        });
    }
    if let Some(path) = rest.strip_prefix("body") {
        let path = if path.is_empty() {
            None
        } else {
            check_json_path(expression, own, path)?;
            Some(path.to_owned())
        };
        return Ok(match side {
            Side::Request => MappingSource::RequestBody(path),
            Side::Response => MappingSource::ResponseBody(path),
        });
    }
    if side == Side::Request {
        if let Some(name) = rest.strip_prefix("querystring.") {
            return named(name).map(MappingSource::RequestQueryString);
        }
        if rest == "path" {
            return Ok(MappingSource::RequestPath);
        }
        if let Some(name) = rest.strip_prefix("path.") {
            return named(name).map(MappingSource::RequestPathParameter);
        }
    }
    Err(unknown())
}

/// The JSONPath after `body`: `.name` and `[index]` steps; AWS refuses recursive descent and
/// filter expressions.
fn check_json_path(expression: &str, side: &str, path: &str) -> Result<(), String> {
    if path.contains("..") {
        return Err(format!("uses recursive descent in ${expression}, which parameter mapping does not support (${side}.body..name)"));
    }
    if path.contains("?(") {
        return Err(format!("uses a filter expression in ${expression}, which parameter mapping does not support (?(expression))"));
    }
    let malformed = || {
        format!("has a malformed JSONPath in ${expression}; expected .name and [index] steps after ${side}.body")
    };
    let mut rest = path;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('.') {
            let end = after.find(['.', '[']).unwrap_or(after.len());
            let name = &after[..end];
            let valid = !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '*'));
            if !valid {
                return Err(malformed());
            }
            rest = &after[end..];
        } else if let Some(after) = rest.strip_prefix('[') {
            let end = after.find(']').ok_or_else(malformed)?;
            let index = &after[..end];
            let valid =
                index == "*" || (!index.is_empty() && index.bytes().all(|b| b.is_ascii_digit()));
            if !valid {
                return Err(malformed());
            }
            rest = &after[end + 1..];
        } else {
            return Err(malformed());
        }
    }
    Ok(())
}

#[cfg(test)]
#[path = "http_mapping_tests.rs"]
mod tests;
