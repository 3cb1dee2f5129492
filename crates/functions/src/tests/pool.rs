//! Pool behaviour: warm reuse, concurrency limits, the queue bound, timeouts, payload limits
//! and idle expiry.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use bytes::Bytes;

use crate::test_support::{alive, gone, pool, python_function, success_json, TempDir};
use crate::{FunctionPool, InvokeContext, InvokeError, PoolStats};

/// Sleeps for `event["sleep"]` seconds and reports its pid and when it ran.
const SLEEPER: &str = r#"
import os, time
def handler(event, context):
    start = time.time()
    time.sleep(event.get("sleep", 0))
    return {"pid": os.getpid(), "start": start, "end": time.time()}
"#;

fn sleep_event(seconds: f64) -> Bytes {
    Bytes::from(format!(r#"{{"sleep":{seconds}}}"#))
}

/// Runs `count` invocations at once and returns each one's `(pid, start, end)`.
async fn run_parallel(pool: &FunctionPool, count: usize, seconds: f64) -> Vec<(u64, f64, f64)> {
    let calls = (0..count).map(|_| {
        let pool = pool.clone();
        tokio::spawn(async move {
            pool.invoke(sleep_event(seconds), InvokeContext::default())
                .await
        })
    });
    let mut runs = Vec::new();
    for call in calls.collect::<Vec<_>>() {
        let answer = success_json(&call.await.unwrap().unwrap());
        runs.push((
            answer["pid"].as_u64().unwrap(),
            answer["start"].as_f64().unwrap(),
            answer["end"].as_f64().unwrap(),
        ));
    }
    runs
}

async fn wait_for(pool: &FunctionPool, expected: impl Fn(PoolStats) -> bool) {
    let start = Instant::now();
    while !expected(pool.stats()) {
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "{:?}",
            pool.stats()
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::test]
async fn a_warm_worker_serves_the_next_invocation() {
    let dir = TempDir::new();
    let (_host, pool) = pool(&dir, python_function(&dir, "warm", SLEEPER)).await;
    let first = pool
        .invoke(sleep_event(0.0), InvokeContext::default())
        .await
        .unwrap();
    let second = pool
        .invoke(sleep_event(0.0), InvokeContext::default())
        .await
        .unwrap();
    assert!(first.cold_start);
    assert!(!second.cold_start);
    assert_eq!(first.worker_pid, second.worker_pid);
    assert_eq!(success_json(&second)["pid"], second.worker_pid);
    assert_eq!(
        pool.stats(),
        PoolStats {
            running: 0,
            queued: 0,
            idle: 1
        }
    );
}

#[tokio::test]
async fn a_worker_that_died_while_idle_is_replaced_transparently() {
    let dir = TempDir::new();
    let (_host, pool) = pool(&dir, python_function(&dir, "fragile", SLEEPER)).await;
    let first = pool
        .invoke(sleep_event(0.0), InvokeContext::default())
        .await
        .unwrap();
    // SAFETY: signals our own child.
    unsafe { libc::kill(first.worker_pid as i32, libc::SIGKILL) };
    // Died while idle: gone before the next invocation (a process still exiting while its
    // parked long poll takes the event counts as a crash during the invocation).
    assert!(gone(first.worker_pid).await);
    let second = pool
        .invoke(sleep_event(0.0), InvokeContext::default())
        .await
        .unwrap();
    assert!(second.cold_start);
    assert_ne!(second.worker_pid, first.worker_pid);
    assert_eq!(success_json(&second)["pid"], second.worker_pid);
}

#[tokio::test]
async fn a_caller_that_stops_waiting_leaves_the_warm_worker_to_finish() {
    let dir = TempDir::new();
    let (_host, pool) = pool(&dir, python_function(&dir, "abandoned", SLEEPER)).await;
    let first = pool
        .invoke(sleep_event(0.0), InvokeContext::default())
        .await
        .unwrap();
    // The warm invocation runs on this task; giving up on it must neither kill the worker nor
    // leak its concurrency slot.
    let gave_up = tokio::time::timeout(
        Duration::from_millis(100),
        pool.invoke(sleep_event(0.5), InvokeContext::default()),
    )
    .await;
    assert!(gave_up.is_err());
    assert_eq!(pool.stats().running, 1);
    wait_for(&pool, |s| {
        s == PoolStats {
            running: 0,
            queued: 0,
            idle: 1,
        }
    })
    .await;
    let again = pool
        .invoke(sleep_event(0.0), InvokeContext::default())
        .await
        .unwrap();
    assert_eq!(again.worker_pid, first.worker_pid);
    assert!(!again.cold_start);
}

#[tokio::test]
async fn invocations_up_to_the_limit_run_in_parallel() {
    let dir = TempDir::new();
    let mut config = python_function(&dir, "parallel", SLEEPER);
    config.reserved_concurrency = Some(3);
    let (_host, pool) = pool(&dir, config).await;
    let runs = run_parallel(&pool, 3, 1.5).await;
    let pids: BTreeSet<u64> = runs.iter().map(|r| r.0).collect();
    assert_eq!(pids.len(), 3);
    let latest_start = runs.iter().map(|r| r.1).fold(f64::MIN, f64::max);
    let earliest_end = runs.iter().map(|r| r.2).fold(f64::MAX, f64::min);
    assert!(
        latest_start < earliest_end,
        "all three overlapped: {runs:?}"
    );
    assert_eq!(pool.stats().idle, 3);
}

#[tokio::test]
async fn with_reserved_concurrency_1_invocations_take_turns() {
    let dir = TempDir::new();
    let mut config = python_function(&dir, "serial", SLEEPER);
    config.reserved_concurrency = Some(1);
    let (_host, pool) = pool(&dir, config).await;
    let mut runs = run_parallel(&pool, 3, 0.2).await;
    runs.sort_by(|a, b| a.1.total_cmp(&b.1));
    let pids: BTreeSet<u64> = runs.iter().map(|r| r.0).collect();
    assert_eq!(pids.len(), 1);
    for pair in runs.windows(2) {
        assert!(pair[0].2 <= pair[1].1, "overlap: {runs:?}");
    }
}

#[tokio::test]
async fn beyond_the_queue_bound_invocations_are_throttled() {
    let dir = TempDir::new();
    let mut config = python_function(&dir, "throttled", SLEEPER);
    config.reserved_concurrency = Some(1);
    config.max_queue = 1;
    let (_host, pool) = pool(&dir, config).await;
    let running = tokio::spawn({
        let pool = pool.clone();
        async move {
            pool.invoke(sleep_event(0.5), InvokeContext::default())
                .await
        }
    });
    wait_for(&pool, |s| s.running == 1).await;
    let queued = tokio::spawn({
        let pool = pool.clone();
        async move {
            pool.invoke(sleep_event(0.0), InvokeContext::default())
                .await
        }
    });
    wait_for(&pool, |s| s.queued == 1).await;
    let error = pool
        .invoke(sleep_event(0.0), InvokeContext::default())
        .await
        .unwrap_err();
    assert!(matches!(error, InvokeError::Throttled));
    assert_eq!(error.invoke_status(), 429);
    assert_eq!(error.to_string(), "Rate Exceeded.");
    running.await.unwrap().unwrap();
    queued.await.unwrap().unwrap();

    let mut config = python_function(&dir, "disabled", SLEEPER);
    config.reserved_concurrency = Some(0);
    let (_host, disabled) = crate::test_support::pool(&dir, config).await;
    let error = disabled
        .invoke(sleep_event(0.0), InvokeContext::default())
        .await
        .unwrap_err();
    assert!(matches!(error, InvokeError::Throttled));
}

#[tokio::test]
async fn a_timeout_answers_like_lambda_and_kills_the_worker() {
    let dir = TempDir::new();
    let mut config = python_function(&dir, "slow", SLEEPER);
    config.timeout = Duration::from_secs(1);
    let (_host, pool) = pool(&dir, config).await;
    let warm = pool
        .invoke(sleep_event(0.0), InvokeContext::default())
        .await
        .unwrap();
    let pid = warm.worker_pid;
    let ctx = InvokeContext {
        request_id: Some("slow-1".into()),
        ..InvokeContext::default()
    };
    let started = Instant::now();
    let error = pool.invoke(sleep_event(30.0), ctx).await.unwrap_err();
    let took = started.elapsed();
    assert!(matches!(error, InvokeError::Timeout { .. }));
    assert_eq!(
        error.to_string(),
        "RequestId: slow-1 Error: Task timed out after 1.00 seconds"
    );
    assert_eq!(error.error_type(), "Sandbox.Timedout");
    assert!(
        took >= Duration::from_secs(1) && took < Duration::from_secs(3),
        "{took:?}"
    );
    assert!(!alive(pid), "the timed-out worker {pid} is still running");
    let next = pool
        .invoke(sleep_event(0.0), InvokeContext::default())
        .await
        .unwrap();
    assert!(next.cold_start);
    assert_ne!(next.worker_pid, pid);
}

#[tokio::test]
async fn an_event_over_6_mb_is_refused_before_any_worker_starts() {
    let dir = TempDir::new();
    let (_host, pool) = pool(&dir, python_function(&dir, "limits", SLEEPER)).await;
    let payload = Bytes::from(vec![b' '; 6 * 1024 * 1024 + 1]);
    let error = pool
        .invoke(payload, InvokeContext::default())
        .await
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "6291457 byte payload is too large for the RequestResponse invocation type (limit 6291456 bytes)"
    );
    assert_eq!(error.invoke_status(), 413);
    assert_eq!(error.error_type(), "RequestEntityTooLargeException");
    assert_eq!(
        pool.stats(),
        PoolStats {
            running: 0,
            queued: 0,
            idle: 0
        }
    );
}

#[tokio::test]
async fn idle_workers_expire_down_to_min_warm() {
    let dir = TempDir::new();
    let mut config = python_function(&dir, "expiring", SLEEPER);
    config.idle_timeout = Duration::from_millis(200);
    let (_host, pool) = pool(&dir, config).await;
    let outcome = pool
        .invoke(sleep_event(0.0), InvokeContext::default())
        .await
        .unwrap();
    assert!(gone(outcome.worker_pid).await);
    assert_eq!(pool.stats().idle, 0);

    let mut config = python_function(&dir, "kept", SLEEPER);
    config.idle_timeout = Duration::from_millis(200);
    config.min_warm = 1;
    let (_host, kept) = crate::test_support::pool(&dir, config).await;
    assert_eq!(kept.stats().idle, 1);
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(kept.stats().idle, 1);
    let outcome = kept
        .invoke(sleep_event(0.0), InvokeContext::default())
        .await
        .unwrap();
    assert!(!outcome.cold_start);
}
