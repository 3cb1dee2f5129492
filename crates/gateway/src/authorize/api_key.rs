//! API keys: taken from the request (`x-api-key`) or from a Lambda authorizer's
//! `usageIdentifierKey`, looked up by the SHA-256 of the value, and refused exactly as API Gateway
//! refuses them: 403 `{"message":"Forbidden"}` whether the key is missing, unknown or disabled.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use http::HeaderMap;
use ring::digest;
use turnpike_model::GatewayResponseType;

use crate::gateway_response::GatewayError;

#[cfg(test)]
mod tests;

/// Where a method's API key comes from (`apiKeySource` of a REST API).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ApiKeySource {
    /// The `x-api-key` request header.
    #[default]
    Header,
    /// The `usageIdentifierKey` a Lambda authorizer returned.
    Authorizer,
}

/// A stored API key, without its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKeyRecord {
    /// `$context.identity.apiKeyId`.
    pub id: String,
    pub name: String,
    /// A disabled key is refused like an unknown one.
    pub enabled: bool,
    /// Ids of the usage plans the key belongs to (none for keys given at load time).
    pub usage_plan_ids: Vec<String>,
}

/// The future a lookup returns. Records are shared: the request keeps the one it was admitted
/// with (`RequestContext::api_key`) for the throttling stage, which finds its usage plan by it.
pub type LookupFuture<'a> = Pin<Box<dyn Future<Output = Option<Arc<ApiKeyRecord>>> + Send + 'a>>;

/// Finds the key whose value hashes to `value_sha256`. Implemented in memory here and by the
/// persistent key store; only hashes are ever compared, so stores never need the values.
pub trait ApiKeyLookup: Send + Sync {
    fn lookup(&self, value_sha256: [u8; 32]) -> LookupFuture<'_>;
}

/// The SHA-256 of a key value, the form keys are stored and looked up in.
pub fn hash_key(value: &str) -> [u8; 32] {
    let mut out = [0; 32];
    out.copy_from_slice(digest::digest(&digest::SHA256, value.as_bytes()).as_ref());
    out
}

/// Keys given at load time (SAM `AWS::ApiGateway::ApiKey`, tests), held by hash.
#[derive(Debug, Clone, Default)]
pub(crate) struct InMemoryApiKeys {
    // Keyed by digest: a lookup's timing depends only on the hash of the presented value, which
    // tells an attacker nothing about any stored value.
    by_hash: HashMap<[u8; 32], Arc<ApiKeyRecord>>,
}

impl InMemoryApiKeys {
    /// Holds `keys`, each a value and its record; the values are hashed and dropped.
    pub(crate) fn new<'a>(keys: impl IntoIterator<Item = (&'a str, ApiKeyRecord)>) -> Self {
        InMemoryApiKeys {
            by_hash: keys
                .into_iter()
                .map(|(value, record)| (hash_key(value), Arc::new(record)))
                .collect(),
        }
    }
}

impl ApiKeyLookup for InMemoryApiKeys {
    fn lookup(&self, value_sha256: [u8; 32]) -> LookupFuture<'_> {
        let found = self.by_hash.get(&value_sha256).cloned();
        Box::pin(std::future::ready(found))
    }
}

/// Why a request's API key was refused; API Gateway answers all three the same way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub(crate) enum ApiKeyRejection {
    #[error("no API key")]
    Missing,
    #[error("unknown API key")]
    Unknown,
    #[error("disabled API key")]
    Disabled,
}

impl ApiKeyRejection {
    /// 403.
    pub(crate) fn status(&self) -> u16 {
        403
    }

    /// `{"message":"Forbidden"}`.
    pub(crate) fn body(&self) -> &'static str {
        r#"{"message":"Forbidden"}"#
    }

    /// The INVALID_API_KEY gateway response (403 `{"message":"Forbidden"}`, ForbiddenException).
    pub(crate) fn gateway_error(&self) -> GatewayError {
        GatewayError::new(GatewayResponseType::InvalidApiKey)
    }
}

/// The key value presented: the first non-empty `x-api-key` header (any case), or the
/// authorizer's `usageIdentifierKey`.
pub(crate) fn extract<'a>(
    source: ApiKeySource,
    headers: &'a HeaderMap,
    usage_identifier_key: Option<&'a str>,
) -> Option<&'a str> {
    let value = match source {
        ApiKeySource::Header => headers.get("x-api-key").and_then(|v| v.to_str().ok()),
        ApiKeySource::Authorizer => usage_identifier_key,
    };
    value.filter(|v| !v.is_empty())
}

/// Requires a valid, enabled key from `source` (with `AUTHORIZER`, the Lambda authorizer's
/// `usageIdentifierKey`: the key both validated here and metered by the key's usage plans);
/// its record on success.
pub(crate) async fn check(
    source: ApiKeySource,
    headers: &HeaderMap,
    usage_identifier_key: Option<&str>,
    keys: &dyn ApiKeyLookup,
) -> Result<Arc<ApiKeyRecord>, ApiKeyRejection> {
    let value = extract(source, headers, usage_identifier_key).ok_or(ApiKeyRejection::Missing)?;
    let record = keys
        .lookup(hash_key(value))
        .await
        .ok_or(ApiKeyRejection::Unknown)?;
    if !record.enabled {
        return Err(ApiKeyRejection::Disabled);
    }
    Ok(record)
}
