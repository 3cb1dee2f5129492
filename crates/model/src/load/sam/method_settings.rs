//! `MethodSettings` of an `AWS::Serverless::Api` (and its Globals): the throttling entries,
//! kept as [`MethodThrottle`]s; caching and logging settings are accepted and not used yet.

use super::resolved::RNode;
use super::stack::Stack;
use crate::load::context::At;
use crate::throttle::{decode_resource_path, MethodThrottle};

const KEYS: &[&str] = &[
    "CacheDataEncrypted",
    "CacheTtlInSeconds",
    "CachingEnabled",
    "DataTraceEnabled",
    "HttpMethod",
    "LoggingLevel",
    "MetricsEnabled",
    "ResourcePath",
    "ThrottlingBurstLimit",
    "ThrottlingRateLimit",
];

/// The throttles of `props.MethodSettings`.
pub(super) fn read(stack: &mut Stack<'_>, props: &RNode) -> Vec<MethodThrottle> {
    let Some(node) = props.get("MethodSettings") else {
        return Vec::new();
    };
    let items = stack
        .list(node, "MethodSettings")
        .map(<[RNode]>::to_vec)
        .unwrap_or_default();
    items.iter().filter_map(|item| entry(stack, item)).collect()
}

fn entry(stack: &mut Stack<'_>, item: &RNode) -> Option<MethodThrottle> {
    let entries = stack.mapping(item, "each MethodSettings entry")?.to_vec();
    stack.check_keys(&entries, KEYS, "a MethodSettings entry");
    let rate = item.get("ThrottlingRateLimit");
    let burst = item.get("ThrottlingBurstLimit");
    if rate.is_none() && burst.is_none() {
        return None;
    }
    let path = match item.get("ResourcePath") {
        Some(n) => stack.text(n, "ResourcePath")?,
        None => "/*".to_owned(),
    };
    let method = match item.get("HttpMethod") {
        Some(n) => stack.text(n, "HttpMethod")?,
        None => "*".to_owned(),
    };
    let rate_limit = match rate {
        Some(n) => {
            let parsed = n.text().and_then(|t| t.parse::<f64>().ok());
            match parsed.filter(|r| r.is_finite() && *r >= 0.0) {
                Some(r) => r,
                None => {
                    let message = "ThrottlingRateLimit must be a non-negative number";
                    stack.error(&n.ptr, At::Value, message);
                    return None;
                }
            }
        }
        // API Gateway's default when only the burst is given: the account's rate.
        None => 10_000.0,
    };
    let burst_limit = match burst {
        Some(n) => stack.integer(n, "ThrottlingBurstLimit", 0, u64::from(u32::MAX))?,
        None => 5_000,
    };
    Some(MethodThrottle {
        resource_path: decode_resource_path(&path),
        http_method: (method != "*").then(|| method.to_ascii_uppercase()),
        rate_limit,
        burst_limit,
    })
}
