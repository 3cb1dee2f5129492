//! SAM's CORS properties, written into the API's OpenAPI body as SAM writes them:
//!
//! - `AWS::Serverless::HttpApi` `CorsConfiguration` (`true`, or the configuration) becomes
//!   `x-amazon-apigateway-cors`, which the gateway answers itself;
//! - `AWS::Serverless::Api` `Cors` (an origin, or `AllowOrigin`, `AllowMethods`, `AllowHeaders`,
//!   `MaxAge`, `AllowCredentials`) becomes an `OPTIONS` method on every path that lacks one: a
//!   MOCK integration answering 200 with the `Access-Control-*` headers. Its values are mapping
//!   expressions, quoted as SAM wants them (`"'*'"`).

use serde_json::Value;

use super::auth::{list, map, s};
use super::resolved::{RNode, RVal};
use super::stack::Stack;
use crate::api::ApiKind;
use crate::load::context::At;

/// Writes the API's CORS property, if any, into `doc`.
pub(super) fn apply(stack: &mut Stack<'_>, doc: &mut RNode, props: &RNode, kind: ApiKind) {
    match kind {
        ApiKind::Http => {
            if let Some(node) = props.get("CorsConfiguration") {
                if let Some(cors) = http_configuration(stack, node) {
                    set(doc, "x-amazon-apigateway-cors", cors);
                }
            }
        }
        ApiKind::Rest => {
            if let Some(node) = props.get("Cors") {
                if let Some(cors) = rest_configuration(stack, node) {
                    add_options_methods(doc, &cors, &node.ptr);
                }
            }
        }
    }
}

const HTTP_KEYS: [(&str, &str); 6] = [
    ("AllowOrigins", "allowOrigins"),
    ("AllowMethods", "allowMethods"),
    ("AllowHeaders", "allowHeaders"),
    ("ExposeHeaders", "exposeHeaders"),
    ("MaxAge", "maxAge"),
    ("AllowCredentials", "allowCredentials"),
];

fn http_configuration(stack: &mut Stack<'_>, node: &RNode) -> Option<RNode> {
    let ptr = node.ptr.as_str();
    match &node.val {
        RVal::Scalar(Value::Bool(false)) => None,
        // SAM's `true`: every origin, method and header.
        RVal::Scalar(Value::Bool(true)) => {
            let any = || list(ptr, vec![s(ptr, "*")]);
            Some(map(
                ptr,
                vec![
                    ("allowOrigins", any()),
                    ("allowMethods", any()),
                    ("allowHeaders", any()),
                ],
            ))
        }
        RVal::Map(entries) => {
            let mut out = Vec::new();
            for (key, value) in entries {
                match HTTP_KEYS.iter().find(|(sam, _)| sam == key) {
                    Some((_, openapi)) => out.push((*openapi, value.clone())),
                    None => {
                        let allowed: Vec<&str> = HTTP_KEYS.iter().map(|(k, _)| *k).collect();
                        let message = format!(
                            "unknown CorsConfiguration property \"{key}\"; expected one of {}",
                            allowed.join(", ")
                        );
                        stack.error(&value.ptr, At::Key, message);
                    }
                }
            }
            Some(map(ptr, out))
        }
        _ => {
            let message = format!(
                "CorsConfiguration must be true, false or a mapping; found {}",
                node.type_name()
            );
            stack.error(ptr, At::Value, message);
            None
        }
    }
}

/// A REST API's `Cors`, as the mapping expressions of each header.
struct RestCors {
    origin: String,
    methods: Option<String>,
    headers: Option<String>,
    max_age: Option<String>,
    credentials: bool,
}

const REST_KEYS: [&str; 5] = [
    "AllowOrigin",
    "AllowMethods",
    "AllowHeaders",
    "MaxAge",
    "AllowCredentials",
];

fn rest_configuration(stack: &mut Stack<'_>, node: &RNode) -> Option<RestCors> {
    if let RVal::Scalar(Value::String(origin)) = &node.val {
        return Some(RestCors {
            origin: origin.clone(),
            methods: None,
            headers: None,
            max_age: None,
            credentials: false,
        });
    }
    if !matches!(node.val, RVal::Map(_)) {
        let message = format!(
            "Cors must be an origin such as \"'*'\" or a mapping with AllowOrigin; found {}",
            node.type_name()
        );
        stack.error(&node.ptr, At::Value, message);
        return None;
    }
    for (key, value) in node.entries() {
        if !REST_KEYS.contains(&key.as_str()) {
            let message = format!(
                "unknown Cors property \"{key}\"; expected one of {}",
                REST_KEYS.join(", ")
            );
            stack.error(&value.ptr, At::Key, message);
        }
    }
    let mut text = |key: &str| node.get(key).and_then(|n| stack.text(n, key));
    let Some(origin) = text("AllowOrigin") else {
        stack.error(&node.ptr, At::Key, "Cors needs AllowOrigin, such as \"'https://www.example.com'\" (quoted: it is a mapping expression)");
        return None;
    };
    let methods = text("AllowMethods");
    let headers = text("AllowHeaders");
    let max_age = text("MaxAge");
    let credentials = match node.get("AllowCredentials").map(|n| &n.val) {
        None | Some(RVal::Scalar(Value::Bool(false))) => false,
        Some(RVal::Scalar(Value::Bool(true))) => true,
        Some(_) => {
            let ptr = node
                .get("AllowCredentials")
                .map(|n| n.ptr.clone())
                .unwrap_or_default();
            stack.error(&ptr, At::Value, "AllowCredentials must be true or false");
            false
        }
    };
    Some(RestCors {
        origin,
        methods,
        headers,
        max_age,
        credentials,
    })
}

const METHODS: [&str; 7] = ["delete", "get", "head", "options", "patch", "post", "put"];

fn add_options_methods(doc: &mut RNode, cors: &RestCors, ptr: &str) {
    let RVal::Map(entries) = &mut doc.val else {
        return;
    };
    let Some((_, paths)) = entries.iter_mut().find(|(k, _)| k == "paths") else {
        return;
    };
    let RVal::Map(paths) = &mut paths.val else {
        return;
    };
    for (_, item) in paths.iter_mut() {
        let RVal::Map(operations) = &mut item.val else {
            continue;
        };
        if operations.iter().any(|(k, _)| k == "options") {
            continue;
        }
        let any = operations
            .iter()
            .any(|(k, _)| k == "x-amazon-apigateway-any-method");
        let mut methods: Vec<String> = METHODS
            .iter()
            .filter(|m| any || **m == "options" || operations.iter().any(|(k, _)| k == *m))
            .map(|m| m.to_ascii_uppercase())
            .collect();
        methods.sort();
        let allow_methods = cors
            .methods
            .clone()
            .unwrap_or_else(|| format!("'{}'", methods.join(",")));
        let header = |name: &str| format!("method.response.header.{name}");
        let mut parameters = vec![
            (header("Access-Control-Allow-Origin"), cors.origin.clone()),
            (header("Access-Control-Allow-Methods"), allow_methods),
        ];
        if let Some(headers) = &cors.headers {
            parameters.push((header("Access-Control-Allow-Headers"), headers.clone()));
        }
        if let Some(max_age) = &cors.max_age {
            parameters.push((header("Access-Control-Max-Age"), max_age.clone()));
        }
        if cors.credentials {
            parameters.push((
                header("Access-Control-Allow-Credentials"),
                "'true'".to_owned(),
            ));
        }
        let parameters = RNode {
            ptr: ptr.to_owned(),
            val: RVal::Map(
                parameters
                    .into_iter()
                    .map(|(k, v)| (k, s(ptr, v)))
                    .collect(),
            ),
        };
        let integration = map(
            ptr,
            vec![
                ("type", s(ptr, "mock")),
                (
                    "requestTemplates",
                    map(
                        ptr,
                        vec![("application/json", s(ptr, "{\"statusCode\": 200}"))],
                    ),
                ),
                (
                    "responses",
                    map(
                        ptr,
                        vec![(
                            "default",
                            map(
                                ptr,
                                vec![
                                    ("statusCode", s(ptr, "200")),
                                    ("responseParameters", parameters),
                                    (
                                        "responseTemplates",
                                        map(ptr, vec![("application/json", s(ptr, ""))]),
                                    ),
                                ],
                            ),
                        )],
                    ),
                ),
            ],
        );
        operations.push((
            "options".to_owned(),
            map(ptr, vec![("x-amazon-apigateway-integration", integration)]),
        ));
    }
}

fn set(doc: &mut RNode, key: &str, value: RNode) {
    if let RVal::Map(entries) = &mut doc.val {
        entries.retain(|(k, _)| k != key);
        entries.push((key.to_owned(), value));
    }
}
