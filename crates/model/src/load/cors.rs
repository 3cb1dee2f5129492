//! `x-amazon-apigateway-cors`: an HTTP API's CORS configuration, at the top of the document.

use serde_json::Value;

use super::context::{one_of, type_name, At, Ctx, Node};
use crate::api::ApiKind;
use crate::cors::{Cors, CORS_MAX_AGE_RANGE};

pub(crate) const EXTENSION: &str = "x-amazon-apigateway-cors";

const PROPERTIES: [&str; 6] = [
    "allowOrigins",
    "allowMethods",
    "allowHeaders",
    "exposeHeaders",
    "maxAge",
    "allowCredentials",
];

/// The document's CORS configuration, if it has one. REST APIs have none: their CORS is OPTIONS
/// methods the user writes, so the extension is an error there.
pub(crate) fn resolve(ctx: &mut Ctx<'_>, root: &Node<'_>) -> Option<Cors> {
    let node = root.get(EXTENSION)?;
    ctx.handle(&node);
    if ctx.kind == ApiKind::Rest {
        ctx.error(&node.ptr, At::Key, format!("{EXTENSION} configures HTTP APIs; a REST API answers CORS preflights with OPTIONS methods (usually MOCK integrations) that you define, or load the document as an HTTP API (--kind http)"));
        return None;
    }
    ctx.object(&node, EXTENSION)?;
    let errors = ctx.error_count();
    let mut cors = Cors::default();
    for (key, member) in node.entries() {
        match key {
            "allowOrigins" => cors.allow_origins = strings(ctx, &member, key),
            "allowMethods" => cors.allow_methods = strings(ctx, &member, key),
            "allowHeaders" => cors.allow_headers = strings(ctx, &member, key),
            "exposeHeaders" => cors.expose_headers = strings(ctx, &member, key),
            "maxAge" => cors.max_age = max_age(ctx, &member),
            "allowCredentials" => match member.value {
                Value::Bool(b) => cors.allow_credentials = *b,
                other => {
                    let found = type_name(other);
                    ctx.error(
                        &member.ptr,
                        At::Value,
                        format!("allowCredentials must be true or false; found {found}"),
                    );
                }
            },
            _ => {
                let message = format!(
                    "unknown CORS property \"{key}\"; expected one of {}",
                    one_of(&PROPERTIES)
                );
                ctx.error(&member.ptr, At::Key, message);
            }
        }
    }
    if ctx.error_count() > errors {
        return None;
    }
    if let Some(problem) = cors.problem() {
        ctx.error(&node.ptr, At::Key, format!("{EXTENSION}: {problem}"));
        return None;
    }
    Some(cors)
}

fn strings(ctx: &mut Ctx<'_>, node: &Node<'_>, key: &str) -> Vec<String> {
    if ctx.array(node, key).is_none() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for item in node.items() {
        if let Some(text) = ctx.string(&item, &format!("each entry of {key}")) {
            out.push(text.to_owned());
        }
    }
    out
}

fn max_age(ctx: &mut Ctx<'_>, node: &Node<'_>) -> Option<i32> {
    let seconds = node
        .value
        .as_i64()
        .filter(|s| CORS_MAX_AGE_RANGE.contains(s));
    if seconds.is_none() {
        let found = match node.value {
            Value::Number(n) => n.to_string(),
            other => type_name(other).to_owned(),
        };
        ctx.error(
            &node.ptr,
            At::Value,
            format!("maxAge must be a whole number of seconds from -1 to 86400; found {found}"),
        );
    }
    seconds.and_then(|s| i32::try_from(s).ok())
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::cors::Cors;
    use crate::load::{load_str, LoadOptions};

    fn load(cors: &str) -> Result<Option<Cors>, Vec<String>> {
        let text = format!(
            "openapi: 3.0.1\ninfo: {{ title: Cors, version: \"1\" }}\nx-amazon-apigateway-importexport-version: \"1.0\"\n{cors}paths:\n  /pets:\n    get:\n      x-amazon-apigateway-integration: {{ type: http_proxy, httpMethod: GET, uri: \"http://127.0.0.1:1/\", payloadFormatVersion: \"1.0\" }}\n"
        );
        load_str(Path::new("cors.yaml"), &text, &LoadOptions::default())
            .map(|api| api.cors)
            .map_err(|errors| {
                errors
                    .0
                    .iter()
                    .map(|e| format!("{}:{} {}: {}", e.line, e.column, e.pointer, e.message))
                    .collect()
            })
    }

    #[test]
    fn every_property_is_read() {
        let cors = load("x-amazon-apigateway-cors:\n  allowOrigins: [\"https://app.example.com\", \"http://*\"]\n  allowMethods: [GET, POST]\n  allowHeaders: [authorization]\n  exposeHeaders: [x-request-id]\n  maxAge: 300\n  allowCredentials: true\n")
            .unwrap()
            .unwrap();
        assert_eq!(
            cors,
            Cors {
                allow_origins: vec!["https://app.example.com".into(), "http://*".into()],
                allow_methods: vec!["GET".into(), "POST".into()],
                allow_headers: vec!["authorization".into()],
                expose_headers: vec!["x-request-id".into()],
                max_age: Some(300),
                allow_credentials: true,
            }
        );
        assert_eq!(load("").unwrap(), None);
    }

    #[test]
    fn mistakes_are_located() {
        assert_eq!(
            load("x-amazon-apigateway-cors:\n  allowOrigin: [\"*\"]\n").unwrap_err(),
            ["5:3 /x-amazon-apigateway-cors/allowOrigin: unknown CORS property \"allowOrigin\"; expected one of allowOrigins, allowMethods, allowHeaders, exposeHeaders, maxAge, allowCredentials"]
        );
        assert_eq!(
            load("x-amazon-apigateway-cors:\n  maxAge: 100000\n").unwrap_err(),
            ["5:11 /x-amazon-apigateway-cors/maxAge: maxAge must be a whole number of seconds from -1 to 86400; found 100000"]
        );
        let errors =
            load("x-amazon-apigateway-cors:\n  allowOrigins: [\"*\"]\n  allowCredentials: true\n")
                .unwrap_err();
        assert_eq!(errors.len(), 1);
        assert!(errors[0].starts_with("4:1 /x-amazon-apigateway-cors: x-amazon-apigateway-cors: allowCredentials cannot be true while allowOrigins contains \"*\""), "{errors:?}");
    }

    #[test]
    fn rest_apis_answer_cors_with_their_own_options_methods() {
        let text = "openapi: 3.0.1\ninfo: { title: Cors, version: \"1\" }\nx-amazon-apigateway-cors: { allowOrigins: [\"*\"] }\npaths: {}\n";
        let errors = load_str(Path::new("rest.yaml"), text, &LoadOptions::default()).unwrap_err();
        assert!(
            errors.0[0]
                .message
                .starts_with("x-amazon-apigateway-cors configures HTTP APIs"),
            "{errors}"
        );
    }
}
