use std::time::Duration;

use bytes::Bytes;

use super::*;
use crate::CacheStats;

async fn ttl_invalidation_and_counts(state: &State) {
    let body = Bytes::from_static(b"{\"pets\":[]}");
    assert_eq!(state.cache_get("GET /pets").await, None);
    state
        .cache_put("GET /pets", body.clone(), Duration::from_millis(400))
        .await;
    state
        .cache_put("GET /toys", body.clone(), Duration::from_secs(60))
        .await;
    state
        .cache_put("GET /none", body.clone(), Duration::ZERO)
        .await;
    assert_eq!(state.cache_get("GET /pets").await, Some(body.clone()));
    assert_eq!(state.cache_get("GET /none").await, None);
    state.cache_invalidate("GET /toys").await;
    assert_eq!(state.cache_get("GET /toys").await, None);
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(state.cache_get("GET /pets").await, None);
    assert_eq!(state.cache_stats(), CacheStats { hits: 1, misses: 4 });
}

#[tokio::test]
async fn embedded_cache_expires_invalidates_and_counts() {
    let dir = TempDir::new("cache");
    ttl_invalidation_and_counts(&embedded(&dir)).await;
}

#[tokio::test]
async fn redis_cache_expires_invalidates_and_counts() {
    let server = RedisServer::start();
    ttl_invalidation_and_counts(&redis(&server).await).await;
}

#[tokio::test]
async fn redis_cache_is_shared_between_nodes() {
    let server = RedisServer::start();
    let (a, b) = (redis(&server).await, redis(&server).await);
    a.cache_put("k", Bytes::from_static(b"v"), Duration::from_secs(30))
        .await;
    assert_eq!(b.cache_get("k").await, Some(Bytes::from_static(b"v")));
}

#[tokio::test]
async fn embedded_cache_stays_within_its_memory_bound_keeping_what_is_read_again() {
    let dir = TempDir::new("bound");
    let mut config = EmbeddedConfig::new(dir.path());
    config.cache_capacity_bytes = 16 * 10_000;
    let state = State::embedded(&config).unwrap();
    let value = Bytes::from(vec![7u8; 1000]);
    let put = |key: String| {
        let (state, value) = (state.clone(), value.clone());
        async move { state.cache_put(&key, value, Duration::from_secs(60)).await }
    };
    for i in 0..1000 {
        put(format!("k{i}")).await;
    }
    // An entry read again outlives a scan of entries read never.
    put("hot".into()).await;
    for _ in 0..3 {
        assert_eq!(state.cache_get("hot").await, Some(value.clone()));
    }
    for i in 1000..3000 {
        put(format!("k{i}")).await;
    }
    let crate::Backend::Embedded(e) = &*state.backend else {
        unreachable!()
    };
    assert!(e.cache_bytes() <= 16 * 10_000, "{} bytes", e.cache_bytes());
    assert_eq!(state.cache_get("hot").await, Some(value.clone()));
    assert_eq!(state.cache_get("k2999").await, Some(value));
    let mut kept = 0;
    for i in 0..3000 {
        kept += usize::from(state.cache_get(&format!("k{i}")).await.is_some());
    }
    assert!(kept <= 16 * 10_000 / 1000, "{kept} entries kept");
}
