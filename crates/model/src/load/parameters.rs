//! Parameter mappings (`requestParameters`, `responseParameters`): target → source expression,
//! kept verbatim, with the target's form checked.

use std::collections::BTreeMap;

use super::context::{At, Ctx, Node};

/// Where a mapping may write.
pub(crate) const INTEGRATION_REQUEST: &[&str] = &[
    "integration.request.header.",
    "integration.request.querystring.",
    "integration.request.path.",
];
pub(crate) const METHOD_RESPONSE: &[&str] = &["method.response.header."];
pub(crate) const GATEWAY_RESPONSE: &[&str] = &["gatewayresponse.header."];

/// Reads a mapping whose keys must each be one of `targets` followed by a name.
pub(crate) fn mapping<'d>(
    ctx: &mut Ctx<'d>,
    node: &Node<'d>,
    what: &str,
    targets: &[&str],
) -> BTreeMap<String, String> {
    let map = ctx.string_map(node, what);
    for (key, member) in node.entries() {
        let valid = targets
            .iter()
            .any(|t| key.strip_prefix(t).is_some_and(|name| !name.is_empty()));
        if !valid {
            let forms: Vec<String> = targets.iter().map(|t| format!("{t}NAME")).collect();
            let message = match forms.as_slice() {
                [only] => format!("{what} key \"{key}\" must have the form {only}"),
                _ => format!(
                    "{what} key \"{key}\" must have one of the forms {}",
                    forms.join(", ")
                ),
            };
            ctx.error(&member.ptr, At::Key, message);
        }
    }
    map
}
