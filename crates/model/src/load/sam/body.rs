//! Runs an OpenAPI body that lives inside a template (`DefinitionBody`, or the document SAM
//! generates for an API from its functions' events) through the OpenAPI loader, so a template's
//! APIs get exactly the checks a file's do. Each node of the body keeps the template position it
//! came from, and errors and routes are pointed back into the template.

use std::collections::BTreeMap;

use super::resolved::{RNode, RVal};
use super::stack::Stack;
use crate::api::{Api, ApiKind};
use crate::load::context::Ctx;
use crate::load::document::{Document, Span};
use crate::load::{openapi, pointer};

/// Body pointer → template pointer, for every node of the body.
type Origins = BTreeMap<String, String>;

/// Resolves the OpenAPI document `root` as an API of `kind`, with Lambda integrations allowed.
/// Its problems go to `stack.located`, at their places in the template.
pub(super) fn resolve(stack: &mut Stack<'_>, root: &RNode, kind: ApiKind) -> Option<Api> {
    let mut spans = BTreeMap::new();
    let mut origins = Origins::new();
    index(stack.ctx.doc, root, "", &mut spans, &mut origins);
    let doc = Document::from_parts(root.to_value(), spans);
    let mut ctx = Ctx::new(stack.path, &doc, kind);
    ctx.allow_lambda = true;
    let api = openapi::resolve(&mut ctx, stack.path);
    for mut error in ctx.into_errors() {
        error.pointer = origin(&origins, &error.pointer);
        stack.located.push(error);
    }
    let mut api = api?;
    for route in &mut api.routes {
        route.pointer = origin(&origins, &route.pointer);
    }
    Some(api)
}

fn index(
    template: &Document,
    node: &RNode,
    at: &str,
    spans: &mut BTreeMap<String, Span>,
    origins: &mut Origins,
) {
    spans.insert(at.to_owned(), template.span(&node.ptr));
    origins.insert(at.to_owned(), node.ptr.clone());
    match &node.val {
        RVal::Scalar(_) => {}
        RVal::List(items) => {
            for (i, item) in items.iter().enumerate() {
                index(template, item, &format!("{at}/{i}"), spans, origins);
            }
        }
        RVal::Map(entries) => {
            for (key, value) in entries {
                index(template, value, &pointer::push(at, key), spans, origins);
            }
        }
    }
}

/// The template pointer of body pointer `ptr`: its own origin, or its nearest ancestor's with
/// the rest of the path appended (for members the loader names but the body lacks).
fn origin(origins: &Origins, ptr: &str) -> String {
    let mut cut = ptr;
    loop {
        if let Some(found) = origins.get(cut) {
            let rest = ptr.get(cut.len()..).unwrap_or_default();
            return format!("{found}{rest}");
        }
        match cut.rsplit_once('/') {
            Some((parent, _)) => cut = parent,
            None => return ptr.to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_fall_back_to_the_nearest_ancestor() {
        let origins: Origins = [
            (
                String::new(),
                "/Resources/Api/Properties/DefinitionBody".to_owned(),
            ),
            (
                "/paths/~1x".to_owned(),
                "/Resources/F/Properties/Events/E/Properties/Path".to_owned(),
            ),
        ]
        .into_iter()
        .collect();
        assert_eq!(
            origin(&origins, "/paths/~1x"),
            "/Resources/F/Properties/Events/E/Properties/Path"
        );
        assert_eq!(
            origin(&origins, "/info/title"),
            "/Resources/Api/Properties/DefinitionBody/info/title"
        );
        assert_eq!(
            origin(&origins, ""),
            "/Resources/Api/Properties/DefinitionBody"
        );
    }
}
