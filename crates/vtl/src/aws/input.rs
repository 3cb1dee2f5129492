//! `$input`: the request body and parameters.

use super::jsonpath::{select, Selection};
use crate::scope::{string_map, Scope};
use crate::value::{Entries, Value};

/// `$input.name(args)`; `root` is the body as a value (parsed once per render, shared so
/// changes made through `$input.path` show in `$input.json`).
pub(crate) fn call(
    scope: &Scope<'_>,
    root: &Value,
    name: &str,
    args: &[Value],
) -> Result<Value, String> {
    Ok(match (name, args) {
        ("getBody", []) => Value::string(scope.body),
        ("json", [path]) => {
            let path = path.java_string().unwrap_or_default();
            let mut out = String::new();
            match select(root, &path)? {
                Selection::One(value) => write_json(&value, &mut out, 0),
                Selection::Many(values) => write_json(&Value::list(values), &mut out, 0),
                // API Gateway prints an empty JSON string for a path that matches nothing.
                Selection::Missing => out.push_str("\"\""),
            }
            Value::string(out)
        }
        ("path", [path]) => {
            let path = path.java_string().unwrap_or_default();
            match select(root, &path)? {
                Selection::One(value) => value,
                Selection::Many(values) => Value::list(values),
                Selection::Missing => Value::Null,
            }
        }
        ("params", []) => {
            let mut all = Entries::default();
            all.insert("path".to_string(), string_map(&scope.path));
            all.insert("querystring".to_string(), string_map(&scope.querystring));
            all.insert("header".to_string(), string_map(&scope.header));
            Value::map(all)
        }
        ("params", [name]) => {
            let name = name.java_string().unwrap_or_default();
            Value::string(scope.param(&name).unwrap_or(""))
        }
        _ => Value::Null,
    })
}

/// The body as a template value: parsed JSON, or the raw text when it is not JSON.
pub(crate) fn body_value(scope: &Scope<'_>) -> Value {
    match scope.json() {
        Some(json) => Value::from_json(json),
        None => Value::string(scope.body),
    }
}

/// Compact JSON text of a value.
pub(crate) fn write_json(value: &Value, out: &mut String, depth: usize) {
    if depth > 64 {
        out.push_str("null");
        return;
    }
    match value {
        Value::Null | Value::Block(_) | Value::Native(_) | Value::Loop(_) => out.push_str("null"),
        Value::Double(d) if !d.is_finite() => out.push_str("null"),
        Value::String(s) => out.push_str(&serde_json::Value::from(&**s).to_string()),
        Value::List(items) => {
            out.push('[');
            for (i, item) in items.borrow().iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json(item, out, depth + 1);
            }
            out.push(']');
        }
        Value::Map(map) => {
            out.push('{');
            for (i, (k, v)) in map.borrow().iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&serde_json::Value::from(k.as_str()).to_string());
                out.push(':');
                write_json(v, out, depth + 1);
            }
            out.push('}');
        }
        Value::Entry(entry) => {
            out.push('{');
            out.push_str(&serde_json::Value::from(entry.0.as_str()).to_string());
            out.push(':');
            write_json(&entry.1, out, depth + 1);
            out.push('}');
        }
        other => out.push_str(&other.java_string().unwrap_or_default()),
    }
}
