//! Dispatch: which API, stage and route serve a request.
//!
//! 1. An API is selected by the `Host` header `{api-id}.execute-api.localhost` (any port), or by
//!    the path form `/restapis/{api-id}/{stage}/_user_request_/{path}`, which also names the stage.
//! 2. The stage comes from the first path segment: REST APIs always have it (`/{stage}/{path}`);
//!    HTTP APIs serve `$default` without a prefix and named stages with one.
//! 3. Without a selector, APIs are tried in load order and the first whose route matches serves.
//!    When none matches, the answer is the first API that has the request's stage (else the first
//!    API): REST 403 `Missing Authentication Token`, HTTP API 404 `Not Found`. A REST path whose
//!    first segment is no stage of the API gets AWS's plain 403 `Forbidden` (see the pipeline).

use std::borrow::Cow;
use std::sync::Arc;

use http::Method;

use crate::router::{RouteMatch, RouteMiss};
use crate::snapshot::{CompiledApi, Snapshot, StageInfo};

/// The `Host` suffix that selects an API: `{api-id}.execute-api.localhost`.
const HOST_SUFFIX: &str = ".execute-api.localhost";

/// Where a request goes.
#[derive(Debug)]
pub(crate) struct Target {
    pub(crate) api: Arc<CompiledApi>,
    /// `None` when the path names no stage of the API.
    pub(crate) stage: Option<Arc<StageInfo>>,
    pub(crate) route: Result<RouteMatch, RouteMiss>,
}

/// The target of a request with `method`, `host` and raw `path`; `None` only when the
/// deployment has no API.
pub(crate) fn dispatch(
    snapshot: &Snapshot,
    method: &Method,
    host: Option<&str>,
    path: &str,
) -> Option<Target> {
    if let Some((api, stage_name, rest)) = by_restapis_path(snapshot, path) {
        let stage = api.stages.iter().find(|s| s.name == stage_name).cloned();
        return Some(target(api, stage, method, rest));
    }
    if let Some(api) = host.and_then(|host| by_host(snapshot, host)) {
        let (stage, rest) = stage_of(&api.stages, path);
        return Some(target(api, stage, method, rest));
    }
    let mut fallback: Option<Target> = None;
    for api in &snapshot.apis {
        let (stage, rest) = stage_of(&api.stages, path);
        let has_stage = stage.is_some();
        let candidate = target(api, stage, method, rest);
        if candidate.route.is_ok() {
            return Some(candidate);
        }
        let better = match &fallback {
            None => true,
            Some(current) => current.stage.is_none() && has_stage,
        };
        if better {
            fallback = Some(candidate);
        }
    }
    fallback
}

fn target(
    api: &Arc<CompiledApi>,
    stage: Option<Arc<StageInfo>>,
    method: &Method,
    path: &str,
) -> Target {
    let route = match &stage {
        Some(_) if path.starts_with('/') => api.router.lookup(method, path),
        _ => Err(RouteMiss::NoRoute),
    };
    Target {
        api: api.clone(),
        stage,
        route,
    }
}

/// The API named by a `Host` header.
fn by_host<'a>(snapshot: &'a Snapshot, host: &str) -> Option<&'a Arc<CompiledApi>> {
    let id = api_id_of_host(host)?;
    snapshot
        .apis
        .iter()
        .find(|api| api.id.eq_ignore_ascii_case(id))
}

/// The API id a `Host` header `{api-id}.execute-api.localhost` (any port, any case) names.
pub(crate) fn api_id_of_host(host: &str) -> Option<&str> {
    let name = crate::context::strip_port(host);
    let split = name.len().checked_sub(HOST_SUFFIX.len())?;
    let (id, suffix) = (name.get(..split)?, name.get(split..)?);
    suffix.eq_ignore_ascii_case(HOST_SUFFIX).then_some(id)
}

/// `/restapis/{api-id}/{stage}/_user_request_/{path}` → (API, stage name, `/{path}`).
fn by_restapis_path<'a, 'p>(
    snapshot: &'a Snapshot,
    path: &'p str,
) -> Option<(&'a Arc<CompiledApi>, Cow<'p, str>, &'p str)> {
    let (id, stage, rest) = split_restapis_path(path)?;
    let rest = if rest.is_empty() { "/" } else { rest };
    if !rest.starts_with('/') {
        return None;
    }
    let api = snapshot.apis.iter().find(|api| api.id == id)?;
    Some((api, stage, rest))
}

/// `/restapis/{api-id}/{stage}/_user_request_{rest}` → (API id, stage name, `{rest}`).
pub(crate) fn split_restapis_path(path: &str) -> Option<(&str, Cow<'_, str>, &str)> {
    let rest = path.strip_prefix("/restapis/")?;
    let (id, rest) = rest.split_once('/')?;
    let (stage, rest) = rest.split_once('/')?;
    let rest = rest.strip_prefix("_user_request_")?;
    // `$default` may arrive encoded as `%24default`.
    let stage = percent_encoding::percent_decode_str(stage).decode_utf8_lossy();
    Some((id, stage, rest))
}

/// The stage a path addresses among an API's `stages` and the path after the stage prefix.
pub(crate) fn stage_of<'p>(
    stages: &[Arc<StageInfo>],
    path: &'p str,
) -> (Option<Arc<StageInfo>>, &'p str) {
    let after_slash = path.strip_prefix('/').unwrap_or(path);
    let (first, rest) = match after_slash.find('/') {
        Some(i) => (&after_slash[..i], &after_slash[i..]),
        None => (after_slash, "/"),
    };
    let named = stages
        .iter()
        .find(|s| !s.is_default() && !first.is_empty() && s.name == first);
    match named {
        Some(stage) => (Some(stage.clone()), rest),
        None => (stages.iter().find(|s| s.is_default()).cloned(), path),
    }
}

#[cfg(test)]
mod tests;
