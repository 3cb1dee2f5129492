//! The HTTP_PROXY hop's own HTTP/1.1 client, for `http` back ends and requests whose body is
//! already in memory (or empty): the common proxy call, and the one on the benchmark's path.
//!
//! hyper's client runs each connection as a task of its own and hands every request and response
//! across a channel and a oneshot; on this hop that was most of the user-space time. Here the
//! request's own task does the exchange: the head and body go out in one write, the response
//! head is parsed with `httparse`, and the body is read from the socket by whoever polls it.
//! Each worker thread owns its client (see the server), so the pool's lock is never contended.
//!
//! Connections are kept per authority and reused, most recently used first, when a response's
//! body was read to its end and the back end allows keep-alive; a body dropped unread, bytes past
//! the response's end, or an unframed body close the connection. A pooled connection the back
//! end had already closed is detected without a system call when the event loop saw it close,
//! and otherwise is retried once on a fresh connection: when the write failed, or, for
//! idempotent methods, when nothing at all came back. Streamed request bodies, large bodies and
//! `https` go through hyper's client, which writes and reads concurrently.

mod codec;

use std::collections::HashMap;
use std::future::Future as _;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};
use http::uri::Scheme;
use http::{HeaderMap, Method, Response, Uri};
use http_body::{Body, Frame, SizeHint};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::body::UpstreamBody;
use crate::respond::BackendHeaders;

pub(crate) use codec::CodecError;
use codec::{Chunked, Decoded, Framing};

/// The largest request body sent through this client; bigger ones go through hyper's, which
/// reads the response while it writes (a back end may answer before it has read everything).
pub(crate) const MAX_INLINE_BODY: usize = 64 * 1024;
/// How long an idle connection is kept for reuse (as hyper's client here).
const IDLE_TIMEOUT: Duration = Duration::from_secs(90);
/// Idle connections kept per authority; more are closed when they come back.
const MAX_IDLE_PER_AUTHORITY: usize = 256;
/// When the kernel starts probing an idle connection.
const TCP_KEEPALIVE: Duration = Duration::from_secs(60);
/// Read buffer: room for a typical response head and body in one read.
const READ_BUF: usize = 8 * 1024;

/// Why an exchange with a back end failed.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ProxyError {
    /// No connection could be made.
    #[error("cannot connect to {authority}")]
    Connect {
        authority: String,
        #[source]
        source: std::io::Error,
    },
    /// The connection failed after it was made.
    #[error("the exchange with the back end failed")]
    Io(#[source] std::io::Error),
    /// The back end closed the connection before its response was complete.
    #[error("the back end closed the connection before the response was complete")]
    Closed,
    /// The back end's response broke HTTP/1.1.
    #[error("the back end's response is not valid HTTP/1.1")]
    Protocol(#[source] CodecError),
}

impl ProxyError {
    pub(crate) fn is_connect(&self) -> bool {
        matches!(self, ProxyError::Connect { .. })
    }
}

/// A worker's idle `http` connections by authority; shared by the requests of one thread.
#[derive(Debug, Default)]
pub(crate) struct Pool {
    idle: Mutex<HashMap<Box<str>, Vec<Idle>>>,
}

#[derive(Debug)]
struct Idle {
    conn: Conn,
    since: Instant,
}

/// A connection with the bytes read from it and not used yet.
#[derive(Debug)]
struct Conn {
    stream: TcpStream,
    buf: BytesMut,
    /// The pool key: the authority as the integration URI spells it.
    key: Box<str>,
}

/// The request to send: its body already whole.
pub(crate) struct Outgoing<'a> {
    pub(crate) method: &'a Method,
    pub(crate) uri: &'a Uri,
    pub(crate) headers: &'a HeaderMap,
    pub(crate) body: &'a [u8],
    /// The client-facing names of the response's headers, settled as its head is parsed;
    /// `None`: the back end's own.
    pub(crate) response_headers: Option<BackendHeaders>,
}

impl Pool {
    /// Sends `request` (an absolute `http` URI) and returns the response head; the body streams
    /// from the connection as it is polled.
    pub(crate) async fn send(
        self: &Arc<Pool>,
        request: Outgoing<'_>,
    ) -> Result<Response<ProxyBody>, ProxyError> {
        let authority = request.uri.authority().map_or("", |a| a.as_str());
        // `http://host?q` has an empty path: the request line needs its `/`.
        let target = match request.uri.path_and_query().map(|p| p.as_str()) {
            Some(path) if path.starts_with('/') => std::borrow::Cow::Borrowed(path),
            Some(path) => std::borrow::Cow::Owned(format!("/{path}")),
            None => std::borrow::Cow::Borrowed("/"),
        };
        let mut wire = Vec::new();
        codec::encode_request(
            &mut wire,
            request.method,
            &target,
            authority,
            request.headers,
            request.body,
        );
        let retry_silent = is_idempotent(request.method);
        let mut retried = false;
        loop {
            let (mut conn, reused) = match self.checkout(authority) {
                Some(conn) => (conn, true),
                None => (Box::pin(connect(request.uri, authority)).await?, false),
            };
            let may_retry = reused && !retried;
            if let Err(error) = conn.stream.write_all(&wire).await {
                if may_retry {
                    retried = true;
                    continue;
                }
                return Err(ProxyError::Io(error));
            }
            match read_head(&mut conn, request.method, request.response_headers.as_ref()).await {
                Ok(head) => {
                    let state = match head.framing {
                        Framing::Empty => State::Done,
                        Framing::Length(n) => State::Length(n),
                        Framing::Chunked => State::Chunked(Chunked::new()),
                        Framing::Close => State::Close,
                    };
                    let mut body = ProxyBody {
                        conn: Some(conn),
                        state,
                        keep_alive: head.keep_alive,
                        pool: self.clone(),
                    };
                    if body.state == State::Done {
                        body.finish();
                    }
                    let mut response = Response::new(body);
                    *response.status_mut() = head.status;
                    // The back end's HTTP version describes its hop only (hyper would answer
                    // an HTTP/1.1 client in HTTP/1.0 if this said so): the default, HTTP/1.1.
                    *response.headers_mut() = head.headers;
                    return Ok(response);
                }
                // Nothing came back on a connection the back end may have closed while it sat
                // in the pool: the request never reached it, or (idempotent) may be repeated.
                Err(HeadError::Silent(_)) if may_retry && retry_silent => retried = true,
                Err(HeadError::Silent(None)) => return Err(ProxyError::Closed),
                Err(HeadError::Silent(Some(error))) => return Err(ProxyError::Io(error)),
                Err(HeadError::Failed(error)) => return Err(error),
            }
        }
    }

    /// The most recently used idle connection to `authority` that is still open and fresh.
    fn checkout(&self, authority: &str) -> Option<Conn> {
        let mut pools = self.idle.lock().ok()?;
        let idle = pools.get_mut(authority)?;
        while let Some(Idle { conn, since }) = idle.pop() {
            if since.elapsed() < IDLE_TIMEOUT && still_open(&conn.stream) {
                return Some(conn);
            }
        }
        None
    }

    fn checkin(&self, conn: Conn) {
        let Ok(mut pools) = self.idle.lock() else {
            return;
        };
        let now = Instant::now();
        let idle = match pools.get_mut(&*conn.key) {
            Some(idle) => idle,
            None => pools.entry(conn.key.clone()).or_default(),
        };
        // The oldest sit in front; drop it when it has expired, so that an authority called
        // less often does not keep stale connections forever.
        if idle
            .first()
            .is_some_and(|oldest| now.duration_since(oldest.since) >= IDLE_TIMEOUT)
        {
            idle.remove(0);
        }
        if idle.len() < MAX_IDLE_PER_AUTHORITY {
            idle.push(Idle { conn, since: now });
        }
    }
}

/// The body to send through this client, when the request can go through it: an `http` URI and
/// a body that is empty or already in memory and small. `None`: hyper's client takes it.
pub(crate) fn inline_body<'a>(
    method: &Method,
    uri: &Uri,
    body: &'a UpstreamBody,
) -> Option<&'a [u8]> {
    if uri.scheme() != Some(&Scheme::HTTP) || uri.host().is_none() || *method == Method::CONNECT {
        return None;
    }
    match body {
        UpstreamBody::Full { data } => {
            let data = data.as_deref().unwrap_or_default();
            (data.len() <= MAX_INLINE_BODY).then_some(data)
        }
        UpstreamBody::Stream { body } if body.is_end_stream() => Some(&[]),
        UpstreamBody::Stream { .. } => None,
    }
}

/// Methods a client may repeat without changing the outcome (RFC 9110 §9.2.2).
fn is_idempotent(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE | Method::PUT | Method::DELETE
    )
}

/// False when the event loop has seen the idle connection become readable and reading shows the
/// back end closed it (or sent something unasked). No system call when it has not.
fn still_open(stream: &TcpStream) -> bool {
    let mut cx = Context::from_waker(Waker::noop());
    match stream.poll_read_ready(&mut cx) {
        Poll::Pending => true,
        Poll::Ready(Err(_)) => false,
        Poll::Ready(Ok(())) => {
            let mut probe = [0u8; 1];
            matches!(stream.try_read(&mut probe), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock)
        }
    }
}

async fn connect(uri: &Uri, authority: &str) -> Result<Conn, ProxyError> {
    let host = uri.host().unwrap_or_default();
    // `[::1]` in a URI, `::1` for the resolver.
    let bare = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    let port = uri.port_u16().unwrap_or(80);
    let stream = TcpStream::connect((bare, port))
        .await
        .map_err(|source| ProxyError::Connect {
            authority: authority.to_owned(),
            source,
        })?;
    let _ = stream.set_nodelay(true);
    let keepalive = socket2::TcpKeepalive::new().with_time(TCP_KEEPALIVE);
    let _ = socket2::SockRef::from(&stream).set_tcp_keepalive(&keepalive);
    Ok(Conn {
        stream,
        buf: BytesMut::with_capacity(READ_BUF),
        key: authority.into(),
    })
}

enum HeadError {
    /// The connection ended or failed before a single byte of the response arrived.
    Silent(Option<std::io::Error>),
    Failed(ProxyError),
}

/// Reads until a final (non-1xx) response head is complete.
async fn read_head(
    conn: &mut Conn,
    method: &Method,
    rules: Option<&BackendHeaders>,
) -> Result<codec::ResponseHead, HeadError> {
    let mut received = false;
    loop {
        if !conn.buf.is_empty() {
            match codec::parse_response(&mut conn.buf, method, rules) {
                Ok(Some(head)) if head.status.is_informational() => continue,
                Ok(Some(head)) => return Ok(head),
                Ok(None) => {}
                Err(error) => return Err(HeadError::Failed(ProxyError::Protocol(error))),
            }
        }
        match read_more(conn).await {
            Ok(0) if received => return Err(HeadError::Failed(ProxyError::Closed)),
            Ok(0) => return Err(HeadError::Silent(None)),
            Ok(_) => received = true,
            Err(error) if received => return Err(HeadError::Failed(ProxyError::Io(error))),
            Err(error) => return Err(HeadError::Silent(Some(error))),
        }
    }
}

/// Reads what the socket has into the connection's buffer: the byte count, 0 at its end.
async fn read_more(conn: &mut Conn) -> std::io::Result<usize> {
    std::future::poll_fn(|cx| poll_read_more(conn, cx)).await
}

fn poll_read_more(conn: &mut Conn, cx: &mut Context<'_>) -> Poll<std::io::Result<usize>> {
    if conn.buf.capacity() - conn.buf.len() < 1024 {
        conn.buf.reserve(READ_BUF);
    }
    // Through `poll_read`, which asks the socket only when the event loop has seen it readable
    // and takes a short read as drained: no read ends in `EAGAIN` on the usual path.
    let read = conn.stream.read_buf(&mut conn.buf);
    std::pin::pin!(read).poll(cx)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// This many body bytes still to come.
    Length(u64),
    Chunked(Chunked),
    /// Until the back end closes.
    Close,
    Done,
    /// The body broke off; nothing more comes.
    Failed,
}

/// A back end's response body, read from its connection as it is polled. The connection goes
/// back to the pool the moment the body's last byte has been read (when reusable), and is closed
/// when the body is dropped before that.
#[derive(Debug)]
pub(crate) struct ProxyBody {
    conn: Option<Conn>,
    state: State,
    keep_alive: bool,
    pool: Arc<Pool>,
}

impl ProxyBody {
    /// The body is complete: the connection returns to the pool when nothing follows it and the
    /// back end allows keep-alive.
    fn finish(&mut self) {
        self.state = State::Done;
        if let Some(conn) = self.conn.take() {
            // Bytes past the response's end were never asked for: the connection is out of step.
            if self.keep_alive && conn.buf.is_empty() {
                self.pool.checkin(conn);
            }
        }
    }

    fn fail(&mut self, error: ProxyError) -> Poll<Option<Result<Frame<Bytes>, ProxyError>>> {
        self.state = State::Failed;
        self.conn = None;
        Poll::Ready(Some(Err(error)))
    }
}

impl Body for ProxyBody {
    type Data = Bytes;
    type Error = ProxyError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, ProxyError>>> {
        let this = self.get_mut();
        loop {
            let Some(conn) = this.conn.as_mut() else {
                return Poll::Ready(None);
            };
            let data = match &mut this.state {
                State::Done | State::Failed => return Poll::Ready(None),
                State::Length(remaining) => {
                    if conn.buf.is_empty() {
                        None
                    } else {
                        let take = usize::try_from(*remaining)
                            .unwrap_or(usize::MAX)
                            .min(conn.buf.len());
                        *remaining -= take as u64;
                        let data = conn.buf.split_to(take).freeze();
                        if *remaining == 0 {
                            this.finish();
                        }
                        Some(data)
                    }
                }
                State::Chunked(decoder) => match decoder.decode(&mut conn.buf) {
                    Ok(Decoded::Data(data)) => Some(data),
                    Ok(Decoded::NeedMore) => None,
                    Ok(Decoded::Done) => {
                        this.finish();
                        return Poll::Ready(None);
                    }
                    Err(error) => return this.fail(ProxyError::Protocol(error)),
                },
                State::Close => {
                    if conn.buf.is_empty() {
                        None
                    } else {
                        Some(conn.buf.split().freeze())
                    }
                }
            };
            if let Some(data) = data {
                return Poll::Ready(Some(Ok(Frame::data(data))));
            }
            let Some(conn) = this.conn.as_mut() else {
                return Poll::Ready(None);
            };
            match poll_read_more(conn, cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Ok(0)) => {
                    if this.state == State::Close {
                        // The end of a close-delimited body: the connection is spent.
                        this.keep_alive = false;
                        this.finish();
                        return Poll::Ready(None);
                    }
                    return this.fail(ProxyError::Closed);
                }
                Poll::Ready(Ok(_)) => {}
                Poll::Ready(Err(error)) => return this.fail(ProxyError::Io(error)),
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.state == State::Done
    }

    fn size_hint(&self) -> SizeHint {
        match self.state {
            State::Length(n) => SizeHint::with_exact(n),
            State::Done => SizeHint::with_exact(0),
            _ => SizeHint::default(),
        }
    }
}

#[cfg(test)]
mod tests;
