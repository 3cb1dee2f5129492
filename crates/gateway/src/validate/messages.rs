//! Validation errors in the words AWS reports them: API Gateway validates with a Java JSON Schema
//! validator whose messages reach `$context.error.validationErrorString` as `[msg, msg]`. The
//! common keywords are phrased as it phrases them; the rest fall back to this validator's text.

use jsonschema::error::ValidationErrorKind;
use jsonschema::ValidationError;
use serde_json::Value;

/// `[message, message]` for the errors of one body, the `required` ones of an object together.
pub(super) fn report(errors: &[ValidationError<'_>]) -> String {
    let mut messages: Vec<String> = Vec::new();
    let mut missing: Vec<(String, Vec<String>)> = Vec::new();
    for error in errors {
        if let ValidationErrorKind::Required { property } = error.kind() {
            let at = error.instance_path().to_string();
            let name = property
                .as_str()
                .map(str::to_owned)
                .unwrap_or_else(|| property.to_string());
            match missing.iter_mut().find(|(path, _)| *path == at) {
                Some((_, names)) => names.push(name),
                None => {
                    messages.push(String::new()); // placeholder, filled below in order
                    missing.push((at, vec![name]));
                }
            }
            continue;
        }
        messages.push(message(error));
    }
    // Fill the placeholders with the grouped `required` messages, in the order first seen.
    let mut grouped = missing.into_iter().map(|(_, mut names)| {
        names.sort();
        format!(
            "object has missing required properties ({})",
            json_list(&names)
        )
    });
    for slot in messages.iter_mut().filter(|m| m.is_empty()) {
        if let Some(text) = grouped.next() {
            *slot = text;
        }
    }
    format!("[{}]", messages.join(", "))
}

/// A body that is not JSON at all.
pub(super) fn unparsable(error: &serde_json::Error) -> String {
    format!("[Invalid JSON body: {error}]")
}

fn message(error: &ValidationError<'_>) -> String {
    let instance: &Value = error.instance();
    match error.kind() {
        ValidationErrorKind::Type { .. } => format!(
            "instance type ({}) does not match any allowed primitive type (allowed: {})",
            type_of(instance),
            allowed_types(error)
        ),
        ValidationErrorKind::Maximum { limit } => format!(
            "numeric instance is greater than the required maximum (maximum: {limit}, found: {instance})"
        ),
        ValidationErrorKind::Minimum { limit } => format!(
            "numeric instance is lower than the required minimum (minimum: {limit}, found: {instance})"
        ),
        ValidationErrorKind::MaxLength { limit } => format!(
            "string {instance} is too long (length: {}, maximum allowed: {limit})",
            char_count(instance)
        ),
        ValidationErrorKind::MinLength { limit } => format!(
            "string {instance} is too short (length: {}, required minimum: {limit})",
            char_count(instance)
        ),
        ValidationErrorKind::Pattern { pattern } => format!(
            "ECMA 262 regex {} does not match input string {instance}",
            Value::String(pattern.clone())
        ),
        ValidationErrorKind::Enum { options } => format!(
            "instance value ({instance}) not found in enum (possible values: {options})"
        ),
        ValidationErrorKind::AdditionalProperties { unexpected } => format!(
            "object instance has properties which are not allowed by the schema: {}",
            json_list(unexpected)
        ),
        ValidationErrorKind::MaxItems { limit } => format!(
            "array is too long: must have at most {limit} elements but instance has {} elements",
            instance.as_array().map_or(0, Vec::len)
        ),
        ValidationErrorKind::MinItems { limit } => format!(
            "array is too short: must have at least {limit} elements but instance has {} elements",
            instance.as_array().map_or(0, Vec::len)
        ),
        _ => error.to_string(),
    }
}

/// JSON Schema's name for the instance's type (integers apart from other numbers).
fn type_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// The `type` keyword's value as a JSON list, read from this validator's own message.
fn allowed_types(error: &ValidationError<'_>) -> String {
    // The message ends `is not of type "integer"` or `is not of types "integer", "null"`.
    let text = error.to_string();
    let listed = text
        .rsplit_once(" is not of type ")
        .or_else(|| text.rsplit_once(" is not of types "))
        .map(|(_, types)| types.to_owned())
        .unwrap_or_default();
    let names: Vec<String> = listed
        .split(',')
        .map(|t| t.trim().trim_matches('"').to_owned())
        .filter(|t| !t.is_empty())
        .collect();
    json_list(&names)
}

fn char_count(value: &Value) -> usize {
    value.as_str().map_or(0, |s| s.chars().count())
}

/// `["a","b"]`, as the Java validator prints name lists.
fn json_list(names: &[String]) -> String {
    Value::Array(names.iter().cloned().map(Value::String).collect()).to_string()
}
