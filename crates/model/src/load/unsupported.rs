//! What Turnpike does not serve yet is an error that says so, never silently ignored: unknown
//! `x-amazon-apigateway-*` extensions anywhere and integration properties
//! whose behaviour is still to come.

use super::context::{At, Ctx, Node};

const PREFIX: &str = "x-amazon-apigateway-";

/// Reports every `x-amazon-apigateway-*` member that resolution did not handle.
pub(crate) fn extensions(ctx: &mut Ctx<'_>, root: &Node<'_>) {
    let mut stack = vec![root.clone()];
    while let Some(node) = stack.pop() {
        for (key, member) in node.entries() {
            if key.starts_with(PREFIX) && !ctx.is_handled(&member.ptr) {
                ctx.error(&member.ptr, At::Key, extension_message(key));
                continue;
            }
            let container = member.value.is_object() || member.value.is_array();
            if container && !ctx.is_rejected(&member.ptr) {
                stack.push(member);
            }
        }
        stack.extend(node.items());
    }
}

fn extension_message(key: &str) -> String {
    let home = match key {
        "x-amazon-apigateway-integration" => "an operation (a method under a path)",
        "x-amazon-apigateway-any-method" => "a path item, beside get, post, ...",
        "x-amazon-apigateway-gateway-responses"
        | "x-amazon-apigateway-binary-media-types"
        | "x-amazon-apigateway-importexport-version"
        | "x-amazon-apigateway-api-key-source"
        | "x-amazon-apigateway-policy" => "the top level of the document",
        "x-amazon-apigateway-authtype" | "x-amazon-apigateway-authorizer" => {
            "a security scheme (components.securitySchemes, or securityDefinitions in Swagger 2)"
        }
        _ => return format!("{key} is not supported yet by Turnpike"),
    };
    format!("{key} has no effect here; it belongs in {home}")
}

/// Integration properties Turnpike cannot honour yet; `service_integration`: an AWS service
/// integration, which takes `credentials` (checked by the integration loader).
pub(crate) fn integration_properties(
    ctx: &mut Ctx<'_>,
    node: &Node<'_>,
    service_integration: bool,
) {
    let always: &[(&str, &str)] = &[
        (
            "credentials",
            " (integration credentials come with AWS integrations)",
        ),
        ("tlsConfig", ""),
        ("connectionId", " (private integrations through VPC links)"),
    ];
    // An HTTP API's `integrationSubtype` is resolved by `integration_subtype`.
    for (key, why) in always.iter() {
        if service_integration && *key == "credentials" {
            continue;
        }
        if let Some(member) = node.get(key) {
            let message = format!("{key} is not supported yet by Turnpike{why}");
            ctx.error(&member.ptr, At::Key, message);
        }
    }
    connection_type(ctx, node);
}

fn connection_type(ctx: &mut Ctx<'_>, node: &Node<'_>) {
    let Some(member) = node.get("connectionType") else {
        return;
    };
    let Some(text) = ctx.string(&member, "connectionType") else {
        return;
    };
    if text.eq_ignore_ascii_case("VPC_LINK") {
        let message = "connectionType VPC_LINK is not supported yet by Turnpike (private integrations through VPC links); use INTERNET";
        ctx.error(&member.ptr, At::Value, message);
    } else if !text.eq_ignore_ascii_case("INTERNET") {
        let message =
            format!("unknown connectionType \"{text}\"; expected one of INTERNET, VPC_LINK");
        ctx.error(&member.ptr, At::Value, message);
    }
}
