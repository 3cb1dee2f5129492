use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use super::*;
use crate::{Quota, QuotaDecision, QuotaPeriod, Usage};

const DAILY_100: Quota = Quota {
    limit: 100,
    period: QuotaPeriod::Day,
    offset: 0,
};

/// A plan created long before `noon()`, so no offset applies.
fn old_plan() -> SystemTime {
    crate::from_unix_secs(1_700_000_000)
}

async fn consume_concurrently(states: &[State], key: &str, tasks: usize, per_task: usize) -> u64 {
    let accepted = Arc::new(AtomicU64::new(0));
    let mut handles = Vec::new();
    for t in 0..tasks {
        let state = states[t % states.len()].clone();
        let accepted = Arc::clone(&accepted);
        let key = key.to_string();
        handles.push(tokio::spawn(async move {
            for _ in 0..per_task {
                let decision = state.consume(&key, &DAILY_100, old_plan(), noon()).await;
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

fn usage(used: u64, remaining: u64) -> Usage {
    Usage {
        used,
        remaining,
        period_start: 1_795_564_800, // 2026-11-25T00:00:00Z
        period_end: 1_795_651_200,
    }
}

/// Exactly the limit passes under concurrency; refusals do not count; usage says so.
async fn exact_quota(states: &[State]) {
    assert_eq!(consume_concurrently(states, "p:k", 12, 25).await, 100);
    let refused = states[0]
        .consume("p:k", &DAILY_100, old_plan(), noon())
        .await;
    assert_eq!(
        refused,
        QuotaDecision {
            allowed: false,
            remaining: 0,
            degraded: false
        }
    );
    for state in states {
        assert_eq!(
            state
                .usage("p:k", &DAILY_100, old_plan(), noon())
                .await
                .unwrap(),
            usage(100, 0)
        );
    }
    // The next day starts from zero.
    let tomorrow = noon() + secs(86_400);
    let first = states[0]
        .consume("p:k", &DAILY_100, old_plan(), tomorrow)
        .await;
    assert_eq!((first.allowed, first.remaining), (true, 99));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn embedded_quota_is_exact_under_concurrency() {
    let dir = TempDir::new("quota");
    exact_quota(&[embedded(&dir)]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_redis_nodes_share_one_exact_quota() {
    let server = RedisServer::start();
    exact_quota(&[redis(&server).await, redis(&server).await]).await;
}

#[tokio::test]
async fn offset_reduces_only_the_plan_first_period() {
    let dir = TempDir::new("offset");
    let state = embedded(&dir);
    let quota = Quota {
        limit: 10,
        period: QuotaPeriod::Week,
        offset: 7,
    };
    // Created this (Sunday-started) week: 10 - 7 = 3 requests.
    let created = noon() - secs(3600);
    let d = state.consume("w", &quota, created, noon()).await;
    assert_eq!((d.allowed, d.remaining), (true, 2));
    state.consume("w", &quota, created, noon()).await;
    state.consume("w", &quota, created, noon()).await;
    assert!(!state.consume("w", &quota, created, noon()).await.allowed);
    // Next week: the full limit.
    let next_week = noon() + secs(7 * 86_400);
    let d = state.consume("w", &quota, created, next_week).await;
    assert_eq!((d.allowed, d.remaining), (true, 9));
}

#[tokio::test]
async fn embedded_quota_survives_a_restart_exactly() {
    let dir = TempDir::new("restart");
    {
        let state = embedded(&dir);
        for _ in 0..37 {
            assert!(
                state
                    .consume("p:k", &DAILY_100, old_plan(), noon())
                    .await
                    .allowed
            );
        }
        // No explicit flush: dropping the state must save the count.
    }
    let state = embedded(&dir);
    assert_eq!(
        state
            .usage("p:k", &DAILY_100, old_plan(), noon())
            .await
            .unwrap(),
        usage(37, 63)
    );
    let mut more = 0;
    while state
        .consume("p:k", &DAILY_100, old_plan(), noon())
        .await
        .allowed
    {
        more += 1;
    }
    assert_eq!(more, 63);
}

#[tokio::test]
async fn redis_quota_survives_turnpike_and_redis_restarts() {
    let mut server = RedisServer::start();
    {
        let node = redis(&server).await;
        for _ in 0..40 {
            assert!(
                node.consume("p:k", &DAILY_100, old_plan(), noon())
                    .await
                    .allowed
            );
        }
    }
    // A new Turnpike process sees the same count.
    let node = redis(&server).await;
    assert_eq!(
        node.usage("p:k", &DAILY_100, old_plan(), noon())
            .await
            .unwrap(),
        usage(40, 60)
    );
    // Redis itself crashes and comes back (append-only file): nothing lost.
    server.kill();
    server.restart();
    let mut used = None;
    for _ in 0..50 {
        if let Ok(u) = node.usage("p:k", &DAILY_100, old_plan(), noon()).await {
            used = Some(u);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(used, Some(usage(40, 60)));
}
