//! Which WebSocket API and stage a request is for, selected exactly as HTTP APIs are
//! ([`dispatch`](crate::dispatch)): `Host: {api-id}.execute-api.localhost`, or the path form
//! `/restapis/{api-id}/{stage}/_user_request_/...`, else the first path segment naming a stage of
//! a WebSocket API (`$default` is served without one). After the stage, `/` is the API's URL
//! and `/@connections/{connectionId}` its management API.
//!
//! Without a selector only what is unmistakably WebSocket is taken: an upgrade request or an
//! `@connections` path under a WebSocket API's stage, or a plain request to the stage's URL
//! that no REST or HTTP API route serves (the caller checks that).

use std::borrow::Cow;
use std::sync::Arc;

use crate::dispatch::{api_id_of_host, split_restapis_path, stage_of};
use crate::snapshot::{Snapshot, StageInfo};

use super::CompiledWebSocketApi;

/// What a request asks of a WebSocket API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum WsRequest {
    /// The API's URL: a handshake, or a plain request.
    Root,
    /// `@connections/{connectionId}`, the id percent-decoded.
    Manage(String),
    /// Any other path.
    Other,
}

/// Where a request goes.
#[derive(Debug)]
pub(crate) struct WsTarget {
    pub(crate) api: Arc<CompiledWebSocketApi>,
    /// `None` when the path names no stage of the API.
    pub(crate) stage: Option<Arc<StageInfo>>,
    pub(crate) request: WsRequest,
    /// Chosen by `Host` or the path form rather than by the stage alone.
    pub(crate) selected: bool,
}

/// The WebSocket API `path` (raw) on `host` is for, if any.
pub(crate) fn select(snapshot: &Snapshot, host: Option<&str>, path: &str) -> Option<WsTarget> {
    if let Some((api, stage, rest)) = by_restapis_path(snapshot, path) {
        let stage = api.stages.iter().find(|s| s.name == stage).cloned();
        return Some(target(api, stage, rest, true));
    }
    if let Some(api) = host.and_then(|host| by_host(snapshot, host)) {
        let (stage, rest) = stage_of(&api.stages, path);
        return Some(target(api, stage, rest, true));
    }
    // A `Host` naming a REST or HTTP API sends the request there.
    if host.and_then(api_id_of_host).is_some() {
        return None;
    }
    snapshot.websocket_apis.iter().find_map(|api| {
        let (stage, rest) = stage_of(&api.stages, path);
        stage.as_ref()?;
        let candidate = target(api, stage, rest, false);
        match candidate.request {
            WsRequest::Manage(_) | WsRequest::Root => Some(candidate),
            WsRequest::Other => None,
        }
    })
}

fn target(
    api: &Arc<CompiledWebSocketApi>,
    stage: Option<Arc<StageInfo>>,
    rest: &str,
    selected: bool,
) -> WsTarget {
    WsTarget {
        api: api.clone(),
        stage,
        request: classify(rest),
        selected,
    }
}

/// What the path after the stage asks for.
fn classify(rest: &str) -> WsRequest {
    if rest.is_empty() || rest == "/" {
        return WsRequest::Root;
    }
    match rest.strip_prefix("/@connections/") {
        Some(id) if !id.is_empty() && !id.contains('/') => WsRequest::Manage(
            percent_encoding::percent_decode_str(id)
                .decode_utf8_lossy()
                .into_owned(),
        ),
        _ => WsRequest::Other,
    }
}

/// The WebSocket API named by a `Host` header.
fn by_host<'a>(snapshot: &'a Snapshot, host: &str) -> Option<&'a Arc<CompiledWebSocketApi>> {
    let id = api_id_of_host(host)?;
    snapshot
        .websocket_apis
        .iter()
        .find(|api| api.id().eq_ignore_ascii_case(id))
}

/// `/restapis/{api-id}/{stage}/_user_request_{rest}` → (API, stage name, `{rest}`).
fn by_restapis_path<'a, 'p>(
    snapshot: &'a Snapshot,
    path: &'p str,
) -> Option<(&'a Arc<CompiledWebSocketApi>, Cow<'p, str>, &'p str)> {
    let (id, stage, rest) = split_restapis_path(path)?;
    let api = snapshot.websocket_apis.iter().find(|api| api.id() == id)?;
    Some((api, stage, rest))
}
