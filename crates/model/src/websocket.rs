//! WebSocket APIs (API Gateway v2, `ProtocolType: WEBSOCKET`).
//!
//! They share integrations, authorizers and stages with REST and HTTP APIs but not routing: a
//! WebSocket route answers to a *route key* (`$connect`, `$disconnect`, `$default` or a value of
//! the API's route selection expression evaluated on each message), not to a method and a path,
//! so they are their own type rather than a third [`ApiKind`](crate::ApiKind) that every
//! request/response match would have to refuse.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::api::Integration;
use crate::auth::{ApiKeySource, Authorizer, RouteAuth};

/// One WebSocket API, as a template's `AWS::ApiGatewayV2::Api` (and its routes, integrations,
/// authorizers and route responses) declares it.
#[derive(Debug, Clone)]
pub struct WebSocketApi {
    /// Ten lower-case alphanumerics, stable across restarts (as for [`Api`](crate::Api)).
    pub id: String,
    /// `Name`.
    pub name: String,
    /// The file it was loaded from (for messages).
    pub source: PathBuf,
    /// `RouteSelectionExpression`, parsed.
    pub route_selection: RouteSelection,
    /// `ApiKeySelectionExpression`: `$request.header.x-api-key` (the default) or
    /// `$context.authorizer.usageIdentifierKey`.
    pub api_key_source: ApiKeySource,
    /// In template order; at most one per route key.
    pub routes: Vec<WebSocketRoute>,
    /// `AWS::ApiGatewayV2::Authorizer`s of this API, by logical id; `$connect` may use one.
    pub authorizers: BTreeMap<String, Authorizer>,
}

impl WebSocketApi {
    /// The route with exactly this key (`$connect`, `$default`, `sendmessage`, ...).
    pub fn route(&self, key: &str) -> Option<&WebSocketRoute> {
        self.routes.iter().find(|route| route.key == key)
    }
}

/// A route selection expression: where in a message the route key is.
///
/// API Gateway evaluates `$request.body.PATH` on a message that is a JSON object; a message that
/// is not JSON, or lacks the member, goes to `$default`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RouteSelection {
    /// `$request.body.a.b`: the members to walk, `["a", "b"]`.
    Body(Vec<String>),
}

impl RouteSelection {
    /// API Gateway's default, `$request.body.action`.
    pub fn action() -> RouteSelection {
        RouteSelection::Body(vec!["action".to_owned()])
    }
}

/// `AWS::ApiGatewayV2::Route` with its integration.
#[derive(Debug, Clone)]
pub struct WebSocketRoute {
    /// `RouteKey`.
    pub key: String,
    /// Where it was declared (JSON pointer of the route resource), for messages.
    pub pointer: String,
    /// The integration its `Target` (`integrations/ID`) names.
    pub integration: Integration,
    /// `AuthorizationType` / `AuthorizerId`: only `$connect` may require anything.
    pub auth: RouteAuth,
    /// `ApiKeyRequired`.
    pub api_key_required: bool,
    /// The integration's `TemplateSelectionExpression` (`\$default` when absent), for
    /// `AWS`/`HTTP`/`MOCK` integrations whose `RequestTemplates` are keyed by its value.
    pub template_selection: Option<String>,
    /// A route response exists (`AWS::ApiGatewayV2::RouteResponse` with key `$default`): the
    /// integration's answer is sent back to the client. Without one the route is one-way.
    pub two_way: bool,
}
