//! The real `turnpike` binary as a child process: started on port 0, its listening line parsed,
//! stdout (banner, route table, access logs) and stderr (logs) collected, killed on drop.

use std::io::{BufReader, Read};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Path of the binary under test.
const BIN: &str = env!("CARGO_BIN_EXE_turnpike");

/// The AWS credentials every `turnpike` these tests start signs with: AWS's documented example
/// key, which the remote-Lambda stand-in verifies signatures against and moto accepts.
pub const ACCESS_KEY_ID: &str = "AKIDEXAMPLE";
pub const SECRET_ACCESS_KEY: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

/// `turnpike` with a fixed AWS environment. The tests share one process, so they never change
/// its environment; each child gets the test credentials instead, and nothing of the
/// developer's own AWS settings (session token, profile, endpoint overrides) leaks in.
pub fn command() -> Command {
    let mut command = Command::new(BIN);
    for (name, _) in std::env::vars_os() {
        if name.to_str().is_some_and(|name| name.starts_with("AWS_")) {
            command.env_remove(name);
        }
    }
    command
        .env("AWS_ACCESS_KEY_ID", ACCESS_KEY_ID)
        .env("AWS_SECRET_ACCESS_KEY", SECRET_ACCESS_KEY);
    command
}

const START_TIMEOUT: Duration = Duration::from_secs(30);

/// A running `turnpike serve`.
pub struct Turnpike {
    child: Child,
    /// Where it listens, from its first line.
    pub addr: SocketAddr,
    /// `http` or `https`, from its first line.
    pub scheme: String,
    stdout: Arc<Mutex<Vec<String>>>,
    stderr: Arc<Mutex<String>>,
    banner_len: Arc<Mutex<Option<usize>>>,
}

impl Turnpike {
    /// `turnpike serve FILE --listen 127.0.0.1:0`.
    pub fn serve(file: &Path) -> Turnpike {
        Turnpike::serve_args(&[file.to_str().unwrap()])
    }

    /// `turnpike serve ARGS... --listen 127.0.0.1:0` (unless ARGS has its own --listen); panics with
    /// the process's output if it does not come up.
    pub fn serve_args(args: &[&str]) -> Turnpike {
        match Turnpike::try_serve(args) {
            Ok(turnpike) => turnpike,
            Err(output) => panic!(
                "turnpike serve {args:?} did not start: {:?}\nstdout:\n{}\nstderr:\n{}",
                output.status,
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            ),
        }
    }

    /// Like [`Turnpike::serve_args`], but hands back the output when the process exits before
    /// printing its listening line.
    pub fn try_serve(args: &[&str]) -> Result<Turnpike, Output> {
        let mut command = command();
        command.arg("serve").args(args);
        if !args.contains(&"--listen") {
            command.args(["--listen", "127.0.0.1:0"]);
        }
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .env("RUST_LOG", "info")
            .spawn()
            .expect("spawn turnpike");

        let stdout = Arc::new(Mutex::new(Vec::new()));
        let stderr = Arc::new(Mutex::new(String::new()));
        let (first_line, first_line_rx) = mpsc::channel::<String>();
        let out_pipe = child.stdout.take().expect("stdout piped");
        let lines = Arc::clone(&stdout);
        let banner_len = Arc::new(Mutex::new(None));
        let first_chunk = Arc::clone(&banner_len);
        std::thread::spawn(move || {
            let mut reader = out_pipe;
            let mut buf = vec![0u8; 64 * 1024];
            let mut partial = String::new();
            let mut first = Some(first_line);
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                partial.push_str(&String::from_utf8_lossy(&buf[..n]));
                let Some(end) = partial.rfind('\n') else {
                    continue;
                };
                let complete: Vec<String> =
                    partial[..end].split('\n').map(str::to_string).collect();
                partial.drain(..=end);
                // A chunk's lines are published together, so the banner appears whole.
                let mut all = lines.lock().unwrap();
                all.extend(complete);
                if let Some(sender) = first.take() {
                    *first_chunk.lock().unwrap() = Some(all.len());
                    let _ = sender.send(all[0].clone());
                }
            }
        });
        let err_pipe = child.stderr.take().expect("stderr piped");
        let errors = Arc::clone(&stderr);
        std::thread::spawn(move || {
            let mut reader = BufReader::new(err_pipe);
            let mut buf = [0u8; 4096];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                errors
                    .lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });

        match first_line_rx.recv_timeout(START_TIMEOUT) {
            Ok(line) => {
                let (scheme, addr) = parse_listening_line(&line)
                    .unwrap_or_else(|| panic!("unexpected first line {line:?}"));
                Ok(Turnpike {
                    child,
                    addr,
                    scheme,
                    stdout,
                    stderr,
                    banner_len,
                })
            }
            Err(_) => {
                let _ = child.kill();
                let status = child.wait().expect("wait turnpike");
                // Give the reader threads a moment to drain the pipes.
                std::thread::sleep(Duration::from_millis(100));
                let out = stdout.lock().unwrap().join("\n");
                let err = stderr.lock().unwrap().clone();
                Err(Output {
                    status,
                    stdout: out.into_bytes(),
                    stderr: err.into_bytes(),
                })
            }
        }
    }

    /// Runs `turnpike serve ARGS...` expecting it to refuse to start; returns its stderr.
    pub fn serve_refused(args: &[&str]) -> String {
        match Turnpike::try_serve(args) {
            Ok(_) => panic!("turnpike serve {args:?} started"),
            Err(output) => String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// Every stdout line so far (the first is the listening line).
    pub fn stdout_lines(&self) -> Vec<String> {
        self.stdout.lock().unwrap().clone()
    }

    /// Stdout so far, one string.
    pub fn stdout(&self) -> String {
        self.stdout_lines().join("\n")
    }

    /// Stderr so far.
    pub fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// Waits (up to 5 s) until stderr contains `text`.
    pub fn wait_for_stderr(&self, text: &str) {
        let deadline = Instant::now() + Duration::from_secs(5);
        while !self.stderr().contains(text) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Waits (up to 10 s) for a stdout line after the first `skip` lines that satisfies `pred`.
    pub fn wait_for_line(&self, skip: usize, pred: impl Fn(&str) -> bool) -> Option<String> {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(line) = self.stdout_lines().into_iter().skip(skip).find(|l| pred(l)) {
                return Some(line);
            }
            if Instant::now() > deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The banner: the listening line, a blank line, the route table, a blank line. Turnpike
    /// prints it in one write, so it is the first chunk read from the pipe.
    pub fn banner(&self) -> Vec<String> {
        let lines = self.stdout_lines();
        let len = self.banner_len.lock().unwrap().unwrap_or(lines.len());
        lines[..len.min(lines.len())].to_vec()
    }

    /// Sends a signal (`TERM`, `INT`) to the process.
    pub fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .args([format!("-{name}"), self.child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -{name} failed");
    }

    /// Waits up to `timeout` for the process to exit.
    pub fn wait_exit(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return Some(status);
            }
            if Instant::now() > deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Sends SIGTERM and waits (up to 20 s) for the process to exit; panics if it does not.
    pub fn stop(&mut self) {
        self.signal("TERM");
        assert!(
            self.wait_exit(Duration::from_secs(20)).is_some(),
            "did not stop"
        );
    }

    /// True while the process runs.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

impl Drop for Turnpike {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `Turnpike listening on http://127.0.0.1:PORT` → (`http`, addr).
pub fn parse_listening_line(line: &str) -> Option<(String, SocketAddr)> {
    let url = line.strip_prefix("Turnpike listening on ")?;
    let (scheme, addr) = url.split_once("://")?;
    Some((scheme.to_string(), addr.parse().ok()?))
}

/// Runs `turnpike ARGS...` to completion, asserts it exits with `code`, and returns its stdout and
/// stderr.
#[track_caller]
pub fn run_exit(args: &[&str], code: i32) -> (String, String) {
    let output = run(args);
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(
        output.status.code(),
        Some(code),
        "turnpike {args:?}\nstderr: {stderr}"
    );
    (stdout, stderr)
}

/// Runs `turnpike invoke ARGS...` to completion in `dir`, with `stdin` as standard input.
pub fn invoke(dir: &Path, args: &[&str], stdin: &str) -> Output {
    use std::io::Write as _;
    let mut child = command()
        .arg("invoke")
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn turnpike invoke");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

/// Runs `turnpike ARGS...` to completion (validate, routes, usage errors).
pub fn run(args: &[&str]) -> Output {
    command()
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run turnpike")
}

/// The id at the end of a banner line `API "NAME" (KIND, id ID)`.
pub fn line_api_id(line: &str) -> String {
    line.rsplit("id ")
        .next()
        .unwrap()
        .trim_end_matches(')')
        .to_string()
}

/// The id the banner text prints for the API named `name`.
pub fn api_id(banner: &str, name: &str) -> String {
    let prefix = format!("API {name:?} (");
    let line = banner
        .lines()
        .find(|l| l.starts_with(&prefix))
        .unwrap_or_else(|| panic!("no line for {name} in {banner}"));
    line_api_id(line)
}

/// The id the banner text prints for the (first) API of `kind` ("REST API" or "HTTP API").
pub fn api_id_of_kind(banner: &str, kind: &str) -> String {
    let marker = format!("({kind}, id ");
    let line = banner
        .lines()
        .find(|l| l.starts_with("API ") && l.contains(&marker))
        .unwrap_or_else(|| panic!("no {kind} in {banner}"));
    line_api_id(line)
}
