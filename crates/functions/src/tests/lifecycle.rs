//! No process outlives its pool: dropping, shutting down, and Turnpike dying by `kill -9`.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use bytes::Bytes;

use crate::test_support::{alive, gone, host, pool, python_function, success_json, TempDir};
use crate::{FunctionConfig, InvokeContext, InvokeError, Runtime};

/// Starts a background `sleep` (its pid written to `child.pid`), then echoes events.
const FORKS_A_CHILD: &str = r#"#!/bin/sh
set -eu
sleep 300 &
echo $! > "$LAMBDA_TASK_ROOT/child.pid"
API="http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime"
HEADERS="$(mktemp)"
while true; do
  EVENT=$(curl -sS -D "$HEADERS" "$API/invocation/next")
  REQUEST_ID=$(grep -i '^Lambda-Runtime-Aws-Request-Id:' "$HEADERS" | cut -d' ' -f2 | tr -d '\r\n')
  curl -sS -X POST "$API/invocation/$REQUEST_ID/response" --data-binary "$$" > /dev/null
done
"#;

/// Answers one invocation with its pid, then stops talking to the Runtime API: only the
/// parent-death signal can end it.
const ANSWERS_ONCE: &str = r#"#!/bin/sh
set -eu
API="http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime"
HEADERS="$(mktemp)"
curl -sS -D "$HEADERS" "$API/invocation/next" > /dev/null
REQUEST_ID=$(grep -i '^Lambda-Runtime-Aws-Request-Id:' "$HEADERS" | cut -d' ' -f2 | tr -d '\r\n')
curl -sS -X POST "$API/invocation/$REQUEST_ID/response" --data-binary "$$" > /dev/null
exec sleep 300
"#;

const PID: &str = "import os\nimport time\ndef handler(event, context):\n    time.sleep(event.get('sleep', 0))\n    return os.getpid()\n";

#[tokio::test]
async fn dropping_the_pool_kills_every_worker_and_their_children() {
    let dir = TempDir::new();
    let code = dir.path().join("forks");
    std::fs::create_dir_all(&code).unwrap();
    std::fs::write(code.join("bootstrap"), FORKS_A_CHILD).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(
        code.join("bootstrap"),
        std::fs::Permissions::from_mode(0o755),
    )
    .unwrap();
    let config = FunctionConfig::new("forks", Runtime::ProvidedAl2, "h", &code);
    let (host, forks) = pool(&dir, config).await;
    let outcome = forks
        .invoke(Bytes::from("{}"), InvokeContext::default())
        .await
        .unwrap();
    let bootstrap = outcome.worker_pid;
    assert_eq!(success_json(&outcome), serde_json::json!(bootstrap));
    let child: u32 = std::fs::read_to_string(code.join("child.pid"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();

    let mut config = python_function(&dir, "many", PID);
    config.reserved_concurrency = Some(3);
    let many = host.add_function(config).await.unwrap();
    let calls: Vec<_> = (0..3)
        .map(|_| {
            let pool = many.clone();
            tokio::spawn(async move {
                pool.invoke(Bytes::from(r#"{"sleep":0.3}"#), InvokeContext::default())
                    .await
            })
        })
        .collect();
    let mut pids = vec![bootstrap, child];
    for call in calls {
        pids.push(call.await.unwrap().unwrap().worker_pid);
    }
    assert!(pids.iter().all(|&pid| alive(pid)));
    drop(forks);
    drop(many);
    drop(host);
    for pid in pids {
        assert!(gone(pid).await, "process {pid} outlived its pool");
    }
}

#[tokio::test]
async fn shutdown_kills_idle_workers_and_refuses_new_invocations() {
    let dir = TempDir::new();
    let host = host(&dir);
    let pool = host
        .add_function(python_function(&dir, "closing", PID))
        .await
        .unwrap();
    let pid = pool
        .invoke(Bytes::from("{}"), InvokeContext::default())
        .await
        .unwrap()
        .worker_pid;
    host.shutdown().await;
    assert!(!alive(pid));
    let error = pool
        .invoke(Bytes::from("{}"), InvokeContext::default())
        .await
        .unwrap_err();
    assert!(matches!(error, InvokeError::ShutDown));
    let error = host
        .invoke("closing", Bytes::from("{}"), InvokeContext::default())
        .await
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "Function not found: arn:aws:lambda:us-east-1:123456789012:function:closing"
    );
}

/// Runs in a child copy of the test binary (see below): starts a worker, prints its pid and waits
/// to be killed.
#[tokio::test]
#[ignore = "run by workers_die_with_turnpike in a child process"]
async fn parent_death_child() {
    let Ok(dir) = std::env::var("TURNPIKE_PARENT_DEATH_DIR") else {
        return;
    };
    let config = FunctionConfig::new("orphan", Runtime::Provided, "h", &dir);
    let host = crate::FunctionHost::new(crate::HostConfig {
        cache_dir: std::path::Path::new(&dir).join("cache"),
        ..crate::HostConfig::default()
    })
    .unwrap();
    let pool = host.add_function(config).await.unwrap();
    let outcome = pool
        .invoke(Bytes::from("{}"), InvokeContext::default())
        .await
        .unwrap();
    println!("WORKER_PID={}", outcome.worker_pid);
    tokio::time::sleep(Duration::from_secs(60)).await;
}

#[tokio::test]
async fn workers_die_with_turnpike_even_on_kill_9() {
    let dir = TempDir::new();
    let bootstrap = dir.write("bootstrap", ANSWERS_ONCE, true);
    assert!(bootstrap.exists());
    let mut turnpike = Command::new(std::env::current_exe().unwrap())
        .args([
            "tests::lifecycle::parent_death_child",
            "--exact",
            "--ignored",
            "--nocapture",
        ])
        .env("TURNPIKE_PARENT_DEATH_DIR", dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = turnpike.stdout.take().unwrap();
    let worker: u32 = BufReader::new(stdout)
        .lines()
        .map_while(Result::ok)
        .find_map(|line| {
            line.strip_prefix("WORKER_PID=")
                .map(|pid| pid.parse().unwrap())
        })
        .unwrap();
    assert!(alive(worker));
    turnpike.kill().unwrap();
    turnpike.wait().unwrap();
    assert!(
        gone(worker).await,
        "worker {worker} outlived a killed Turnpike"
    );
}
