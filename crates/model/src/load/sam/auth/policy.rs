//! `Auth.ResourcePolicy` as `x-amazon-apigateway-policy`: `CustomStatements`, and
//! `IpRangeWhitelist` / `IpRangeBlacklist` written as SAM writes them (an allow, and a deny
//! conditioned on the source IP).

use super::{list, map, s};
use crate::load::sam::resolved::{RNode, RVal};
use crate::load::sam::stack::Stack;

/// `ResourcePolicy`: `CustomStatements`, `IpRangeWhitelist`, `IpRangeBlacklist`.
pub(super) fn resource_policy(stack: &mut Stack<'_>, node: &RNode) -> Option<RNode> {
    let entries = stack.mapping(node, "ResourcePolicy")?.to_vec();
    stack.check_keys(
        &entries,
        &["CustomStatements", "IpRangeWhitelist", "IpRangeBlacklist"],
        "ResourcePolicy (Turnpike evaluates these)",
    );
    let p = node.ptr.as_str();
    let mut statements = Vec::new();
    if let Some(custom) = node.get("CustomStatements") {
        match &custom.val {
            RVal::List(items) => statements.extend(items.iter().cloned()),
            _ => statements.push(custom.clone()),
        }
    }
    let invoke = |effect: &str, condition: Option<(&str, &RNode)>| {
        let mut members = vec![
            ("Effect", s(p, effect)),
            ("Principal", s(p, "*")),
            ("Action", s(p, "execute-api:Invoke")),
            ("Resource", s(p, "execute-api:/*/*/*")),
        ];
        if let Some((operator, ips)) = condition {
            let key = map(&ips.ptr, vec![("aws:SourceIp", ips.clone())]);
            members.push(("Condition", map(&ips.ptr, vec![(operator, key)])));
        }
        map(p, members)
    };
    if let Some(allow) = node.get("IpRangeWhitelist") {
        statements.push(invoke("Allow", None));
        statements.push(invoke("Deny", Some(("NotIpAddress", allow))));
    }
    if let Some(deny) = node.get("IpRangeBlacklist") {
        statements.push(invoke("Allow", None));
        statements.push(invoke("Deny", Some(("IpAddress", deny))));
    }
    Some(map(
        p,
        vec![
            ("Version", s(p, "2012-10-17")),
            ("Statement", list(p, statements)),
        ],
    ))
}
