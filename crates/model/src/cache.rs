//! Stage response caching (REST APIs): the stage's cache cluster and the `MethodSettings` caching
//! fields, resolved per method as API Gateway resolves them.
//!
//! A stage caches only with its cache cluster enabled (`CacheClusterEnabled`) *and* caching
//! enabled for the method (`CachingEnabled`). A setting for every method (`/*` `*`) turns caching
//! on for GET methods only ("only GET methods have caching enabled by default"); other methods are
//! cached only through a setting naming them. For each field the most specific setting that gives
//! it wins.
//!
//! ```
//! use turnpike_model::cache::{MethodCacheSetting, StageCache};
//!
//! let mut stage = StageCache::enabled();
//! stage.method_settings.push(MethodCacheSetting {
//!     caching_enabled: Some(true),
//!     ttl_seconds: Some(60),
//!     ..MethodCacheSetting::all()
//! });
//! assert_eq!(stage.method("/pets", "GET").map(|m| m.ttl_seconds), Some(60));
//! assert_eq!(stage.method("/pets", "POST"), None);
//! ```

use std::collections::BTreeMap;

use crate::method_settings::Selector;

/// API Gateway's default cache TTL, in seconds.
pub const DEFAULT_CACHE_TTL: u32 = 300;
/// The largest `CacheTtlInSeconds` API Gateway accepts.
pub const MAX_CACHE_TTL: u32 = 3600;
/// The largest response API Gateway caches, in bytes; larger ones are served, not cached.
pub const MAX_CACHED_RESPONSE_BYTES: usize = 1_048_576;
/// `cacheClusterSize` values, in GB.
pub const CACHE_CLUSTER_SIZES: &[&str] =
    &["0.5", "1.6", "6.1", "13.5", "28.4", "58.2", "118", "237"];
/// The size a cluster gets when none is given.
pub const DEFAULT_CACHE_CLUSTER_SIZE: &str = "0.5";

/// `unauthorizedCacheControlHeaderStrategy`: what a `Cache-Control: max-age=0` request without
/// the right to invalidate gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UnauthorizedCacheControlHeaderStrategy {
    /// 403, the request is not served.
    FailWith403,
    /// Served (from the cache when it can be) with a `Warning` header; API Gateway's default.
    #[default]
    SucceedWithResponseHeader,
    /// Served (from the cache when it can be), the header ignored silently.
    SucceedWithoutResponseHeader,
}

impl UnauthorizedCacheControlHeaderStrategy {
    pub const NAMES: &'static [&'static str] = &[
        "FAIL_WITH_403",
        "SUCCEED_WITH_RESPONSE_HEADER",
        "SUCCEED_WITHOUT_RESPONSE_HEADER",
    ];

    pub fn parse(name: &str) -> Option<UnauthorizedCacheControlHeaderStrategy> {
        Some(match name {
            "FAIL_WITH_403" => UnauthorizedCacheControlHeaderStrategy::FailWith403,
            "SUCCEED_WITH_RESPONSE_HEADER" => {
                UnauthorizedCacheControlHeaderStrategy::SucceedWithResponseHeader
            }
            "SUCCEED_WITHOUT_RESPONSE_HEADER" => {
                UnauthorizedCacheControlHeaderStrategy::SucceedWithoutResponseHeader
            }
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            UnauthorizedCacheControlHeaderStrategy::FailWith403 => "FAIL_WITH_403",
            UnauthorizedCacheControlHeaderStrategy::SucceedWithResponseHeader => {
                "SUCCEED_WITH_RESPONSE_HEADER"
            }
            UnauthorizedCacheControlHeaderStrategy::SucceedWithoutResponseHeader => {
                "SUCCEED_WITHOUT_RESPONSE_HEADER"
            }
        }
    }
}

/// The caching fields of one `MethodSettings` entry; `None` fields are not given.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MethodCacheSetting {
    /// The resource path (decoded from `/~1pets~1{id}`); `None` for `/*`.
    pub resource_path: Option<String>,
    /// `GET`, ...; `None` for `*`.
    pub http_method: Option<String>,
    pub caching_enabled: Option<bool>,
    pub ttl_seconds: Option<u32>,
    pub data_encrypted: Option<bool>,
    pub require_authorization: Option<bool>,
    pub unauthorized_strategy: Option<UnauthorizedCacheControlHeaderStrategy>,
}

impl MethodCacheSetting {
    /// A setting for every method of the stage (`/*` `*`) with no field given.
    pub fn all() -> MethodCacheSetting {
        MethodCacheSetting::default()
    }

    fn selector(&self) -> Selector<'_> {
        Selector {
            resource_path: self.resource_path.as_deref(),
            http_method: self.http_method.as_deref(),
        }
    }

    fn applies(&self, resource_path: &str, method: &str) -> bool {
        self.selector().applies(resource_path, method)
    }

    fn specificity(&self) -> u8 {
        self.selector().specificity()
    }
}

/// A stage's cache: its cluster and its methods' caching settings.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StageCache {
    /// `CacheClusterEnabled`.
    pub cluster_enabled: bool,
    /// `CacheClusterSize` in GB, one of [`CACHE_CLUSTER_SIZES`].
    pub cluster_size: Option<String>,
    /// The caching fields of `MethodSettings`, in document order.
    pub method_settings: Vec<MethodCacheSetting>,
}

/// How one method of a stage is cached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MethodCache {
    /// 1–3600 (a TTL of 0 means the method is not cached, so it never appears here).
    pub ttl_seconds: u32,
    pub data_encrypted: bool,
    /// `requireAuthorizationForCacheControl`; API Gateway's default is true.
    pub require_authorization: bool,
    pub unauthorized_strategy: UnauthorizedCacheControlHeaderStrategy,
}

impl StageCache {
    /// A stage with its cache cluster enabled (default size) and no method settings.
    pub fn enabled() -> StageCache {
        StageCache {
            cluster_enabled: true,
            ..StageCache::default()
        }
    }

    /// The cluster's capacity in bytes (0.5 GB when no size is given).
    pub fn cluster_bytes(&self) -> u64 {
        let size = self
            .cluster_size
            .as_deref()
            .unwrap_or(DEFAULT_CACHE_CLUSTER_SIZE);
        let gb: f64 = size.parse().unwrap_or(0.5);
        (gb * 1e9) as u64
    }

    /// How `method` on `resource_path` is cached; `None` when it is not.
    pub fn method(&self, resource_path: &str, method: &str) -> Option<MethodCache> {
        if !self.cluster_enabled {
            return None;
        }
        let mut applicable: Vec<&MethodCacheSetting> = self
            .method_settings
            .iter()
            .filter(|s| s.applies(resource_path, method))
            .collect();
        // Most specific first; among equals, the later entry wins as a later PATCH would.
        applicable.reverse();
        applicable.sort_by_key(|s| std::cmp::Reverse(s.specificity()));
        let enabled = applicable.iter().find_map(|s| {
            let on = s.caching_enabled?;
            // A setting for every method turns caching on for GET only.
            Some(on && (s.http_method.is_some() || method.eq_ignore_ascii_case("GET")))
        });
        if enabled != Some(true) {
            return None;
        }
        let ttl_seconds = applicable
            .iter()
            .find_map(|s| s.ttl_seconds)
            .unwrap_or(DEFAULT_CACHE_TTL);
        if ttl_seconds == 0 {
            return None;
        }
        Some(MethodCache {
            ttl_seconds,
            data_encrypted: applicable
                .iter()
                .find_map(|s| s.data_encrypted)
                .unwrap_or(false),
            require_authorization: applicable
                .iter()
                .find_map(|s| s.require_authorization)
                .unwrap_or(true),
            unauthorized_strategy: applicable
                .iter()
                .find_map(|s| s.unauthorized_strategy)
                .unwrap_or_default(),
        })
    }
}

/// The caches of an API's stages: per stage name, or the same settings for every stage the API
/// is deployed to (the `serve --cache` flags for OpenAPI documents).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ApiCaching {
    /// Settings of every stage without its own entry in `stages`.
    pub all_stages: Option<StageCache>,
    /// By stage name.
    pub stages: BTreeMap<String, StageCache>,
}

impl ApiCaching {
    /// The cache of the stage named `stage`, if it has one.
    pub fn for_stage(&self, stage: &str) -> Option<&StageCache> {
        self.stages.get(stage).or(self.all_stages.as_ref())
    }

    /// Whether no stage has a cache cluster.
    pub fn is_off(&self) -> bool {
        !self.all_stages.as_ref().is_some_and(|s| s.cluster_enabled)
            && !self.stages.values().any(|s| s.cluster_enabled)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn on(path: Option<&str>, method: Option<&str>) -> MethodCacheSetting {
        MethodCacheSetting {
            resource_path: path.map(Into::into),
            http_method: method.map(Into::into),
            caching_enabled: Some(true),
            ..MethodCacheSetting::all()
        }
    }

    #[test]
    fn nothing_is_cached_without_the_cluster_or_caching_enabled() {
        let mut stage = StageCache::default();
        stage.method_settings.push(on(None, None));
        assert_eq!(stage.method("/a", "GET"), None);
        assert_eq!(StageCache::enabled().method("/a", "GET"), None);
    }

    #[test]
    fn the_stage_default_caches_get_only_with_aws_defaults() {
        let mut stage = StageCache::enabled();
        stage.method_settings.push(on(None, None));
        assert_eq!(
            stage.method("/a", "GET"),
            Some(MethodCache {
                ttl_seconds: 300,
                data_encrypted: false,
                require_authorization: true,
                unauthorized_strategy:
                    UnauthorizedCacheControlHeaderStrategy::SucceedWithResponseHeader,
            })
        );
        assert_eq!(stage.method("/a", "POST"), None);
        assert_eq!(stage.method("/a", "HEAD"), None);
    }

    #[test]
    fn method_settings_override_the_stage_default_field_by_field() {
        let mut stage = StageCache::enabled();
        stage.method_settings.push(MethodCacheSetting {
            ttl_seconds: Some(30),
            unauthorized_strategy: Some(UnauthorizedCacheControlHeaderStrategy::FailWith403),
            ..on(None, None)
        });
        stage
            .method_settings
            .push(on(Some("/orders"), Some("POST")));
        stage.method_settings.push(MethodCacheSetting {
            caching_enabled: Some(false),
            ..on(Some("/live"), Some("GET"))
        });
        stage.method_settings.push(MethodCacheSetting {
            caching_enabled: None,
            ttl_seconds: Some(0),
            ..on(Some("/zero"), None)
        });
        let post = stage.method("/orders", "POST").unwrap();
        assert_eq!(post.ttl_seconds, 30);
        assert_eq!(
            post.unauthorized_strategy,
            UnauthorizedCacheControlHeaderStrategy::FailWith403
        );
        assert_eq!(stage.method("/live", "GET"), None);
        assert_eq!(stage.method("/zero", "GET"), None);
        assert_eq!(stage.method("/other", "GET").unwrap().ttl_seconds, 30);
    }

    #[test]
    fn strategies_and_sizes() {
        for name in UnauthorizedCacheControlHeaderStrategy::NAMES {
            let parsed = UnauthorizedCacheControlHeaderStrategy::parse(name).unwrap();
            assert_eq!(parsed.as_str(), *name);
        }
        assert_eq!(UnauthorizedCacheControlHeaderStrategy::parse("FAIL"), None);
        assert_eq!(StageCache::enabled().cluster_bytes(), 500_000_000);
        let big = StageCache {
            cluster_size: Some("237".into()),
            ..StageCache::enabled()
        };
        assert_eq!(big.cluster_bytes(), 237_000_000_000);
    }

    #[test]
    fn per_stage_settings_come_before_the_shared_ones() {
        let mut caching = ApiCaching::default();
        assert!(caching.is_off());
        caching.all_stages = Some(StageCache::enabled());
        caching.stages.insert("prod".into(), StageCache::default());
        assert!(!caching.is_off());
        assert_eq!(caching.for_stage("prod"), Some(&StageCache::default()));
        assert_eq!(caching.for_stage("dev"), Some(&StageCache::enabled()));
    }
}
