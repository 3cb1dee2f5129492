//! The response cache stage (REST APIs), run after authorization, throttling and validation
//! (API Gateway caches behind its authorizers) and around the integration: a cached response
//! answers without calling the back end; a miss calls it and stores what it answered.
//!
//! - What is cached is set per stage and method ([`turnpike_model::cache`]), compiled here per
//!   deployment into [`ApiCache`]: each cached route's TTL, key prefix and key parameters.
//! - Keys: API, stage, method, resource path (or the method's `cacheNamespace`, which lets
//!   resources share entries), then the values of `cacheKeyParameters` ([`key`]).
//! - Responses up to 1 MB (API Gateway's limit) are cached, whatever their status; a larger or
//!   unsized streamed body is passed through uncached.
//! - `Cache-Control: max-age=0` refetches and replaces the entry when the caller may invalidate
//!   (an IAM caller, or anyone when the method does not require authorization); otherwise the
//!   method's `unauthorizedCacheControlHeaderStrategy` applies.
//! - Entries live in the shared [`State`] (in memory, or Redis shared by gateways); a state
//!   failure is a miss, never an error. Hits and misses are counted per API and stage
//!   (CacheHitCount / CacheMissCount), served by [`crate::metrics`]; the gateway keeps those
//!   counters across deployments ([`CounterRegistry`]).

mod entry;
mod key;

#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use bytes::Bytes;
use http::header::{CACHE_CONTROL, WARNING};
use http::request::Parts;
use http::{HeaderValue, Response};
use http_body::Body;
use http_body_util::BodyExt;
use turnpike_model::cache::{
    UnauthorizedCacheControlHeaderStrategy as Strategy, MAX_CACHED_RESPONSE_BYTES,
};
use turnpike_model::{Api, ApiKind, GatewayResponseType, RouteKey, Stage, REGION};
use turnpike_state::State;

use crate::body::ResponseBody;
use crate::context::{RequestContext, ACCOUNT_ID};
use crate::gateway_response::GatewayError;
use crate::mapping::MethodRequest;
use crate::router::PathParams;
use key::KeyPart;

/// The `Warning` API Gateway adds when it ignores an unauthorized caller's `Cache-Control`.
pub(crate) const UNAUTHORIZED_WARNING: &str =
    "199 Cache-control headers were ignored because the caller was unauthorized.";

/// The gateway's response cache: where entries live, and the hit and miss counters that outlive
/// deployments.
#[derive(Clone)]
pub(crate) struct ResponseCache {
    state: State,
    counters: Arc<CounterRegistry>,
}

impl std::fmt::Debug for ResponseCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResponseCache").finish_non_exhaustive()
    }
}

impl ResponseCache {
    pub(crate) fn new(state: State) -> ResponseCache {
        ResponseCache {
            state,
            counters: Arc::default(),
        }
    }

    /// Points every caching stage of a freshly built `snapshot` at this cache's counters for its
    /// API and stage; every snapshot the gateway serves goes through here (at bind and reload).
    pub(crate) fn attach(&self, snapshot: &mut crate::snapshot::Snapshot) {
        snapshot.attach_cache_counters(&self.counters);
    }
}

/// Hits and misses of one stage's cache.
#[derive(Debug, Default)]
pub(crate) struct CacheCounters {
    hits: AtomicU64,
    misses: AtomicU64,
}

impl CacheCounters {
    /// (CacheHitCount, CacheMissCount) since the gateway started (or since the deployment was
    /// compiled, for a snapshot built without the gateway's [`CounterRegistry`]).
    pub(crate) fn get(&self) -> (u64, u64) {
        (
            self.hits.load(Ordering::Relaxed),
            self.misses.load(Ordering::Relaxed),
        )
    }

    /// Counts `hits` and `misses` as the cache stage would.
    #[cfg(test)]
    pub(crate) fn count(&self, hits: u64, misses: u64) {
        self.hits.fetch_add(hits, Ordering::Relaxed);
        self.misses.fetch_add(misses, Ordering::Relaxed);
    }
}

/// The gateway's cache counters by API id and stage, outliving deployments: each compiled
/// snapshot takes its stages' counters from here, so a reload keeps counting where the previous
/// deployment stopped (Prometheus counters must never go back). Locked only while a snapshot is
/// built; requests reach the counters through the snapshot.
#[derive(Debug, Default)]
pub(crate) struct CounterRegistry {
    stages: Mutex<HashMap<(String, String), Arc<CacheCounters>>>,
}

impl CounterRegistry {
    /// The counters of `api_id`'s `stage`, created at 0 the first time.
    fn counters(&self, api_id: &str, stage: &str) -> Arc<CacheCounters> {
        // A panic elsewhere while holding the lock leaves the map intact: keep using it.
        let mut stages = self.stages.lock().unwrap_or_else(PoisonError::into_inner);
        stages
            .entry((api_id.to_owned(), stage.to_owned()))
            .or_default()
            .clone()
    }
}

/// One cached method of one stage.
#[derive(Debug)]
struct RouteCache {
    /// The request method cached: the route's, GET for an ANY route.
    method: http::Method,
    /// `{api}/{stage}/{METHOD} {resource path}`, or the namespace form ([`key::route_prefix`]).
    prefix: String,
    parts: Vec<KeyPart>,
    ttl: Duration,
    require_authorization: bool,
    strategy: Strategy,
}

#[derive(Debug, Default)]
struct StageRoutes {
    /// By route index.
    routes: Vec<Option<RouteCache>>,
    counters: Arc<CacheCounters>,
}

/// An API's compiled caches, by stage name.
#[derive(Debug, Default)]
pub(crate) struct ApiCache {
    /// The label of its counters: the ApiName dimension, which is the API's name without its
    /// non-ASCII characters, or its id when that leaves nothing (as API Gateway sends it).
    api_name: String,
    stages: BTreeMap<String, StageRoutes>,
}

impl ApiCache {
    /// Compiles the caches of `api`'s `stages` (empty when none of them caches anything).
    pub(crate) fn compile(api: &Api, stages: &[Stage]) -> ApiCache {
        let mut out = ApiCache {
            api_name: dimension_name(api),
            stages: BTreeMap::new(),
        };
        if api.kind != ApiKind::Rest || api.caching.is_off() {
            return out;
        }
        for stage in crate::snapshot::stages_for(api.kind, stages) {
            let stage = stage.name.as_str();
            let Some(settings) = api.caching.for_stage(stage) else {
                continue;
            };
            let routes: Vec<Option<RouteCache>> = api
                .routes
                .iter()
                .map(|route| {
                    let RouteKey::Method { method, path } = &route.key else {
                        return None;
                    };
                    // An ANY method caches GET requests only, as the stage default applies to GET.
                    let cached = match method.as_str() {
                        "ANY" => "GET",
                        other => other,
                    };
                    let m = settings.method(path, cached)?;
                    let (prefix, parts) = key::route_prefix(
                        &format!("{}/{stage}/{cached}", api.id),
                        path,
                        route.cache_namespace.as_deref(),
                        &route.integration.cache_key_parameters,
                    );
                    Some(RouteCache {
                        method: http::Method::from_bytes(cached.as_bytes()).ok()?,
                        prefix,
                        parts,
                        ttl: Duration::from_secs(u64::from(m.ttl_seconds)),
                        require_authorization: m.require_authorization,
                        strategy: m.unauthorized_strategy,
                    })
                })
                .collect();
            if routes.iter().any(Option::is_some) {
                let stage_routes = StageRoutes {
                    routes,
                    counters: Arc::default(),
                };
                out.stages.insert(stage.to_owned(), stage_routes);
            }
        }
        out
    }

    /// Replaces each caching stage's fresh counters with the gateway's for `api_id` and that
    /// stage, before the snapshot serves.
    pub(crate) fn use_counters(&mut self, api_id: &str, registry: &CounterRegistry) {
        for (name, stage) in &mut self.stages {
            stage.counters = registry.counters(api_id, name);
        }
    }

    /// The hit and miss counters of `stage`, when it caches.
    #[cfg(test)]
    pub(crate) fn counters(&self, stage: &str) -> Option<Arc<CacheCounters>> {
        self.stages.get(stage).map(|s| s.counters.clone())
    }

    /// The API's ApiName dimension, its counters' `api_name` label.
    pub(crate) fn api_name(&self) -> &str {
        &self.api_name
    }

    /// Each caching stage with its counters, in stage name order.
    pub(crate) fn stage_counters(&self) -> impl Iterator<Item = (&str, &CacheCounters)> {
        self.stages
            .iter()
            .map(|(name, stage)| (name.as_str(), &*stage.counters))
    }

    fn route(&self, stage: &str, route: usize) -> Option<(&RouteCache, &Arc<CacheCounters>)> {
        let stage = self.stages.get(stage)?;
        Some((stage.routes.get(route)?.as_ref()?, &stage.counters))
    }
}

/// `api`'s ApiName dimension.
fn dimension_name(api: &Api) -> String {
    let ascii: String = api.name.chars().filter(char::is_ascii).collect();
    if ascii.is_empty() {
        api.id.clone()
    } else {
        ascii
    }
}

/// What the cache stage decided before the integration.
pub(crate) enum Lookup {
    /// Not cached: call the integration and pass its response on.
    Off,
    /// Answered from the cache.
    Hit(Response<ResponseBody>),
    /// Call the integration, then [`Lookup::store`] its response.
    Miss(Pending),
}

/// A miss waiting for the integration's response.
pub(crate) struct Pending {
    state: State,
    key: String,
    ttl: Duration,
    warning: bool,
}

/// Looks the request up. Errs only for an unauthorized `Cache-Control: max-age=0` when the
/// method's strategy is FAIL_WITH_403.
pub(crate) async fn lookup(
    cache: Option<&ResponseCache>,
    ctx: &RequestContext,
    parts: &Parts,
    params: Option<&PathParams>,
) -> Result<Lookup, GatewayError> {
    let (Some(cache), Some(api), Some(stage), Some(route)) =
        (cache, ctx.api.as_ref(), ctx.stage.as_ref(), ctx.route)
    else {
        return Ok(Lookup::Off);
    };
    let Some((route, counters)) = api.cache.route(&stage.name, route) else {
        return Ok(Lookup::Off);
    };
    if parts.method != route.method {
        return Ok(Lookup::Off);
    }
    let request = MethodRequest::of(parts, params);
    let key = key::build(&route.prefix, &route.parts, &request);
    let mut warning = false;
    if asks_to_invalidate(&parts.headers) {
        // Only an IAM-signed caller can hold execute-api:InvalidateCache.
        let authorized = !route.require_authorization || ctx.identity.is_some();
        if authorized {
            let misses = counters.misses.fetch_add(1, Ordering::Relaxed) + 1;
            tracing::debug!(api = %api.id, stage = %stage.name, misses, "cache entry invalidated");
            return Ok(Lookup::Miss(Pending {
                state: cache.state.clone(),
                key,
                ttl: route.ttl,
                warning,
            }));
        }
        match route.strategy {
            Strategy::FailWith403 => return Err(invalidation_denied(ctx, parts)),
            Strategy::SucceedWithResponseHeader => warning = true,
            Strategy::SucceedWithoutResponseHeader => {}
        }
    }
    let cached = cache.state.cache_get(&key).await;
    if let Some(found) = cached.as_ref().and_then(entry::decode) {
        let hits = counters.hits.fetch_add(1, Ordering::Relaxed) + 1;
        tracing::debug!(api = %api.id, stage = %stage.name, hits, "cache hit");
        let mut response = Response::new(ResponseBody::full(found.body));
        *response.status_mut() = found.status;
        *response.headers_mut() = found.headers;
        if warning {
            add_warning(&mut response);
        }
        return Ok(Lookup::Hit(response));
    }
    let misses = counters.misses.fetch_add(1, Ordering::Relaxed) + 1;
    tracing::debug!(api = %api.id, stage = %stage.name, misses, "cache miss");
    Ok(Lookup::Miss(Pending {
        state: cache.state.clone(),
        key,
        ttl: route.ttl,
        warning,
    }))
}

impl Lookup {
    /// Passes the integration's `response` on, storing it first on a miss when it is small
    /// enough to cache.
    pub(crate) async fn store(
        self,
        response: Response<ResponseBody>,
    ) -> Result<Response<ResponseBody>, GatewayError> {
        let Lookup::Miss(pending) = self else {
            return Ok(response);
        };
        let max = MAX_CACHED_RESPONSE_BYTES as u64;
        let fits = response
            .body()
            .size_hint()
            .upper()
            .is_some_and(|n| n <= max);
        let mut response = if fits {
            let (head, body) = response.into_parts();
            let bytes: Bytes = match body {
                ResponseBody::Full { data } => data.unwrap_or_default(),
                stream => stream
                    .collect()
                    .await
                    .map_err(|_| GatewayError::integration_failure())?
                    .to_bytes(),
            };
            if let Some(value) = entry::encode(head.status, &head.headers, &bytes) {
                pending
                    .state
                    .cache_put(&pending.key, value, pending.ttl)
                    .await;
            }
            Response::from_parts(head, ResponseBody::full(bytes))
        } else {
            response
        };
        if pending.warning {
            add_warning(&mut response);
        }
        Ok(response)
    }
}

/// Whether the request's `Cache-Control` has `max-age=0`.
fn asks_to_invalidate(headers: &http::HeaderMap) -> bool {
    headers
        .get_all(CACHE_CONTROL)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|d| {
            let d = d.trim();
            d.len() == 9 && d[..8].eq_ignore_ascii_case("max-age=") && &d[8..] == "0"
        })
}

fn add_warning<B>(response: &mut Response<B>) {
    response
        .headers_mut()
        .append(WARNING, HeaderValue::from_static(UNAUTHORIZED_WARNING));
}

/// FAIL_WITH_403: ACCESS_DENIED naming the action and the method's resource, as IAM denials do.
fn invalidation_denied(ctx: &RequestContext, parts: &Parts) -> GatewayError {
    let api = ctx.api.as_ref().map_or("", |a| a.id.as_str());
    let stage = ctx.stage.as_ref().map_or("", |s| s.name.as_str());
    let path = parts.uri.path();
    let path = path
        .strip_prefix('/')
        .and_then(|p| p.strip_prefix(stage))
        .filter(|p| p.is_empty() || p.starts_with('/'))
        .unwrap_or(path);
    GatewayError::new(GatewayResponseType::AccessDenied).with_message(format!(
        "User: anonymous is not authorized to perform: execute-api:InvalidateCache on resource: arn:aws:execute-api:{REGION}:{ACCOUNT_ID}:{api}/{stage}/{}/{}",
        parts.method.as_str(),
        path.strip_prefix('/').unwrap_or(path)
    ))
}
