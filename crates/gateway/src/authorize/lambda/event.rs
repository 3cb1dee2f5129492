//! The events a Lambda authorizer receives ("Input to an API Gateway Lambda authorizer", "Control
//! access to HTTP APIs with AWS Lambda authorizers"):
//!
//! - REST TOKEN: `{type: "TOKEN", authorizationToken, methodArn}`;
//! - REST REQUEST: `type`, `methodArn`, then the proxy event's `resource`, `path`, `httpMethod`,
//!   `headers`, `multiValueHeaders`, `queryStringParameters`, `multiValueQueryStringParameters`,
//!   `pathParameters`, `stageVariables`, `requestContext` (no body);
//! - HTTP API 1.0: `version: "1.0"`, `type`, `methodArn`, `identitySource` and
//!   `authorizationToken` (the identity values joined with `,`), then `resource`, `path`,
//!   `httpMethod`, `headers`, `queryStringParameters`, `requestContext`, `pathParameters`,
//!   `stageVariables`;
//! - HTTP API 2.0: `version: "2.0"`, `type`, `routeArn`, `identitySource` (list), then the 2.0
//!   proxy event's `routeKey`, `rawPath`, `rawQueryString`, `cookies`, `headers`,
//!   `queryStringParameters`, `requestContext`, `pathParameters`, `stageVariables` (no body).

use serde_json::{Map, Value};

use crate::integrate::lambda::{event_v1, event_v2, request::ProxyRequest};

/// REST TOKEN.
pub(crate) fn token(token: &str, method_arn: &str) -> Value {
    let mut event = Map::new();
    event.insert("type".into(), "TOKEN".into());
    event.insert("authorizationToken".into(), token.into());
    event.insert("methodArn".into(), method_arn.into());
    Value::Object(event)
}

/// REST REQUEST.
pub(crate) fn rest_request(request: &ProxyRequest<'_>, method_arn: &str) -> Value {
    let proxy = event_v1::event(request);
    let mut event = Map::new();
    event.insert("type".into(), "REQUEST".into());
    event.insert("methodArn".into(), method_arn.into());
    copy(
        &proxy,
        &mut event,
        &[
            "resource",
            "path",
            "httpMethod",
            "headers",
            "multiValueHeaders",
            "queryStringParameters",
            "multiValueQueryStringParameters",
            "pathParameters",
            "stageVariables",
            "requestContext",
        ],
    );
    Value::Object(event)
}

/// HTTP API, payload 1.0.
pub(crate) fn http_v1(request: &ProxyRequest<'_>, method_arn: &str, identity: &[String]) -> Value {
    let proxy = event_v1::event(request);
    let joined = identity.join(",");
    let mut event = Map::new();
    event.insert("version".into(), "1.0".into());
    event.insert("type".into(), "REQUEST".into());
    event.insert("methodArn".into(), method_arn.into());
    event.insert("identitySource".into(), joined.clone().into());
    event.insert("authorizationToken".into(), joined.into());
    copy(
        &proxy,
        &mut event,
        &[
            "resource",
            "path",
            "httpMethod",
            "headers",
            "queryStringParameters",
            "requestContext",
            "pathParameters",
            "stageVariables",
        ],
    );
    Value::Object(event)
}

/// HTTP API, payload 2.0.
pub(crate) fn http_v2(request: &ProxyRequest<'_>, route_arn: &str, identity: &[String]) -> Value {
    let proxy = event_v2::event(request);
    let mut event = Map::new();
    event.insert("version".into(), "2.0".into());
    event.insert("type".into(), "REQUEST".into());
    event.insert("routeArn".into(), route_arn.into());
    event.insert(
        "identitySource".into(),
        Value::Array(identity.iter().map(|v| Value::from(v.as_str())).collect()),
    );
    copy(
        &proxy,
        &mut event,
        &[
            "routeKey",
            "rawPath",
            "rawQueryString",
            "cookies",
            "headers",
            "queryStringParameters",
            "requestContext",
            "pathParameters",
            "stageVariables",
        ],
    );
    Value::Object(event)
}

/// Copies `keys` of `from` that it has, in that order.
fn copy(from: &Value, to: &mut Map<String, Value>, keys: &[&str]) {
    for key in keys {
        if let Some(value) = from.get(*key) {
            to.insert((*key).to_owned(), value.clone());
        }
    }
}
