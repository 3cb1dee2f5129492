//! HTTP/1.1 on the wire for the proxy client (RFC 9112): the request head, the response head and
//! how the response body is framed, and the chunked transfer coding.
//!
//! Everything here works on bytes already read; the connection code decides when to read more.

use bytes::{Bytes, BytesMut};
use http::header::{HeaderName, HeaderValue, CONTENT_LENGTH, HOST};
use http::{HeaderMap, Method, StatusCode, Version};

use crate::hop_by_hop;
use crate::respond::{BackendHeaders, Fate};

/// The largest response head accepted (status line and headers); a bigger one is an error.
pub(crate) const MAX_HEAD_BYTES: usize = 64 * 1024;
/// The most headers a response head may carry (hyper's client allows 100).
const MAX_HEADERS: usize = 128;
/// The longest chunk-size line (size and extensions) and the most trailer bytes accepted.
const MAX_CHUNK_LINE: usize = 4 * 1024;
const MAX_TRAILER_BYTES: usize = 16 * 1024;

/// A response the back end broke the protocol with.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum CodecError {
    #[error("the response head is larger than {MAX_HEAD_BYTES} bytes")]
    HeadTooLarge,
    #[error("invalid response head: {0}")]
    InvalidHead(&'static str),
    #[error("invalid Content-Length")]
    InvalidContentLength,
    #[error("invalid chunked body: {0}")]
    InvalidChunk(&'static str),
    #[error("the back end switched protocols")]
    SwitchingProtocols,
}

/// Appends the request head (and `body`) for `method target HTTP/1.1` to `out`.
///
/// `headers` go as they are, except `Content-Length`, which is the body's own when there is one
/// (a request without a body keeps whatever `Content-Length` the client sent, as hyper's client
/// does), and `Host`, added from `host` when `headers` has none.
pub(crate) fn encode_request(
    out: &mut Vec<u8>,
    method: &Method,
    target: &str,
    host: &str,
    headers: &HeaderMap,
    body: &[u8],
) {
    out.reserve(256 + target.len() + body.len() + headers.len() * 32);
    out.extend_from_slice(method.as_str().as_bytes());
    out.push(b' ');
    out.extend_from_slice(if target.is_empty() { "/" } else { target }.as_bytes());
    out.extend_from_slice(b" HTTP/1.1\r\n");
    if !headers.contains_key(HOST) {
        header_line(out, b"host", host.as_bytes());
    }
    for (name, value) in headers {
        if !body.is_empty() && name == CONTENT_LENGTH {
            continue;
        }
        header_line(out, name.as_str().as_bytes(), value.as_bytes());
    }
    if !body.is_empty() {
        out.extend_from_slice(b"content-length: ");
        out.extend_from_slice(itoa_buf(body.len() as u64).as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(body);
}

fn header_line(out: &mut Vec<u8>, name: &[u8], value: &[u8]) {
    out.extend_from_slice(name);
    out.extend_from_slice(b": ");
    out.extend_from_slice(value);
    out.extend_from_slice(b"\r\n");
}

/// `n` in decimal, on the stack.
fn itoa_buf(mut n: u64) -> Digits {
    let mut digits = Digits {
        buf: [0; 20],
        start: 20,
    };
    loop {
        digits.start -= 1;
        digits.buf[digits.start] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break digits;
        }
    }
}

struct Digits {
    buf: [u8; 20],
    start: usize,
}

impl Digits {
    fn as_bytes(&self) -> &[u8] {
        self.buf.get(self.start..).unwrap_or_default()
    }
}

/// How a response body is delimited (RFC 9112 §6.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Framing {
    /// No body: a response to HEAD, 204, 304.
    Empty,
    /// `Content-Length` bytes.
    Length(u64),
    /// The chunked transfer coding.
    Chunked,
    /// Everything until the back end closes the connection.
    Close,
}

/// A parsed response head.
#[derive(Debug)]
pub(crate) struct ResponseHead {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) framing: Framing,
    /// The connection may carry another request once this response's body has been read.
    pub(crate) keep_alive: bool,
}

/// Parses the response head at the start of `buf` and removes it from `buf`. `Ok(None)`: the head
/// is incomplete, read more. Interim (1xx) responses are returned like any other; the caller
/// skips them.
///
/// With `rules`, header names are the ones the client will see (renamed or dropped as
/// [`BackendHeaders`] says), settled here in the one pass that builds the map; framing and
/// keep-alive are read from the head as the back end sent it either way.
pub(crate) fn parse_response(
    buf: &mut BytesMut,
    request_method: &Method,
    rules: Option<&BackendHeaders>,
) -> Result<Option<ResponseHead>, CodecError> {
    // Offsets of each header's name and value in `buf`, so the values can share the head's
    // bytes instead of being copied.
    let mut slots = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut response = httparse::Response::new(&mut slots);
    let len = match response.parse(buf) {
        Ok(httparse::Status::Complete(len)) => len,
        Ok(httparse::Status::Partial) => {
            return if buf.len() > MAX_HEAD_BYTES {
                Err(CodecError::HeadTooLarge)
            } else {
                Ok(None)
            };
        }
        Err(httparse::Error::TooManyHeaders) => {
            return Err(CodecError::InvalidHead("too many headers"))
        }
        Err(_) => return Err(CodecError::InvalidHead("malformed")),
    };
    if len > MAX_HEAD_BYTES {
        return Err(CodecError::HeadTooLarge);
    }
    let code = response.code.ok_or(CodecError::InvalidHead("no status"))?;
    let status =
        StatusCode::from_u16(code).map_err(|_| CodecError::InvalidHead("invalid status"))?;
    let version = match response.version {
        Some(0) => Version::HTTP_10,
        _ => Version::HTTP_11,
    };
    let fields: &[httparse::Header<'_>] = response.headers;
    if status == StatusCode::SWITCHING_PROTOCOLS {
        return Err(CodecError::SwitchingProtocols);
    }
    let (framing, mut keep_alive) = framing(fields, status, request_method)?;
    keep_alive &= connection_persists(fields, version);
    let listed = match rules {
        Some(rules) if rules.drops_listed() => hop_by_hop::listed_in(
            fields
                .iter()
                .filter(|field| field.name.eq_ignore_ascii_case("connection"))
                .map(|field| field.value),
        ),
        _ => Vec::new(),
    };
    let base = buf.as_ptr() as usize;
    let mut ranges = [(0usize, 0usize, 0usize, 0usize); MAX_HEADERS];
    let count = fields.len();
    for (range, header) in ranges.iter_mut().zip(fields.iter()) {
        let name = header.name.as_ptr() as usize - base;
        let value = header.value.as_ptr() as usize - base;
        *range = (
            name,
            name + header.name.len(),
            value,
            value + header.value.len(),
        );
    }
    let head = buf.split_to(len).freeze();
    let mut headers = HeaderMap::with_capacity(count);
    for &(name_start, name_end, value_start, value_end) in ranges.iter().take(count) {
        let name = head
            .get(name_start..name_end)
            .and_then(|name| HeaderName::from_bytes(name).ok())
            .ok_or(CodecError::InvalidHead("invalid header name"))?;
        let value = HeaderValue::from_maybe_shared(head.slice(value_start..value_end))
            .map_err(|_| CodecError::InvalidHead("invalid header value"))?;
        match rules.map_or(Fate::Keep, |rules| rules.fate(&name, &listed)) {
            Fate::Keep => {
                headers.append(name, value);
            }
            Fate::Rename(to) => {
                headers.append(to, value);
            }
            Fate::Drop => {}
        }
    }
    Ok(Some(ResponseHead {
        status,
        headers,
        framing,
        keep_alive,
    }))
}

/// The header fields named `name` (ASCII case-insensitively).
fn named<'h, 'b>(
    fields: &'h [httparse::Header<'b>],
    name: &'static str,
) -> impl Iterator<Item = &'b [u8]> + 'h {
    fields
        .iter()
        .filter(move |field| field.name.eq_ignore_ascii_case(name))
        .map(|field| field.value)
}

/// Comma-separated list elements of `values`, trimmed, empty ones left out.
fn list_elements<'b>(values: impl Iterator<Item = &'b [u8]>) -> impl Iterator<Item = &'b str> {
    values
        .filter_map(|v| std::str::from_utf8(v).ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|element| !element.is_empty())
}

/// The body's framing and whether it leaves the connection reusable.
fn framing(
    fields: &[httparse::Header<'_>],
    status: StatusCode,
    method: &Method,
) -> Result<(Framing, bool), CodecError> {
    if *method == Method::HEAD
        || status.is_informational()
        || status == StatusCode::NO_CONTENT
        || status == StatusCode::NOT_MODIFIED
    {
        return Ok((Framing::Empty, true));
    }
    let mut codings = named(fields, "transfer-encoding").peekable();
    if codings.peek().is_some() {
        // The final coding decides; a body not chunked last ends with the connection. A
        // `Content-Length` beside it is ignored, and the connection not reused (RFC 9112 §6.3).
        let last = list_elements(codings).last();
        let chunked = last.is_some_and(|c| c.eq_ignore_ascii_case("chunked"));
        let reusable = chunked && named(fields, "content-length").next().is_none();
        return Ok((
            if chunked {
                Framing::Chunked
            } else {
                Framing::Close
            },
            reusable,
        ));
    }
    let mut length: Option<u64> = None;
    for value in named(fields, "content-length") {
        // `Content-Length: 5, 5` is one length; differing values are an error (RFC 9110 §8.6).
        for part in value.split(|b| *b == b',') {
            let n = parse_decimal(trim(part)).ok_or(CodecError::InvalidContentLength)?;
            match length {
                Some(previous) if previous != n => return Err(CodecError::InvalidContentLength),
                _ => length = Some(n),
            }
        }
    }
    Ok(match length {
        Some(0) => (Framing::Empty, true),
        Some(n) => (Framing::Length(n), true),
        None => (Framing::Close, false),
    })
}

/// HTTP/1.1 persists unless `Connection: close`; HTTP/1.0 only with `Connection: keep-alive`.
fn connection_persists(fields: &[httparse::Header<'_>], version: Version) -> bool {
    let mut close = false;
    let mut keep_alive = false;
    for token in list_elements(named(fields, "connection")) {
        close |= token.eq_ignore_ascii_case("close");
        keep_alive |= token.eq_ignore_ascii_case("keep-alive");
    }
    !close && (version == Version::HTTP_11 || keep_alive)
}

fn trim(bytes: &[u8]) -> &[u8] {
    let start = bytes
        .iter()
        .position(|b| !matches!(b, b' ' | b'\t'))
        .unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|b| !matches!(b, b' ' | b'\t'))
        .map_or(start, |i| i + 1);
    bytes.get(start..end).unwrap_or_default()
}

fn parse_decimal(digits: &[u8]) -> Option<u64> {
    if digits.is_empty() || digits.len() > 19 {
        return None;
    }
    digits.iter().try_fold(0u64, |n, d| {
        d.is_ascii_digit().then(|| n * 10 + u64::from(d - b'0'))
    })
}

/// What a step of body decoding produced.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Decoded {
    Data(Bytes),
    /// The bytes so far end mid-frame: read more.
    NeedMore,
    /// The body is complete.
    Done,
}

/// The chunked transfer coding's decoder (RFC 9112 §7.1): chunk extensions are ignored and
/// trailer fields read and dropped (the client side of this hop frames its own body).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Chunked {
    Size,
    Data(u64),
    DataEnd,
    Trailers { seen: usize },
    Done,
}

impl Chunked {
    pub(crate) fn new() -> Chunked {
        Chunked::Size
    }

    /// Decodes from the front of `buf`, consuming what it used.
    pub(crate) fn decode(&mut self, buf: &mut BytesMut) -> Result<Decoded, CodecError> {
        loop {
            match *self {
                Chunked::Size => {
                    let Some(line) = take_line(buf, MAX_CHUNK_LINE)? else {
                        return Ok(Decoded::NeedMore);
                    };
                    let size = chunk_size(&line)?;
                    *self = if size == 0 {
                        Chunked::Trailers { seen: 0 }
                    } else {
                        Chunked::Data(size)
                    };
                }
                Chunked::Data(remaining) => {
                    if buf.is_empty() {
                        return Ok(Decoded::NeedMore);
                    }
                    let take = usize::try_from(remaining)
                        .unwrap_or(usize::MAX)
                        .min(buf.len());
                    let data = buf.split_to(take).freeze();
                    let left = remaining - take as u64;
                    *self = if left == 0 {
                        Chunked::DataEnd
                    } else {
                        Chunked::Data(left)
                    };
                    return Ok(Decoded::Data(data));
                }
                Chunked::DataEnd => match buf.first() {
                    None => return Ok(Decoded::NeedMore),
                    Some(b'\n') => {
                        let _ = buf.split_to(1);
                        *self = Chunked::Size;
                    }
                    Some(b'\r') => match buf.get(1) {
                        None => return Ok(Decoded::NeedMore),
                        Some(b'\n') => {
                            let _ = buf.split_to(2);
                            *self = Chunked::Size;
                        }
                        Some(_) => return Err(CodecError::InvalidChunk("no CRLF after data")),
                    },
                    Some(_) => return Err(CodecError::InvalidChunk("no CRLF after data")),
                },
                Chunked::Trailers { seen } => {
                    let limit = MAX_TRAILER_BYTES.saturating_sub(seen);
                    let Some(line) = take_line(buf, limit)? else {
                        return Ok(Decoded::NeedMore);
                    };
                    *self = if line.is_empty() {
                        Chunked::Done
                    } else {
                        Chunked::Trailers {
                            seen: seen + line.len() + 2,
                        }
                    };
                }
                Chunked::Done => return Ok(Decoded::Done),
            }
        }
    }
}

/// The next line of `buf` without its line ending (CRLF, or a bare LF), consumed; `None` when
/// no line ending has arrived yet within `limit` bytes.
fn take_line(buf: &mut BytesMut, limit: usize) -> Result<Option<BytesMut>, CodecError> {
    match buf.iter().position(|b| *b == b'\n') {
        Some(end) if end <= limit => {
            let mut line = buf.split_to(end + 1);
            line.truncate(end);
            if line.last() == Some(&b'\r') {
                line.truncate(end - 1);
            }
            Ok(Some(line))
        }
        Some(_) => Err(CodecError::InvalidChunk("line too long")),
        None if buf.len() > limit => Err(CodecError::InvalidChunk("line too long")),
        None => Ok(None),
    }
}

/// The size of a chunk-size line: hex digits, then optional whitespace and `;extensions`.
fn chunk_size(line: &[u8]) -> Result<u64, CodecError> {
    let digits = line.iter().take_while(|b| b.is_ascii_hexdigit()).count();
    if digits == 0 {
        return Err(CodecError::InvalidChunk("no chunk size"));
    }
    if digits > 15 {
        return Err(CodecError::InvalidChunk("chunk size too large"));
    }
    let rest = line.get(digits..).unwrap_or_default();
    let rest = trim(rest);
    if !(rest.is_empty() || rest.first() == Some(&b';')) {
        return Err(CodecError::InvalidChunk("invalid chunk size"));
    }
    let mut size = 0u64;
    for d in line.iter().take(digits) {
        let v = match d {
            b'0'..=b'9' => d - b'0',
            b'a'..=b'f' => d - b'a' + 10,
            b'A'..=b'F' => d - b'A' + 10,
            _ => return Err(CodecError::InvalidChunk("invalid chunk size")),
        };
        size = size * 16 + u64::from(v);
    }
    Ok(size)
}

#[cfg(test)]
mod tests;
