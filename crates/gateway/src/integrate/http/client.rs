//! The client HTTP and HTTP_PROXY integrations call back ends with: HTTP/1.1 over TCP
//! (`TCP_NODELAY`, keep-alive probes) or TLS, keep-alive connections pooled per origin.
//!
//! hyper's `client::conn` speaks the protocol; this module connects, pools and retries. A request
//! takes its origin's most recently used idle connection (or connects a new one), and the
//! connection goes back to the pool when the response body has been read to its end. Nothing is
//! spawned per request: hyper-util's legacy client, which this replaces, spawned a task per
//! response to watch for the connection's readiness and cloned its connector per request, a
//! large share of the proxy hop's CPU time. As in that client, a request an idle connection
//! could not start (the back end had just closed it) is retried on another connection, and a
//! connection idle for longer than [`IDLE_TIMEOUT`] is not reused.

use std::collections::{HashMap, VecDeque};
use std::fmt::Write as _;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::header::{HeaderValue, HOST};
use http::uri::{Authority, Scheme};
use http::{Method, Request, Response, Uri};
use http_body::{Body, Frame, SizeHint};
use hyper::body::Incoming;
use hyper::client::conn::http1::{self, SendRequest};
use hyper_util::rt::TokioIo;
use pin_project_lite::pin_project;
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

use crate::body::{BoxError, UpstreamBody};

/// How long an idle connection is kept for reuse.
pub(crate) const IDLE_TIMEOUT: Duration = Duration::from_secs(90);
/// Idle connections kept per origin; more are closed when they come back.
const MAX_IDLE_PER_ORIGIN: usize = 256;
/// When the kernel starts probing an idle connection.
const TCP_KEEPALIVE: Duration = Duration::from_secs(60);

/// A pooled keep-alive HTTP/1.1 client for `http` and `https` back ends; cheap to clone.
#[derive(Clone)]
pub(crate) struct UpstreamClient {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for UpstreamClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UpstreamClient").finish_non_exhaustive()
    }
}

struct Inner {
    tls: TlsConnector,
    /// Idle connections by origin, most recently used last.
    idle: Mutex<Pools>,
    /// The proxy hop's own client's idle `http` connections (`integrate::upstream`).
    proxy: Arc<crate::integrate::upstream::Pool>,
    /// Endpoints of AWS service integrations.
    aws: Arc<crate::integrate::aws::AwsSettings>,
}

#[derive(Default)]
struct Pools {
    http: HashMap<Box<str>, VecDeque<Idle>>,
    https: HashMap<Box<str>, VecDeque<Idle>>,
}

impl Pools {
    /// The idle connections of an origin, keyed by the authority as the URI spells it.
    fn of(&mut self, https: bool) -> &mut HashMap<Box<str>, VecDeque<Idle>> {
        if https {
            &mut self.https
        } else {
            &mut self.http
        }
    }
}

struct Idle {
    sender: SendRequest<UpstreamBody>,
    since: Instant,
}

/// Why a request to a back end failed.
#[derive(Debug, thiserror::Error)]
pub(crate) enum UpstreamError {
    /// No connection: bad address, unresolvable host, refused, TLS handshake failed.
    #[error("cannot connect to the back end")]
    Connect(#[source] BoxError),
    /// The exchange broke after connecting.
    #[error("the exchange with the back end failed")]
    Exchange(#[source] hyper::Error),
}

impl UpstreamError {
    pub(crate) fn is_connect(&self) -> bool {
        matches!(self, UpstreamError::Connect(_))
    }
}

impl UpstreamClient {
    /// A client verifying `https` back ends with `tls`.
    #[cfg(test)]
    pub(crate) fn new(tls: rustls::ClientConfig) -> UpstreamClient {
        UpstreamClient::with_aws(tls, Arc::default())
    }

    /// A client verifying `https` back ends with `tls`, with the endpoints of AWS service
    /// integrations.
    pub(crate) fn with_aws(
        tls: rustls::ClientConfig,
        aws: Arc<crate::integrate::aws::AwsSettings>,
    ) -> UpstreamClient {
        UpstreamClient {
            inner: Arc::new(Inner {
                tls: TlsConnector::from(Arc::new(tls)),
                idle: Mutex::new(Pools::default()),
                proxy: Arc::default(),
                aws,
            }),
        }
    }

    /// The endpoints of AWS service integrations.
    pub(crate) fn aws(&self) -> &crate::integrate::aws::AwsSettings {
        &self.inner.aws
    }

    /// The pool of the proxy hop's own client, which shares this client's worker thread.
    pub(crate) fn proxy_pool(&self) -> &Arc<crate::integrate::upstream::Pool> {
        &self.inner.proxy
    }

    /// Sends `request` (absolute URI) and returns the response head; its body streams from the
    /// connection, which returns to the pool once the body has been read to its end.
    pub(crate) async fn request(
        &self,
        mut request: Request<UpstreamBody>,
    ) -> Result<Response<PooledBody>, UpstreamError> {
        let uri = request.uri();
        let https = match uri.scheme() {
            Some(scheme) if *scheme == Scheme::HTTP => false,
            Some(scheme) if *scheme == Scheme::HTTPS => true,
            Some(scheme) => return Err(connect_error(format!("unsupported scheme {scheme}"))),
            None => return Err(connect_error("missing scheme")),
        };
        let Some(authority) = uri.authority().cloned() else {
            return Err(connect_error("missing host"));
        };
        if !request.headers().contains_key(HOST) {
            if let Some(host) = host_header(request.uri()) {
                request.headers_mut().insert(HOST, host);
            }
        }
        *request.uri_mut() = request_target(request.method(), request.uri());
        loop {
            let (mut sender, reused) = match self.checkout(https, &authority) {
                Some(sender) => (sender, true),
                // Boxed: connecting is rare and its future large; inline, every request's
                // future would carry (and move) its space.
                None => (Box::pin(self.connect(https, &authority)).await?, false),
            };
            if let Err(error) = sender.ready().await {
                // Closed while idle: another connection will do.
                if reused {
                    continue;
                }
                return Err(UpstreamError::Exchange(error));
            }
            match sender.try_send_request(request).await {
                Ok(response) => {
                    let checkin = Checkin {
                        client: self.inner.clone(),
                        https,
                        authority,
                        sender,
                    };
                    return Ok(response.map(|body| PooledBody {
                        body,
                        checkin: Some(checkin),
                    }));
                }
                Err(mut error) => match error.take_message() {
                    // Never started on a connection the back end had closed: safe to resend.
                    Some(unsent) if reused => request = unsent,
                    _ => return Err(UpstreamError::Exchange(error.into_error())),
                },
            }
        }
    }

    /// The most recently used idle connection to the origin that is still open and fresh.
    fn checkout(&self, https: bool, authority: &Authority) -> Option<SendRequest<UpstreamBody>> {
        let mut pools = self.inner.idle.lock().ok()?;
        let idle = pools.of(https).get_mut(authority.as_str())?;
        while let Some(conn) = idle.pop_back() {
            if !conn.sender.is_closed() && conn.since.elapsed() < IDLE_TIMEOUT {
                return Some(conn.sender);
            }
        }
        None
    }

    async fn connect(
        &self,
        https: bool,
        authority: &Authority,
    ) -> Result<SendRequest<UpstreamBody>, UpstreamError> {
        let host = authority.host();
        // `[::1]` in a URI, `::1` for the resolver and the TLS server name.
        let bare = host
            .strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .unwrap_or(host);
        let port = authority.port_u16().unwrap_or(if https { 443 } else { 80 });
        let tcp = TcpStream::connect((bare, port))
            .await
            .map_err(|e| UpstreamError::Connect(e.into()))?;
        let _ = tcp.set_nodelay(true);
        let keepalive = socket2::TcpKeepalive::new().with_time(TCP_KEEPALIVE);
        let _ = socket2::SockRef::from(&tcp).set_tcp_keepalive(&keepalive);
        if https {
            let name = rustls::pki_types::ServerName::try_from(bare.to_owned())
                .map_err(|e| UpstreamError::Connect(e.into()))?;
            let tls = self
                .inner
                .tls
                .connect(name, tcp)
                .await
                .map_err(|e| UpstreamError::Connect(e.into()))?;
            handshake(TokioIo::new(tls)).await
        } else {
            handshake(TokioIo::new(tcp)).await
        }
    }
}

/// Starts HTTP/1.1 on a connected stream; the connection runs as its own task for as long as
/// it lives, serving one request after another.
async fn handshake<T>(io: T) -> Result<SendRequest<UpstreamBody>, UpstreamError>
where
    T: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let (sender, connection) = http1::handshake(io)
        .await
        .map_err(|e| UpstreamError::Connect(e.into()))?;
    tokio::spawn(async move {
        if let Err(error) = connection.await {
            tracing::debug!(%error, "back-end connection ended with an error");
        }
    });
    Ok(sender)
}

fn connect_error(message: impl Into<String>) -> UpstreamError {
    UpstreamError::Connect(message.into().into())
}

/// The `Host` header for `uri`: its host, with the port unless it is the scheme's default.
pub(crate) fn host_header(uri: &Uri) -> Option<HeaderValue> {
    let host = uri.host()?;
    let secure = uri.scheme() == Some(&Scheme::HTTPS);
    match uri.port_u16() {
        Some(443) if secure => HeaderValue::from_str(host).ok(),
        Some(80) if !secure => HeaderValue::from_str(host).ok(),
        Some(port) => {
            let mut value = String::with_capacity(host.len() + 6);
            let _ = write!(value, "{host}:{port}");
            HeaderValue::from_maybe_shared(Bytes::from(value)).ok()
        }
        None => HeaderValue::from_str(host).ok(),
    }
}

/// What the request line carries: `host:port` for `CONNECT`, else the path and query.
fn request_target(method: &Method, uri: &Uri) -> Uri {
    if *method == Method::CONNECT {
        if let Some(authority) = uri.authority() {
            return Uri::from(authority.clone());
        }
    }
    match uri.path_and_query() {
        Some(path) if path.as_str() != "/" => Uri::from(path.clone()),
        _ => Uri::default(),
    }
}

/// A connection on its way back to the pool.
struct Checkin {
    client: Arc<Inner>,
    https: bool,
    authority: Authority,
    sender: SendRequest<UpstreamBody>,
}

impl Checkin {
    fn put(self) {
        let Checkin {
            client,
            https,
            authority,
            sender,
        } = self;
        if sender.is_closed() {
            return;
        }
        let Ok(mut pools) = client.idle.lock() else {
            return;
        };
        let pools = pools.of(https);
        match pools.get_mut(authority.as_str()) {
            Some(idle) => keep(idle, sender),
            None => {
                let mut idle = VecDeque::new();
                keep(&mut idle, sender);
                pools.insert(authority.as_str().into(), idle);
            }
        }
    }
}

/// Adds `sender` to an origin's idle connections. The oldest sit in front: the one there is
/// dropped when it has expired, so that an origin called less often does not keep stale
/// connections forever.
fn keep(idle: &mut VecDeque<Idle>, sender: SendRequest<UpstreamBody>) {
    let now = Instant::now();
    if idle
        .front()
        .is_some_and(|oldest| now.duration_since(oldest.since) >= IDLE_TIMEOUT)
    {
        idle.pop_front();
    }
    if idle.len() < MAX_IDLE_PER_ORIGIN {
        idle.push_back(Idle { sender, since: now });
    }
}

pin_project! {
    /// A back end's response body; gives its connection back to the pool once read to the end,
    /// and closes it when dropped before that.
    pub(crate) struct PooledBody {
        #[pin]
        body: Incoming,
        checkin: Option<Checkin>,
    }

    impl PinnedDrop for PooledBody {
        fn drop(this: Pin<&mut Self>) {
            let this = this.project();
            if let Some(checkin) = this.checkin.take() {
                if this.body.is_end_stream() {
                    checkin.put();
                }
            }
        }
    }
}

impl Body for PooledBody {
    type Data = Bytes;
    type Error = hyper::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, hyper::Error>>> {
        let this = self.project();
        let polled = this.body.poll_frame(cx);
        match &polled {
            Poll::Ready(None) => {
                if let Some(checkin) = this.checkin.take() {
                    checkin.put();
                }
            }
            Poll::Ready(Some(Err(_))) => {
                this.checkin.take();
            }
            Poll::Ready(Some(Ok(_))) | Poll::Pending => {}
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

#[cfg(test)]
mod tests;
