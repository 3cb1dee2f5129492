//! `x-amazon-apigateway-gateway-responses`: customised gateway responses (REST APIs).

use std::collections::BTreeMap;

use super::context::{one_of, At, Ctx, Node};
use super::integration_response::status_code;
use super::parameters::{self, GATEWAY_RESPONSE};
use crate::gateway_response::{GatewayResponse, GatewayResponseType};

const PROPERTIES: &[&str] = &["statusCode", "responseParameters", "responseTemplates"];

/// Resolves the mapping of response type → response.
pub(crate) fn resolve<'d>(
    ctx: &mut Ctx<'d>,
    node: &Node<'d>,
) -> BTreeMap<GatewayResponseType, GatewayResponse> {
    let mut out = BTreeMap::new();
    if ctx
        .object(node, "x-amazon-apigateway-gateway-responses")
        .is_none()
    {
        return out;
    }
    for (name, member) in node.entries() {
        let Some(kind) = GatewayResponseType::parse(name) else {
            let names: Vec<&str> = GatewayResponseType::ALL
                .iter()
                .map(|t| t.as_str())
                .collect();
            let message = format!(
                "unknown gateway response type \"{name}\"; expected one of {}",
                one_of(&names)
            );
            ctx.error(&member.ptr, At::Key, message);
            continue;
        };
        if let Some(response) = resolve_one(ctx, &member) {
            out.insert(kind, response);
        }
    }
    out
}

fn resolve_one<'d>(ctx: &mut Ctx<'d>, node: &Node<'d>) -> Option<GatewayResponse> {
    ctx.object(node, "a gateway response")?;
    for (key, member) in node.entries() {
        if !PROPERTIES.contains(&key) && !key.starts_with("x-") {
            let message = format!(
                "unknown property \"{key}\" in a gateway response; expected one of {}",
                one_of(PROPERTIES)
            );
            ctx.error(&member.ptr, At::Key, message);
        }
    }
    let status_code = node.get("statusCode").and_then(|n| status_code(ctx, &n));
    let response_parameters = node
        .get("responseParameters")
        .map(|n| parameters::mapping(ctx, &n, "responseParameters", GATEWAY_RESPONSE))
        .unwrap_or_default();
    let response_templates = node
        .get("responseTemplates")
        .map(|n| ctx.string_map(&n, "responseTemplates"))
        .unwrap_or_default();
    Some(GatewayResponse {
        status_code,
        response_parameters,
        response_templates,
    })
}
