//! Random ids and key values, and key hashing.

use sha2::{Digest, Sha256};

use crate::StateError;

const ALPHANUMERIC: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const LOWER_ALPHANUMERIC: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";

/// Length of generated key values, as AWS generates them.
pub const GENERATED_VALUE_LEN: usize = 40;
/// Shortest value AWS accepts for a given key.
pub const MIN_VALUE_LEN: usize = 20;
/// Longest value AWS accepts.
pub const MAX_VALUE_LEN: usize = 128;
/// Characters of the value kept for display.
pub const PREFIX_LEN: usize = 5;

/// `len` characters drawn uniformly from `alphabet` (rejection sampling keeps it unbiased).
fn random_string(alphabet: &[u8], len: usize) -> Result<String, StateError> {
    let mut out = String::with_capacity(len);
    let limit = 256 - 256 % alphabet.len();
    let mut buf = [0u8; 64];
    while out.len() < len {
        getrandom::getrandom(&mut buf)
            .map_err(|e| StateError::BadRequest(format!("no randomness available: {e}")))?;
        for &b in buf.iter().filter(|&&b| usize::from(b) < limit) {
            if out.len() == len {
                break;
            }
            if let Some(&c) = alphabet.get(usize::from(b) % alphabet.len()) {
                out.push(char::from(c));
            }
        }
    }
    Ok(out)
}

/// A 10-character id like AWS's (`abc123def4`).
pub fn new_id() -> Result<String, StateError> {
    random_string(LOWER_ALPHANUMERIC, 10)
}

/// A 40-character key value like AWS generates.
pub fn new_value() -> Result<String, StateError> {
    random_string(ALPHANUMERIC, GENERATED_VALUE_LEN)
}

/// Lowercase hex SHA-256 of a key value.
pub fn hash_value(value: &str) -> String {
    let digest = Sha256::digest(value.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The displayable prefix of a value.
pub fn value_prefix(value: &str) -> String {
    value.chars().take(PREFIX_LEN).collect()
}

/// Checks a caller-chosen value as AWS does (20 to 128 characters), with AWS's messages.
pub fn check_value(value: &str) -> Result<(), StateError> {
    let len = value.chars().count();
    if len < MIN_VALUE_LEN {
        return Err(StateError::BadRequest(format!(
            "API Key value should be at least {MIN_VALUE_LEN} characters"
        )));
    }
    if len > MAX_VALUE_LEN {
        return Err(StateError::BadRequest(format!(
            "API Key value exceeds maximum size of {MAX_VALUE_LEN} characters"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
