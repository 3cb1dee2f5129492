//! Request limits: everything a client controls is bounded before it costs anything.
//!
//! - URI (path and query) longer than [`Limits::max_uri_bytes`] → 414;
//! - request headers (names, values and separators) over [`Limits::max_header_bytes`] → 431
//!   (hyper's own, larger, buffer limit answers 431 for anything bigger still);
//! - a body over [`Limits::max_body_bytes`] (AWS: 10 MB) → REQUEST_TOO_LARGE (413): up front from
//!   `Content-Length`, and while streaming for bodies without one, which aborts the upstream
//!   request.

use http::header::CONTENT_LENGTH;
use http::{HeaderMap, Uri};
use http_body_util::LengthLimitError;

use crate::config::Limits;
use crate::gateway_response::GatewayError;

pub(crate) fn check_uri(uri: &Uri, limits: &Limits) -> Result<(), GatewayError> {
    let len = uri.path_and_query().map_or(0, |pq| pq.as_str().len());
    if len > limits.max_uri_bytes {
        return Err(GatewayError::uri_too_long());
    }
    Ok(())
}

pub(crate) fn check_headers(headers: &HeaderMap, limits: &Limits) -> Result<(), GatewayError> {
    // As on the wire: "name: value\r\n".
    let len: usize = headers
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len() + 4)
        .sum();
    if len > limits.max_header_bytes {
        return Err(GatewayError::header_fields_too_large());
    }
    Ok(())
}

pub(crate) fn check_content_length(
    headers: &HeaderMap,
    limits: &Limits,
) -> Result<(), GatewayError> {
    let declared = headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|len| len > limits.max_body_bytes) {
        return Err(GatewayError::request_too_large());
    }
    Ok(())
}

/// Reads a request body whole, for integrations that need all of it (MOCK, Lambda): over
/// `max_bytes` is a 413, a broken body (bad chunked framing, a client that hangs up) a 400.
pub(crate) async fn read_body(
    body: crate::body::RequestBody,
    max_bytes: u64,
) -> Result<bytes::Bytes, GatewayError> {
    use http_body_util::BodyExt;
    let body = match body {
        crate::body::RequestBody::Stream(body) => body,
        crate::body::RequestBody::Buffered(bytes) => return Ok(bytes),
    };
    let limit = usize::try_from(max_bytes).unwrap_or(usize::MAX);
    match http_body_util::Limited::new(body, limit).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(error) if error.is::<LengthLimitError>() => Err(GatewayError::request_too_large()),
        Err(_) => Err(GatewayError::bad_request()),
    }
}

/// True when `error` (or one of its sources) is the body limit tripping mid-stream.
pub(crate) fn is_body_too_large(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut current = Some(error);
    while let Some(e) = current {
        if e.is::<LengthLimitError>() {
            return true;
        }
        current = e.source();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use turnpike_model::GatewayResponseType;

    fn limits() -> Limits {
        Limits {
            max_body_bytes: 10,
            max_uri_bytes: 12,
            max_header_bytes: 30,
        }
    }

    #[test]
    fn the_uri_limit_counts_path_and_query() {
        let ok: Uri = "/dev/a?b=cde".parse().unwrap();
        assert_eq!(ok.path_and_query().unwrap().as_str().len(), 12);
        assert!(check_uri(&ok, &limits()).is_ok());
        let long: Uri = "/dev/a?b=cdef".parse().unwrap();
        let err = check_uri(&long, &limits()).unwrap_err();
        assert_eq!(
            (err.kind, err.status),
            (GatewayResponseType::Default4xx, Some(414))
        );
    }

    #[test]
    fn the_header_limit_counts_names_values_and_separators() {
        let mut headers = HeaderMap::new();
        headers.insert("x-a", "0123456789".parse().unwrap()); // 3 + 10 + 4 = 17
        headers.insert("x-b", "012345".parse().unwrap()); // 3 + 6 + 4 = 13
        assert!(check_headers(&headers, &limits()).is_ok());
        headers.insert("x-c", "".parse().unwrap());
        let err = check_headers(&headers, &limits()).unwrap_err();
        assert_eq!(err.status, Some(431));
    }

    #[test]
    fn a_declared_body_over_the_limit_is_refused_up_front() {
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_LENGTH, "10".parse().unwrap());
        assert!(check_content_length(&headers, &limits()).is_ok());
        headers.insert(CONTENT_LENGTH, "11".parse().unwrap());
        assert_eq!(
            check_content_length(&headers, &limits()).unwrap_err().kind,
            GatewayResponseType::RequestTooLarge
        );
        assert!(check_content_length(&HeaderMap::new(), &limits()).is_ok());
    }

    #[tokio::test]
    async fn finds_the_length_limit_among_error_sources() {
        use http_body_util::{BodyExt, Full, Limited};
        #[derive(Debug)]
        struct Wrapper(Box<dyn std::error::Error + Send + Sync>);
        impl std::fmt::Display for Wrapper {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("wrapped")
            }
        }
        impl std::error::Error for Wrapper {
            fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
                Some(&*self.0)
            }
        }
        let limited = Limited::new(Full::new(bytes::Bytes::from_static(b"abcdef")), 2)
            .collect()
            .await
            .unwrap_err();
        assert!(is_body_too_large(&Wrapper(limited)));
        let other: Box<dyn std::error::Error + Send + Sync> = "other".into();
        assert!(!is_body_too_large(&Wrapper(other)));
    }
}
