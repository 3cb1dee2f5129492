//! `CacheClusterEnabled` and `CacheClusterSize` of an `AWS::Serverless::Api` (and its Globals) or
//! an `AWS::ApiGateway::Stage`, with the caching fields of its `MethodSettings`.

use super::method_settings::flag;
use super::resolved::RNode;
use super::stack::Stack;
use crate::cache::{MethodCacheSetting, StageCache, CACHE_CLUSTER_SIZES};
use crate::load::context::At;

/// The stage's cache, or `None` when the stage says nothing about caching.
pub(super) fn read(
    stack: &mut Stack<'_>,
    props: &RNode,
    method_settings: Vec<MethodCacheSetting>,
) -> Option<StageCache> {
    let cluster_enabled = flag(stack, props, "CacheClusterEnabled");
    let cluster_size = match props.get("CacheClusterSize") {
        Some(n) => {
            let size = stack.text(n, "CacheClusterSize")?;
            if !CACHE_CLUSTER_SIZES.contains(&size.as_str()) {
                let message = format!(
                    "CacheClusterSize \"{size}\" is not one of API Gateway's sizes (GB): {}",
                    CACHE_CLUSTER_SIZES.join(", ")
                );
                stack.error(&n.ptr, At::Value, message);
                return None;
            }
            Some(size)
        }
        None => None,
    };
    let cluster_enabled = cluster_enabled?;
    if cluster_enabled.is_none() && cluster_size.is_none() && method_settings.is_empty() {
        return None;
    }
    let cluster_enabled = cluster_enabled.unwrap_or(false);
    let caching_on = method_settings
        .iter()
        .any(|s| s.caching_enabled == Some(true));
    if cluster_enabled && !caching_on {
        let ptr = props
            .get("CacheClusterEnabled")
            .map_or(&props.ptr, |n| &n.ptr);
        stack.warn(ptr, "the cache cluster is enabled but no MethodSettings entry has CachingEnabled: true, so no method is cached (as in API Gateway); add one with ResourcePath /* and HttpMethod * to cache every GET method");
    }
    if !cluster_enabled && caching_on {
        let ptr = props.get("MethodSettings").map_or(&props.ptr, |n| &n.ptr);
        stack.warn(ptr, "MethodSettings enable caching but CacheClusterEnabled is not true, so nothing is cached (as in API Gateway)");
    }
    Some(StageCache {
        cluster_enabled,
        cluster_size,
        method_settings,
    })
}
