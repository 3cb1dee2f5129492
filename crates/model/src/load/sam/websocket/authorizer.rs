//! `AWS::ApiGatewayV2::Authorizer` of a WebSocket API → [`Authorizer`]: a Lambda REQUEST
//! authorizer, which API Gateway calls once per connection, on `$connect`.

use std::time::Duration;

use super::{http_only, Read};
use crate::api::lambda_function_arn_of;
use crate::auth::{Authorizer, AuthorizerKind, AuthorizerPayloadVersion, IdentitySource};
use crate::load::context::At;
use crate::load::sam::auth::texts;
use crate::load::sam::stack::Stack;

pub(super) const PROPERTIES: &[&str] = &[
    "ApiId",
    "AuthorizerCredentialsArn",
    "AuthorizerPayloadFormatVersion",
    "AuthorizerResultTtlInSeconds",
    "AuthorizerType",
    "AuthorizerUri",
    "EnableSimpleResponses",
    "IdentitySource",
    "IdentityValidationExpression",
    "JwtConfiguration",
    "Name",
];

/// CloudFormation documents these as supported only for HTTP APIs (JWT authorizers, payload 2.0
/// and simple responses, result caching).
const HTTP_ONLY: &[&str] = &[
    "AuthorizerPayloadFormatVersion",
    "AuthorizerResultTtlInSeconds",
    "EnableSimpleResponses",
    "JwtConfiguration",
];

const IDENTITY_SOURCES: &str = "route.request.header.NAME, route.request.querystring.NAME, stageVariables.NAME or context.NAME";

/// Reads the authorizer `r`, named by its logical id (what routes' `AuthorizerId` gives);
/// `None` after reporting its problems.
pub(super) fn read(stack: &mut Stack<'_>, r: &Read) -> Option<Authorizer> {
    let props = &r.props;
    http_only(stack, r, HTTP_ONLY);
    let mut ok = true;
    match props.get("Name") {
        Some(node) => ok &= stack.text(node, "Name").is_some(),
        None => {
            stack.error(&props.ptr, At::Key, format!("{} needs a Name", r.name()));
            ok = false;
        }
    }
    match props.get("AuthorizerType") {
        None => {
            let message = format!("{} needs AuthorizerType: REQUEST", r.name());
            stack.error(&props.ptr, At::Key, message);
            return None;
        }
        Some(node) => match stack.text(node, "AuthorizerType")?.as_str() {
            "REQUEST" => {}
            other => {
                let message = format!("AuthorizerType must be REQUEST, a Lambda authorizer, the only kind WebSocket APIs have; found {other}");
                stack.error(&node.ptr, At::Value, message);
                return None;
            }
        },
    }
    let function_arn = match props.get("AuthorizerUri") {
        None => {
            let message = format!("{} needs an AuthorizerUri, the Lambda invocation ARN arn:aws:apigateway:REGION:lambda:path/2015-03-31/functions/FUNCTION_ARN/invocations", r.name());
            stack.error(&props.ptr, At::Key, message);
            None
        }
        Some(node) => {
            let uri = stack.text(node, "AuthorizerUri")?;
            let function = lambda_function_arn_of(&uri).filter(|f| *f != uri);
            if function.is_none() {
                let message = format!("AuthorizerUri \"{uri}\" is not a Lambda invocation ARN; expected arn:aws:apigateway:REGION:lambda:path/2015-03-31/functions/FUNCTION_ARN/invocations");
                stack.error(&node.ptr, At::Value, message);
            }
            function.map(str::to_owned)
        }
    };
    let mut identity_sources = Vec::new();
    if let Some(node) = props.get("IdentitySource") {
        let items = node.items().to_vec();
        let names = texts(stack, Some(node), "IdentitySource");
        for (text, item) in names.iter().zip(items.iter()) {
            match identity_source(text) {
                Some(source) => identity_sources.push(source),
                None => {
                    let message = format!("IdentitySource \"{text}\" is not one a WebSocket authorizer takes; expected {IDENTITY_SOURCES}");
                    stack.error(&item.ptr, At::Value, message);
                    ok = false;
                }
            }
        }
    }
    let mut authorizer = Authorizer::new(r.id.clone(), AuthorizerKind::Request);
    authorizer.function_arn = Some(function_arn?);
    authorizer.identity_sources = identity_sources;
    // WebSocket authorizers are called once per connection; AWS caches nothing for them.
    authorizer.result_ttl = Duration::ZERO;
    authorizer.payload_format_version = AuthorizerPayloadVersion::V1;
    ok.then_some(authorizer)
}

/// `route.request.header.Auth` and the like, in the model's terms.
fn identity_source(text: &str) -> Option<IdentitySource> {
    let rest = text.trim();
    let rest = match rest.strip_prefix("route.request.") {
        Some(request) => format!("method.request.{request}"),
        None if rest.starts_with("stageVariables.") || rest.starts_with("context.") => {
            rest.to_owned()
        }
        None => return None,
    };
    IdentitySource::parse(&rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_sources_in_websocket_spelling() {
        assert_eq!(
            identity_source("route.request.header.Auth"),
            Some(IdentitySource::Header("Auth".into()))
        );
        assert_eq!(
            identity_source("route.request.querystring.token"),
            Some(IdentitySource::QueryString("token".into()))
        );
        assert_eq!(
            identity_source("stageVariables.key"),
            Some(IdentitySource::StageVariable("key".into()))
        );
        assert_eq!(
            identity_source("context.routeKey"),
            Some(IdentitySource::Context("routeKey".into()))
        );
        assert_eq!(identity_source("method.request.header.Auth"), None);
        assert_eq!(identity_source("$request.header.Auth"), None);
        assert_eq!(identity_source("route.request.body.x"), None);
        assert_eq!(identity_source("route.request.header."), None);
    }
}
