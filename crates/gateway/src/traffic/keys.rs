//! The authorize stage's API key lookup over the shared state: keys created with
//! `turnpike keys create` (or seeded from a template) are found by the SHA-256 of the presented
//! value, the only form the state keeps.

use std::sync::Arc;

use super::records::Records;

use crate::authorize::api_key::{ApiKeyLookup, LookupFuture};

/// [`ApiKeyLookup`] over the state's keys.
#[derive(Clone)]
pub(crate) struct StateKeys {
    pub(crate) records: Arc<Records>,
}

impl ApiKeyLookup for StateKeys {
    fn lookup(&self, value_sha256: [u8; 32]) -> LookupFuture<'_> {
        Box::pin(async move {
            match self.records.key(value_sha256).await {
                Ok(found) => found,
                Err(error) => {
                    // Unknown and unreadable are refused alike (403), as a missing key would be.
                    tracing::error!(%error, "API key lookup failed");
                    None
                }
            }
        })
    }
}
