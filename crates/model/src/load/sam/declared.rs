//! The first step of the loaders that read plain CloudFormation API resources
//! (`AWS::ApiGateway::*` in [`rest_resources`](super::rest_resources), `AWS::ApiGatewayV2::*` in
//! [`websocket`](super::websocket)): which resources are of their types, and each one's
//! `Properties` evaluated with unknown names reported. They read every resource first and build
//! afterwards, because the resources `Ref` each other in any order.

use super::resolved::{RNode, RVal};
use super::stack::Stack;
use crate::load::context::Node;

/// One resource of a loader's types, as the template declares it.
pub(in crate::load::sam) struct Decl<'d> {
    pub id: String,
    pub kind: &'static str,
    pub node: Node<'d>,
}

impl<'d> Decl<'d> {
    /// `None` for a type not in `kinds`.
    pub fn of(id: &str, kind: &str, node: Node<'d>, kinds: &[&'static str]) -> Option<Decl<'d>> {
        let kind = kinds.iter().find(|k| **k == kind)?;
        Some(Decl {
            id: id.to_owned(),
            kind,
            node,
        })
    }
}

/// A resource with its `Properties` resolved and their names checked.
pub(in crate::load::sam) struct Read {
    pub id: String,
    /// JSON pointer of the resource (`/Resources/SendRoute`).
    pub ptr: String,
    pub kind: &'static str,
    pub props: RNode,
}

impl Read {
    /// "AWS::ApiGatewayV2::Route SendRoute", for messages.
    pub fn name(&self) -> String {
        format!("{} {}", self.kind, self.id)
    }
}

/// Evaluates the resource's `Properties` (none is an empty mapping) and reports the names its
/// type does not have (`allowed` gives them by type).
pub(in crate::load::sam) fn properties<'d>(
    stack: &mut Stack<'d>,
    decl: Decl<'d>,
    allowed: impl Fn(&str) -> &'static [&'static str],
) -> Option<Read> {
    let props = match decl.node.get("Properties") {
        Some(p) => stack.eval(&p).ok().flatten()?,
        None => RNode {
            ptr: decl.node.ptr.clone(),
            val: RVal::Map(Vec::new()),
        },
    };
    let what = format!("{} {}", decl.kind, decl.id);
    let entries = stack
        .mapping(&props, &format!("the Properties of {what}"))?
        .to_vec();
    stack.check_keys(&entries, allowed(decl.kind), &what);
    Some(Read {
        id: decl.id,
        ptr: decl.node.ptr.clone(),
        kind: decl.kind,
        props,
    })
}
