//! `contentHandling` of REST non-proxy integrations: when a payload is text or binary and when the
//! gateway base64-encodes or -decodes it, as AWS's "Content type conversions in API Gateway"
//! tables say.
//!
//! A payload is binary when its media type matches the API's `binaryMediaTypes`: the request's
//! `Content-Type` for the integration request, the integration response's `Content-Type` for
//! what the back end returned; the method response is binary when the request's first `Accept`
//! media type matches. Then:
//!
//! - request: binary + CONVERT_TO_TEXT → base64 text (the request template reads that text as
//!   `$input.body`); other binary bodies pass through untouched and no template applies; a text
//!   body is rendered by its template (or passed through) and, with CONVERT_TO_BINARY, the result
//!   is base64-decoded;
//! - response: the method response is binary under CONVERT_TO_BINARY, text under CONVERT_TO_TEXT,
//!   and follows `Accept` without either; text becomes binary by base64-decoding (after the
//!   response template, when one applies), binary becomes text by base64-encoding (before it).
//!
//! A text payload that is not base64 cannot become binary: AWS answers 500 (an API configuration
//! error) and so do we.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use bytes::Bytes;
use http::header::{ACCEPT, CONTENT_TYPE};
use http::HeaderMap;
use turnpike_model::{ApiKind, ContentHandling};

use crate::context::RequestContext;
use crate::gateway_response::GatewayError;

/// True when `value` (a `Content-Type`, or an `Accept` whose first media type counts) is binary
/// for the request's API. HTTP APIs have no non-proxy integrations, so only REST APIs match.
pub(crate) fn is_binary(ctx: &RequestContext, value: Option<&str>) -> bool {
    ctx.api
        .as_ref()
        .is_some_and(|api| api.kind == ApiKind::Rest && api.binary_media_types.matches(value))
}

/// Whether a header map's `name` value is binary for the request's API.
pub(crate) fn header_is_binary(
    ctx: &RequestContext,
    headers: Option<&HeaderMap>,
    name: http::header::HeaderName,
) -> bool {
    let value = headers
        .and_then(|h| h.get(name))
        .and_then(|v| v.to_str().ok());
    is_binary(ctx, value)
}

/// True when the method request's body is binary (its `Content-Type` matches).
pub(crate) fn request_is_binary(ctx: &RequestContext, headers: &HeaderMap) -> bool {
    header_is_binary(ctx, Some(headers), CONTENT_TYPE)
}

/// True when the client wants a binary method response (its first `Accept` media type matches).
pub(crate) fn accepts_binary(ctx: &RequestContext, headers: &HeaderMap) -> bool {
    header_is_binary(ctx, Some(headers), ACCEPT)
}

/// How an integration request treats the method request's body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RequestPayload {
    /// Text: templates apply; `decode` asks for the result to be base64-decoded
    /// (CONVERT_TO_BINARY).
    Text { encode: bool, decode: bool },
    /// Binary passed through untouched, no template applied.
    Binary,
}

impl RequestPayload {
    /// The treatment of a request whose body is `binary`, under `handling`.
    pub(crate) fn of(binary: bool, handling: Option<ContentHandling>) -> RequestPayload {
        match (binary, handling) {
            (true, Some(ContentHandling::ConvertToText)) => RequestPayload::Text {
                encode: true,
                decode: false,
            },
            (true, _) => RequestPayload::Binary,
            (false, handling) => RequestPayload::Text {
                encode: false,
                decode: handling == Some(ContentHandling::ConvertToBinary),
            },
        }
    }

    /// True when the body must be read whole to convert it.
    pub(crate) fn converts(self) -> bool {
        matches!(self, RequestPayload::Text { encode, decode } if encode || decode)
    }

    /// The text templates see: the body, base64-encoded when it was binary.
    pub(crate) fn text(self, body: &[u8]) -> String {
        match self {
            RequestPayload::Text { encode: true, .. } => STANDARD.encode(body),
            _ => String::from_utf8_lossy(body).into_owned(),
        }
    }

    /// The integration request's body from the template's output (or the text passed through).
    pub(crate) fn finish(self, text: Bytes) -> Result<Bytes, GatewayError> {
        match self {
            RequestPayload::Text { decode: true, .. } => to_binary(&text),
            _ => Ok(text),
        }
    }
}

/// How an integration response's payload becomes the method response's body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ResponsePayload {
    /// The integration response's payload is binary.
    pub(crate) from_binary: bool,
    /// The method response is binary.
    pub(crate) to_binary: bool,
}

impl ResponsePayload {
    pub(crate) fn of(
        from_binary: bool,
        accept_binary: bool,
        handling: Option<ContentHandling>,
    ) -> ResponsePayload {
        let to_binary = match handling {
            Some(ContentHandling::ConvertToBinary) => true,
            Some(ContentHandling::ConvertToText) => false,
            None => accept_binary,
        };
        ResponsePayload {
            from_binary,
            to_binary,
        }
    }

    /// True when the payload changes encoding, so it must be read whole.
    pub(crate) fn converts(self) -> bool {
        self.from_binary != self.to_binary
    }

    /// True when response templates apply: to every text payload, and to a binary one only once
    /// it has been base64-encoded into text.
    pub(crate) fn templates_apply(self) -> bool {
        !(self.from_binary && self.to_binary)
    }

    /// The text a template sees (`$input.body`): the payload, base64-encoded when binary.
    pub(crate) fn text(self, body: &[u8]) -> String {
        if self.from_binary {
            STANDARD.encode(body)
        } else {
            String::from_utf8_lossy(body).into_owned()
        }
    }

    /// The method response's body from the template's output, or from the payload as it came
    /// when no template applied (`raw`).
    pub(crate) fn finish(self, body: Bytes, raw: bool) -> Result<Bytes, GatewayError> {
        match (self.from_binary, self.to_binary, raw) {
            // Binary to text without a template: the encoding has not happened yet (a template's
            // output is already text).
            (true, false, true) => Ok(Bytes::from(STANDARD.encode(&body))),
            // Text (the payload, or a template's output) to binary.
            (false, true, _) => to_binary(&body),
            // Same kind on both sides: untouched.
            _ => Ok(body),
        }
    }
}

/// Base64-decodes a text payload; one that is not base64 is AWS's 500 for a failed conversion.
fn to_binary(text: &[u8]) -> Result<Bytes, GatewayError> {
    let trimmed = text.trim_ascii();
    STANDARD.decode(trimmed).map(Bytes::from).map_err(|_| {
        tracing::warn!(
            "Execution failed due to configuration error: Unable to convert the payload to \
             binary: it is not base64"
        );
        GatewayError::api_configuration_error()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use turnpike_model::GatewayResponseType;

    const CTT: Option<ContentHandling> = Some(ContentHandling::ConvertToText);
    const CTB: Option<ContentHandling> = Some(ContentHandling::ConvertToBinary);

    /// The request table row by row: (binary body, contentHandling) → integration request body.
    #[test]
    fn request_conversions_follow_the_aws_table() {
        let text = b"aGk=";
        let binary = [0xff_u8, 0x00, 0x41];
        let through = |binary_in: bool, h, body: &[u8]| {
            let p = RequestPayload::of(binary_in, h);
            match p {
                RequestPayload::Binary => Ok(Bytes::copy_from_slice(body)),
                p => p.finish(Bytes::from(p.text(body))),
            }
            .map_err(|e| e.kind)
        };
        assert_eq!(through(false, None, text), Ok(Bytes::from_static(b"aGk=")));
        assert_eq!(through(false, CTB, text), Ok(Bytes::from_static(b"hi")));
        assert_eq!(through(false, CTT, text), Ok(Bytes::from_static(b"aGk=")));
        assert_eq!(
            through(true, None, &binary),
            Ok(Bytes::copy_from_slice(&binary))
        );
        assert_eq!(
            through(true, CTB, &binary),
            Ok(Bytes::copy_from_slice(&binary))
        );
        assert_eq!(through(true, CTT, &binary), Ok(Bytes::from_static(b"/wBB")));
        assert_eq!(
            through(false, CTB, b"not base64!"),
            Err(GatewayResponseType::ApiConfigurationError)
        );
        assert!(!RequestPayload::of(false, None).converts());
        assert!(RequestPayload::of(true, CTT).converts());
        assert!(RequestPayload::of(false, CTB).converts());
        assert!(!RequestPayload::of(true, CTB).converts());
    }

    /// The response table row by row: (binary payload, binary Accept, contentHandling) → method
    /// response body, without a template.
    #[test]
    fn response_conversions_follow_the_aws_table() {
        let binary = Bytes::from_static(&[0xff, 0x00, 0x41]);
        let text = Bytes::from_static(b"/wBB");
        let out = |from_binary, accept_binary, h, body: &Bytes| {
            ResponsePayload::of(from_binary, accept_binary, h)
                .finish(body.clone(), true)
                .map_err(|e| e.kind)
        };
        // Text payload.
        assert_eq!(out(false, false, None, &text), Ok(text.clone()));
        assert_eq!(out(false, false, CTB, &text), Ok(binary.clone()));
        assert_eq!(out(false, false, CTT, &text), Ok(text.clone()));
        assert_eq!(out(false, true, None, &text), Ok(binary.clone()));
        assert_eq!(out(false, true, CTB, &text), Ok(binary.clone()));
        assert_eq!(out(false, true, CTT, &text), Ok(text.clone()));
        // Binary payload.
        assert_eq!(out(true, false, None, &binary), Ok(text.clone()));
        assert_eq!(out(true, false, CTB, &binary), Ok(binary.clone()));
        assert_eq!(out(true, false, CTT, &binary), Ok(text.clone()));
        assert_eq!(out(true, true, None, &binary), Ok(binary.clone()));
        assert_eq!(out(true, true, CTB, &binary), Ok(binary.clone()));
        assert_eq!(out(true, true, CTT, &binary), Ok(text.clone()));
    }

    #[test]
    fn templates_see_base64_of_binary_and_their_output_is_decoded_for_binary() {
        let p = ResponsePayload::of(true, false, CTT);
        assert!(p.templates_apply());
        assert_eq!(p.text(&[0xff, 0x00, 0x41]), "/wBB");
        // The template's output is already text: no second encoding.
        assert_eq!(
            p.finish(Bytes::from_static(b"{\"d\":\"/wBB\"}"), false)
                .ok(),
            Some(Bytes::from_static(b"{\"d\":\"/wBB\"}"))
        );
        let p = ResponsePayload::of(false, false, CTB);
        assert_eq!(
            p.finish(Bytes::from_static(b"aGk=\n"), false).ok(),
            Some(Bytes::from_static(b"hi"))
        );
        assert!(!ResponsePayload::of(true, true, None).templates_apply());
    }
}
