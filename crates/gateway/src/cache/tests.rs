use http::HeaderMap;
use turnpike_model::cache::{MethodCacheSetting, StageCache};
use turnpike_model::{ApiKind, Stage};

use super::*;
use crate::test_support::{api, mock_route};

fn cached_api(settings: Vec<MethodCacheSetting>) -> Api {
    let mut api = api(
        "Cached",
        ApiKind::Rest,
        vec![
            mock_route("GET", "/items", 200, "{}"),
            mock_route("POST", "/items", 200, "{}"),
            mock_route("ANY", "/any", 200, "{}"),
        ],
    );
    api.routes[0].integration.cache_key_parameters = vec!["method.request.querystring.q".into()];
    api.caching.stages.insert(
        "prod".into(),
        StageCache {
            method_settings: settings,
            ..StageCache::enabled()
        },
    );
    api
}

fn every_get() -> MethodCacheSetting {
    MethodCacheSetting {
        caching_enabled: Some(true),
        ttl_seconds: Some(60),
        ..MethodCacheSetting::all()
    }
}

#[test]
fn compiles_get_methods_of_caching_stages_only() {
    let api = cached_api(vec![every_get()]);
    let cache = ApiCache::compile(&api, &[Stage::new("prod"), Stage::new("dev")]);
    let (get, counters) = cache.route("prod", 0).unwrap();
    assert_eq!(get.method, http::Method::GET);
    assert_eq!(get.prefix, format!("{}/prod/GET /items", api.id));
    assert_eq!(get.parts, [KeyPart::Query("q".into())]);
    assert_eq!(get.ttl, Duration::from_secs(60));
    assert!(get.require_authorization);
    assert_eq!(get.strategy, Strategy::SucceedWithResponseHeader);
    assert_eq!(counters.get(), (0, 0));
    assert!(
        cache.route("prod", 1).is_none(),
        "POST is not cached by default"
    );
    assert_eq!(cache.route("prod", 2).unwrap().0.method, http::Method::GET);
    assert!(cache.route("dev", 0).is_none(), "dev has no cache");
    assert!(cache.counters("dev").is_none());
}

#[test]
fn a_method_setting_caches_post_and_an_http_api_caches_nothing() {
    let post = MethodCacheSetting {
        resource_path: Some("/items".into()),
        http_method: Some("POST".into()),
        caching_enabled: Some(true),
        ..MethodCacheSetting::all()
    };
    let api = cached_api(vec![post]);
    let cache = ApiCache::compile(&api, &[Stage::new("prod")]);
    assert!(cache.route("prod", 0).is_none());
    assert_eq!(
        cache.route("prod", 1).unwrap().0.ttl,
        Duration::from_secs(300)
    );

    let mut http = cached_api(vec![every_get()]);
    http.kind = ApiKind::Http;
    assert!(ApiCache::compile(&http, &[Stage::new("prod")])
        .stages
        .is_empty());
}

#[test]
fn a_cache_namespace_replaces_the_resource_path_in_the_prefix() {
    let mut api = cached_api(vec![every_get()]);
    api.routes.push(mock_route("GET", "/goods", 200, "{}"));
    api.routes[3].integration.cache_key_parameters = vec!["method.request.querystring.q".into()];
    for route in [0, 3] {
        api.routes[route].cache_namespace = Some("catalog".into());
    }
    let cache = ApiCache::compile(&api, &[Stage::new("prod")]);
    let prefix = |route: usize| cache.route("prod", route).unwrap().0.prefix.clone();
    let shared = format!(
        "{}/prod/GET #7:catalog;28:method.request.querystring.q",
        api.id
    );
    assert_eq!(prefix(0), shared);
    assert_eq!(prefix(3), shared);
    assert_eq!(prefix(2), format!("{}/prod/GET /any", api.id));
}

#[test]
fn the_registry_keeps_counting_across_compilations() {
    let api = cached_api(vec![every_get()]);
    let registry = CounterRegistry::default();
    let stages = [Stage::new("prod")];
    let mut first = ApiCache::compile(&api, &stages);
    first.use_counters(&api.id, &registry);
    first.route("prod", 0).unwrap().1.count(2, 3);
    let mut second = ApiCache::compile(&api, &stages);
    assert_eq!(second.counters("prod").unwrap().get(), (0, 0));
    second.use_counters(&api.id, &registry);
    second.route("prod", 0).unwrap().1.count(1, 0);
    assert_eq!(second.counters("prod").unwrap().get(), (3, 3));
    // Another API's stage of the same name counts on its own.
    let mut other = ApiCache::compile(&api, &stages);
    other.use_counters("other", &registry);
    assert_eq!(other.counters("prod").unwrap().get(), (0, 0));
}

#[test]
fn only_max_age_zero_invalidates() {
    let with = |v: &str| {
        let mut h = HeaderMap::new();
        h.insert(CACHE_CONTROL, v.parse().unwrap());
        asks_to_invalidate(&h)
    };
    assert!(with("max-age=0"));
    assert!(with("no-store, Max-Age=0"));
    assert!(!with("max-age=00"));
    assert!(!with("max-age=10"));
    assert!(!with("no-cache"));
    assert!(!asks_to_invalidate(&HeaderMap::new()));
}

mod stage {
    use http_body_util::BodyExt;
    use turnpike_state::test_support::TempDir;
    use turnpike_state::{EmbeddedConfig, State};

    use super::*;
    use crate::authorize::sigv4::CallerIdentity;
    use crate::test_support::context_for;

    /// An API caching GET /items on every stage, with `strategy` for unauthorized invalidation.
    fn api_with(strategy: Strategy) -> Api {
        let mut api = cached_api(vec![MethodCacheSetting {
            unauthorized_strategy: Some(strategy),
            ..every_get()
        }]);
        api.caching.all_stages = api.caching.stages.remove("prod");
        api
    }

    fn request(strategy: Strategy, cache_control: Option<&str>) -> (RequestContext, Parts) {
        let mut builder = http::Request::get("/dev/items?q=1");
        if let Some(value) = cache_control {
            builder = builder.header("cache-control", value);
        }
        let request = builder.body(()).unwrap();
        let ctx = context_for(request.clone(), vec![api_with(strategy)]);
        (ctx, request.into_parts().0)
    }

    async fn text(response: Response<ResponseBody>) -> (u16, Option<String>, String) {
        let status = response.status().as_u16();
        let warning = response
            .headers()
            .get(WARNING)
            .map(|v| v.to_str().unwrap().to_owned());
        let body = response.into_body().collect().await.unwrap().to_bytes();
        (status, warning, String::from_utf8(body.to_vec()).unwrap())
    }

    async fn fetch(
        cache: &ResponseCache,
        ctx: &RequestContext,
        parts: &Parts,
        fresh: &str,
    ) -> (u16, Option<String>, String) {
        match lookup(Some(cache), ctx, parts, None).await.unwrap() {
            Lookup::Hit(response) => text(response).await,
            miss => {
                let response = Response::new(ResponseBody::full(fresh.to_owned()));
                text(miss.store(response).await.unwrap()).await
            }
        }
    }

    #[tokio::test]
    async fn misses_store_hits_answer_and_iam_callers_invalidate() {
        let dir = TempDir::new("gateway-cache");
        let cache = ResponseCache::new(State::embedded(&EmbeddedConfig::new(dir.path())).unwrap());
        let default = Strategy::SucceedWithResponseHeader;
        let (ctx, parts) = request(default, None);
        assert_eq!(
            fetch(&cache, &ctx, &parts, "one").await,
            (200, None, "one".into())
        );
        assert_eq!(
            fetch(&cache, &ctx, &parts, "two").await,
            (200, None, "one".into())
        );
        let counters = ctx.api.as_ref().unwrap().cache.counters("dev").unwrap();
        assert_eq!(counters.get(), (1, 1));

        // Unauthorized max-age=0: the cached answer, with the Warning.
        let (anonymous, parts) = request(default, Some("max-age=0"));
        let warned = (200, Some(UNAUTHORIZED_WARNING.to_owned()), "one".to_owned());
        assert_eq!(fetch(&cache, &anonymous, &parts, "three").await, warned);

        // An IAM caller refetches and replaces the entry.
        let (mut iam, parts) = request(default, Some("max-age=0"));
        iam.identity = Some(Arc::new(CallerIdentity {
            access_key: "AKIDEXAMPLE".into(),
            account_id: "123456789012".into(),
            caller: "AKIDEXAMPLE".into(),
            user: "AKIDEXAMPLE".into(),
            user_arn: "arn:aws:iam::123456789012:user/default".into(),
        }));
        assert_eq!(
            fetch(&cache, &iam, &parts, "four").await,
            (200, None, "four".into())
        );
        let (ctx, parts) = request(default, None);
        assert_eq!(
            fetch(&cache, &ctx, &parts, "five").await,
            (200, None, "four".into())
        );
    }

    #[tokio::test]
    async fn fail_with_403_names_the_action_and_the_method() {
        let dir = TempDir::new("gateway-cache-403");
        let cache = ResponseCache::new(State::embedded(&EmbeddedConfig::new(dir.path())).unwrap());
        let (ctx, parts) = request(Strategy::FailWith403, Some("no-cache, max-age=0"));
        let Err(error) = lookup(Some(&cache), &ctx, &parts, None).await else {
            panic!("expected a denial");
        };
        let api = &ctx.api.as_ref().unwrap().id;
        assert_eq!(error.kind, GatewayResponseType::AccessDenied);
        assert_eq!(
            error.message,
            format!("User: anonymous is not authorized to perform: execute-api:InvalidateCache on resource: arn:aws:execute-api:us-east-1:123456789012:{api}/dev/GET/items")
        );
    }

    #[tokio::test]
    async fn responses_over_a_megabyte_are_served_not_cached() {
        let dir = TempDir::new("gateway-cache-big");
        let cache = ResponseCache::new(State::embedded(&EmbeddedConfig::new(dir.path())).unwrap());
        let (ctx, parts) = request(Strategy::SucceedWithResponseHeader, None);
        let big = "x".repeat(MAX_CACHED_RESPONSE_BYTES + 1);
        assert_eq!(fetch(&cache, &ctx, &parts, &big).await.2.len(), big.len());
        assert_eq!(fetch(&cache, &ctx, &parts, "small").await.2, "small");
        assert_eq!(fetch(&cache, &ctx, &parts, "other").await.2, "small");
    }
}
