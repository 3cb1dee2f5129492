//! What a template sees ($input, $context, $stageVariables, extra variables) and what it
//! leaves behind ($context.requestOverride / responseOverride).

use std::cell::OnceCell;

use crate::value::{Entries, Value};

/// The request data a template renders against. Cheap to build: the body is parsed as JSON
/// only when the template first asks for it.
///
/// ```
/// use turnpike_vtl::{Scope, Template};
/// let template = Template::compile(r#"{"id": "$input.params('id')", "n": $input.json('$.n')}"#).unwrap();
/// let scope = Scope::new(r#"{"n": [1, 2]}"#).path_params([("id", "7")]);
/// assert_eq!(template.render(&scope).unwrap().body, r#"{"id": "7", "n": [1,2]}"#);
/// ```
#[derive(Debug, Default)]
pub struct Scope<'a> {
    pub(crate) body: &'a str,
    json: OnceCell<Option<serde_json::Value>>,
    pub(crate) path: Vec<(String, String)>,
    pub(crate) querystring: Vec<(String, String)>,
    pub(crate) header: Vec<(String, String)>,
    pub(crate) context: serde_json::Map<String, serde_json::Value>,
    pub(crate) stage_variables: Vec<(String, String)>,
    pub(crate) variables: Vec<(String, serde_json::Value)>,
}

impl<'a> Scope<'a> {
    /// A scope for a request (or integration response) with this body.
    pub fn new(body: &'a str) -> Scope<'a> {
        Scope {
            body,
            ..Scope::default()
        }
    }

    /// Path parameters, in order (`$input.params().path`).
    pub fn path_params<K: Into<String>, V: Into<String>>(
        mut self,
        params: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        self.path = pairs(params);
        self
    }

    /// Query string parameters, in order (`$input.params().querystring`).
    pub fn querystring_params<K: Into<String>, V: Into<String>>(
        mut self,
        params: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        self.querystring = pairs(params);
        self
    }

    /// Request headers, in order (`$input.params().header`).
    pub fn header_params<K: Into<String>, V: Into<String>>(
        mut self,
        params: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        self.header = pairs(params);
        self
    }

    /// `$context`: a JSON object tree (`requestId`, `identity.sourceIp`, `authorizer.claims.x`,
    /// `error.message`, ...). `requestOverride` and `responseOverride` are added empty when absent
    /// so templates can `#set` into them.
    pub fn context(mut self, context: serde_json::Map<String, serde_json::Value>) -> Self {
        self.context = context;
        self
    }

    /// `$stageVariables`.
    pub fn stage_variables<K: Into<String>, V: Into<String>>(
        mut self,
        vars: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        self.stage_variables = pairs(vars);
        self
    }

    /// An extra top-level variable (`$name`), as if `#set` before the template ran.
    pub fn variable(mut self, name: impl Into<String>, value: serde_json::Value) -> Self {
        self.variables.push((name.into(), value));
        self
    }

    /// The body parsed as JSON, once; `None` when it is not JSON. An empty body reads as `{}`,
    /// as API Gateway treats it.
    pub(crate) fn json(&self) -> Option<&serde_json::Value> {
        self.json
            .get_or_init(|| {
                if self.body.trim().is_empty() {
                    Some(serde_json::Value::Object(serde_json::Map::new()))
                } else {
                    serde_json::from_str(self.body).ok()
                }
            })
            .as_ref()
    }

    /// `$input.params(name)`: path, then query string, then header (case-insensitively).
    pub(crate) fn param<'s>(&'s self, name: &str) -> Option<&'s str> {
        let exact = |list: &'s [(String, String)]| {
            list.iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
        };
        exact(&self.path)
            .or_else(|| exact(&self.querystring))
            .or_else(|| {
                self.header
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(name))
                    .map(|(_, v)| v.as_str())
            })
    }
}

fn pairs<K: Into<String>, V: Into<String>>(
    items: impl IntoIterator<Item = (K, V)>,
) -> Vec<(String, String)> {
    items
        .into_iter()
        .map(|(k, v)| (k.into(), v.into()))
        .collect()
}

/// A string map as a template value.
pub(crate) fn string_map(pairs: &[(String, String)]) -> Value {
    Value::map(
        pairs
            .iter()
            .map(|(k, v)| (k.clone(), Value::string(v.as_str())))
            .collect(),
    )
}

/// What a template produced: the body and the overrides it set in `$context`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rendered {
    /// The rendered text.
    pub body: String,
    /// `$context.requestOverride.*` and `$context.responseOverride.*` as set by the template.
    pub overrides: Overrides,
}

/// Values a template assigned to `$context.requestOverride` / `$context.responseOverride`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Overrides {
    /// `$context.requestOverride.header.X`.
    pub request_headers: Vec<(String, String)>,
    /// `$context.requestOverride.querystring.X`.
    pub request_querystring: Vec<(String, String)>,
    /// `$context.requestOverride.path.X`.
    pub request_path: Vec<(String, String)>,
    /// `$context.responseOverride.status`, when set to a number (or a string holding one).
    pub response_status: Option<u16>,
    /// `$context.responseOverride.header.X`.
    pub response_headers: Vec<(String, String)>,
}

/// `$context` as a template value, with empty override maps ready to be set.
pub(crate) fn context_value(scope: &Scope<'_>) -> Value {
    let mut root: Entries = scope
        .context
        .iter()
        .map(|(k, v)| (k.clone(), Value::from_json(v)))
        .collect();
    for (name, parts) in [
        ("requestOverride", &["header", "querystring", "path"][..]),
        ("responseOverride", &["header"][..]),
    ] {
        let entry = root
            .entry(name.to_string())
            .or_insert_with(|| Value::map(Entries::default()));
        if let Value::Map(map) = entry {
            let mut map = map.borrow_mut();
            for part in parts {
                map.entry(part.to_string())
                    .or_insert_with(|| Value::map(Entries::default()));
            }
        }
    }
    Value::map(root)
}

impl Overrides {
    /// Reads the override maps out of the rendered `$context`.
    pub(crate) fn from_context(context: Option<&Value>) -> Overrides {
        let Some(Value::Map(context)) = context else {
            return Overrides::default();
        };
        let context = context.borrow();
        let section = |name: &str, part: &str| -> Vec<(String, String)> {
            let Some(Value::Map(section)) = context.get(name) else {
                return Vec::new();
            };
            let section = section.borrow();
            let Some(Value::Map(values)) = section.get(part) else {
                return Vec::new();
            };
            let values = values.borrow();
            values
                .iter()
                .filter_map(|(k, v)| Some((k.clone(), v.java_string()?)))
                .collect()
        };
        let status = match context.get("responseOverride") {
            Some(Value::Map(response)) => response.borrow().get("status").and_then(|s| match s {
                Value::String(s) => s.trim().parse().ok(),
                other => other.as_integer().and_then(|n| u16::try_from(n).ok()),
            }),
            _ => None,
        };
        Overrides {
            request_headers: section("requestOverride", "header"),
            request_querystring: section("requestOverride", "querystring"),
            request_path: section("requestOverride", "path"),
            response_status: status,
            response_headers: section("responseOverride", "header"),
        }
    }
}
