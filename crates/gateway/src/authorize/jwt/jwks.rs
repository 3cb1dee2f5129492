//! The issuer's key set: fetched over HTTP(S), cached, and refetched when a token names a key the
//! cache lacks, at most once per [`MIN_REFETCH_INTERVAL`] and by one request at a time, so a flood
//! of tokens with made-up `kid`s costs the issuer one request per interval.

use std::sync::Arc;
use std::time::Duration;

use arc_swap::ArcSwap;
use bytes::Bytes;
use http::{Request, StatusCode, Uri};
use http_body_util::{BodyExt, Limited};
use serde_json::Value;
use tokio::sync::Mutex;
use tokio::time::Instant;

use super::key::{parse_jwks, PublicKey};
use crate::body::UpstreamBody;
use crate::integrate::UpstreamClient;

/// The shortest time between two fetches of the key set.
pub(crate) const MIN_REFETCH_INTERVAL: Duration = Duration::from_secs(10);
/// Keys older than this are refetched on the next lookup (issuers rotate keys).
const MAX_AGE: Duration = Duration::from_secs(3600);
/// A fetch (discovery and JWKS together) gives up after this long.
const FETCH_TIMEOUT: Duration = Duration::from_secs(5);
/// The largest discovery or JWKS document read.
const MAX_DOCUMENT_BYTES: usize = 512 * 1024;

/// Where the keys come from.
#[derive(Debug, Clone)]
pub(crate) enum KeySource {
    /// A JWKS document at this URL.
    Jwks(String),
    /// An OpenID Connect discovery document at this URL whose `jwks_uri` names the JWKS.
    Discovery(String),
}

/// A cached key set; lookups read it without locking.
pub(crate) struct KeySet {
    source: KeySource,
    client: UpstreamClient,
    cached: ArcSwap<Cached>,
    /// [`MIN_REFETCH_INTERVAL`], shorter in tests.
    refetch_interval: Duration,
    /// Held while fetching, so concurrent misses wait for one fetch instead of starting their own.
    fetching: Mutex<Option<Instant>>,
}

#[derive(Default)]
struct Cached {
    keys: Vec<Arc<PublicKey>>,
    fetched_at: Option<Instant>,
}

/// The outcome of a lookup.
#[derive(Debug)]
pub(crate) enum Lookup {
    Found(Arc<PublicKey>),
    /// The key set is known and has no such key.
    Unknown,
    /// The key set could not be fetched (and none was cached).
    Unavailable,
}

impl KeySet {
    pub(crate) fn new(source: KeySource, client: UpstreamClient) -> KeySet {
        KeySet {
            source,
            client,
            cached: ArcSwap::from_pointee(Cached::default()),
            refetch_interval: MIN_REFETCH_INTERVAL,
            fetching: Mutex::new(None),
        }
    }

    #[cfg(test)]
    pub(crate) fn set_refetch_interval(&mut self, interval: Duration) {
        self.refetch_interval = interval;
    }

    /// The key named `kid`. Fetches the set when it was never fetched, is stale, or lacks the
    /// key, within the refetch bound.
    pub(crate) async fn find(&self, kid: &str) -> Lookup {
        // The common case reads the cache without taking a reference count; the guard is
        // dropped before anything awaits.
        {
            let cached = self.cached.load();
            if is_fresh(&cached, Instant::now()) {
                if let Some(key) = select(&cached.keys, kid) {
                    return Lookup::Found(key);
                }
            }
        }
        let mut last_fetch = self.fetching.lock().await;
        // Another task may have fetched while this one waited.
        let cached = self.cached.load_full();
        let already_fresh = is_fresh(&cached, Instant::now());
        if let (true, Some(key)) = (already_fresh, select(&cached.keys, kid)) {
            return Lookup::Found(key);
        }
        let recently = last_fetch.is_some_and(|at| at.elapsed() < self.refetch_interval);
        if !recently {
            *last_fetch = Some(Instant::now());
            match tokio::time::timeout(FETCH_TIMEOUT, self.fetch()).await {
                Ok(Ok(keys)) => {
                    tracing::debug!(keys = keys.len(), "fetched the JWKS");
                    self.cached.store(Arc::new(Cached {
                        keys,
                        fetched_at: Some(Instant::now()),
                    }));
                }
                Ok(Err(error)) => tracing::warn!(%error, "cannot fetch the JWKS"),
                Err(_) => tracing::warn!("fetching the JWKS timed out"),
            }
        }
        drop(last_fetch);
        let cached = self.cached.load_full();
        match (cached.fetched_at, select(&cached.keys, kid)) {
            (_, Some(key)) => Lookup::Found(key),
            (Some(_), None) => Lookup::Unknown,
            (None, None) => Lookup::Unavailable,
        }
    }

    async fn fetch(&self) -> Result<Vec<Arc<PublicKey>>, String> {
        let jwks_url = match &self.source {
            KeySource::Jwks(url) => url.clone(),
            KeySource::Discovery(url) => {
                let document = get(&self.client, url).await?;
                let value: Value = serde_json::from_slice(&document)
                    .map_err(|e| format!("{url}: not JSON: {e}"))?;
                value
                    .get("jwks_uri")
                    .and_then(Value::as_str)
                    .ok_or_else(|| format!("{url}: no jwks_uri"))?
                    .to_owned()
            }
        };
        let document = get(&self.client, &jwks_url).await?;
        let keys =
            parse_jwks(&document).ok_or_else(|| format!("{jwks_url}: not a JWKS document"))?;
        Ok(keys.into_iter().map(Arc::new).collect())
    }
}

fn is_fresh(cached: &Cached, now: Instant) -> bool {
    cached
        .fetched_at
        .is_some_and(|at| now.saturating_duration_since(at) < MAX_AGE)
}

fn select(keys: &[Arc<PublicKey>], kid: &str) -> Option<Arc<PublicKey>> {
    keys.iter().find(|k| k.kid.as_deref() == Some(kid)).cloned()
}

async fn get(client: &UpstreamClient, url: &str) -> Result<Bytes, String> {
    let uri: Uri = url.parse().map_err(|e| format!("{url}: {e}"))?;
    let mut request = Request::new(UpstreamBody::full(Bytes::new()));
    *request.uri_mut() = uri;
    let response = client
        .request(request)
        .await
        .map_err(|e| format!("{url}: {e}"))?;
    if response.status() != StatusCode::OK {
        return Err(format!("{url}: status {}", response.status()));
    }
    let body = Limited::new(response.into_body(), MAX_DOCUMENT_BYTES)
        .collect()
        .await
        .map_err(|e| format!("{url}: {e}"))?;
    Ok(body.to_bytes())
}
