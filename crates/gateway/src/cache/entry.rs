//! A cached response as bytes: status, headers and body in one buffer, so both back ends store
//! one value per key.
//!
//! Layout: status (u16), header count (u16), then per header its name length (u16), name, value
//! length (u32), value; then the body to the end.

use bytes::{BufMut, Bytes, BytesMut};
use http::{HeaderMap, HeaderName, HeaderValue, StatusCode};

/// A response read back from the cache.
#[derive(Debug, PartialEq)]
pub(crate) struct CachedResponse {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
}

/// Encodes a response; `None` when it has more headers than a u16 counts (never cached).
pub(crate) fn encode(status: StatusCode, headers: &HeaderMap, body: &[u8]) -> Option<Bytes> {
    let count = u16::try_from(headers.len()).ok()?;
    let size: usize = headers
        .iter()
        .map(|(n, v)| 6 + n.as_str().len() + v.len())
        .sum();
    let mut out = BytesMut::with_capacity(4 + size + body.len());
    out.put_u16(status.as_u16());
    out.put_u16(count);
    for (name, value) in headers {
        out.put_u16(u16::try_from(name.as_str().len()).ok()?);
        out.put_slice(name.as_str().as_bytes());
        out.put_u32(u32::try_from(value.len()).ok()?);
        out.put_slice(value.as_bytes());
    }
    out.put_slice(body);
    Some(out.freeze())
}

/// Decodes what [`encode`] wrote; `None` for anything else (a foreign or damaged value is a miss).
pub(crate) fn decode(value: &Bytes) -> Option<CachedResponse> {
    let mut at = 0usize;
    let take = |at: &mut usize, n: usize| -> Option<std::ops::Range<usize>> {
        let end = at.checked_add(n).filter(|end| *end <= value.len())?;
        let range = *at..end;
        *at = end;
        Some(range)
    };
    let u16_at = |at: &mut usize| -> Option<u16> {
        let r = take(at, 2)?;
        Some(u16::from_be_bytes([value[r.start], value[r.start + 1]]))
    };
    let status = StatusCode::from_u16(u16_at(&mut at)?).ok()?;
    let count = u16_at(&mut at)?;
    let mut headers = HeaderMap::with_capacity(usize::from(count));
    for _ in 0..count {
        let name_len = usize::from(u16_at(&mut at)?);
        let name = HeaderName::from_bytes(&value[take(&mut at, name_len)?]).ok()?;
        let r = take(&mut at, 4)?;
        let bytes = [
            value[r.start],
            value[r.start + 1],
            value[r.start + 2],
            value[r.start + 3],
        ];
        let value_len = usize::try_from(u32::from_be_bytes(bytes)).ok()?;
        let header = HeaderValue::from_maybe_shared(value.slice(take(&mut at, value_len)?)).ok()?;
        headers.append(name, header);
    }
    Some(CachedResponse {
        status,
        headers,
        body: value.slice(at..),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn responses_round_trip_with_repeated_headers() {
        let mut headers = HeaderMap::new();
        headers.insert("content-type", HeaderValue::from_static("application/json"));
        headers.append("set-cookie", HeaderValue::from_static("a=1"));
        headers.append("set-cookie", HeaderValue::from_static("b=2"));
        let value = encode(StatusCode::CREATED, &headers, b"{\"x\":1}").unwrap();
        let decoded = decode(&value).unwrap();
        assert_eq!(decoded.status, StatusCode::CREATED);
        assert_eq!(decoded.headers, headers);
        assert_eq!(&decoded.body[..], b"{\"x\":1}");
    }

    #[test]
    fn damaged_values_are_misses() {
        let value = encode(StatusCode::OK, &HeaderMap::new(), b"").unwrap();
        assert_eq!(decode(&value).unwrap().body.len(), 0);
        assert_eq!(decode(&Bytes::from_static(b"\x00")), None);
        assert_eq!(
            decode(&Bytes::from_static(b"\x00\xc8\x00\x01\x00\x09ab")),
            None
        );
        assert_eq!(decode(&Bytes::from_static(b"\x03\xe8\x00\x00")), None);
    }
}
