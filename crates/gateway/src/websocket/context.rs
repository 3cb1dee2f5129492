//! `$context` of a WebSocket event ("WebSocket API mapping template reference"): what mapping
//! templates, access-log lines and the `$connect` authorizer see of a connection and one of its
//! events. It rides on the [`RequestContext`](crate::context::RequestContext) of the call
//! (`websocket`), whose lookup asks it first, so REST and HTTP requests pay one `None` check.

use std::borrow::Cow;

use serde_json::{Map, Value};

use super::connection::Session;
use super::event::{EventIds, EventKind};
use crate::context::borrowed;

/// The WebSocket-only values of one event's `$context`.
#[derive(Debug, Clone)]
pub(crate) struct WsContext {
    pub(crate) connection_id: String,
    pub(crate) route_key: String,
    /// `CONNECT`, `MESSAGE` or `DISCONNECT`.
    pub(crate) event_type: &'static str,
    /// Only for `MESSAGE`.
    pub(crate) message_id: Option<String>,
    /// Epoch milliseconds.
    pub(crate) connected_at: u64,
    /// `requestId`, the same as `extendedRequestId` for WebSocket APIs.
    pub(crate) request_id: String,
    pub(crate) request_time: String,
    pub(crate) request_time_epoch: u64,
    pub(crate) domain_name: String,
    pub(crate) api_id: String,
    pub(crate) source_ip: String,
    pub(crate) user_agent: Option<String>,
}

/// The names [`WsContext::lookup`] answers, as a template's `$context` tree holds them.
const NAMES: &[&str] = &[
    "connectionId",
    "routeKey",
    "eventType",
    "messageId",
    "connectedAt",
    "requestId",
    "extendedRequestId",
    "requestTime",
    "requestTimeEpoch",
    "messageDirection",
    "domainName",
    "apiId",
    "identity.sourceIp",
    "identity.userAgent",
];

impl WsContext {
    /// The context of `kind` on `session`'s connection, routed to `route_key`.
    pub(crate) fn new(
        session: &Session,
        route_key: &str,
        kind: &EventKind<'_>,
        ids: &EventIds,
    ) -> WsContext {
        let (event_type, message_id) = match kind {
            EventKind::Connect(..) => ("CONNECT", None),
            EventKind::Message { message_id, .. } => ("MESSAGE", Some((*message_id).to_owned())),
            EventKind::Disconnect { .. } => ("DISCONNECT", None),
        };
        WsContext {
            connection_id: session.connection_id.clone(),
            route_key: route_key.to_owned(),
            event_type,
            message_id,
            connected_at: session.connected_at_ms,
            request_id: ids.request_id.clone(),
            request_time: ids.request_time.clone(),
            request_time_epoch: ids.request_time_epoch,
            domain_name: session.domain_name.clone(),
            api_id: session.api.id().to_owned(),
            source_ip: session.source_ip.clone(),
            user_agent: session.user_agent.clone(),
        }
    }

    /// `$context.<name>` when it is one of the WebSocket event's own values.
    pub(crate) fn lookup(&self, name: &str) -> Option<Cow<'_, str>> {
        match name {
            "connectionId" => borrowed(&self.connection_id),
            "routeKey" => borrowed(&self.route_key),
            "eventType" => borrowed(self.event_type),
            "messageId" => self.message_id.as_deref().map(Cow::Borrowed),
            "connectedAt" => Some(Cow::Owned(self.connected_at.to_string())),
            "requestId" | "extendedRequestId" => borrowed(&self.request_id),
            "requestTime" => borrowed(&self.request_time),
            "requestTimeEpoch" => Some(Cow::Owned(self.request_time_epoch.to_string())),
            // Messages API Gateway forwards are always inbound.
            "messageDirection" => borrowed("IN"),
            "domainName" => borrowed(&self.domain_name),
            "apiId" => borrowed(&self.api_id),
            "identity.sourceIp" => borrowed(&self.source_ip),
            "identity.userAgent" => self.user_agent.as_deref().map(Cow::Borrowed),
            _ => None,
        }
    }

    /// Adds (or overrides) its values in a template's `$context` tree.
    pub(crate) fn fill(&self, root: &mut Map<String, Value>) {
        crate::context::fill_tree(root, NAMES, |name| self.lookup(name));
    }
}
