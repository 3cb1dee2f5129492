//! The authorize stage's API key lookup over the shared state: keys created with
//! `turnpike keys create` (or seeded from a template) are found by the SHA-256 of the presented
//! value, the only form the state keeps.

use std::fmt::Write as _;
use std::sync::Arc;

use super::records::Records;

use crate::authorize::api_key::{ApiKeyLookup, ApiKeyRecord, LookupFuture};

/// [`ApiKeyLookup`] over the state's keys.
#[derive(Clone)]
pub(crate) struct StateKeys {
    pub(crate) records: Arc<Records>,
}

impl ApiKeyLookup for StateKeys {
    fn lookup(&self, value_sha256: [u8; 32]) -> LookupFuture<'_> {
        Box::pin(async move {
            match self.records.key_by_hash(&hex(&value_sha256)).await {
                Ok(found) => found.map(|key| ApiKeyRecord {
                    id: key.id,
                    name: key.name,
                    enabled: key.enabled,
                }),
                Err(error) => {
                    // Unknown and unreadable are refused alike (403), as a missing key would be.
                    tracing::error!(%error, "API key lookup failed");
                    None
                }
            }
        })
    }
}

/// Lowercase hex, the form the state stores hashes in.
pub(crate) fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}
