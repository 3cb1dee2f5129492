//! Enumerated string values (`passthroughBehavior`, `contentHandling`, ...), matched the way AWS's
//! importer matches them: case-insensitively.

use super::context::{At, Ctx, Node};
use crate::api::{ContentHandling, PassthroughBehavior};

/// The option whose name equals the node's string, ignoring case; otherwise an error listing the
/// names.
pub(crate) fn choice<T: Copy>(
    ctx: &mut Ctx<'_>,
    node: &Node<'_>,
    what: &str,
    options: &[(&str, T)],
) -> Option<T> {
    let text = ctx.string(node, what)?;
    let found = options
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(text))
        .map(|(_, value)| *value);
    if found.is_none() {
        let names: Vec<&str> = options.iter().map(|(name, _)| *name).collect();
        let message = format!(
            "unknown {what} \"{text}\"; expected one of {}",
            names.join(", ")
        );
        ctx.error(&node.ptr, At::Value, message);
    }
    found
}

pub(crate) fn content_handling(ctx: &mut Ctx<'_>, node: &Node<'_>) -> Option<ContentHandling> {
    choice(
        ctx,
        node,
        "contentHandling",
        &[
            ("CONVERT_TO_TEXT", ContentHandling::ConvertToText),
            ("CONVERT_TO_BINARY", ContentHandling::ConvertToBinary),
        ],
    )
}

pub(crate) fn passthrough_behavior(
    ctx: &mut Ctx<'_>,
    node: &Node<'_>,
) -> Option<PassthroughBehavior> {
    choice(
        ctx,
        node,
        "passthroughBehavior",
        &[
            ("WHEN_NO_MATCH", PassthroughBehavior::WhenNoMatch),
            ("WHEN_NO_TEMPLATES", PassthroughBehavior::WhenNoTemplates),
            ("NEVER", PassthroughBehavior::Never),
        ],
    )
}
