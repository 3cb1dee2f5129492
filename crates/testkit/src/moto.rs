//! A local moto server (the workspace's `.venv`, as `.ci/run` installs it): real AWS service APIs
//! (Cognito, SQS, DynamoDB, ...) on a free port, stopped on drop, and boto3 scripts against it.

use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::python::{python_json, venv};

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
        python_json(["-c", &format!("{prelude}{script}")], None)
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
