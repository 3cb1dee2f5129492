//! `Auth.Authorizers` entries as OpenAPI security schemes: Lambda (`FunctionArn`, TOKEN or
//! REQUEST, `Identity`), Cognito (`UserPoolArn`) and JWT (`JwtConfiguration`).

use serde_json::Value;

use super::{flag, list, map, s, texts};
use crate::api::ApiKind;
use crate::function::REGION;
use crate::load::context::At;
use crate::load::sam::resolved::{RNode, RVal};
use crate::load::sam::stack::Stack;

/// One authorizer as a security scheme, with its default scopes.
pub(super) fn scheme(
    stack: &mut Stack<'_>,
    name: &str,
    node: &RNode,
    kind: ApiKind,
) -> Option<(RNode, Vec<String>)> {
    let p = node.ptr.as_str();
    stack.mapping(node, &format!("authorizer {name}"))?;
    let scopes = texts(
        stack,
        node.get("AuthorizationScopes"),
        "AuthorizationScopes",
    );
    let identity = node.get("Identity");
    let ttl = identity.and_then(|i| i.get("ReauthorizeEvery")).map(|n| {
        let secs = stack.integer(n, "ReauthorizeEvery", 0, 3600).unwrap_or(300);
        ("authorizerResultTtlInSeconds", s(&n.ptr, secs))
    });
    let header = identity
        .and_then(|i| i.get("Header"))
        .and_then(|n| stack.text(n, "Identity.Header"))
        .unwrap_or_else(|| "Authorization".into());
    let mut config: Vec<(&str, RNode)> = Vec::new();
    let scheme_type;
    let mut authtype = None;
    if let Some(function) = node.get("FunctionArn") {
        let arn = stack.text(function, "FunctionArn")?;
        let uri = format!(
            "arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/{arn}/invocations"
        );
        config.push(("authorizerUri", s(&function.ptr, uri)));
        let sources = identity_sources(stack, identity, kind);
        let payload = node
            .get("FunctionPayloadType")
            .and_then(|n| stack.text(n, "FunctionPayloadType"))
            .unwrap_or_else(|| "TOKEN".into());
        let request = kind == ApiKind::Http || payload.eq_ignore_ascii_case("REQUEST");
        if !request && !payload.eq_ignore_ascii_case("TOKEN") {
            let at = node
                .get("FunctionPayloadType")
                .map_or(p, |n| n.ptr.as_str())
                .to_owned();
            stack.error(
                &at,
                At::Value,
                format!("FunctionPayloadType must be TOKEN or REQUEST; found {payload}"),
            );
            return None;
        }
        if request {
            config.insert(0, ("type", s(p, "request")));
            if !sources.is_empty() {
                config.push(("identitySource", s(p, sources.join(", "))));
            }
        } else {
            config.insert(0, ("type", s(p, "token")));
            config.push((
                "identitySource",
                s(p, format!("method.request.header.{header}")),
            ));
            if let Some(v) = identity.and_then(|i| i.get("ValidationExpression")) {
                config.push(("identityValidationExpression", v.clone()));
            }
        }
        if kind == ApiKind::Http {
            let version = node
                .get("AuthorizerPayloadFormatVersion")
                .map(|n| n.to_value())
                .map(|v| match v {
                    Value::Number(n) => n.as_f64().map_or_else(String::new, |f| format!("{f:.1}")),
                    Value::String(s) => s,
                    other => other.to_string(),
                })
                .unwrap_or_else(|| "2.0".into());
            config.push(("authorizerPayloadFormatVersion", s(p, version)));
            if let Some(n) = node.get("EnableSimpleResponses") {
                let on = flag(stack, n, "EnableSimpleResponses");
                config.push(("enableSimpleResponses", s(&n.ptr, on)));
            }
        }
        config.extend(ttl);
        authtype = (kind == ApiKind::Rest).then_some("custom");
        scheme_type = "apiKey";
    } else if let Some(pool) = node.get("UserPoolArn").filter(|_| kind == ApiKind::Rest) {
        let arns = match &pool.val {
            RVal::List(items) => items
                .iter()
                .filter_map(|i| stack.text(i, "UserPoolArn"))
                .collect(),
            _ => vec![stack.text(pool, "UserPoolArn")?],
        };
        config.push(("type", s(p, "cognito_user_pools")));
        config.push((
            "providerARNs",
            list(
                &pool.ptr,
                arns.into_iter().map(|a| s(&pool.ptr, a)).collect(),
            ),
        ));
        config.push((
            "identitySource",
            s(p, format!("method.request.header.{header}")),
        ));
        authtype = Some("cognito_user_pools");
        scheme_type = "apiKey";
    } else if let Some(jwt) = node
        .get("JwtConfiguration")
        .filter(|_| kind == ApiKind::Http)
    {
        let source = node
            .get("IdentitySource")
            .and_then(|n| stack.text(n, "IdentitySource"))
            .unwrap_or_else(|| "$request.header.Authorization".into());
        config.push(("type", s(p, "jwt")));
        config.push(("identitySource", s(p, source)));
        config.push(("jwtConfiguration", jwt.clone()));
        scheme_type = "oauth2";
    } else {
        let what = if kind == ApiKind::Rest {
            "FunctionArn (Lambda) or UserPoolArn (Cognito)"
        } else {
            "FunctionArn (Lambda) or JwtConfiguration (JWT)"
        };
        stack.error(p, At::Key, format!("authorizer {name} needs {what}"));
        return None;
    }
    let mut scheme = vec![("type", s(p, scheme_type))];
    if scheme_type == "apiKey" {
        scheme.push(("name", s(p, header)));
        scheme.push(("in", s(p, "header")));
    }
    if let Some(t) = authtype {
        scheme.push(("x-amazon-apigateway-authtype", s(p, t)));
    }
    scheme.push(("x-amazon-apigateway-authorizer", map(p, config)));
    Some((map(p, scheme), scopes))
}

/// `Identity.Headers`, `QueryStrings`, `StageVariables`, `Context` in the kind's spelling.
fn identity_sources(stack: &mut Stack<'_>, identity: Option<&RNode>, kind: ApiKind) -> Vec<String> {
    let Some(identity) = identity else {
        return Vec::new();
    };
    let (header, query, stage, context) = match kind {
        ApiKind::Rest => (
            "method.request.header.",
            "method.request.querystring.",
            "stageVariables.",
            "context.",
        ),
        ApiKind::Http => (
            "$request.header.",
            "$request.querystring.",
            "$stageVariables.",
            "$context.",
        ),
    };
    let mut out = Vec::new();
    for (key, prefix) in [
        ("Headers", header),
        ("QueryStrings", query),
        ("StageVariables", stage),
        ("Context", context),
    ] {
        for name in texts(stack, identity.get(key), &format!("Identity.{key}")) {
            out.push(format!("{prefix}{name}"));
        }
    }
    out
}
