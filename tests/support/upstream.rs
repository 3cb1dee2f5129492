//! A real HTTP/1.1 upstream server in the test process (hyper on 127.0.0.1:0).
//!
//! Paths:
//! - `/status/{code}`: that status, body `status {code}`, header `x-upstream-status`.
//! - `/slow/{ms}`: waits, then 200 `slow {ms}`.
//! - `/big/{bytes}`: a body of that many `x`.
//! - `/stream/gated`: chunked; sends `first\n`, waits for [`Upstream::release`], sends `second\n`.
//! - `/stream/chunks/{n}/{ms}`: `n` chunks `chunk {i}\n`, `ms` apart.
//! - `/hop`: answers with hop-by-hop headers (`Connection: x-hop-secret`, `X-Hop-Secret`,
//!   `Keep-Alive`, `Proxy-Connection`) plus end-to-end ones (`X-End`, two `Set-Cookie`).
//! - `/hangup`: closes the connection without answering.
//! - `/upload`: reads the request body frame by frame, records `first chunk: {text}` as an event as
//!   soon as the first frame arrives, answers `{"chunks": n, "body": text}`.
//! - anything else: echoes the request as JSON (see [`Echo`]).

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use serde_json::{json, Value};
use tokio::net::TcpListener;
use tokio::sync::Notify;

use super::client::{channel, ChannelBody};

type Body = BoxBody<Bytes, Infallible>;

#[derive(Default)]
struct State {
    connections: AtomicUsize,
    requests: AtomicUsize,
    gate: Notify,
    events: Mutex<Vec<String>>,
    event_added: Notify,
}

/// The running upstream; stops accepting when dropped.
pub struct Upstream {
    pub addr: SocketAddr,
    state: Arc<State>,
    accept: tokio::task::JoinHandle<()>,
}

impl Upstream {
    pub async fn start() -> Upstream {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let state = Arc::new(State::default());
        let accept_state = Arc::clone(&state);
        let accept = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let conn = accept_state.connections.fetch_add(1, Ordering::SeqCst) + 1;
                let state = Arc::clone(&accept_state);
                tokio::spawn(async move {
                    let service = service_fn(move |req| handle(Arc::clone(&state), conn, req));
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Upstream {
            addr,
            state,
            accept,
        }
    }

    /// `template` with every `UPSTREAM` replaced by this upstream's `127.0.0.1:PORT`.
    pub fn fill(&self, template: &str) -> String {
        template.replace("UPSTREAM", &self.addr.to_string())
    }

    /// `http://127.0.0.1:PORT` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// TCP connections accepted so far.
    pub fn connections(&self) -> usize {
        self.state.connections.load(Ordering::SeqCst)
    }

    /// Requests received so far.
    pub fn requests(&self) -> usize {
        self.state.requests.load(Ordering::SeqCst)
    }

    /// Lets `/stream/gated` send its second chunk.
    pub fn release(&self) {
        self.state.gate.notify_one();
    }

    /// Waits (up to 10 s) for an event starting with `prefix`.
    pub async fn wait_event(&self, prefix: &str) -> Option<String> {
        let wait = async {
            loop {
                let notified = self.state.event_added.notified();
                if let Some(e) = self
                    .state
                    .events
                    .lock()
                    .unwrap()
                    .iter()
                    .find(|e| e.starts_with(prefix))
                {
                    return e.clone();
                }
                notified.await;
            }
        };
        tokio::time::timeout(Duration::from_secs(10), wait)
            .await
            .ok()
    }
}

impl Drop for Upstream {
    fn drop(&mut self) {
        self.accept.abort();
    }
}

/// A port nothing listens on (bound, then released).
pub fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// An `http://` URL nothing listens on.
pub fn closed_url() -> String {
    format!("http://127.0.0.1:{}", closed_port())
}

/// A listener that never answers (connections complete in the kernel's backlog) and its
/// `http://` URL; keep the listener while the URL is in use.
pub fn silent_url() -> (std::net::TcpListener, String) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    (listener, url)
}

fn full(body: impl Into<Bytes>) -> Body {
    Full::new(body.into()).boxed()
}

fn streamed(body: ChannelBody) -> Body {
    body.boxed()
}

/// Returned by the handler to make hyper drop the connection without a response.
#[derive(Debug)]
struct HangUp;

impl std::fmt::Display for HangUp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("hang up")
    }
}

impl std::error::Error for HangUp {}

async fn handle(
    state: Arc<State>,
    conn: usize,
    req: Request<Incoming>,
) -> Result<Response<Body>, HangUp> {
    state.requests.fetch_add(1, Ordering::SeqCst);
    let path = req.uri().path().to_string();
    let segments: Vec<&str> = path.split('/').skip(1).collect();
    let response = match segments.as_slice() {
        ["status", code] => {
            let code: u16 = code.parse().unwrap_or(500);
            Response::builder()
                .status(code)
                .header("x-upstream-status", code.to_string())
                .header("content-type", "text/plain")
                .body(full(format!("status {code}")))
        }
        ["slow", ms] => {
            let ms: u64 = ms.parse().unwrap_or(0);
            tokio::time::sleep(Duration::from_millis(ms)).await;
            Response::builder().body(full(format!("slow {ms}")))
        }
        ["big", bytes] => {
            let n: usize = bytes.parse().unwrap_or(0);
            Response::builder()
                .header("content-type", "application/octet-stream")
                .body(full(vec![b'x'; n]))
        }
        ["stream", "gated"] => {
            let (tx, body) = channel();
            tokio::spawn(async move {
                let _ = tx.send(Bytes::from_static(b"first\n")).await;
                state.gate.notified().await;
                let _ = tx.send(Bytes::from_static(b"second\n")).await;
            });
            Response::builder()
                .header("content-type", "text/plain")
                .body(streamed(body))
        }
        ["stream", "chunks", n, ms] => {
            let n: usize = n.parse().unwrap_or(0);
            let ms: u64 = ms.parse().unwrap_or(0);
            let (tx, body) = channel();
            tokio::spawn(async move {
                for i in 0..n {
                    if i > 0 {
                        tokio::time::sleep(Duration::from_millis(ms)).await;
                    }
                    if tx.send(Bytes::from(format!("chunk {i}\n"))).await.is_err() {
                        return;
                    }
                }
            });
            Response::builder().body(streamed(body))
        }
        ["hangup"] => return Err(HangUp),
        ["hop"] => Response::builder()
            .header("connection", "x-hop-secret")
            .header("x-hop-secret", "hidden")
            .header("keep-alive", "timeout=5")
            .header("proxy-connection", "keep-alive")
            .header("x-end", "kept")
            .header("set-cookie", "a=1")
            .header("set-cookie", "b=2")
            .body(full("hop")),
        ["upload"] => {
            let mut body = req.into_body();
            let mut chunks = 0usize;
            let mut text = Vec::new();
            while let Some(frame) = body.frame().await {
                let Ok(frame) = frame else { break };
                if let Ok(data) = frame.into_data() {
                    if chunks == 0 {
                        record(
                            &state,
                            format!("first chunk: {}", String::from_utf8_lossy(&data)),
                        );
                    }
                    chunks += 1;
                    text.extend_from_slice(&data);
                }
            }
            let json = json!({"chunks": chunks, "body": String::from_utf8_lossy(&text)});
            Response::builder()
                .header("content-type", "application/json")
                .body(full(json.to_string()))
        }
        _ => return Ok(echo(conn, req).await),
    };
    Ok(response.unwrap_or_else(|_| {
        let mut r = Response::new(full("bad test response"));
        *r.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
        r
    }))
}

fn record(state: &State, event: String) {
    state.events.lock().unwrap().push(event);
    state.event_added.notify_waiters();
}

async fn echo(conn: usize, req: Request<Incoming>) -> Response<Body> {
    let (parts, body) = req.into_parts();
    let body = body
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let headers: Vec<Value> = parts
        .headers
        .iter()
        .map(|(name, value)| json!([name.as_str(), String::from_utf8_lossy(value.as_bytes())]))
        .collect();
    let json = json!({
        "method": parts.method.as_str(),
        "path": parts.uri.path(),
        "query": parts.uri.query(),
        "headers": headers,
        "body": String::from_utf8_lossy(&body),
        "connection": conn,
    });
    let mut response = Response::new(full(json.to_string()));
    response.headers_mut().insert(
        "content-type",
        http::HeaderValue::from_static("application/json"),
    );
    response
        .headers_mut()
        .insert("x-upstream", http::HeaderValue::from_static("echo"));
    response
}

/// The echo endpoint's answer, parsed.
#[derive(Debug, Clone)]
pub struct Echo(pub Value);

impl Echo {
    pub fn parse(text: &str) -> Echo {
        Echo(serde_json::from_str(text).unwrap_or_else(|e| panic!("not an echo: {e}: {text}")))
    }

    pub fn method(&self) -> &str {
        self.0["method"].as_str().unwrap()
    }

    /// The raw path the upstream saw (still percent-encoded).
    pub fn path(&self) -> &str {
        self.0["path"].as_str().unwrap()
    }

    pub fn query(&self) -> Option<&str> {
        self.0["query"].as_str()
    }

    pub fn body(&self) -> &str {
        self.0["body"].as_str().unwrap()
    }

    pub fn connection(&self) -> u64 {
        self.0["connection"].as_u64().unwrap()
    }

    /// All values of header `name` (lower-case), in order.
    pub fn headers(&self, name: &str) -> Vec<String> {
        self.0["headers"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|pair| pair[0].as_str() == Some(name))
            .map(|pair| pair[1].as_str().unwrap().to_string())
            .collect()
    }

    /// The single value of header `name`, if present.
    pub fn header(&self, name: &str) -> Option<String> {
        let values = self.headers(name);
        assert!(values.len() <= 1, "several {name} headers: {values:?}");
        values.into_iter().next()
    }
}
