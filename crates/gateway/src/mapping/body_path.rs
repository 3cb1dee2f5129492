//! JSONPath sources of parameter mappings: `method.request.body.a.b`, `integration.response.body[0].c`.

/// A JSONPath into a JSON body (`method.request.body.pet.name` reads `$.pet.name`), evaluated
/// by the VTL engine's `$input.json`.
#[derive(Debug, Clone)]
pub(crate) struct BodyPath {
    path: Box<str>,
    template: std::sync::Arc<turnpike_vtl::Template>,
}

impl PartialEq for BodyPath {
    fn eq(&self, other: &BodyPath) -> bool {
        self.path == other.path
    }
}

impl Eq for BodyPath {}

impl BodyPath {
    /// `rest` follows `body`: `.a.b` or `[0].a`.
    pub(crate) fn parse(expression: &str, rest: &str) -> Result<BodyPath, String> {
        let valid = (rest.len() > 1 && (rest.starts_with('.') || rest.starts_with('[')))
            && !rest.contains(['\'', '\\', '$', '#']);
        if !valid {
            return Err(format!(
                "unsupported mapping source {expression:?}: not a JSONPath"
            ));
        }
        let path: Box<str> = format!("${rest}").into();
        let template = turnpike_vtl::Template::compile(&format!("$input.json('{path}')"))
            .map_err(|e| format!("{expression:?}: {e}"))?;
        Ok(BodyPath {
            path,
            template: std::sync::Arc::new(template),
        })
    }

    /// The value at the path: strings bare, other JSON as JSON text; `None` when absent (which
    /// `$input.json` prints as an empty string) or null.
    pub(crate) fn read(&self, body: &str) -> Option<String> {
        let rendered = self
            .template
            .render(&turnpike_vtl::Scope::new(body))
            .ok()?
            .body;
        match serde_json::from_str::<serde_json::Value>(&rendered) {
            Ok(serde_json::Value::String(s)) => (!s.is_empty()).then_some(s),
            Ok(serde_json::Value::Null) | Err(_) => None,
            Ok(_) => Some(rendered),
        }
    }
}
