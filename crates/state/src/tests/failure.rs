use std::time::{Duration, Instant, SystemTime};

use super::*;
use crate::{FailurePolicy, OnStateError, Quota, QuotaPeriod};

const QUOTA: Quota = Quota {
    limit: 1000,
    period: QuotaPeriod::Month,
    offset: 0,
};

async fn node(server: &RedisServer, policy: FailurePolicy) -> State {
    let mut config = RedisConfig::new(server.url());
    config.on_error = policy;
    State::redis(&config).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_down_answers_by_policy_quickly_and_recovers_without_restart() {
    let mut server = RedisServer::start();
    let default = node(&server, FailurePolicy::default()).await;
    let strict = node(&server, FailurePolicy::all(OnStateError::Closed)).await;
    let old = crate::from_unix_secs(1_700_000_000);
    assert!(default.take("b", 10.0, 5, noon()).await.allowed);
    assert!(default.consume("q", &QUOTA, old, noon()).await.allowed);

    server.kill();
    for _ in 0..3 {
        let started = Instant::now();
        let t = default.take("b", 10.0, 5, noon()).await;
        let q = default.consume("q", &QUOTA, old, noon()).await;
        let strict_t = strict.take("b", 10.0, 5, noon()).await;
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "{:?}",
            started.elapsed()
        );
        // Default: throttles open, quotas closed.
        assert!(t.allowed && t.degraded);
        assert!(!q.allowed && q.degraded);
        assert!(!strict_t.allowed && strict_t.degraded);
        assert_eq!(default.cache_get("x").await, None);
        assert!(default.list_api_keys().await.is_err());
    }

    server.restart();
    // The connection comes back on its own; give it its backoff.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let q = default.consume("q", &QUOTA, old, noon()).await;
        if !q.degraded {
            // The count from before the outage is intact (append-only Redis): 1 + this one.
            assert_eq!((q.allowed, q.remaining), (true, 998));
            break;
        }
        assert!(Instant::now() < deadline, "no recovery");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let t = strict.take("b", 10.0, 5, noon()).await;
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut t = t;
    while t.degraded {
        assert!(Instant::now() < deadline, "no recovery");
        tokio::time::sleep(Duration::from_millis(100)).await;
        t = strict.take("b", 10.0, 5, noon()).await;
    }
    assert!(t.allowed);
}

#[tokio::test]
async fn unreachable_redis_at_start_is_an_outage_not_a_startup_failure() {
    let mut server = RedisServer::start();
    server.kill();
    let state = node(&server, FailurePolicy::default()).await;
    let started = Instant::now();
    let d = state.take("b", 1.0, 1, noon()).await;
    assert!(d.allowed && d.degraded);
    assert!(started.elapsed() < Duration::from_secs(2));
    server.restart();
    let deadline = Instant::now() + Duration::from_secs(10);
    while state.take("b", 1.0, 1, noon()).await.degraded {
        assert!(Instant::now() < deadline, "no recovery");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Two nodes under load while Redis is killed and restarted: no call hangs past the timeout,
/// every degraded answer follows the policy, and both nodes go back to shared limits on their own.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn redis_killed_mid_run_under_load() {
    use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
    use std::sync::Arc;

    let mut server = RedisServer::start();
    let nodes = [
        node(&server, FailurePolicy::default()).await,
        node(&server, FailurePolicy::default()).await,
    ];
    let stop = Arc::new(AtomicBool::new(false));
    let slowest_us = Arc::new(AtomicU64::new(0));
    let degraded = Arc::new(AtomicU64::new(0));
    let healthy_after = Arc::new(AtomicU64::new(0));
    let restarted = Arc::new(AtomicBool::new(false));
    let mut tasks = Vec::new();
    for i in 0..8 {
        let state = nodes[i % 2].clone();
        let (stop, slowest_us, degraded, healthy_after, restarted) = (
            Arc::clone(&stop),
            Arc::clone(&slowest_us),
            Arc::clone(&degraded),
            Arc::clone(&healthy_after),
            Arc::clone(&restarted),
        );
        tasks.push(tokio::spawn(async move {
            let old = crate::from_unix_secs(1_700_000_000);
            while !stop.load(Ordering::Relaxed) {
                let started = Instant::now();
                let t = state.take("load", 1e6, 1_000_000, SystemTime::now()).await;
                let q = state.consume("load", &QUOTA, old, noon()).await;
                let took = u64::try_from(started.elapsed().as_micros()).unwrap();
                slowest_us.fetch_max(took, Ordering::Relaxed);
                if t.degraded || q.degraded {
                    degraded.fetch_add(1, Ordering::Relaxed);
                    // Default policy: throttles open, quotas closed.
                    assert!(!t.degraded || t.allowed);
                    assert!(!q.degraded || !q.allowed);
                } else if restarted.load(Ordering::Relaxed) {
                    healthy_after.fetch_add(1, Ordering::Relaxed);
                }
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    server.kill();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    server.restart();
    restarted.store(true, Ordering::Relaxed);
    let deadline = Instant::now() + Duration::from_secs(10);
    while healthy_after.load(Ordering::Relaxed) < 100 {
        assert!(Instant::now() < deadline, "nodes did not recover");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    stop.store(true, Ordering::Relaxed);
    for t in tasks {
        t.await.unwrap();
    }
    assert!(
        degraded.load(Ordering::Relaxed) > 0,
        "the outage was not seen"
    );
    // Two calls per iteration, each bounded by the 250 ms timeout (plus scheduling slack).
    let slowest = Duration::from_micros(slowest_us.load(Ordering::Relaxed));
    assert!(
        slowest < Duration::from_millis(1000),
        "a call took {slowest:?}"
    );
}
