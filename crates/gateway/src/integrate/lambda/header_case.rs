//! Header names as the client spelled them, for the payload 1.0 event of REST APIs (AWS passes
//! `headers` and `multiValueHeaders` keys in the client's original case).
//!
//! hyper 1 lower-cases header names, and its `preserve_header_case` keeps the original spelling
//! only in a private extension type (hyperium/hyper#2880, open). So the connection's bytes are
//! watched on their way into hyper instead: [`Recording`] wraps an HTTP/1 connection's stream and
//! notes the header names of each request head it reads; the service claims them per request
//! ([`Recorder::claim`]) and attaches them as a [`HeaderCase`] extension. Only heads are looked
//! at (request line skipped, names up to `:`), and bodies are skipped by their Content-Length. A
//! chunked body, an upgrade, CONNECT, HTTP/2 or anything unexpected stops the recording for the
//! rest of the connection, and a recorded head is only used when its names are exactly the names
//! hyper parsed: a function then sees lower-case names, never wrong ones.

use std::collections::VecDeque;
use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use http::HeaderMap;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// Longest head recorded; hyper refuses longer ones anyway (its default limit is lower).
const MAX_HEAD_BYTES: usize = 128 * 1024;
/// Heads read ahead of the requests claiming them (pipelining); more stops the recording.
const MAX_READY: usize = 16;

/// The header names of one request, as sent: one per header line, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HeaderCase {
    /// The names separated by `\n`.
    names: Box<str>,
}

impl HeaderCase {
    /// How the client spelled `lower` (a lower-case header name) first; `None` if it did not
    /// send it.
    pub(crate) fn spelling<'a>(&'a self, lower: &str) -> Option<&'a str> {
        self.names
            .split('\n')
            .find(|name| name.eq_ignore_ascii_case(lower))
    }

    /// True when these are exactly the names of `headers` (same names, same number of lines).
    fn matches(&self, headers: &HeaderMap) -> bool {
        let mut lines = 0;
        for name in self.names.split('\n').filter(|n| !n.is_empty()) {
            lines += 1;
            let known = headers
                .keys()
                .any(|parsed| parsed.as_str().eq_ignore_ascii_case(name));
            if !known {
                return false;
            }
        }
        lines == headers.len()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Reading a request head.
    Head,
    /// Skipping this many body bytes.
    Body(u64),
    /// Stopped for the rest of the connection.
    Off,
}

/// What a connection's [`Recording`] noted, shared with its service.
#[derive(Debug)]
pub(crate) struct Recorder {
    state: State,
    head: Vec<u8>,
    ready: VecDeque<HeaderCase>,
}

impl Default for Recorder {
    fn default() -> Recorder {
        Recorder {
            state: State::Head,
            head: Vec::new(),
            ready: VecDeque::new(),
        }
    }
}

/// A connection's recorder, cheap to clone.
pub(crate) type SharedRecorder = Arc<Mutex<Recorder>>;

impl Recorder {
    /// The spellings of the next request's header names, if they were recorded and match the
    /// names hyper parsed.
    pub(crate) fn claim(recorder: &SharedRecorder, headers: &HeaderMap) -> Option<HeaderCase> {
        let mut recorder = recorder.lock().unwrap_or_else(|e| e.into_inner());
        let case = recorder.ready.pop_front()?;
        if case.matches(headers) {
            Some(case)
        } else {
            // Out of step with hyper: trust nothing more on this connection.
            recorder.stop();
            None
        }
    }

    fn stop(&mut self) {
        self.state = State::Off;
        self.head = Vec::new();
        self.ready.clear();
    }

    /// Notes the bytes hyper is about to read.
    fn feed(&mut self, mut data: &[u8]) {
        while !data.is_empty() {
            match self.state {
                State::Off => return,
                State::Body(remaining) => {
                    let skipped = usize::try_from(remaining)
                        .unwrap_or(usize::MAX)
                        .min(data.len());
                    data = &data[skipped..];
                    let left = remaining - skipped as u64;
                    self.state = if left == 0 {
                        State::Head
                    } else {
                        State::Body(left)
                    };
                }
                State::Head => {
                    if self.head.is_empty() {
                        // Empty lines before a request line are ignored (RFC 9112 §2.2).
                        let start = data
                            .iter()
                            .position(|&b| b != b'\r' && b != b'\n')
                            .unwrap_or(data.len());
                        data = &data[start..];
                        if data.is_empty() {
                            return;
                        }
                    }
                    let searched_from = self.head.len().saturating_sub(3);
                    let before = self.head.len();
                    self.head.extend_from_slice(data);
                    let end = self.head[searched_from..]
                        .windows(4)
                        .position(|w| w == b"\r\n\r\n")
                        .map(|at| searched_from + at + 4);
                    let Some(end) = end else {
                        if self.head.len() > MAX_HEAD_BYTES {
                            self.stop();
                        }
                        return;
                    };
                    data = &data[end - before..];
                    let head = std::mem::take(&mut self.head);
                    self.state = self.head_read(&head[..end]);
                    // Keep the allocation for the next head.
                    self.head = head;
                    self.head.clear();
                }
            }
        }
    }

    /// Records a complete head (ending in the empty line) and says what follows it.
    fn head_read(&mut self, head: &[u8]) -> State {
        let Ok(text) = std::str::from_utf8(head) else {
            return State::Off;
        };
        let mut lines = text.split("\r\n");
        let request_line = lines.next().unwrap_or_default();
        if request_line.starts_with("PRI ") || request_line.starts_with("CONNECT ") {
            return State::Off;
        }
        let mut names = String::with_capacity(head.len() / 4);
        let mut body = 0u64;
        let mut upgrade = false;
        for line in lines.filter(|l| !l.is_empty()) {
            let Some((name, value)) = line.split_once(':') else {
                return State::Off;
            };
            if name.is_empty() || name.bytes().any(|b| b.is_ascii_whitespace()) {
                return State::Off;
            }
            if name.eq_ignore_ascii_case("transfer-encoding") {
                return State::Off;
            }
            // The head of an upgrade (a WebSocket handshake, whose events keep the spelling
            // too) is recorded; what follows it is not HTTP.
            if name.eq_ignore_ascii_case("upgrade") {
                upgrade = true;
            }
            if name.eq_ignore_ascii_case("content-length") {
                match value.trim().parse::<u64>() {
                    Ok(length) => body = length,
                    Err(_) => return State::Off,
                }
            }
            if !names.is_empty() {
                names.push('\n');
            }
            names.push_str(name);
        }
        if self.ready.len() >= MAX_READY {
            return State::Off;
        }
        self.ready.push_back(HeaderCase {
            names: names.into_boxed_str(),
        });
        if upgrade {
            State::Off
        } else if body == 0 {
            State::Head
        } else {
            State::Body(body)
        }
    }
}

/// An HTTP/1 connection's stream, recording request heads as hyper reads them.
pub(crate) struct Recording<S> {
    stream: S,
    /// `None`: the deployment has no use for the spellings, so nothing is recorded.
    recorder: Option<SharedRecorder>,
}

impl<S> Recording<S> {
    /// Records `stream`'s request heads into `recorder`, if any.
    pub(crate) fn new(stream: S, recorder: Option<SharedRecorder>) -> Recording<S> {
        Recording { stream, recorder }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Recording<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.stream).poll_read(cx, buf);
        if let (Poll::Ready(Ok(())), Some(recorder)) = (&polled, &self.recorder) {
            let read = &buf.filled()[before..];
            if !read.is_empty() {
                let mut recorder = recorder.lock().unwrap_or_else(|e| e.into_inner());
                recorder.feed(read);
            }
        }
        polled
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Recording<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(names: &[&str]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for name in names {
            map.append(
                http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                http::HeaderValue::from_static("v"),
            );
        }
        map
    }

    fn recorder() -> SharedRecorder {
        SharedRecorder::default()
    }

    fn feed(recorder: &SharedRecorder, bytes: &[u8]) {
        recorder.lock().unwrap().feed(bytes);
    }

    #[test]
    fn heads_split_anywhere_keep_their_spelling_and_bodies_are_skipped() {
        let stream: &[u8] = b"\r\nPOST /a HTTP/1.1\r\nHost: x\r\nX-Pet-Name: rex\r\nContent-Length: 20\r\n\r\n\
            pet=GET / HTTP/1.1\r\nGET /b HTTP/1.1\r\n\r\nGET /c HTTP/1.1\r\nhOsT: y\r\nAccept: a\r\naccept: b\r\n\r\n";
        for split in 1..stream.len() {
            let recorder = recorder();
            feed(&recorder, &stream[..split]);
            feed(&recorder, &stream[split..]);
            let first = Recorder::claim(
                &recorder,
                &headers(&["host", "x-pet-name", "content-length"]),
            )
            .unwrap();
            assert_eq!(first.spelling("x-pet-name"), Some("X-Pet-Name"), "{split}");
            assert_eq!(first.spelling("host"), Some("Host"));
            assert_eq!(first.spelling("accept"), None);
            let second = Recorder::claim(&recorder, &HeaderMap::new()).unwrap();
            assert_eq!(second.spelling("host"), None);
            let third =
                Recorder::claim(&recorder, &headers(&["host", "accept", "accept"])).unwrap();
            assert_eq!(third.spelling("host"), Some("hOsT"), "{split}");
            assert_eq!(third.spelling("accept"), Some("Accept"));
        }
    }

    #[test]
    fn a_head_that_disagrees_with_hyper_stops_the_recording() {
        let recorder = recorder();
        feed(
            &recorder,
            b"GET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n",
        );
        assert_eq!(
            Recorder::claim(&recorder, &headers(&["host", "accept"])),
            None
        );
        assert_eq!(Recorder::claim(&recorder, &headers(&["host"])), None);
        feed(&recorder, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        assert_eq!(Recorder::claim(&recorder, &headers(&["host"])), None);
    }

    #[test]
    fn chunked_bodies_upgrades_and_http2_stop_the_recording() {
        for stream in [
            &b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nGET /\r\n0\r\n\r\n"[..],
            b"GET / HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n",
            b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
        ] {
            let recorder = recorder();
            feed(&recorder, stream);
            feed(&recorder, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n");
            assert_eq!(Recorder::claim(&recorder, &headers(&["host"])), None);
        }
    }
}
