//! `serve --cache`: a stage cache for APIs whose documents cannot say so (OpenAPI has no cache
//! settings; SAM templates give `CacheClusterEnabled` and `MethodSettings`).

use clap::Args;
use turnpike_model::cache::{MethodCacheSetting, StageCache, MAX_CACHE_TTL};
use turnpike_model::{Api, ApiKind};

#[derive(Debug, Clone, Args)]
pub struct CacheArgs {
    /// Cache GET responses of every REST API stage that has no cache settings of its own, as an
    /// API Gateway stage with its cache cluster and default method-level caching enabled.
    #[arg(long)]
    pub cache: bool,
    /// TTL of `--cache` entries in seconds, 0 to 3600 (0 caches nothing).
    #[arg(long, value_name = "SECONDS", default_value_t = 300, requires = "cache",
          value_parser = clap::value_parser!(u32).range(0..=i64::from(MAX_CACHE_TTL)))]
    pub cache_ttl: u32,
}

impl CacheArgs {
    /// The bytes the REST APIs' enabled cache clusters hold together (`CacheClusterSize`, 0.5 GB
    /// by default), the embedded cache's bound; `None` when no stage has a cluster.
    pub fn cluster_bytes(apis: &[Api]) -> Option<usize> {
        let total: u64 = apis
            .iter()
            .filter(|api| api.kind == ApiKind::Rest)
            .flat_map(|api| {
                api.caching
                    .all_stages
                    .iter()
                    .chain(api.caching.stages.values())
            })
            .filter(|stage| stage.cluster_enabled)
            .map(StageCache::cluster_bytes)
            .sum();
        (total > 0).then(|| usize::try_from(total).unwrap_or(usize::MAX))
    }

    /// Gives every REST API without caching of its own the `--cache` stage settings.
    pub fn apply(&self, apis: &mut [Api]) {
        if !self.cache {
            return;
        }
        let stage = StageCache {
            method_settings: vec![MethodCacheSetting {
                caching_enabled: Some(true),
                ttl_seconds: Some(self.cache_ttl),
                ..MethodCacheSetting::all()
            }],
            ..StageCache::enabled()
        };
        for api in apis.iter_mut() {
            if api.kind == ApiKind::Rest && api.caching.is_off() {
                api.caching.all_stages = Some(stage.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_flags_enable_get_caching_on_rest_apis_without_their_own() {
        let mut apis = vec![
            Api::new("Rest", ApiKind::Rest, "a.yaml"),
            Api::new("Http", ApiKind::Http, "b.yaml"),
            Api::new("Own", ApiKind::Rest, "c.yaml"),
        ];
        let own = StageCache {
            cluster_enabled: true,
            ..StageCache::default()
        };
        apis[2].caching.stages.insert("Prod".into(), own.clone());
        let flags = CacheArgs {
            cache: true,
            cache_ttl: 1,
        };
        flags.apply(&mut apis);
        let rest = apis[0].caching.for_stage("dev").unwrap();
        assert_eq!(rest.method("/x", "GET").unwrap().ttl_seconds, 1);
        assert!(apis[1].caching.is_off());
        assert_eq!(apis[2].caching.for_stage("Prod"), Some(&own));
        assert_eq!(apis[2].caching.all_stages, None);
        assert_eq!(CacheArgs::cluster_bytes(&apis), Some(1_000_000_000));
        assert_eq!(CacheArgs::cluster_bytes(&apis[1..2]), None);
    }
}
