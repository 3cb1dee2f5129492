//! Remote invocations against a stand-in Invoke API (`lambda_api_server.py`) that recomputes every
//! signature with botocore, so a request it answers was signed correctly.

use std::io::{BufRead as _, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use bytes::Bytes;

use super::{RemoteConfig, RemoteInvoker};
use crate::error::InvokeError;
use crate::invoke::{InvokeContext, InvokeResponse};
use crate::test_support::botocore_python;
use turnpike_sigv4::Credentials;

/// The stand-in server, killed when dropped.
pub(crate) struct LambdaApi {
    child: Child,
    pub(crate) url: String,
}

impl LambdaApi {
    pub(crate) fn start() -> LambdaApi {
        let script = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/src/remote/lambda_api_server.py"
        );
        let mut child = Command::new(botocore_python())
            .args([
                script,
                "AKIDEXAMPLE",
                "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            ])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port: u16 = line.trim().parse().unwrap();
        LambdaApi {
            child,
            url: format!("http://127.0.0.1:{port}"),
        }
    }
}

impl Drop for LambdaApi {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn credentials(secret: &str, token: Option<&str>) -> Credentials {
    Credentials {
        access_key_id: "AKIDEXAMPLE".into(),
        secret_access_key: secret.into(),
        session_token: token.map(str::to_string),
    }
}

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

fn invoker(url: &str, timeout: Duration) -> RemoteInvoker {
    RemoteInvoker::new(&RemoteConfig {
        endpoint: Some(url.to_string()),
        timeout,
    })
    .unwrap()
}

fn arn(name: &str) -> String {
    format!("arn:aws:lambda:eu-west-1:210987654321:function:{name}")
}

#[tokio::test]
async fn a_signed_invocation_returns_the_result() {
    let api = LambdaApi::start();
    let remote = invoker(&api.url, Duration::from_secs(10));
    for token in [None, Some("session-token")] {
        let outcome = remote
            .invoke_as(
                &credentials(SECRET, token),
                &format!("{}:live", arn("echo")),
                Bytes::from_static(br#"{"hello":"world"}"#),
                &InvokeContext::default(),
            )
            .await
            .unwrap();
        assert_eq!(outcome.request_id, "11111111-2222-3333-4444-555555555555");
        let InvokeResponse::Success(result) = outcome.response else {
            panic!("not a success: {:?}", outcome.response);
        };
        let result: serde_json::Value = serde_json::from_slice(&result).unwrap();
        let body: serde_json::Value =
            serde_json::from_str(result["body"].as_str().unwrap()).unwrap();
        assert_eq!(
            body,
            serde_json::json!({
                "function": "arn:aws:lambda:eu-west-1:210987654321:function:echo:live",
                "invocationType": "RequestResponse",
                "event": {"hello": "world"},
            })
        );
    }
}

#[tokio::test]
async fn function_errors_and_api_errors_are_lambdas() {
    let api = LambdaApi::start();
    let remote = invoker(&api.url, Duration::from_secs(10));
    let call = |name: &'static str, secret: &'static str| {
        let remote = &remote;
        async move {
            remote
                .invoke_as(
                    &credentials(secret, None),
                    &arn(name),
                    Bytes::from_static(b"{}"),
                    &InvokeContext::default(),
                )
                .await
        }
    };
    let outcome = call("boom", SECRET).await.unwrap();
    let InvokeResponse::FunctionError(error) = outcome.response else {
        panic!("not a function error");
    };
    assert_eq!(error.error_type.as_deref(), Some("ValueError"));
    assert_eq!(error.error_message().as_deref(), Some("remote boom"));

    let missing = call("nope", SECRET).await.unwrap_err();
    assert_eq!(
        (
            missing.invoke_status(),
            missing.error_type(),
            missing.to_string()
        ),
        (
            404,
            "ResourceNotFoundException",
            "ResourceNotFoundException (404): Function not found: \
             arn:aws:lambda:eu-west-1:210987654321:function:nope"
                .to_string()
        )
    );
    assert!(!missing.is_function_error());

    let forged = call("echo", "not-the-secret").await.unwrap_err();
    assert_eq!(
        (forged.invoke_status(), forged.error_type()),
        (403, "InvalidSignatureException")
    );
}

#[tokio::test]
async fn unreachable_endpoints_and_slow_answers_fail() {
    let api = LambdaApi::start();
    let remote = invoker(&api.url, Duration::from_millis(500));
    let slow = remote
        .invoke_as(
            &credentials(SECRET, None),
            &arn("slow"),
            Bytes::from_static(b"{}"),
            &InvokeContext::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(
        slow.to_string(),
        "cannot invoke arn:aws:lambda:eu-west-1:210987654321:function:slow through the Lambda \
         Invoke API: the Invoke API did not answer in time"
    );

    // A port nothing listens on: bind one, then free it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let closed = invoker(&format!("http://127.0.0.1:{port}"), Duration::from_secs(5));
    let error = closed
        .invoke_as(
            &credentials(SECRET, None),
            &arn("echo"),
            Bytes::from_static(b"{}"),
            &InvokeContext::default(),
        )
        .await
        .unwrap_err();
    assert!(matches!(error, InvokeError::Unreachable { .. }), "{error}");
    assert_eq!(error.invoke_status(), 500);
}

#[test]
fn the_default_endpoint_follows_the_arns_region_and_partition() {
    assert_eq!(
        super::default_endpoint("arn:aws:lambda:eu-west-1:1:function:f", "eu-west-1"),
        "https://lambda.eu-west-1.amazonaws.com"
    );
    assert_eq!(
        super::default_endpoint("arn:aws-cn:lambda:cn-north-1:1:function:f", "cn-north-1"),
        "https://lambda.cn-north-1.amazonaws.com.cn"
    );
}

#[tokio::test]
async fn a_loaded_function_of_the_arns_name_is_invoked_locally() {
    use crate::test_support::{python_function, success_json, TempDir};
    use crate::{FunctionHost, HostConfig};

    let dir = TempDir::new();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let host = FunctionHost::new(HostConfig {
        cache_dir: dir.path().join("cache"),
        remote: Some(RemoteConfig {
            endpoint: Some(format!("http://127.0.0.1:{port}")),
            ..RemoteConfig::default()
        }),
        ..HostConfig::default()
    })
    .unwrap();
    let source = "def handler(event, context):\n    return context.invoked_function_arn\n";
    host.add_function(python_function(&dir, "echo", source))
        .await
        .unwrap();
    let local = host
        .invoke_arn(
            "echo",
            &arn("echo"),
            Bytes::from_static(b"{}"),
            InvokeContext {
                invoked_function_arn: Some(arn("echo")),
                ..InvokeContext::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(success_json(&local), serde_json::json!(arn("echo")));
    // Any other name goes to the Invoke API (here: nothing listens, or no credentials).
    let remote = host
        .invoke_arn(
            "other",
            &arn("other"),
            Bytes::from_static(b"{}"),
            InvokeContext::default(),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(
            remote,
            InvokeError::Unreachable { .. } | InvokeError::NoCredentials(_)
        ),
        "{remote}"
    );
    host.shutdown().await;
}

/// How many TCP connections have carried an invocation to the stand-in.
fn invoking_connections(api: &LambdaApi) -> u64 {
    use std::io::{Read as _, Write as _};
    let address = api.url.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    write!(
        stream,
        "GET /connections HTTP/1.1\r\nhost: {address}\r\nconnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let body = answer.split("\r\n\r\n").nth(1).unwrap();
    let document: serde_json::Value = serde_json::from_str(body).unwrap();
    document["connections"].as_u64().unwrap()
}

#[tokio::test]
async fn sequential_invocations_reuse_one_keep_alive_connection() {
    let api = LambdaApi::start();
    let remote = invoker(&api.url, Duration::from_secs(10));
    let call = |name: &'static str| {
        let remote = &remote;
        async move {
            let outcome = remote
                .invoke_as(
                    &credentials(SECRET, None),
                    &arn(name),
                    Bytes::from_static(b"{}"),
                    &InvokeContext::default(),
                )
                .await
                .unwrap();
            assert!(
                matches!(outcome.response, InvokeResponse::Success(_)),
                "{name}: {:?}",
                outcome.response
            );
        }
    };
    call("echo").await;
    call("echo").await;
    assert_eq!(invoking_connections(&api), 1);
    // A connection the server closes after answering is not reused.
    call("close").await;
    assert_eq!(invoking_connections(&api), 1);
    call("echo").await;
    call("echo").await;
    assert_eq!(invoking_connections(&api), 2);
}
