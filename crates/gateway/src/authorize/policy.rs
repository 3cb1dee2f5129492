//! IAM policy evaluation as API Gateway applies it to a Lambda authorizer's `policyDocument` and
//! to resource policies: a statement applies when its action, resource, principal and conditions
//! all match; an applying `Deny` wins over everything, an applying `Allow` allows, and nothing
//! applying is an implicit deny.
//!
//! Actions are matched ignoring case (IAM action names are case-insensitive), resources with
//! case; in both `*` matches any run of characters (`/` and `:` included) and `?` any one.

use std::net::IpAddr;

use turnpike_model::{
    Cidr, ConditionKey, ConditionOperator, Effect, PolicyCondition, PolicyDocument, PolicyStatement,
};

/// The action every API Gateway request is.
const INVOKE: &str = "execute-api:invoke";

/// The outcome of evaluating a policy for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decision {
    Allow,
    ExplicitDeny,
    /// No statement applies.
    ImplicitDeny,
}

/// What conditions and principals are evaluated against.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Caller<'a> {
    pub(crate) source_ip: Option<IpAddr>,
    pub(crate) referer: Option<&'a str>,
    pub(crate) user_agent: Option<&'a str>,
    /// The IAM caller's ARN and account (SigV4-signed requests); `None` for anonymous callers.
    pub(crate) iam: Option<(&'a str, &'a str)>,
}

/// Evaluates `policy` for invoking `resource` (a method ARN).
pub(crate) fn evaluate(policy: &PolicyDocument, resource: &str, caller: &Caller<'_>) -> Decision {
    let mut allowed = false;
    for statement in &policy.statements {
        if !applies(statement, resource, caller) {
            continue;
        }
        match statement.effect {
            Effect::Deny => return Decision::ExplicitDeny,
            Effect::Allow => allowed = true,
        }
    }
    if allowed {
        Decision::Allow
    } else {
        Decision::ImplicitDeny
    }
}

fn applies(statement: &PolicyStatement, resource: &str, caller: &Caller<'_>) -> bool {
    let action = statement.actions.iter().any(|p| {
        matches(p.as_bytes(), INVOKE.as_bytes(), b'*', b'?', |a, b| {
            a.eq_ignore_ascii_case(&b)
        })
    });
    let resource = statement
        .resources
        .iter()
        .any(|p| wildcard_match(p, resource));
    action != statement.not_action
        && resource != statement.not_resource
        && principal_matches(statement.principals.as_deref(), caller)
        && statement
            .conditions
            .iter()
            .all(|c| condition_holds(c, caller))
}

fn principal_matches(principals: Option<&[String]>, caller: &Caller<'_>) -> bool {
    let Some(principals) = principals else {
        // Authorizer policies name no principal: they are about the caller already.
        return true;
    };
    principals.iter().any(|p| {
        p == "*"
            || caller.iam.is_some_and(|(arn, account)| {
                p == arn || p == account || *p == format!("arn:aws:iam::{account}:root")
            })
    })
}

fn condition_holds(condition: &PolicyCondition, caller: &Caller<'_>) -> bool {
    use ConditionOperator as Op;
    match condition.operator {
        Op::IpAddress | Op::NotIpAddress => {
            let Some(ip) = caller.source_ip else {
                return condition.operator == Op::NotIpAddress;
            };
            let inside = condition
                .values
                .iter()
                .filter_map(|v| Cidr::parse(v))
                .any(|c| c.contains(ip));
            inside == (condition.operator == Op::IpAddress)
        }
        Op::StringEquals | Op::StringNotEquals | Op::StringLike | Op::StringNotLike => {
            let value = match condition.key {
                ConditionKey::Referer => caller.referer,
                ConditionKey::UserAgent => caller.user_agent,
                ConditionKey::SourceIp => None,
            };
            let negated = matches!(condition.operator, Op::StringNotEquals | Op::StringNotLike);
            // IAM: a key the request lacks fails the positive operators and passes the negated.
            let Some(value) = value else {
                return negated;
            };
            let like = matches!(condition.operator, Op::StringLike | Op::StringNotLike);
            let matched = condition.values.iter().any(|pattern| {
                if like {
                    wildcard_match(pattern, value)
                } else {
                    pattern == value
                }
            });
            matched != negated
        }
    }
}

/// Whether `text` matches `pattern`, where `*` matches any run of characters and `?` one.
pub(crate) fn wildcard_match(pattern: &str, text: &str) -> bool {
    // ARNs are ASCII almost always: compare bytes then, without allocating.
    if pattern.is_ascii() && text.is_ascii() {
        return matches(pattern.as_bytes(), text.as_bytes(), b'*', b'?', |a, b| {
            a == b
        });
    }
    let pattern: Vec<char> = pattern.chars().collect();
    let text: Vec<char> = text.chars().collect();
    matches(&pattern, &text, '*', '?', |a, b| a == b)
}

fn matches<T: Copy + PartialEq>(
    pattern: &[T],
    text: &[T],
    any: T,
    one: T,
    eq: impl Fn(T, T) -> bool,
) -> bool {
    let (mut p, mut t) = (0, 0);
    // Where the last `*` was and how much text it has swallowed, to backtrack to.
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some(&c) if c == any => {
                star = Some((p, t));
                p += 1;
            }
            Some(&c) if c == one || text.get(t).is_some_and(|&x| eq(c, x)) => {
                p += 1;
                t += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    p = sp + 1;
                    t = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    pattern
        .get(p..)
        .is_some_and(|rest| rest.iter().all(|&c| c == any))
}
