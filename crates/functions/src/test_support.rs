//! Test helpers: temporary code directories, hosts, process checks, a log capture and the
//! `awslambdaric` virtualenv.

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use tracing::field::{Field, Visit};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::Layer;

use crate::{FunctionConfig, FunctionHost, FunctionPool, HostConfig, Runtime};

/// A directory removed when dropped.
pub(crate) struct TempDir(PathBuf);

impl TempDir {
    pub(crate) fn new() -> TempDir {
        let path = std::env::temp_dir().join(format!(
            "turnpike-functions-{}",
            uuid::Uuid::new_v4().simple()
        ));
        std::fs::create_dir_all(&path).unwrap();
        TempDir(path)
    }

    pub(crate) fn path(&self) -> &Path {
        &self.0
    }

    /// Writes `name` with `text`; `executable` sets mode 0755.
    pub(crate) fn write(&self, name: &str, text: &str, executable: bool) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, text).unwrap();
        if executable {
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A host whose cache lives in `dir`.
pub(crate) fn host(dir: &TempDir) -> FunctionHost {
    FunctionHost::new(HostConfig {
        cache_dir: dir.path().join("cache"),
        ..HostConfig::default()
    })
    .unwrap()
}

/// A Python function (bundled client) whose `app.py` is `source`, handler `app.handler`.
pub(crate) fn python_function(dir: &TempDir, name: &str, source: &str) -> FunctionConfig {
    let code = dir.path().join(name);
    std::fs::create_dir_all(&code).unwrap();
    std::fs::write(code.join("app.py"), source).unwrap();
    FunctionConfig::new(name, Runtime::Python("3.11".into()), "app.handler", code)
}

/// Starts `config` on a new host kept alive with the pool.
pub(crate) async fn pool(dir: &TempDir, config: FunctionConfig) -> (FunctionHost, FunctionPool) {
    let host = host(dir);
    let pool = host.add_function(config).await.unwrap();
    (host, pool)
}

/// True while `pid` exists and is not a zombie.
pub(crate) fn alive(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        // The state follows the parenthesised command name.
        Ok(stat) => stat
            .rsplit_once(") ")
            .is_some_and(|(_, rest)| !rest.starts_with('Z')),
        Err(_) => false,
    }
}

/// Waits up to 5 s for `pid` to be gone.
pub(crate) async fn gone(pid: u32) -> bool {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(5) {
        if !alive(pid) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    false
}

/// One captured `tracing` event: its fields by name (the message under `message`).
pub(crate) type Event = BTreeMap<String, String>;

/// Reads the events of every test: one process-wide subscriber records them all, because
/// callsite interest is global and per-thread subscribers race between parallel tests. Tests
/// tell their events apart by function name.
pub(crate) struct LogCapture {
    events: Arc<Mutex<Vec<Event>>>,
}

impl LogCapture {
    pub(crate) fn start() -> LogCapture {
        static EVENTS: OnceLock<Arc<Mutex<Vec<Event>>>> = OnceLock::new();
        let events = EVENTS.get_or_init(|| {
            let events = Arc::new(Mutex::new(Vec::new()));
            let subscriber = tracing_subscriber::registry().with(Capture(events.clone()));
            tracing::subscriber::set_global_default(subscriber).unwrap();
            events
        });
        LogCapture {
            events: events.clone(),
        }
    }

    pub(crate) fn events(&self) -> Vec<Event> {
        self.events.lock().unwrap().clone()
    }
}

struct Capture(Arc<Mutex<Vec<Event>>>);

impl<S: tracing::Subscriber> Layer<S> for Capture {
    fn on_event(&self, event: &tracing::Event<'_>, _ctx: Context<'_, S>) {
        let mut fields = Fields::default();
        event.record(&mut fields);
        self.0.lock().unwrap().push(fields.0);
    }
}

#[derive(Default)]
struct Fields(Event);

impl Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_string(), value.to_string());
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0
            .insert(field.name().to_string(), format!("{value:?}"));
    }
}

/// The interpreter of the repository's `.venv`, created with `awslambdaric` installed when
/// missing (once per machine: other test binaries wait on the same lock file).
pub(crate) fn awslambdaric_python() -> PathBuf {
    static PYTHON: OnceLock<PathBuf> = OnceLock::new();
    PYTHON
        .get_or_init(|| venv_python_with("awslambdaric", "awslambdaric"))
        .clone()
}

/// The interpreter of the repository's `.venv`, with `botocore` (the stand-in Invoke API checks
/// signatures with it).
pub(crate) fn botocore_python() -> PathBuf {
    static PYTHON: OnceLock<PathBuf> = OnceLock::new();
    PYTHON
        .get_or_init(|| venv_python_with("botocore", "botocore"))
        .clone()
}

fn venv_python_with(module: &str, package: &str) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let venv = root.join(".venv");
    let python = venv.join("bin/python");
    std::fs::create_dir_all(&venv).unwrap();
    let lock = std::fs::File::create(venv.join(".turnpike-install.lock")).unwrap();
    use std::os::fd::AsRawFd;
    // SAFETY: flock on a file descriptor we own; released when `lock` is closed.
    assert_eq!(unsafe { libc::flock(lock.as_raw_fd(), libc::LOCK_EX) }, 0);
    let has_client = |python: &Path| {
        Command::new(python)
            .args(["-c", &format!("import {module}")])
            .status()
            .is_ok_and(|s| s.success())
    };
    if !has_client(&python) {
        if !python.exists() {
            let status = Command::new("python3")
                .args(["-m", "venv"])
                .arg(&venv)
                .status()
                .unwrap();
            assert!(status.success(), "python3 -m venv failed");
        }
        let status = Command::new(venv.join("bin/pip"))
            .args(["install", "--quiet", package])
            .status()
            .unwrap();
        assert!(status.success(), "pip install {package} failed");
        assert!(has_client(&python));
    }
    drop(lock);
    python
}

/// `node_modules` holding npm `aws-lambda-ric` with its native addon, installed once per machine
/// into `target/npm-aws-lambda-ric` (the addon builds from source: cmake, make, g++, autoconf,
/// automake and libtool are needed).
pub(crate) fn aws_lambda_ric_modules() -> PathBuf {
    static MODULES: OnceLock<PathBuf> = OnceLock::new();
    MODULES.get_or_init(install_aws_lambda_ric).clone()
}

fn install_aws_lambda_ric() -> PathBuf {
    let prefix = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/npm-aws-lambda-ric");
    std::fs::create_dir_all(&prefix).unwrap();
    let lock = std::fs::File::create(prefix.join(".turnpike-install.lock")).unwrap();
    use std::os::fd::AsRawFd;
    // SAFETY: flock on a file descriptor we own; released when `lock` is closed.
    assert_eq!(unsafe { libc::flock(lock.as_raw_fd(), libc::LOCK_EX) }, 0);
    let modules = prefix.join("node_modules");
    let addon = modules.join("aws-lambda-ric/dist/rapid-client.node");
    if !addon.exists() {
        // Installed without scripts (newer npm refuses unapproved ones), then built by rebuild.
        for args in [
            &[
                "install",
                "--ignore-scripts",
                "--no-audit",
                "--no-fund",
                "aws-lambda-ric",
            ][..],
            &["rebuild", "aws-lambda-ric"][..],
        ] {
            let status = Command::new("npm")
                .args(args)
                .current_dir(&prefix)
                .stdout(std::process::Stdio::null())
                .status()
                .unwrap();
            assert!(status.success(), "npm {args:?} failed");
        }
        assert!(
            addon.exists(),
            "npm rebuild did not build {}",
            addon.display()
        );
    }
    drop(lock);
    modules
}

/// The JSON a successful invocation answered.
pub(crate) fn success_json(outcome: &crate::InvokeOutcome) -> serde_json::Value {
    match &outcome.response {
        crate::InvokeResponse::Success(payload) => serde_json::from_slice(payload).unwrap(),
        other => panic!("expected a response, got {other:?}"),
    }
}

/// The events of `capture` from `function`'s stdout/stderr, waiting up to 5 s for `count`.
pub(crate) async fn function_logs(
    capture: &LogCapture,
    function: &str,
    count: usize,
) -> Vec<Event> {
    let start = Instant::now();
    loop {
        let logs: Vec<Event> = capture
            .events()
            .into_iter()
            .filter(|e| e.get("function").map(String::as_str) == Some(function))
            .filter(|e| e.contains_key("stream"))
            .collect();
        if logs.len() >= count || start.elapsed() > Duration::from_secs(5) {
            return logs;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
