//! `x-amazon-apigateway-authorizer` → [`Authorizer`].
//!
//! Members: `type` (REST `token`, `request`, `cognito_user_pools`; HTTP API `request`, `jwt`),
//! `authorizerUri` (a Lambda function, resolved as integration uris are), `authorizerCredentials`
//! (the role API Gateway would assume; nothing to assume locally), `identitySource`,
//! `identityValidationExpression`, `authorizerResultTtlInSeconds` (0–3600, default 300),
//! `authorizerPayloadFormatVersion` and `enableSimpleResponses` (HTTP API Lambda authorizers),
//! `providerARNs` (Cognito) and `jwtConfiguration` (`issuer`, `audience`).

use serde_json::Value;

use super::context::{one_of, At, Ctx, Node};
use crate::api::ApiKind;
use crate::auth::{
    Authorizer, AuthorizerKind, AuthorizerPayloadVersion, IdentitySource, JwtConfiguration,
    MAX_AUTHORIZER_TTL,
};

const MEMBERS: &[&str] = &[
    "type",
    "authorizerUri",
    "authorizerCredentials",
    "identitySource",
    "identityValidationExpression",
    "authorizerResultTtlInSeconds",
    "authorizerPayloadFormatVersion",
    "enableSimpleResponses",
    "providerARNs",
    "jwtConfiguration",
];

/// Resolves the authorizer of security scheme `name`; `header` is the scheme's `name` (the token
/// header of a TOKEN authorizer without `identitySource`).
pub(crate) fn resolve(
    ctx: &mut Ctx<'_>,
    name: &str,
    node: &Node<'_>,
    header: Option<&str>,
) -> Option<Authorizer> {
    ctx.object(node, "x-amazon-apigateway-authorizer")?;
    let errors = ctx.error_count();
    for (key, member) in node.entries() {
        if !MEMBERS.contains(&key) {
            let message = format!(
                "unknown member \"{key}\" of x-amazon-apigateway-authorizer; expected one of {}",
                one_of(MEMBERS)
            );
            ctx.error(&member.ptr, At::Key, message);
        }
    }
    let kind = kind(ctx, node)?;
    let mut authorizer = Authorizer::new(name, kind);
    if kind.is_lambda() {
        authorizer.function_arn = function_arn(ctx, node);
    }
    authorizer.identity_sources = identity_sources(ctx, node, kind, header);
    if let Some(n) = node.get("identityValidationExpression") {
        authorizer.identity_validation_expression = validation(ctx, &n, kind);
    }
    if let Some(n) = node.get("authorizerResultTtlInSeconds") {
        authorizer.result_ttl = ttl(ctx, &n);
    }
    if ctx.kind == ApiKind::Http && kind == AuthorizerKind::Jwt {
        // HTTP API JWT authorizers are not cached by TTL; the keys are.
        authorizer.result_ttl = std::time::Duration::ZERO;
    }
    payload(ctx, node, &mut authorizer);
    if kind == AuthorizerKind::CognitoUserPools {
        authorizer.provider_arns = provider_arns(ctx, node);
    }
    if kind == AuthorizerKind::Jwt {
        authorizer.jwt = jwt(ctx, node);
    }
    let uncached = authorizer.identity_sources.is_empty() && kind == AuthorizerKind::Request;
    if uncached && ctx.kind == ApiKind::Http && node.get("authorizerResultTtlInSeconds").is_none() {
        // HTTP APIs cache only when told to; without identity sources there is no cache key.
        authorizer.result_ttl = std::time::Duration::ZERO;
    }
    if uncached && !authorizer.result_ttl.is_zero() {
        let message = "a REQUEST authorizer whose results are cached needs identitySource (the cache key); give one, or set authorizerResultTtlInSeconds: 0";
        ctx.error(&node.ptr, At::Key, message);
    }
    (ctx.error_count() == errors).then_some(authorizer)
}

fn kind(ctx: &mut Ctx<'_>, node: &Node<'_>) -> Option<AuthorizerKind> {
    let Some(type_node) = node.get("type") else {
        ctx.error(
            &node.ptr,
            At::Key,
            "x-amazon-apigateway-authorizer needs a type",
        );
        return None;
    };
    let text = ctx.string(&type_node, "type")?.to_ascii_lowercase();
    let (kind, allowed) = match ctx.kind {
        ApiKind::Rest => (
            match text.as_str() {
                "token" => Some(AuthorizerKind::Token),
                "request" => Some(AuthorizerKind::Request),
                "cognito_user_pools" => Some(AuthorizerKind::CognitoUserPools),
                _ => None,
            },
            "token, request, cognito_user_pools (REST APIs)",
        ),
        ApiKind::Http => (
            match text.as_str() {
                "request" => Some(AuthorizerKind::Request),
                "jwt" => Some(AuthorizerKind::Jwt),
                _ => None,
            },
            "request, jwt (HTTP APIs)",
        ),
    };
    if kind.is_none() {
        let message = format!("unknown authorizer type \"{text}\"; expected one of {allowed}");
        ctx.error(&type_node.ptr, At::Value, message);
    }
    kind
}

fn function_arn(ctx: &mut Ctx<'_>, node: &Node<'_>) -> Option<String> {
    let Some(uri) = node.get("authorizerUri") else {
        ctx.error(&node.ptr, At::Key, "a Lambda authorizer needs authorizerUri, arn:aws:apigateway:REGION:lambda:path/2015-03-31/functions/FUNCTION_ARN/invocations");
        return None;
    };
    let text = ctx.string(&uri, "authorizerUri")?;
    if !ctx.allow_lambda {
        let message = "Lambda authorizers are not supported yet by Turnpike in plain OpenAPI files; define the API and its authorizer function in a SAM template";
        ctx.error(&uri.ptr, At::Value, message);
        return None;
    }
    match crate::api::lambda_function_arn_of(text) {
        Some(arn) => Some(arn.to_owned()),
        None => {
            let message = format!("authorizerUri \"{text}\" is not a Lambda function; expected arn:aws:apigateway:REGION:lambda:path/2015-03-31/functions/FUNCTION_ARN/invocations");
            ctx.error(&uri.ptr, At::Value, message);
            None
        }
    }
}

fn identity_sources(
    ctx: &mut Ctx<'_>,
    node: &Node<'_>,
    kind: AuthorizerKind,
    header: Option<&str>,
) -> Vec<IdentitySource> {
    let Some(source) = node.get("identitySource") else {
        return match (kind, header) {
            (AuthorizerKind::Request, _) => Vec::new(),
            (_, Some(h)) if ctx.kind == ApiKind::Rest => vec![IdentitySource::Header(h.into())],
            _ => vec![IdentitySource::Header("Authorization".into())],
        };
    };
    let texts: Vec<String> = match source.value {
        Value::String(s) => s
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
        Value::Array(_) => source
            .items()
            .iter()
            .filter_map(|i| ctx.string(i, "each identitySource").map(str::to_owned))
            .collect(),
        _ => {
            ctx.string(&source, "identitySource");
            return Vec::new();
        }
    };
    let mut out = Vec::new();
    for text in texts {
        match IdentitySource::parse(&text) {
            Some(parsed) => out.push(parsed),
            None => {
                let message = format!("identitySource \"{text}\" is not a request parameter; expected method.request.header.NAME, method.request.querystring.NAME, stageVariables.NAME or context.NAME (HTTP APIs: $request.header.NAME, ...)");
                ctx.error(&source.ptr, At::Value, message);
            }
        }
    }
    if kind == AuthorizerKind::Token && !matches!(out.as_slice(), [IdentitySource::Header(_)]) {
        let message = "a TOKEN authorizer takes exactly one header, method.request.header.NAME";
        ctx.error(&source.ptr, At::Value, message);
    }
    out
}

fn validation(ctx: &mut Ctx<'_>, node: &Node<'_>, kind: AuthorizerKind) -> Option<regex::Regex> {
    let text = ctx.string(node, "identityValidationExpression")?;
    if kind != AuthorizerKind::Token {
        let message = "identityValidationExpression applies to TOKEN authorizers only";
        ctx.error(&node.ptr, At::Key, message);
        return None;
    }
    // The whole token must match, as with Java's Pattern.matches.
    match regex::Regex::new(&format!("^(?:{text})$")) {
        Ok(re) => Some(re),
        Err(e) => {
            let message =
                format!("identityValidationExpression is not a valid regular expression: {e}");
            ctx.error(&node.ptr, At::Value, message);
            None
        }
    }
}

fn ttl(ctx: &mut Ctx<'_>, node: &Node<'_>) -> std::time::Duration {
    let max = MAX_AUTHORIZER_TTL.as_secs();
    match node.value.as_u64() {
        Some(secs) if secs <= max => std::time::Duration::from_secs(secs),
        _ => {
            let message = format!(
                "authorizerResultTtlInSeconds must be a whole number of seconds from 0 to {max}; found {}",
                node.value
            );
            ctx.error(&node.ptr, At::Value, message);
            crate::auth::DEFAULT_AUTHORIZER_TTL
        }
    }
}

fn payload(ctx: &mut Ctx<'_>, node: &Node<'_>, authorizer: &mut Authorizer) {
    let http_lambda = ctx.kind == ApiKind::Http && authorizer.kind == AuthorizerKind::Request;
    for key in ["authorizerPayloadFormatVersion", "enableSimpleResponses"] {
        if let (Some(n), false) = (node.get(key), http_lambda) {
            let message = format!("{key} applies to HTTP API Lambda (request) authorizers only");
            ctx.error(&n.ptr, At::Key, message);
        }
    }
    if !http_lambda {
        return;
    }
    if let Some(n) = node.get("authorizerPayloadFormatVersion") {
        let text = match n.value {
            Value::Number(x) => x.as_f64().map(|f| format!("{f:.1}")),
            Value::String(s) => Some(s.clone()),
            _ => None,
        };
        authorizer.payload_format_version = match text.as_deref() {
            Some("1.0") => AuthorizerPayloadVersion::V1,
            Some("2.0") => AuthorizerPayloadVersion::V2,
            _ => {
                let message = format!(
                    "authorizerPayloadFormatVersion must be \"1.0\" or \"2.0\"; found {}",
                    n.value
                );
                ctx.error(&n.ptr, At::Value, message);
                AuthorizerPayloadVersion::V2
            }
        };
    }
    if let Some(n) = node.get("enableSimpleResponses") {
        match n.value.as_bool() {
            Some(true) if authorizer.payload_format_version == AuthorizerPayloadVersion::V1 => {
                let message = "enableSimpleResponses needs authorizerPayloadFormatVersion 2.0";
                ctx.error(&n.ptr, At::Value, message);
            }
            Some(on) => authorizer.enable_simple_responses = on,
            None => {
                let message = format!(
                    "enableSimpleResponses must be true or false; found {}",
                    n.value
                );
                ctx.error(&n.ptr, At::Value, message);
            }
        }
    }
}

fn provider_arns(ctx: &mut Ctx<'_>, node: &Node<'_>) -> Vec<String> {
    let Some(list) = node.get("providerARNs") else {
        ctx.error(
            &node.ptr,
            At::Key,
            "a cognito_user_pools authorizer needs providerARNs (the user pool ARNs)",
        );
        return Vec::new();
    };
    if ctx.array(&list, "providerARNs").is_none() {
        return Vec::new();
    }
    list.items()
        .iter()
        .filter_map(|i| ctx.string(i, "each providerARN").map(str::to_owned))
        .collect()
}

fn jwt(ctx: &mut Ctx<'_>, node: &Node<'_>) -> Option<JwtConfiguration> {
    let Some(config) = node.get("jwtConfiguration") else {
        ctx.error(
            &node.ptr,
            At::Key,
            "a jwt authorizer needs jwtConfiguration with issuer and audience",
        );
        return None;
    };
    ctx.object(&config, "jwtConfiguration")?;
    let issuer = match config.get("issuer") {
        Some(n) => ctx.string(&n, "jwtConfiguration.issuer")?.to_owned(),
        None => {
            ctx.error(&config.ptr, At::Key, "jwtConfiguration needs issuer");
            return None;
        }
    };
    let audience = match config.get("audience") {
        Some(n) if n.value.is_string() => vec![n.value.as_str().unwrap_or_default().to_owned()],
        Some(n) => {
            ctx.array(&n, "jwtConfiguration.audience")?;
            n.items()
                .iter()
                .filter_map(|i| ctx.string(i, "each audience").map(str::to_owned))
                .collect()
        }
        None => Vec::new(),
    };
    Some(JwtConfiguration { issuer, audience })
}
