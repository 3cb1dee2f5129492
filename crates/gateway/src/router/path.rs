//! The request path as each API kind reads it: normalised once, then walked segment by segment.
//!
//! The two kinds disagree on almost everything here, and both behaviours were captured from real
//! AWS endpoints:
//!
//! - **REST APIs never decode the path.** Path parameters and `{proxy+}` keep the client's
//!   percent-encoding (`test%2Balias@gmail.com` stays as is, so `%2F` stays inside its segment);
//!   leading slashes are dropped (`//proxy-value` is `/proxy-value`), trailing slashes are ignored
//!   (`/proxy-value/` gives `proxy=proxy-value`) and inner empty segments survive in a greedy value
//!   (`proxy-value//double-slash`). Sources: LocalStack's AWS-recorded snapshot
//!   <https://github.com/localstack/localstack/blob/main/tests/aws/services/apigateway/test_apigateway_lambda.snapshot.json>
//!   (`test_lambda_aws_proxy_integration`), live captures in
//!   <https://github.com/hotsock/voker/blob/main/vokerhttp/testdata/ingress-paths.json>, and
//!   <https://github.com/serverless/serverless/issues/5037> (`/posts/%40` gives `id=%40`).
//! - **HTTP APIs decode the path before routing**, so `%2F` becomes a separator, and a decoded `?`
//!   ends the path (`/capture/question%3Fvalue` arrives as `/capture/question`). Values are decoded
//!   a second time (`literal%252Fvalue` arrives as `literal/value`), and a path whose once-decoded
//!   form is not valid percent-encoding (`percent%25done`) is rejected with 400 before any route,
//!   `$default` included, is considered. Source: the live captures above and
//!   <https://github.com/middleapi/standard-server/pull/93>. Trailing slashes and empty segments are
//!   significant: `/` is one empty segment, which `{param}` (value `""`) and `{proxy+}` accept
//!   (<https://github.com/architect/architect/issues/981>,
//!   <https://github.com/storacha/w3infra/pull/166>).

use std::borrow::Cow;
use std::cmp::Ordering;

use percent_encoding::percent_decode;

/// The path cannot be routed at all (HTTP API: invalid percent-encoding, or not UTF-8 once decoded).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Malformed;

/// A request path normalised for one API kind; [`RequestPath::cursor`] walks its segments.
#[derive(Debug)]
pub(crate) struct RequestPath<'a> {
    /// The bytes in which `/` separates segments: the raw path (REST) or the once-decoded path
    /// (HTTP API), without the leading slash.
    src: Cow<'a, [u8]>,
    /// Whether a segment's value is the percent-decoding of its bytes (HTTP API, second decode).
    decode: bool,
    /// False for a REST path that is only slashes: the root resource has no segments.
    has_segments: bool,
}

impl<'a> RequestPath<'a> {
    /// A REST API path: raw bytes, leading and trailing slashes dropped, nothing decoded.
    pub(crate) fn rest(raw: &'a str) -> RequestPath<'a> {
        let trimmed = raw.trim_matches('/');
        RequestPath {
            src: Cow::Borrowed(trimmed.as_bytes()),
            decode: false,
            has_segments: !trimmed.is_empty(),
        }
    }

    /// An HTTP API path: decoded once and cut at a decoded `?`; segments are decoded again when read.
    ///
    /// Allocates only when the path contains a `%`.
    pub(crate) fn http(raw: &'a str) -> Result<RequestPath<'a>, Malformed> {
        let raw = raw.strip_prefix('/').unwrap_or(raw);
        if !raw.contains('%') {
            return Ok(RequestPath {
                src: Cow::Borrowed(raw.as_bytes()),
                decode: false,
                has_segments: true,
            });
        }
        if !valid_escapes(raw.as_bytes()) {
            return Err(Malformed);
        }
        let mut once: Vec<u8> = percent_decode(raw.as_bytes()).collect();
        if let Some(query) = once.iter().position(|&b| b == b'?') {
            once.truncate(query);
        }
        let decode = once.contains(&b'%');
        let valid = if decode {
            valid_escapes(&once) && {
                let twice: Vec<u8> = percent_decode(&once).collect();
                std::str::from_utf8(&twice).is_ok()
            }
        } else {
            std::str::from_utf8(&once).is_ok()
        };
        if !valid {
            return Err(Malformed);
        }
        Ok(RequestPath {
            src: Cow::Owned(once),
            decode,
            has_segments: true,
        })
    }

    /// A cursor before the first segment.
    pub(crate) fn cursor(&self) -> Cursor<'_> {
        Cursor {
            src: &self.src,
            decode: self.decode,
            pos: self.has_segments.then_some(0),
        }
    }
}

/// A position between segments; copying it is how the matcher backtracks.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Cursor<'p> {
    src: &'p [u8],
    decode: bool,
    /// Start of the next segment, `None` once every segment has been read.
    pos: Option<usize>,
}

impl<'p> Cursor<'p> {
    /// The next segment and the cursor after it, or `None` at the end of the path.
    pub(crate) fn next(self) -> Option<(Segment<'p>, Cursor<'p>)> {
        let start = self.pos?;
        let tail = self.src.get(start..)?;
        let (bytes, pos) = match tail.iter().position(|&b| b == b'/') {
            Some(slash) => (tail.get(..slash)?, Some(start + slash + 1)),
            None => (tail, None),
        };
        let segment = Segment {
            bytes,
            decode: self.decode,
        };
        Some((segment, Cursor { pos, ..self }))
    }

    /// Everything from the next segment to the end, as one segment (a greedy variable's value).
    pub(crate) fn remaining(self) -> Option<Segment<'p>> {
        let bytes = self.src.get(self.pos?..)?;
        Some(Segment {
            bytes,
            decode: self.decode,
        })
    }
}

/// One segment (or, for a greedy variable, the rest of the path) as it appears in the request.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Segment<'p> {
    bytes: &'p [u8],
    decode: bool,
}

impl Segment<'_> {
    /// How `literal` orders against this segment's value, without allocating.
    pub(crate) fn literal_cmp(&self, literal: &str) -> Ordering {
        if self.decode {
            literal.bytes().cmp(percent_decode(self.bytes))
        } else {
            literal.as_bytes().cmp(self.bytes)
        }
    }

    /// Whether the value is empty (decoding never empties a non-empty segment).
    pub(crate) fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// The value a path parameter receives.
    pub(crate) fn value(&self) -> String {
        if self.decode {
            percent_decode(self.bytes).decode_utf8_lossy().into_owned()
        } else {
            String::from_utf8_lossy(self.bytes).into_owned()
        }
    }
}

/// Whether every `%` starts a `%XX` escape.
fn valid_escapes(bytes: &[u8]) -> bool {
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hex = |at: usize| bytes.get(at).is_some_and(u8::is_ascii_hexdigit);
            if !(hex(i + 1) && hex(i + 2)) {
                return false;
            }
            i += 3;
        } else {
            i += 1;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segments(path: &RequestPath<'_>) -> Vec<String> {
        let mut out = Vec::new();
        let mut cursor = path.cursor();
        while let Some((segment, next)) = cursor.next() {
            out.push(segment.value());
            cursor = next;
        }
        out
    }

    #[test]
    fn rest_drops_outer_slashes_and_keeps_inner_empty_segments() {
        assert_eq!(segments(&RequestPath::rest("/")), Vec::<String>::new());
        assert_eq!(segments(&RequestPath::rest("//")), Vec::<String>::new());
        assert_eq!(segments(&RequestPath::rest("//a/b//")), ["a", "b"]);
        assert_eq!(segments(&RequestPath::rest("/a//b")), ["a", "", "b"]);
        assert_eq!(segments(&RequestPath::rest("/a%2Fb/%zz")), ["a%2Fb", "%zz"]);
    }

    #[test]
    fn http_keeps_every_slash() {
        assert_eq!(segments(&RequestPath::http("/").unwrap()), [""]);
        assert_eq!(segments(&RequestPath::http("/a/").unwrap()), ["a", ""]);
        assert_eq!(segments(&RequestPath::http("//a").unwrap()), ["", "a"]);
    }

    #[test]
    fn http_decodes_before_splitting_and_again_for_values() {
        let path = RequestPath::http("/a%2Fb/c%252Fd/e%2520f").unwrap();
        assert_eq!(segments(&path), ["a", "b", "c/d", "e f"]);
        let path = RequestPath::http("/q%3Fx/y").unwrap();
        assert_eq!(segments(&path), ["q"]);
    }

    #[test]
    fn http_rejects_invalid_escapes_at_either_level() {
        assert_eq!(RequestPath::http("/%zz").unwrap_err(), Malformed);
        assert_eq!(RequestPath::http("/a%").unwrap_err(), Malformed);
        assert_eq!(RequestPath::http("/percent%25done").unwrap_err(), Malformed);
        assert_eq!(RequestPath::http("/%FF").unwrap_err(), Malformed);
        assert_eq!(RequestPath::http("/%25FF").unwrap_err(), Malformed);
    }

    #[test]
    fn remaining_spans_the_rest_of_the_path() {
        let path = RequestPath::rest("/a/b//c/");
        let (_, after_a) = path.cursor().next().unwrap();
        assert_eq!(after_a.remaining().unwrap().value(), "b//c");
        let path = RequestPath::http("/a/b%20c").unwrap();
        let (_, after_a) = path.cursor().next().unwrap();
        assert_eq!(after_a.remaining().unwrap().value(), "b c");
    }

    #[test]
    fn literal_comparison_uses_the_value() {
        let path = RequestPath::http("/%70ets").unwrap();
        let (segment, _) = path.cursor().next().unwrap();
        assert_eq!(segment.literal_cmp("pets"), Ordering::Equal);
        assert_eq!(segment.literal_cmp("pet"), Ordering::Less);
        assert_eq!(segment.literal_cmp("zoo"), Ordering::Greater);
        let path = RequestPath::rest("/%70ets");
        let (segment, _) = path.cursor().next().unwrap();
        assert_ne!(segment.literal_cmp("pets"), Ordering::Equal);
    }
}
