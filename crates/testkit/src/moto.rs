//! A local moto server (the workspace's `.venv`, as `.ci/run` installs it): real AWS service APIs
//! (Cognito, SQS, DynamoDB, ...) on a free port, stopped on drop, and boto3 scripts against it.

use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The workspace's root directory.
pub fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A program of the workspace's virtualenv, where `.ci/run` installs moto and boto3.
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

/// A moto server on a free port, stopped on drop.
pub struct Moto {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub url: String,
}

impl Moto {
    /// Starts the server and waits (up to 30 s) until it accepts connections.
    pub fn start() -> Moto {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free port")
            .port();
        let child = Command::new(venv("moto_server"))
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("cannot start moto_server");
        let moto = Moto {
            child,
            url: format!("http://127.0.0.1:{port}"),
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "moto_server did not start in 30 s"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        moto
    }

    /// Runs `script` with boto3 against this server, its clients ready as `sqs`, `ddb`
    /// (DynamoDB), `kinesis` and `sfn` (Step Functions), `json` and `base64` imported; returns its
    /// stdout parsed as JSON.
    pub fn boto3(&self, script: &str) -> serde_json::Value {
        let prelude = format!(
            "import boto3, json, base64\n\
             kw = dict(endpoint_url='{}', region_name='us-east-1', aws_access_key_id='testing', aws_secret_access_key='testing')\n\
             sqs = boto3.client('sqs', **kw)\n\
             ddb = boto3.client('dynamodb', **kw)\n\
             kinesis = boto3.client('kinesis', **kw)\n\
             sfn = boto3.client('stepfunctions', **kw)\n",
            self.url
        );
        let output = Command::new(venv("python"))
            .arg("-c")
            .arg(format!("{prelude}{script}"))
            .output()
            .expect("run python");
        assert!(
            output.status.success(),
            "boto3 script failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_slice(&output.stdout).expect("boto3 script prints JSON")
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
