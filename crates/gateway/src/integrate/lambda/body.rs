//! Bodies between HTTP and Lambda proxy events: when a request body travels as text and when as
//! base64, and when a function's base64 body is decoded for the client.
//!
//! - REST APIs: the request body is base64-encoded when its `Content-Type` matches one of the
//!   API's `binaryMediaTypes` (exactly, by `type/*`, or `*/*`); a function's `isBase64Encoded`
//!   body is decoded only when the request's `Accept` (its first media type) matches one, and is
//!   otherwise returned as the base64 text. AWS, "Binary media types for REST APIs"; confirmed
//!   against AWS in ministackorg/ministack#767.
//! - HTTP APIs have no binary media types: the request body is text only for `text/*`,
//!   `application/json`, `application/xml` and `application/javascript`, and base64 for anything
//!   else, a missing `Content-Type` included (verified against AWS in ministackorg/ministack#766);
//!   a function's `isBase64Encoded` body is always decoded.
//!
//! A body that is not UTF-8 travels as base64 even where AWS would send text, since a JSON event
//! cannot carry it otherwise.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;

use crate::integrate::request::media_type;

/// An API's `binaryMediaTypes`, lower-cased.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct BinaryMediaTypes(Vec<Box<str>>);

impl BinaryMediaTypes {
    pub(crate) fn new(types: &[String]) -> BinaryMediaTypes {
        BinaryMediaTypes(
            types
                .iter()
                .map(|t| media_type(t).to_ascii_lowercase().into())
                .collect(),
        )
    }

    /// True when a `Content-Type` or `Accept` value is binary for this API; `None` (no header)
    /// matches only `*/*`.
    pub(crate) fn matches(&self, value: Option<&str>) -> bool {
        let wanted = value
            .map(|v| media_type(v.split(',').next().unwrap_or(v)).to_ascii_lowercase())
            .unwrap_or_default();
        let (kind, _) = wanted.split_once('/').unwrap_or((&wanted, ""));
        self.0.iter().any(|binary| match &**binary {
            "*/*" => true,
            _ if wanted.is_empty() => false,
            binary => match binary.strip_suffix("/*") {
                Some(binary_kind) => binary_kind == kind,
                None => binary == wanted,
            },
        })
    }
}

/// The `body` and `isBase64Encoded` of an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct EventBody {
    /// `None` for an empty body.
    pub(crate) text: Option<String>,
    pub(crate) base64: bool,
}

impl EventBody {
    /// `body` as text unless `binary` (or not UTF-8), then as base64.
    pub(crate) fn new(body: &[u8], binary: bool) -> EventBody {
        if body.is_empty() {
            return EventBody {
                text: None,
                base64: false,
            };
        }
        match std::str::from_utf8(body) {
            Ok(text) if !binary => EventBody {
                text: Some(text.to_owned()),
                base64: false,
            },
            _ => EventBody {
                text: Some(STANDARD.encode(body)),
                base64: true,
            },
        }
    }
}

/// HTTP APIs send a request body as text only for these content types.
pub(crate) fn http_api_sends_text(content_type: Option<&str>) -> bool {
    let Some(value) = content_type else {
        return false;
    };
    let media = media_type(value).to_ascii_lowercase();
    media.starts_with("text/")
        || matches!(
            media.as_str(),
            "application/json" | "application/xml" | "application/javascript"
        )
}

/// Decodes a function's base64 body; `None` when it is not base64.
pub(crate) fn decode(body: &[u8]) -> Option<Vec<u8>> {
    STANDARD.decode(body).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_media_types_match_exactly_by_wildcard_or_everything() {
        let types = BinaryMediaTypes::new(&["image/*".into(), "Application/Octet-Stream".into()]);
        assert!(types.matches(Some("image/png")));
        assert!(types.matches(Some("application/octet-stream; charset=x")));
        assert!(types.matches(Some("image/gif, */*;q=0.8")));
        assert!(!types.matches(Some("application/json")));
        assert!(!types.matches(Some("text/html, image/png")));
        assert!(!types.matches(None));
        let all = BinaryMediaTypes::new(&["*/*".into()]);
        assert!(all.matches(Some("text/plain")));
        assert!(all.matches(None));
        assert!(!BinaryMediaTypes::default().matches(Some("image/png")));
    }

    #[test]
    fn bodies_are_text_unless_binary_or_not_utf8() {
        assert_eq!(
            EventBody::new(b"", true),
            EventBody {
                text: None,
                base64: false
            }
        );
        assert_eq!(
            EventBody::new("héllo".as_bytes(), false),
            EventBody {
                text: Some("héllo".into()),
                base64: false
            }
        );
        assert_eq!(
            EventBody::new(b"hello", true),
            EventBody {
                text: Some("aGVsbG8=".into()),
                base64: true
            }
        );
        assert_eq!(
            EventBody::new(&[0xff, 0x00, 0x80], false),
            EventBody {
                text: Some("/wCA".into()),
                base64: true
            }
        );
        assert_eq!(decode(b"/wCA"), Some(vec![0xff, 0x00, 0x80]));
        assert_eq!(decode(b"not base64!"), None);
    }

    #[test]
    fn http_apis_send_text_for_text_types_only() {
        for text in [
            "text/plain",
            "text/html; charset=utf-8",
            "application/json",
            "Application/JSON;charset=UTF-8",
            "application/xml",
            "application/javascript",
        ] {
            assert!(http_api_sends_text(Some(text)), "{text}");
        }
        for binary in [
            "application/octet-stream",
            "application/x-www-form-urlencoded",
            "image/png",
            "application/vnd.api+json",
        ] {
            assert!(!http_api_sends_text(Some(binary)), "{binary}");
        }
        assert!(!http_api_sends_text(None));
    }
}
