//! `$ref` resolution, only where the model needs the referenced object (path items and
//! integrations such as `#/components/x-amazon-apigateway-integrations/...`).

use super::context::{At, Ctx, Node};
use super::pointer;

/// Longer chains are taken for a loop.
const MAX_HOPS: usize = 16;

/// The node itself, or what its `$ref` points to (following chains); `None` after reporting a
/// reference that does not resolve.
pub(crate) fn follow<'d>(ctx: &mut Ctx<'d>, node: Node<'d>) -> Option<Node<'d>> {
    let mut node = node;
    for _ in 0..MAX_HOPS {
        let Some(reference) = node.get("$ref") else {
            return Some(node);
        };
        let target = ctx.string(&reference, "$ref")?;
        node = resolve(ctx, &reference, target)?;
    }
    ctx.error(
        &node.ptr,
        At::Value,
        format!("$ref chain longer than {MAX_HOPS} references; is there a reference loop?"),
    );
    None
}

fn resolve<'d>(ctx: &mut Ctx<'d>, reference: &Node<'d>, target: &str) -> Option<Node<'d>> {
    let Some(path) = target.strip_prefix('#') else {
        ctx.error(
            &reference.ptr,
            At::Value,
            format!("external $ref \"{target}\" is not supported yet by Turnpike; expected a reference inside this document such as \"#/components/...\""),
        );
        return None;
    };
    let tokens: Vec<&str> = match path.strip_prefix('/') {
        Some(rest) => rest.split('/').collect(),
        None if path.is_empty() => Vec::new(),
        None => {
            ctx.error(
                &reference.ptr,
                At::Value,
                format!("$ref \"{target}\" is not a JSON pointer; expected \"#/\" followed by a path such as \"#/components/...\""),
            );
            return None;
        }
    };
    let mut node = Node::root(ctx.doc);
    for token in tokens {
        let token = pointer::unescape(token);
        let next = match node.value {
            serde_json::Value::Array(_) => token
                .parse::<usize>()
                .ok()
                .and_then(|i| node.items().into_iter().nth(i)),
            _ => node.get(&token),
        };
        let Some(next) = next else {
            ctx.error(
                &reference.ptr,
                At::Value,
                format!(
                    "$ref \"{target}\" does not resolve: nothing at that pointer in this document"
                ),
            );
            return None;
        };
        node = next;
    }
    Some(node)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::api::ApiKind;
    use crate::load::document;

    fn run(text: &str, ptr: &str) -> (Option<String>, Vec<String>) {
        let doc = document::parse(text, false).unwrap();
        let mut ctx = Ctx::new(Path::new("t.yaml"), &doc, ApiKind::Rest);
        let start = Node::root(&doc);
        let node = ptr
            .split('/')
            .skip(1)
            .try_fold(start, |n, t| n.get(t))
            .unwrap();
        let found = follow(&mut ctx, node).map(|n| n.ptr);
        let errors = ctx.into_errors().iter().map(|e| e.to_string()).collect();
        (found, errors)
    }

    #[test]
    fn follows_local_references_and_chains() {
        let text = "a:\n  $ref: '#/b'\nb:\n  $ref: '#/c/x~1y/1'\nc:\n  x/y: [0, {k: v}]\n";
        assert_eq!(run(text, "/a"), (Some("/c/x~1y/1".into()), vec![]));
    }

    #[test]
    fn reports_dangling_external_and_looping_references() {
        let (found, errors) = run("a:\n  $ref: '#/nope'\n", "/a");
        assert_eq!(found, None);
        assert_eq!(
            errors,
            ["t.yaml:2:9: /a/$ref: $ref \"#/nope\" does not resolve: nothing at that pointer in this document"]
        );
        let (_, errors) = run("a:\n  $ref: 'other.yaml#/x'\n", "/a");
        assert_eq!(
            errors,
            ["t.yaml:2:9: /a/$ref: external $ref \"other.yaml#/x\" is not supported yet by Turnpike; expected a reference inside this document such as \"#/components/...\""]
        );
        let (_, errors) = run("a:\n  $ref: '#/b'\nb:\n  $ref: '#/a'\n", "/a");
        assert_eq!(
            errors,
            ["t.yaml:2:3: /a: $ref chain longer than 16 references; is there a reference loop?"]
        );
    }
}
