//! The identifiers API Gateway gives each request.
//!
//! - REST `$context.requestId` (and `x-amzn-RequestId`): a UUID v4.
//! - `$context.extendedRequestId` (REST `x-amz-apigw-id`, and the HTTP API request id returned in
//!   `apigw-requestid`): 11 random bytes in base64, e.g. `RL2XYiwjPHcEMEQ=`.
//! - `X-Amzn-Trace-Id`: `Root=1-{epoch seconds, 8 hex}-{96 random bits, 24 hex}`, X-Ray's format.
//!
//! The random bits come from a per-thread generator seeded once from the operating system, so a
//! request costs no system call for its ids. They identify requests; they guard nothing.

use std::cell::Cell;

use uuid::Uuid;

thread_local! {
    static STATE: Cell<u64> = Cell::new(seed());
}

fn seed() -> u64 {
    let random = u128::from_le_bytes(Uuid::new_v4().into_bytes());
    (random as u64) ^ ((random >> 64) as u64)
}

/// SplitMix64: fast, and every output of a well-mixed 64-bit state.
fn next_u64() -> u64 {
    STATE.with(|state| {
        let s = state.get().wrapping_add(0x9e37_79b9_7f4a_7c15);
        state.set(s);
        let mut z = s;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    })
}

fn random_bytes() -> [u8; 16] {
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&next_u64().to_le_bytes());
    bytes[8..].copy_from_slice(&next_u64().to_le_bytes());
    bytes
}

/// A UUID v4, hyphenated and lower case, kept inline: a request's id costs no allocation.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RequestUuid([u8; uuid::fmt::Hyphenated::LENGTH]);

impl RequestUuid {
    pub(crate) fn as_str(&self) -> &str {
        // Always ASCII: written by `encode_lower`.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

/// A fresh UUID v4.
pub(crate) fn request_uuid() -> RequestUuid {
    let mut text = [0u8; uuid::fmt::Hyphenated::LENGTH];
    uuid::Builder::from_random_bytes(random_bytes())
        .into_uuid()
        .hyphenated()
        .encode_lower(&mut text);
    RequestUuid(text)
}

/// True for a client-supplied `x-amzn-RequestId` API Gateway would accept: a UUID.
pub(crate) fn is_uuid(s: &str) -> bool {
    s.len() == 36 && Uuid::try_parse(s).is_ok()
}

/// An extended request id: 11 random bytes, base64 with padding (16 characters).
pub(crate) fn extended_request_id() -> String {
    let random = random_bytes();
    base64(&random[..11])
}

/// An X-Ray trace header value for a request received at `epoch_seconds`.
pub(crate) fn trace_id(epoch_seconds: u64) -> String {
    let random = random_bytes();
    let mut out = String::with_capacity(40);
    out.push_str("Root=1-");
    push_hex(&mut out, &(epoch_seconds as u32).to_be_bytes());
    out.push('-');
    push_hex(&mut out, &random[..12]);
    out
}

fn push_hex(out: &mut String, bytes: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for b in bytes {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 0x0f)]));
    }
}

/// Standard base64 with `=` padding (RFC 4648 §4).
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b0 = chunk.first().copied().unwrap_or(0);
        let b1 = chunk.get(1).copied().unwrap_or(0);
        let b2 = chunk.get(2).copied().unwrap_or(0);
        let n = (u32::from(b0) << 16) | (u32::from(b1) << 8) | u32::from(b2);
        let sextet = |shift: u32| char::from(ALPHABET[((n >> shift) & 0x3f) as usize]);
        out.push(sextet(18));
        out.push(sextet(12));
        out.push(if chunk.len() > 1 { sextet(6) } else { '=' });
        out.push(if chunk.len() > 2 { sextet(0) } else { '=' });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc_4648_vectors() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    }

    #[test]
    fn extended_ids_look_like_aws_ones() {
        let id = extended_request_id();
        assert_eq!(id.len(), 16);
        assert!(id.ends_with('='));
        assert!(id[..15]
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/'));
        assert_ne!(id, extended_request_id());
    }

    #[test]
    fn request_ids_are_uuids() {
        let uuid = request_uuid();
        let id = uuid.as_str();
        assert!(is_uuid(id));
        assert_eq!(id, id.to_ascii_lowercase());
        assert_eq!(Uuid::try_parse(id).unwrap().get_version_num(), 4);
        assert_ne!(id, request_uuid().as_str());
        assert_eq!(id.len(), 36);
        assert!(!is_uuid("not-a-uuid"));
        assert!(!is_uuid("c0ffee00c0ffee00c0ffee00c0ffee00"));
    }

    #[test]
    fn trace_ids_follow_the_x_ray_format() {
        let id = trace_id(0x5f84_c7a2);
        assert_eq!(id.len(), 7 + 8 + 1 + 24);
        assert!(id.starts_with("Root=1-5f84c7a2-"));
        assert!(id[16..].bytes().all(|b| b.is_ascii_hexdigit()));
    }
}
