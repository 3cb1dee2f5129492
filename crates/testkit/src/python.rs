//! The workspace's Python virtualenv (`.venv`, as `.ci/run` creates it with awslambdaric, moto
//! and boto3) and running its scripts that answer in JSON.

use std::ffi::OsStr;
use std::io::Write as _;
use std::path::PathBuf;
use std::process::{Command, Stdio};

/// The workspace's root directory.
pub fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A program of the workspace's virtualenv; panics with how to make it when it is missing.
pub fn venv(name: &str) -> PathBuf {
    let path = workspace().join(".venv/bin").join(name);
    assert!(
        path.exists(),
        "{} is missing: create the test tools as .ci/run does \
         (python3 -m venv .venv && .venv/bin/pip install awslambdaric 'moto[server]' boto3)",
        path.display()
    );
    path
}

/// Runs the virtualenv's Python with `args` (a script and its arguments, or `-c CODE`), writing
/// `stdin` to it when given; panics with its stderr unless it succeeds, and returns its stdout
/// parsed as JSON.
pub fn python_json<I, S>(args: I, stdin: Option<&serde_json::Value>) -> serde_json::Value
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let mut child = Command::new(venv("python"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run the virtualenv's python");
    let mut input = child.stdin.take().expect("python's stdin");
    if let Some(value) = stdin {
        input
            .write_all(value.to_string().as_bytes())
            .expect("write to python");
    }
    drop(input);
    let output = child.wait_with_output().expect("wait for python");
    assert!(
        output.status.success(),
        "python failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("python prints JSON")
}
