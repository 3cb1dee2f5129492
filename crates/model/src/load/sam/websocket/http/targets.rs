//! What an HTTP API's routes name: `AWS::ApiGatewayV2::Integration` →
//! `x-amazon-apigateway-integration`, `AWS::ApiGatewayV2::Authorizer` → a security scheme with
//! `x-amazon-apigateway-authorizer`, in the shape the OpenAPI loader reads.

use super::{lower_first, map};
use crate::load::context::At;
use crate::load::sam::resolved::{RNode, RVal};
use crate::load::sam::stack::Stack;
use crate::load::sam::websocket::Read;

/// An `AWS::ApiGatewayV2::Integration` → `x-amazon-apigateway-integration`; `None` after
/// reporting.
pub(super) fn integration(stack: &mut Stack<'_>, r: &Read) -> Option<RNode> {
    let props = &r.props;
    let p = props.ptr.as_str();
    let Some(type_node) = props.get("IntegrationType") else {
        let message = format!(
            "{} needs an IntegrationType: AWS_PROXY or HTTP_PROXY",
            r.name()
        );
        stack.error(p, At::Key, message);
        return None;
    };
    let kind = stack.text(type_node, "IntegrationType")?;
    let openapi_type = match kind.as_str() {
        "AWS_PROXY" => "aws_proxy",
        "HTTP_PROXY" => "http_proxy",
        "AWS" | "HTTP" | "MOCK" => {
            let message = format!("IntegrationType {kind} is for WebSocket APIs; HTTP APIs take AWS_PROXY (a Lambda function, or an AWS service with IntegrationSubtype) or HTTP_PROXY");
            stack.error(&type_node.ptr, At::Value, message);
            return None;
        }
        other => {
            let message = format!(
                "IntegrationType must be AWS_PROXY or HTTP_PROXY for HTTP APIs; found {other}"
            );
            stack.error(&type_node.ptr, At::Value, message);
            return None;
        }
    };
    let subtype = props.get("IntegrationSubtype");
    let mut out = vec![("type", RNode::scalar(&type_node.ptr, openapi_type))];
    let renamed = [
        ("IntegrationSubtype", "integrationSubtype"),
        ("IntegrationUri", "uri"),
        ("IntegrationMethod", "httpMethod"),
        ("PayloadFormatVersion", "payloadFormatVersion"),
        ("TimeoutInMillis", "timeoutInMillis"),
        ("RequestParameters", "requestParameters"),
        ("CredentialsArn", "credentials"),
        ("ConnectionType", "connectionType"),
        ("ConnectionId", "connectionId"),
    ];
    for (from, to) in renamed {
        if let Some(node) = props.get(from) {
            out.push((to, node.clone()));
        }
    }
    let lambda = kind == "AWS_PROXY" && subtype.is_none();
    if lambda {
        if props.get("PayloadFormatVersion").is_none() {
            // The console picks 2.0, but CloudFormation (like the CLI and SDKs) must be told.
            let message = format!("{} needs a PayloadFormatVersion (1.0 or 2.0): CloudFormation requires one for an HTTP API's Lambda proxy integration", r.name());
            stack.error(p, At::Key, message);
            return None;
        }
        if props.get("IntegrationMethod").is_none() {
            out.push(("httpMethod", RNode::scalar(p, "POST")));
        }
    }
    if let Some(node) = props.get("ResponseParameters") {
        out.push(("responseParameters", response_parameters(stack, node)?));
    }
    if let Some(node) = props.get("TlsConfig") {
        let entries = stack.mapping(node, "TlsConfig")?.to_vec();
        stack.check_keys(&entries, &["ServerNameToVerify"], "TlsConfig");
        let members = entries
            .into_iter()
            .map(|(k, v)| (lower_first(&k), v))
            .collect();
        out.push((
            "tlsConfig",
            RNode {
                ptr: node.ptr.clone(),
                val: RVal::Map(members),
            },
        ));
    }
    Some(map(p, out))
}

/// CloudFormation's `ResponseParameters` (status → `ResponseParameters: [{Destination, Source}]`)
/// → OpenAPI's (status → destination → source).
fn response_parameters(stack: &mut Stack<'_>, node: &RNode) -> Option<RNode> {
    let statuses = stack.mapping(node, "ResponseParameters")?.to_vec();
    let mut out = Vec::new();
    for (status, value) in statuses {
        let what = format!("ResponseParameters.{status}");
        let entries = stack.mapping(&value, &what)?.to_vec();
        stack.check_keys(&entries, &["ResponseParameters"], &what);
        let mut mappings = Vec::new();
        if let Some(list) = value.get("ResponseParameters") {
            let what = format!("{what}.ResponseParameters");
            for item in stack.list(list, &what)?.to_vec() {
                let fields = stack.mapping(&item, &what)?.to_vec();
                stack.check_keys(&fields, &["Destination", "Source"], &what);
                let (Some(destination), Some(source)) =
                    (item.get("Destination"), item.get("Source"))
                else {
                    let message = format!("each of {what} needs a Destination and a Source");
                    stack.error(&item.ptr, At::Value, message);
                    return None;
                };
                let destination = stack.text(destination, "Destination")?;
                mappings.push((destination, source.clone()));
            }
        }
        out.push((
            status,
            RNode {
                ptr: value.ptr.clone(),
                val: RVal::Map(mappings),
            },
        ));
    }
    Some(RNode {
        ptr: node.ptr.clone(),
        val: RVal::Map(out),
    })
}

/// An `AWS::ApiGatewayV2::Authorizer` → its type (`JWT` or `REQUEST`) and the security scheme the
/// OpenAPI loader reads (`x-amazon-apigateway-authorizer`); `None` after reporting.
pub(super) fn authorizer(stack: &mut Stack<'_>, r: &Read) -> Option<(String, RNode)> {
    let props = &r.props;
    let p = props.ptr.as_str();
    let Some(type_node) = props.get("AuthorizerType") else {
        let message = format!("{} needs an AuthorizerType: JWT or REQUEST", r.name());
        stack.error(p, At::Key, message);
        return None;
    };
    let kind = stack.text(type_node, "AuthorizerType")?;
    let mut config = Vec::new();
    let scheme_type = match kind.as_str() {
        "JWT" => {
            config.push(("type", RNode::scalar(&type_node.ptr, "jwt")));
            let Some(jwt) = props.get("JwtConfiguration") else {
                let message = format!(
                    "{} is a JWT authorizer and needs JwtConfiguration with Issuer and Audience",
                    r.name()
                );
                stack.error(p, At::Key, message);
                return None;
            };
            let entries = stack.mapping(jwt, "JwtConfiguration")?.to_vec();
            stack.check_keys(&entries, &["Audience", "Issuer"], "JwtConfiguration");
            let members = entries
                .into_iter()
                .map(|(k, v)| (lower_first(&k), v))
                .collect();
            config.push((
                "jwtConfiguration",
                RNode {
                    ptr: jwt.ptr.clone(),
                    val: RVal::Map(members),
                },
            ));
            "oauth2"
        }
        "REQUEST" => {
            config.push(("type", RNode::scalar(&type_node.ptr, "request")));
            if props.get("AuthorizerUri").is_none() {
                let message = format!("{} is a Lambda (REQUEST) authorizer and needs an AuthorizerUri, the invocation ARN of its function", r.name());
                stack.error(p, At::Key, message);
                return None;
            }
            if props.get("AuthorizerPayloadFormatVersion").is_none() {
                let message = format!("{} needs an AuthorizerPayloadFormatVersion (1.0 or 2.0), which HTTP APIs' Lambda authorizers require", r.name());
                stack.error(p, At::Key, message);
                return None;
            }
            if let Some(node) = props.get("JwtConfiguration") {
                let message = "JwtConfiguration belongs to JWT authorizers; this is a REQUEST one";
                stack.error(&node.ptr, At::Key, message);
                return None;
            }
            "apiKey"
        }
        other => {
            let message =
                format!("AuthorizerType must be JWT or REQUEST for HTTP APIs; found {other}");
            stack.error(&type_node.ptr, At::Value, message);
            return None;
        }
    };
    let renamed = [
        ("AuthorizerUri", "authorizerUri"),
        ("AuthorizerCredentialsArn", "authorizerCredentials"),
        (
            "AuthorizerPayloadFormatVersion",
            "authorizerPayloadFormatVersion",
        ),
        ("EnableSimpleResponses", "enableSimpleResponses"),
        (
            "AuthorizerResultTtlInSeconds",
            "authorizerResultTtlInSeconds",
        ),
        ("IdentitySource", "identitySource"),
    ];
    for (from, to) in renamed {
        if let Some(node) = props.get(from) {
            config.push((to, node.clone()));
        }
    }
    if kind == "JWT" && props.get("IdentitySource").is_none() {
        let message = format!("{} needs an IdentitySource, such as [$request.header.Authorization]: where the token is", r.name());
        stack.error(p, At::Key, message);
        return None;
    }
    let mut scheme = vec![("type", RNode::scalar(p, scheme_type))];
    if scheme_type == "apiKey" {
        scheme.push(("name", RNode::scalar(p, "Authorization")));
        scheme.push(("in", RNode::scalar(p, "header")));
    }
    scheme.push(("x-amazon-apigateway-authorizer", map(p, config)));
    Some((kind, map(p, scheme)))
}
