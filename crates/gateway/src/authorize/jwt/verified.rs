//! Tokens whose signature has been checked, so a client presenting the same token again costs a
//! SHA-256 instead of an RSA or ECDSA verification (the bulk of a JWT route's cost).
//!
//! Only the signature is remembered: the claims (`exp`, `nbf`, `iss`, `aud`, `token_use`,
//! scopes) are checked on every request, and a remembered signature counts only while the
//! issuer's key set still holds the very key that verified it, so a rotated or withdrawn key
//! takes its tokens with it.

use std::collections::HashMap;
use std::sync::Mutex;

use super::key::PublicKey;

/// Bound on remembered tokens; when full the memory starts over (a miss only costs a
/// verification).
const CAPACITY: usize = 10_000;

/// SHA-256 of a whole token.
pub(super) type Digest = [u8; 32];

#[derive(Default)]
pub(super) struct VerifiedTokens {
    entries: Mutex<HashMap<Digest, PublicKey>>,
}

impl VerifiedTokens {
    pub(super) fn digest(token: &str) -> Digest {
        let mut out = [0u8; 32];
        out.copy_from_slice(ring::digest::digest(&ring::digest::SHA256, token.as_bytes()).as_ref());
        out
    }

    /// Whether the token with `digest` was verified by exactly `key`.
    pub(super) fn verified_by(&self, digest: &Digest, key: &PublicKey) -> bool {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.get(digest).is_some_and(|k| k == key)
    }

    /// Remembers that `key` verified the token with `digest`.
    pub(super) fn remember(&self, digest: Digest, key: PublicKey) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= CAPACITY {
            entries.clear();
        }
        entries.insert(digest, key);
    }

    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.entries.lock().unwrap_or_else(|e| e.into_inner()).len()
    }
}
