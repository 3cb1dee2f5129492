//! In-crate end-to-end tests: a real [`Gateway`] on 127.0.0.1:0 in front of a real hyper
//! upstream, driven by a real HTTP client.

mod proxy;
mod serve;
mod tls;

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, Request, Response};
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt, Full, StreamBody};
use hyper::body::{Frame, Incoming};
use hyper::service::service_fn;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::net::TcpListener;
use tokio::sync::{oneshot, Notify};
use tokio::task::JoinHandle;
use turnpike_model::{Api, Deployment, Stage};

use crate::{AccessLog, Gateway, GatewayConfig, Limits, ReloadHandle, ServeError};

pub(crate) type TestBody = UnsyncBoxBody<Bytes, Infallible>;

pub(crate) fn full(data: impl Into<Bytes>) -> TestBody {
    Full::new(data.into()).boxed_unsync()
}

/// A body sent in chunks, without a length (chunked on HTTP/1.1).
pub(crate) fn chunked(chunks: &[&'static str]) -> TestBody {
    let frames: Vec<Result<Frame<Bytes>, Infallible>> = chunks
        .iter()
        .map(|c| Ok(Frame::data(Bytes::from_static(c.as_bytes()))))
        .collect();
    StreamBody::new(futures_util::stream::iter(frames)).boxed_unsync()
}

/// An upstream server: `/slow/{ms}`, `/stream`, `/status/{code}`, anything else echoes the request
/// as JSON (`method`, `path`, `query`, `headers`, `body`).
pub(crate) struct Upstream {
    pub(crate) addr: SocketAddr,
    /// Lets `/stream` send its second chunk.
    pub(crate) release: Arc<Notify>,
    task: JoinHandle<()>,
}

impl Drop for Upstream {
    fn drop(&mut self) {
        self.task.abort();
    }
}

pub(crate) async fn upstream() -> Upstream {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let release = Arc::new(Notify::new());
    let state = release.clone();
    let task = tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let release = state.clone();
            tokio::spawn(async move {
                let service = service_fn(move |req| upstream_answer(req, release.clone()));
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    Upstream {
        addr,
        release,
        task,
    }
}

async fn upstream_answer(
    request: Request<Incoming>,
    release: Arc<Notify>,
) -> Result<Response<TestBody>, Infallible> {
    let path = request.uri().path().to_owned();
    if let Some(ms) = path.strip_prefix("/slow/") {
        tokio::time::sleep(Duration::from_millis(ms.parse().unwrap_or(0))).await;
        return Ok(Response::new(full("slow")));
    }
    if path == "/stream" {
        let frames = futures_util::stream::unfold(0u8, move |step| {
            let release = release.clone();
            async move {
                match step {
                    0 => Some((
                        Ok::<_, Infallible>(Frame::data(Bytes::from_static(b"first;"))),
                        1,
                    )),
                    1 => {
                        release.notified().await;
                        Some((Ok(Frame::data(Bytes::from_static(b"second"))), 2))
                    }
                    _ => None,
                }
            }
        });
        return Ok(Response::new(StreamBody::new(frames).boxed_unsync()));
    }
    if let Some(code) = path.strip_prefix("/status/") {
        let status = code.parse().unwrap_or(500);
        let mut response = Response::new(full(format!("status {code}")));
        *response.status_mut() = http::StatusCode::from_u16(status).unwrap();
        response
            .headers_mut()
            .insert("x-status-header", code.parse().unwrap());
        return Ok(response);
    }
    let method = request.method().to_string();
    let query = request.uri().query().unwrap_or_default().to_owned();
    let mut headers = serde_json::Map::new();
    for name in request.headers().keys() {
        let values: Vec<&str> = request
            .headers()
            .get_all(name)
            .iter()
            .map(|v| v.to_str().unwrap())
            .collect();
        headers.insert(name.to_string(), values.join(",").into());
    }
    let body = request
        .into_body()
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let echo = serde_json::json!({
        "method": method,
        "path": path,
        "query": query,
        "headers": headers,
        "body": String::from_utf8_lossy(&body),
    });
    let mut response = Response::new(full(echo.to_string()));
    let headers = response.headers_mut();
    headers.insert("content-type", "application/json".parse().unwrap());
    headers.insert("server", "upstream-test".parse().unwrap());
    headers.insert("x-upstream", "yes".parse().unwrap());
    Ok(response)
}

/// A gateway serving in the background.
pub(crate) struct Running {
    pub(crate) addr: SocketAddr,
    /// The metrics listener, when the config asks for one.
    pub(crate) metrics: Option<SocketAddr>,
    pub(crate) reload: ReloadHandle,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<Result<(), ServeError>>>,
}

impl Running {
    pub(crate) fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Signals shutdown and waits for the drain to finish.
    pub(crate) async fn stop(mut self) -> Result<(), ServeError> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        match self.task.take() {
            Some(task) => task.await.unwrap(),
            None => Ok(()),
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(task) = &self.task {
            task.abort();
        }
    }
}

pub(crate) async fn start(apis: Vec<Api>, stages: &[Stage], limits: Limits) -> Running {
    let mut config = GatewayConfig::new("127.0.0.1:0".parse().unwrap());
    config.limits = limits;
    start_with(apis, stages, config).await
}

pub(crate) async fn start_with(
    apis: Vec<Api>,
    stages: &[Stage],
    mut config: GatewayConfig,
) -> Running {
    config.drain_timeout = Duration::from_secs(5);
    let deployment = Deployment::new(apis.into_iter().map(Arc::new).collect(), stages.to_vec());
    start_deployment(deployment, config).await
}

/// Serves `deployment` in the background, without access logs.
pub(crate) async fn start_deployment(deployment: Deployment, mut config: GatewayConfig) -> Running {
    config.access_log = AccessLog::off();
    let gateway = Gateway::bind(config, deployment).await.unwrap();
    let addr = gateway.local_addr();
    let metrics = gateway.metrics_addr();
    let reload = gateway.reload_handle();
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(gateway.serve(async move {
        let _ = rx.await;
    }));
    Running {
        addr,
        metrics,
        reload,
        shutdown: Some(tx),
        task: Some(task),
    }
}

pub(crate) fn stage(name: &str, variables: &[(&str, &str)]) -> Stage {
    let mut stage = Stage::new(name);
    for (k, v) in variables {
        stage.variables.insert(k.to_string(), v.to_string());
    }
    stage
}

pub(crate) type TestClient = Client<HttpConnector, TestBody>;

pub(crate) fn client() -> TestClient {
    Client::builder(TokioExecutor::new()).build(HttpConnector::new())
}

pub(crate) fn h2c_client() -> TestClient {
    Client::builder(TokioExecutor::new())
        .http2_only(true)
        .build(HttpConnector::new())
}

/// A response read to the end.
#[derive(Debug)]
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) headers: HeaderMap,
    pub(crate) body: String,
}

impl Answer {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|v| v.to_str().unwrap())
    }

    pub(crate) fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
}

pub(crate) async fn send(client: &TestClient, request: Request<TestBody>) -> Answer {
    let response = client.request(request).await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    Answer {
        status,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    }
}

pub(crate) fn get(url: &str) -> Request<TestBody> {
    Request::get(url).body(full("")).unwrap()
}
