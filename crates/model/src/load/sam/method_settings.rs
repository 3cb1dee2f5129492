//! `MethodSettings` of an `AWS::Serverless::Api` (and its Globals) or an `AWS::ApiGateway::Stage`:
//! the throttling entries, kept as [`MethodThrottle`]s, and the caching entries, kept as
//! [`MethodCacheSetting`]s; logging and metrics settings are accepted and not used.
//!
//! `ResourcePath` is written as CloudFormation writes it (`/~1pets~1{id}`, `/*` for every
//! resource) and `HttpMethod` `*` means every method.

use super::resolved::RNode;
use super::stack::Stack;
use crate::cache::{MethodCacheSetting, UnauthorizedCacheControlHeaderStrategy, MAX_CACHE_TTL};
use crate::load::context::At;
use crate::throttle::{decode_resource_path, MethodThrottle};

/// CloudFormation's keys, plus API Gateway's two cache invalidation settings, which
/// CloudFormation does not have (the console and `update-stage` set them).
const KEYS: &[&str] = &[
    "CacheDataEncrypted",
    "CacheTtlInSeconds",
    "CachingEnabled",
    "DataTraceEnabled",
    "HttpMethod",
    "LoggingLevel",
    "MetricsEnabled",
    "RequireAuthorizationForCacheControl",
    "ResourcePath",
    "ThrottlingBurstLimit",
    "ThrottlingRateLimit",
    "UnauthorizedCacheControlHeaderStrategy",
];

const CACHE_KEYS: &[&str] = &[
    "CacheDataEncrypted",
    "CacheTtlInSeconds",
    "CachingEnabled",
    "RequireAuthorizationForCacheControl",
    "UnauthorizedCacheControlHeaderStrategy",
];

/// What `props.MethodSettings` sets.
#[derive(Debug, Default)]
pub(super) struct MethodSettings {
    pub throttles: Vec<MethodThrottle>,
    pub caching: Vec<MethodCacheSetting>,
}

/// The throttles and caching settings of `props.MethodSettings`.
pub(super) fn read(stack: &mut Stack<'_>, props: &RNode) -> MethodSettings {
    let mut settings = MethodSettings::default();
    let Some(node) = props.get("MethodSettings") else {
        return settings;
    };
    let items = stack
        .list(node, "MethodSettings")
        .map(<[RNode]>::to_vec)
        .unwrap_or_default();
    for item in &items {
        let Some(entries) = stack.mapping(item, "each MethodSettings entry") else {
            continue;
        };
        let entries = entries.to_vec();
        stack.check_keys(&entries, KEYS, "a MethodSettings entry");
        let Some((resource_path, http_method)) = target(stack, item) else {
            continue;
        };
        if let Some(throttle) = throttle(stack, item, &resource_path, &http_method) {
            settings.throttles.push(throttle);
        }
        if CACHE_KEYS.iter().any(|k| item.get(k).is_some()) {
            if let Some(caching) = caching(stack, item, resource_path, http_method) {
                settings.caching.push(caching);
            }
        }
    }
    settings
}

/// `ResourcePath` and `HttpMethod`, decoded: `None` for every resource / every method.
fn target(stack: &mut Stack<'_>, item: &RNode) -> Option<(Option<String>, Option<String>)> {
    let path = match item.get("ResourcePath") {
        Some(n) => {
            let path = stack.text(n, "ResourcePath")?;
            if !path.starts_with('/') {
                let message = format!("ResourcePath \"{path}\" must start with /: /* for every resource, / for the root, or the path with each / after the first written ~1 (/~1pets~1{{id}})");
                stack.error(&n.ptr, At::Value, message);
                return None;
            }
            path
        }
        None => "/*".to_owned(),
    };
    let method = match item.get("HttpMethod") {
        Some(n) => stack.text(n, "HttpMethod")?,
        None => "*".to_owned(),
    };
    Some((
        decode_resource_path(&path),
        (method != "*").then(|| method.to_ascii_uppercase()),
    ))
}

fn throttle(
    stack: &mut Stack<'_>,
    item: &RNode,
    resource_path: &Option<String>,
    http_method: &Option<String>,
) -> Option<MethodThrottle> {
    let rate = item.get("ThrottlingRateLimit");
    let burst = item.get("ThrottlingBurstLimit");
    if rate.is_none() && burst.is_none() {
        return None;
    }
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
        resource_path: resource_path.clone(),
        http_method: http_method.clone(),
        rate_limit,
        burst_limit,
    })
}

fn caching(
    stack: &mut Stack<'_>,
    item: &RNode,
    resource_path: Option<String>,
    http_method: Option<String>,
) -> Option<MethodCacheSetting> {
    let ttl_seconds = match item.get("CacheTtlInSeconds") {
        Some(n) => Some(stack.integer(n, "CacheTtlInSeconds", 0, u64::from(MAX_CACHE_TTL))? as u32),
        None => None,
    };
    let unauthorized_strategy = match item.get("UnauthorizedCacheControlHeaderStrategy") {
        Some(n) => {
            let text = stack.text(n, "UnauthorizedCacheControlHeaderStrategy")?;
            match UnauthorizedCacheControlHeaderStrategy::parse(&text) {
                Some(strategy) => Some(strategy),
                None => {
                    let message = format!(
                        "UnauthorizedCacheControlHeaderStrategy \"{text}\" is not one of {}",
                        UnauthorizedCacheControlHeaderStrategy::NAMES.join(", ")
                    );
                    stack.error(&n.ptr, At::Value, message);
                    return None;
                }
            }
        }
        None => None,
    };
    Some(MethodCacheSetting {
        resource_path,
        http_method,
        caching_enabled: flag(stack, item, "CachingEnabled")?,
        ttl_seconds,
        data_encrypted: flag(stack, item, "CacheDataEncrypted")?,
        require_authorization: flag(stack, item, "RequireAuthorizationForCacheControl")?,
        unauthorized_strategy,
    })
}

/// A boolean property (CloudFormation also takes `"true"` / `"false"`): `Some(None)` when absent,
/// `None` after reporting a value that is not a boolean.
pub(super) fn flag(stack: &mut Stack<'_>, item: &RNode, key: &str) -> Option<Option<bool>> {
    let Some(n) = item.get(key) else {
        return Some(None);
    };
    match n.text().as_deref() {
        Some("true") => Some(Some(true)),
        Some("false") => Some(Some(false)),
        other => {
            let found = other.map_or_else(|| n.type_name().to_owned(), str::to_owned);
            stack.error(
                &n.ptr,
                At::Value,
                format!("{key} must be true or false; found {found}"),
            );
            None
        }
    }
}
