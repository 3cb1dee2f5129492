//! Code-change restarts: a changed handler file restarts the function's workers; an invocation
//! already running finishes on its old worker.

use std::time::{Duration, Instant};

use bytes::Bytes;
use serde_json::json;

use crate::test_support::{python_function, success_json, TempDir};
use crate::{FunctionHost, HostConfig, InvokeContext};

const V1: &str = "import time\ndef handler(event, context):\n    time.sleep(event.get('sleep', 0))\n    return 'v1'\n";
const V2: &str = "def handler(event, context):\n    return 'v2'\n";

#[tokio::test]
async fn a_changed_handler_answers_the_next_invocation() {
    let dir = TempDir::new();
    let host = FunctionHost::new(HostConfig {
        cache_dir: dir.path().join("cache"),
        watch: true,
        ..HostConfig::default()
    })
    .unwrap();
    let config = python_function(&dir, "watched", V1);
    let app = config.code_dir.join("app.py");
    let pool = host.add_function(config).await.unwrap();
    let first = pool
        .invoke(Bytes::from("{}"), InvokeContext::default())
        .await
        .unwrap();
    assert_eq!(success_json(&first), json!("v1"));

    // A long invocation is running while the code changes.
    let running = {
        let pool = pool.clone();
        tokio::spawn(async move {
            pool.invoke(Bytes::from(r#"{"sleep": 1}"#), InvokeContext::default())
                .await
        })
    };
    tokio::time::sleep(Duration::from_millis(200)).await;
    std::fs::write(&app, V2).unwrap();

    let started = Instant::now();
    let answer = loop {
        let outcome = pool
            .invoke(Bytes::from("{}"), InvokeContext::default())
            .await
            .unwrap();
        if success_json(&outcome) == json!("v2") || started.elapsed() > Duration::from_secs(5) {
            break outcome;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(success_json(&answer), json!("v2"));
    assert_ne!(answer.worker_pid, first.worker_pid);

    // The running invocation finished on the old code, and its worker was not kept.
    let old = running.await.unwrap().unwrap();
    assert_eq!(success_json(&old), json!("v1"));
    let again = pool
        .invoke(Bytes::from("{}"), InvokeContext::default())
        .await
        .unwrap();
    assert_eq!(success_json(&again), json!("v2"));
    assert_ne!(again.worker_pid, old.worker_pid);
    host.shutdown().await;
}

#[tokio::test]
async fn without_watch_the_old_code_keeps_answering() {
    let dir = TempDir::new();
    let host = crate::test_support::host(&dir);
    let config = python_function(&dir, "unwatched", V1);
    let app = config.code_dir.join("app.py");
    let pool = host.add_function(config).await.unwrap();
    let first = pool
        .invoke(Bytes::from("{}"), InvokeContext::default())
        .await
        .unwrap();
    std::fs::write(&app, V2).unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let second = pool
        .invoke(Bytes::from("{}"), InvokeContext::default())
        .await
        .unwrap();
    assert_eq!(success_json(&second), json!("v1"));
    assert_eq!(second.worker_pid, first.worker_pid);
    host.shutdown().await;
}
