//! HTTP clients for the tests: HTTP/1.1, h2c and TLS connections on hyper's low-level client (so
//! each test controls connection reuse and headers), raw TCP for malformed requests, and a body
//! fed through a channel for streaming uploads.

use std::convert::Infallible;
use std::fmt;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, Request, Response, Version};
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Empty, Full};
use hyper::body::{Body, Frame, Incoming};
use hyper_util::rt::{TokioExecutor, TokioIo};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::mpsc;

use super::upstream::Echo;

/// How long any single client operation may take before the test fails.
pub const TIMEOUT: Duration = Duration::from_secs(30);

/// A request body.
pub type ReqBody = BoxBody<Bytes, Infallible>;

/// A body whose chunks the test sends one by one.
pub struct ChannelBody {
    rx: mpsc::Receiver<Bytes>,
}

/// A sender and the body it feeds; the body ends when the sender is dropped.
pub fn channel() -> (mpsc::Sender<Bytes>, ChannelBody) {
    let (tx, rx) = mpsc::channel(16);
    (tx, ChannelBody { rx })
}

impl Body for ChannelBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        self.rx
            .poll_recv(cx)
            .map(|chunk| chunk.map(|b| Ok(Frame::data(b))))
    }
}

/// A complete response.
pub struct Reply {
    pub status: u16,
    pub version: Version,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Reply {
    /// First value of header `name`.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// All values of header `name`.
    pub fn headers_all(&self, name: &str) -> Vec<&str> {
        self.headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect()
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("body is not JSON ({e}): {self:?}"))
    }

    /// The upstream echo this response carries.
    pub fn echo(&self) -> Echo {
        assert_eq!(self.status, 200, "expected the upstream echo: {self:?}");
        Echo::parse(&self.text())
    }
}

impl fmt::Debug for Reply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = self.text();
        let shown: String = text.chars().take(500).collect();
        f.debug_struct("Reply")
            .field("status", &self.status)
            .field("version", &self.version)
            .field("headers", &self.headers)
            .field("body", &shown)
            .finish()
    }
}

/// A request under construction.
pub struct Req {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: ReqBody,
}

impl Req {
    pub fn new(method: &str, path: &str) -> Req {
        Req {
            method: method.into(),
            path: path.into(),
            headers: Vec::new(),
            body: Empty::new().boxed(),
        }
    }

    pub fn get(path: &str) -> Req {
        Req::new("GET", path)
    }

    pub fn header(mut self, name: &str, value: &str) -> Req {
        self.headers.push((name.into(), value.into()));
        self
    }

    pub fn body(mut self, body: impl Into<Bytes>) -> Req {
        self.body = Full::new(body.into()).boxed();
        self
    }

    /// A JSON body: `body` with `content-type: application/json`.
    pub fn json(self, body: impl Into<Bytes>) -> Req {
        self.header("content-type", "application/json").body(body)
    }

    /// A body streamed from a [`channel`] (sent chunked on HTTP/1.1).
    pub fn stream(mut self, body: ChannelBody) -> Req {
        self.body = body.boxed();
        self
    }

    /// Sends on a fresh HTTP/1.1 connection and reads the whole response.
    pub async fn send(self, addr: SocketAddr) -> Reply {
        Conn::http1(addr).await.send(self).await
    }

    fn build(self, scheme: &str, addr: SocketAddr, version: Version) -> Request<ReqBody> {
        let uri = if version == Version::HTTP_2 {
            format!("{scheme}://{addr}{}", self.path)
        } else {
            self.path.clone()
        };
        let mut builder = Request::builder()
            .method(self.method.as_str())
            .uri(uri)
            .version(version);
        let has_host = self
            .headers
            .iter()
            .any(|(name, _)| name.eq_ignore_ascii_case("host"));
        if version != Version::HTTP_2 && !has_host {
            builder = builder.header("host", addr.to_string());
        }
        for (name, value) in &self.headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        builder.body(self.body).expect("valid test request")
    }
}

enum Sender {
    H1(hyper::client::conn::http1::SendRequest<ReqBody>),
    H2(hyper::client::conn::http2::SendRequest<ReqBody>),
}

/// One client connection (requests on it reuse it).
pub struct Conn {
    sender: Sender,
    addr: SocketAddr,
    scheme: &'static str,
}

impl Conn {
    /// Plain HTTP/1.1.
    pub async fn http1(addr: SocketAddr) -> Conn {
        let stream = connect(addr).await;
        Conn::handshake_h1(TokioIo::new(stream), addr, "http").await
    }

    /// HTTP/2 over cleartext with prior knowledge (h2c).
    pub async fn h2c(addr: SocketAddr) -> Conn {
        let stream = connect(addr).await;
        Conn::handshake_h2(TokioIo::new(stream), addr, "http").await
    }

    /// TLS trusting `ca_der`, offering `alpn`; speaks what the server chose. Returns the ALPN
    /// protocol negotiated.
    pub async fn tls(addr: SocketAddr, ca_der: &[u8], alpn: &[&[u8]]) -> (Conn, Option<Vec<u8>>) {
        let mut roots = rustls::RootCertStore::empty();
        roots
            .add(rustls::pki_types::CertificateDer::from(ca_der.to_vec()))
            .unwrap();
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth();
        config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
        let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
        let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
        let stream = tokio::time::timeout(TIMEOUT, connector.connect(name, connect(addr).await))
            .await
            .expect("TLS handshake timed out")
            .expect("TLS handshake");
        let negotiated = stream.get_ref().1.alpn_protocol().map(<[u8]>::to_vec);
        let conn = if negotiated.as_deref() == Some(b"h2") {
            Conn::handshake_h2(TokioIo::new(stream), addr, "https").await
        } else {
            Conn::handshake_h1(TokioIo::new(stream), addr, "https").await
        };
        (conn, negotiated)
    }

    async fn handshake_h1<T>(io: T, addr: SocketAddr, scheme: &'static str) -> Conn
    where
        T: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
    {
        let (sender, connection) = hyper::client::conn::http1::handshake(io)
            .await
            .expect("HTTP/1.1 handshake");
        tokio::spawn(connection);
        Conn {
            sender: Sender::H1(sender),
            addr,
            scheme,
        }
    }

    async fn handshake_h2<T>(io: T, addr: SocketAddr, scheme: &'static str) -> Conn
    where
        T: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
    {
        let (sender, connection) = hyper::client::conn::http2::handshake(TokioExecutor::new(), io)
            .await
            .expect("HTTP/2 handshake");
        tokio::spawn(connection);
        Conn {
            sender: Sender::H2(sender),
            addr,
            scheme,
        }
    }

    /// Sends and returns the response with its body still streaming.
    pub async fn open(&mut self, req: Req) -> Response<Incoming> {
        let (addr, scheme) = (self.addr, self.scheme);
        let sent = match &mut self.sender {
            Sender::H1(sender) => {
                sender.ready().await.expect("connection ready");
                let request = req.build(scheme, addr, Version::HTTP_11);
                tokio::time::timeout(TIMEOUT, sender.send_request(request)).await
            }
            Sender::H2(sender) => {
                sender.ready().await.expect("connection ready");
                let request = req.build(scheme, addr, Version::HTTP_2);
                tokio::time::timeout(TIMEOUT, sender.send_request(request)).await
            }
        };
        sent.expect("response timed out").expect("response")
    }

    /// Sends and reads the whole response.
    pub async fn send(&mut self, req: Req) -> Reply {
        read(self.open(req).await).await
    }
}

/// Reads a streaming response to the end.
pub async fn read(response: Response<Incoming>) -> Reply {
    let (parts, body) = response.into_parts();
    let body = tokio::time::timeout(TIMEOUT, body.collect())
        .await
        .expect("body timed out")
        .expect("body")
        .to_bytes();
    Reply {
        status: parts.status.as_u16(),
        version: parts.version,
        headers: parts.headers,
        body,
    }
}

/// The next data chunk of a streaming body (None at the end).
pub async fn next_chunk(body: &mut Incoming) -> Option<Bytes> {
    loop {
        let frame = tokio::time::timeout(TIMEOUT, body.frame())
            .await
            .expect("chunk timed out")?
            .expect("body frame");
        if let Ok(data) = frame.into_data() {
            return Some(data);
        }
    }
}

async fn connect(addr: SocketAddr) -> TcpStream {
    tokio::time::timeout(TIMEOUT, TcpStream::connect(addr))
        .await
        .expect("connect timed out")
        .expect("connect")
}

/// Writes `bytes` on a new TCP connection and reads until the server closes it or `wait` passes.
pub async fn raw(addr: SocketAddr, bytes: &[u8], wait: Duration) -> String {
    let mut stream = connect(addr).await;
    // The server may answer and close before everything is written; that is fine.
    let _ = stream.write_all(bytes).await;
    let mut out = Vec::new();
    let _ = tokio::time::timeout(wait, stream.read_to_end(&mut out)).await;
    String::from_utf8_lossy(&out).into_owned()
}

/// The status code of the first response in raw HTTP/1.1 output (`HTTP/1.1 400 Bad Request`).
pub fn raw_status(output: &str) -> Option<u16> {
    output
        .strip_prefix("HTTP/1.1 ")
        .and_then(|rest| rest.get(..3))
        .and_then(|code| code.parse().ok())
}

/// A response read off a raw TCP connection.
#[derive(Debug)]
pub struct RawReply {
    pub status: u16,
    /// Names lower-cased, in order.
    pub headers: Vec<(String, String)>,
    /// De-chunked when sent chunked.
    pub body: String,
}

impl RawReply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Parses the first HTTP/1.1 response in `output` (status 0 when there is none).
pub fn parse_raw(output: &str) -> RawReply {
    let (head, body) = output.split_once("\r\n\r\n").unwrap_or((output, ""));
    let mut lines = head.split("\r\n");
    let status = raw_status(lines.next().unwrap_or_default()).unwrap_or(0);
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let mut reply = RawReply {
        status,
        headers,
        body: String::new(),
    };
    reply.body = if reply.header("transfer-encoding") == Some("chunked") {
        dechunk(body)
    } else if let Some(length) = reply.header("content-length").and_then(|l| l.parse().ok()) {
        body.get(..length).unwrap_or(body).to_string()
    } else {
        body.to_string()
    };
    reply
}

/// Decodes a chunked body (sizes in hex, each chunk followed by CRLF).
fn dechunk(mut rest: &str) -> String {
    let mut out = String::new();
    while let Some((size, after)) = rest.split_once("\r\n") {
        let size = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if size == 0 || after.len() < size {
            break;
        }
        out.push_str(&after[..size]);
        rest = after[size..].trim_start_matches("\r\n");
    }
    out
}
