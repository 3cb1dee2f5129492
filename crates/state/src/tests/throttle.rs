use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use super::*;

/// `tasks` concurrent callers spread over `states`, each taking `per_task` tokens at `now`.
async fn hammer_at(
    states: &[State],
    key: &str,
    tasks: usize,
    per_task: usize,
    now: SystemTime,
) -> u64 {
    let accepted = Arc::new(AtomicU64::new(0));
    let mut handles = Vec::new();
    for t in 0..tasks {
        let state = states[t % states.len()].clone();
        let accepted = Arc::clone(&accepted);
        let key = key.to_string();
        handles.push(tokio::spawn(async move {
            for _ in 0..per_task {
                let decision = state.take(&key, 100.0, 50, now).await;
                assert!(!decision.degraded);
                if decision.allowed {
                    accepted.fetch_add(1, Ordering::Relaxed);
                }
            }
        }));
    }
    for h in handles {
        h.await.unwrap();
    }
    accepted.load(Ordering::Relaxed)
}

/// At one instant exactly `burst` requests pass, however many race; 0.3 s later exactly
/// `0.3 × rate` more.
async fn exact_under_concurrency(states: &[State]) {
    let start = noon();
    assert_eq!(hammer_at(states, "k", 16, 20, start).await, 50);
    let later = start + Duration::from_millis(300);
    assert_eq!(hammer_at(states, "k", 16, 20, later).await, 30);
    let refused = states[0].take("k", 100.0, 50, later).await;
    assert!(!refused.allowed);
    assert_eq!(refused.retry_after, Some(Duration::from_millis(10)));
    assert!(!refused.degraded);
    // Another key has its own bucket.
    assert!(states[0].take("other", 100.0, 50, start).await.allowed);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn embedded_bucket_is_exact_under_concurrency() {
    let dir = TempDir::new("bucket");
    exact_under_concurrency(&[embedded(&dir)]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_redis_nodes_share_one_exact_bucket() {
    let server = RedisServer::start();
    let nodes = [redis(&server).await, redis(&server).await];
    exact_under_concurrency(&nodes).await;
}

/// Real clock, concurrent load for ~1.5 s: accepted stays within B + R·T (+1%). The lower bound
/// is loose because it measures the load generator (starved of CPU on a busy machine), not the
/// bucket; exactness at the limit is what `exact_under_concurrency` proves.
async fn within_rate_on_the_real_clock(states: &[State]) {
    let (rate, burst) = (200.0, 40);
    let accepted = Arc::new(AtomicU64::new(0));
    let begin = SystemTime::now();
    let until = Instant::now() + Duration::from_millis(1500);
    let mut handles = Vec::new();
    for t in 0..8 {
        let state = states[t % states.len()].clone();
        let accepted = Arc::clone(&accepted);
        handles.push(tokio::spawn(async move {
            while Instant::now() < until {
                if state
                    .take("real", rate, burst, SystemTime::now())
                    .await
                    .allowed
                {
                    accepted.fetch_add(1, Ordering::Relaxed);
                }
                tokio::task::yield_now().await;
            }
        }));
    }
    for h in handles {
        h.await.unwrap();
    }
    let elapsed = SystemTime::now()
        .duration_since(begin)
        .unwrap()
        .as_secs_f64();
    let bound = burst as f64 + rate * elapsed;
    let got = accepted.load(Ordering::Relaxed) as f64;
    assert!(got <= bound * 1.01, "accepted {got} > bound {bound}");
    assert!(got >= bound * 0.75, "accepted {got} < 75% of bound {bound}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn embedded_bucket_holds_the_rate_on_the_real_clock() {
    let dir = TempDir::new("realclock");
    within_rate_on_the_real_clock(&[embedded(&dir)]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_redis_nodes_hold_the_rate_on_the_real_clock() {
    let server = RedisServer::start();
    within_rate_on_the_real_clock(&[redis(&server).await, redis(&server).await]).await;
}
