//! Tokens whose signature has been checked, with their claims already read, so a client
//! presenting the same token again costs a table lookup instead of an RSA or ECDSA verification,
//! two base64 decodes and a JSON parse (together the bulk of a JWT route's cost).
//!
//! A remembered token is found by its exact bytes (the whole token is compared, never a digest
//! of it). Its time claims and the route's scopes are still checked on every request, and it
//! counts only while the issuer's key set still holds the very key that verified it, so a
//! rotated or withdrawn key takes its tokens with it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::claims::Claims;
use super::key::PublicKey;

/// Bound on remembered tokens; when full the memory starts over (a miss only costs a
/// verification).
const CAPACITY: usize = 10_000;
/// Bound on the bytes of remembered tokens (tokens may be up to 10 KiB each); their read claims
/// take a few times as much again.
const CAPACITY_BYTES: usize = 4 * 1024 * 1024;
/// How many trailing bytes of a token its hash covers: the end of the signature, which differs
/// between any two tokens an issuer signed. Equality still compares every byte.
const HASHED_SUFFIX: usize = 32;

/// What is remembered about a verified token.
pub(super) struct Verified {
    /// The header's `kid`: the key looked up again on every use.
    pub(super) kid: String,
    /// The key that verified the signature.
    pub(super) key: Arc<PublicKey>,
    pub(super) claims: Claims,
}

/// A token's length and last [`HASHED_SUFFIX`] bytes: where in the table it is looked for.
/// Tokens sharing a suffix share a bucket and are told apart by all their bytes.
#[derive(PartialEq, Eq, Hash)]
struct Suffix {
    len: usize,
    tail: [u8; HASHED_SUFFIX],
}

impl Suffix {
    fn of(token: &str) -> Suffix {
        let bytes = token.as_bytes();
        let tail_bytes = &bytes[bytes.len().saturating_sub(HASHED_SUFFIX)..];
        let mut tail = [0u8; HASHED_SUFFIX];
        tail[..tail_bytes.len()].copy_from_slice(tail_bytes);
        Suffix {
            len: bytes.len(),
            tail,
        }
    }
}

#[derive(Default)]
pub(super) struct VerifiedTokens {
    entries: Mutex<Entries>,
}

/// The tokens of one suffix, each with what is remembered about it.
type Bucket = Vec<(Box<str>, Arc<Verified>)>;

#[derive(Default)]
struct Entries {
    /// Almost always one token per bucket: only tokens an issuer signed get here.
    by_suffix: HashMap<Suffix, Bucket>,
    count: usize,
    bytes: usize,
}

impl VerifiedTokens {
    /// What was remembered about exactly `token`, if anything.
    pub(super) fn get(&self, token: &str) -> Option<Arc<Verified>> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let bucket = entries.by_suffix.get(&Suffix::of(token))?;
        bucket
            .iter()
            .find(|(known, _)| **known == *token)
            .map(|(_, verified)| Arc::clone(verified))
    }

    /// Remembers that `verified.key` verified `token`.
    pub(super) fn remember(&self, token: &str, verified: Verified) {
        let verified = Arc::new(verified);
        let mut guard = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let entries = &mut *guard;
        if entries.count >= CAPACITY || entries.bytes + token.len() > CAPACITY_BYTES {
            *entries = Entries::default();
        }
        let bucket = entries.by_suffix.entry(Suffix::of(token)).or_default();
        match bucket.iter_mut().find(|(known, _)| **known == *token) {
            // Verified again, e.g. after a key rotation: the new key counts from now on.
            Some((_, known)) => *known = verified,
            None => {
                bucket.push((token.into(), verified));
                entries.count += 1;
                entries.bytes += token.len();
            }
        }
    }

    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.entries.lock().unwrap_or_else(|e| e.into_inner()).count
    }
}
