//! The canonical request and string to sign of Signature Version 4, built the way AWS builds them
//! for `execute-api`: the path as sent, dot segments and empty segments removed, then URI-encoded
//! again (so `%2F` becomes `%252F`); query parameters decoded, re-encoded and sorted.

use std::fmt::Write as _;

use ring::digest;

/// The bytes SigV4 leaves unencoded besides alphanumerics.
fn is_unreserved(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~')
}

fn encode_into(out: &mut String, bytes: &[u8], keep_slash: bool) {
    for &byte in bytes {
        if is_unreserved(byte) || (keep_slash && byte == b'/') {
            out.push(char::from(byte));
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
}

/// The canonical URI of `raw_path` (as it appeared on the request line, still percent-encoded).
pub(crate) fn canonical_uri(raw_path: &str) -> String {
    let normalized = remove_dot_segments(raw_path);
    let mut out = String::with_capacity(normalized.len() + 8);
    encode_into(&mut out, normalized.as_bytes(), true);
    out
}

/// RFC 3986 dot-segment removal that also drops empty segments, as AWS's signers do.
fn remove_dot_segments(path: &str) -> String {
    if path.is_empty() {
        return "/".to_owned();
    }
    let mut segments: Vec<&str> = Vec::new();
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            other => segments.push(other),
        }
    }
    let mut out = String::with_capacity(path.len());
    if path.starts_with('/') {
        out.push('/');
    }
    out.push_str(&segments.join("/"));
    if path.ends_with('/') && !segments.is_empty() {
        out.push('/');
    }
    out
}

/// Decodes `%XX` escapes; anything else (including `+`) stays as it is.
fn percent_decode(text: &str) -> Vec<u8> {
    percent_encoding::percent_decode_str(text).collect()
}

/// The canonical query string of `raw_query` (without `?`), leaving out parameters named
/// `exclude` (`X-Amz-Signature` in the presigned form).
pub(crate) fn canonical_query(raw_query: &str, exclude: Option<&str>) -> String {
    let mut pairs: Vec<(String, String)> = raw_query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .filter_map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let key = percent_decode(key);
            if exclude.is_some_and(|name| name.as_bytes() == key.as_slice()) {
                return None;
            }
            let (mut k, mut v) = (String::new(), String::new());
            encode_into(&mut k, &key, false);
            encode_into(&mut v, &percent_decode(value), false);
            Some((k, v))
        })
        .collect();
    pairs.sort();
    let mut out = String::with_capacity(raw_query.len() + 16);
    for (index, (key, value)) in pairs.iter().enumerate() {
        if index > 0 {
            out.push('&');
        }
        out.push_str(key);
        out.push('=');
        out.push_str(value);
    }
    out
}

/// A header value as SigV4 canonicalises it: trimmed, runs of spaces collapsed to one.
pub(crate) fn trim_all(value: &str) -> String {
    value.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Lowercase hex.
pub(crate) fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        let _ = write!(out, "{byte:02x}");
    }
    out
}

/// Lowercase-hex SHA-256 of `data`.
pub(crate) fn sha256_hex(data: &[u8]) -> String {
    hex(digest::digest(&digest::SHA256, data).as_ref())
}

/// Decodes lowercase or uppercase hex; `None` on odd length or another character.
pub(crate) fn unhex(text: &str) -> Option<Vec<u8>> {
    let pairs = text.as_bytes().chunks_exact(2);
    if !pairs.remainder().is_empty() {
        return None;
    }
    let digit = |c: u8| char::from(c).to_digit(16);
    pairs
        .map(|pair| match pair {
            [high, low] => Some(u8::try_from(digit(*high)? * 16 + digit(*low)?).ok()?),
            _ => None,
        })
        .collect()
}
