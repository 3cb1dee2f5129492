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
async fn embedded_cache_stays_within_its_memory_bound_evicting_least_recent() {
    let dir = TempDir::new("bound");
    let mut config = EmbeddedConfig::new(dir.path());
    config.cache_capacity_bytes = 16 * 10_000;
    let state = State::embedded(&config).unwrap();
    let value = Bytes::from(vec![7u8; 1000]);
    for i in 0..1000 {
        state
            .cache_put(&format!("k{i}"), value.clone(), Duration::from_secs(60))
            .await;
    }
    let crate::Backend::Embedded(e) = &*state.backend else {
        unreachable!()
    };
    assert!(e.cache_bytes() <= 16 * 10_000, "{} bytes", e.cache_bytes());
    // The oldest entries went first; the newest is there.
    assert_eq!(state.cache_get("k0").await, None);
    assert_eq!(state.cache_get("k999").await, Some(value));
}
