//! [`State::admit`]: the same answers as `take` on each bucket then `consume`, on both back ends.

use super::*;
use crate::{Admission, FailurePolicy, OnStateError, Quota, QuotaPeriod, Throttle, Usage};

fn throttle(rate_limit: f64, burst_limit: u64) -> Throttle {
    Throttle {
        rate_limit,
        burst_limit,
    }
}

const THREE_A_DAY: Quota = Quota {
    limit: 3,
    period: QuotaPeriod::Day,
    offset: 0,
};

fn old_plan() -> SystemTime {
    crate::from_unix_secs(1_700_000_000)
}

/// Buckets in order, the first refusal stopping the walk; the quota counted only when every
/// bucket admitted.
async fn walks_buckets_then_quota(state: &State) {
    let wide = state.bucket("wide", throttle(0.0, 2));
    let narrow = state.bucket("narrow", throttle(0.0, 1));
    let quota = state.quota("plan:key", THREE_A_DAY, old_plan());
    let buckets = [wide.clone(), narrow];
    let now = noon();
    assert_eq!(
        state.admit(&buckets, Some(&quota), now).await,
        Admission::Allowed
    );
    // `wide` gives its last token before `narrow` refuses, as two `take` calls would.
    assert_eq!(
        state.admit(&buckets, Some(&quota), now).await,
        Admission::Throttled(1)
    );
    assert_eq!(
        state.admit(&buckets, Some(&quota), now).await,
        Admission::Throttled(0)
    );
    assert!(!state.take("wide", 0.0, 2, now).await.allowed);
    let usage = state
        .usage("plan:key", &THREE_A_DAY, old_plan(), now)
        .await
        .unwrap();
    assert_eq!(
        usage,
        Usage {
            used: 1,
            remaining: 2,
            period_start: 1_795_564_800,
            period_end: 1_795_651_200,
        }
    );
    // Without buckets only the quota counts: two more pass, the next is refused.
    assert_eq!(
        state.admit(&[], Some(&quota), now).await,
        Admission::Allowed
    );
    assert_eq!(
        state.admit(&[], Some(&quota), now).await,
        Admission::Allowed
    );
    assert_eq!(
        state.admit(&[], Some(&quota), now).await,
        Admission::QuotaExceeded
    );
    assert_eq!(state.admit(&[], None, now).await, Admission::Allowed);
    // The same bucket through `admit` and `take`: one bucket.
    let later = now + secs(1);
    let refill = state.bucket("refill", throttle(1.0, 1));
    assert_eq!(
        state
            .admit(std::slice::from_ref(&refill), None, later)
            .await,
        Admission::Allowed
    );
    assert!(!state.take("refill", 1.0, 1, later).await.allowed);
    assert_eq!(refill.name(), "refill");
    assert_eq!(wide.name(), "wide");
}

#[tokio::test]
async fn embedded_admit_walks_buckets_then_quota() {
    let dir = TempDir::new("admit");
    walks_buckets_then_quota(&embedded(&dir)).await;
}

#[tokio::test]
async fn redis_admit_walks_buckets_then_quota_in_one_script() {
    let server = RedisServer::start();
    walks_buckets_then_quota(&redis(&server).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_admit_down_answers_by_policy() {
    let mut server = RedisServer::start();
    let node = |policy: FailurePolicy| {
        let mut config = RedisConfig::new(server.url());
        config.on_error = policy;
        async move { State::redis(&config).await.unwrap() }
    };
    let default = node(FailurePolicy::default()).await;
    let closed = node(FailurePolicy::all(OnStateError::Closed)).await;
    let open = node(FailurePolicy::all(OnStateError::Open)).await;
    let bucket = default.bucket("b", throttle(10.0, 5));
    let quota = default.quota("q", THREE_A_DAY, old_plan());
    let buckets = std::slice::from_ref(&bucket);
    assert_eq!(
        default.admit(buckets, Some(&quota), noon()).await,
        Admission::Allowed
    );
    server.kill();
    // Default: throttles open, quotas closed.
    assert_eq!(
        default.admit(buckets, None, noon()).await,
        Admission::Allowed
    );
    assert_eq!(
        default.admit(buckets, Some(&quota), noon()).await,
        Admission::QuotaExceeded
    );
    assert_eq!(
        closed.admit(buckets, Some(&quota), noon()).await,
        Admission::Throttled(0)
    );
    assert_eq!(
        open.admit(buckets, Some(&quota), noon()).await,
        Admission::Allowed
    );
}

/// On a cluster the limits live in several slots: `admit` walks them call by call, same answers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cluster_admit_walks_buckets_then_quota() {
    let cluster = crate::test_support::RedisCluster::start();
    let mut config = RedisConfig::new(String::new());
    config.urls = cluster.urls();
    config.op_timeout = std::time::Duration::from_secs(5);
    walks_buckets_then_quota(&State::redis(&config).await.unwrap()).await;
}
