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
    /// By stage name: the throttling of each `AWS::ApiGatewayV2::Stage` that sets any
    /// (`DefaultRouteSettings` and `RouteSettings`).
    pub stage_throttles: BTreeMap<String, StageThrottle>,
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

/// `ThrottlingRateLimit` / `ThrottlingBurstLimit` of a stage's `DefaultRouteSettings` or of one
/// entry of its `RouteSettings`; `None` where not set.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct RouteThrottle {
    /// Messages (or `$connect` handshakes) per second.
    pub rate_limit: Option<f64>,
    /// Bucket size.
    pub burst_limit: Option<u64>,
}

impl RouteThrottle {
    /// True when neither limit is set.
    pub fn is_empty(&self) -> bool {
        self.rate_limit.is_none() && self.burst_limit.is_none()
    }
}

/// A WebSocket stage's throttling: every route's, and overrides by route key. Each route has its
/// own bucket per stage, as each REST method has.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StageThrottle {
    /// `DefaultRouteSettings`.
    pub default: RouteThrottle,
    /// `RouteSettings`, by route key (`$connect`, `sendmessage`, ...).
    pub routes: BTreeMap<String, RouteThrottle>,
}

impl StageThrottle {
    /// API Gateway's account-level limits, which a limit left unset falls back to (as for a REST
    /// stage's `MethodSettings`): 10,000 requests per second, burst 5,000.
    pub const ACCOUNT_RATE: f64 = 10_000.0;
    pub const ACCOUNT_BURST: u64 = 5_000;

    /// The rate and burst the route `key` is throttled to, if anything sets either: each limit
    /// from the route's `RouteSettings`, else from `DefaultRouteSettings`, else the account's.
    pub fn limits(&self, key: &str) -> Option<(f64, u64)> {
        let route = self.routes.get(key).copied().unwrap_or_default();
        if route.is_empty() && self.default.is_empty() {
            return None;
        }
        let rate = route
            .rate_limit
            .or(self.default.rate_limit)
            .unwrap_or(Self::ACCOUNT_RATE);
        let burst = route
            .burst_limit
            .or(self.default.burst_limit)
            .unwrap_or(Self::ACCOUNT_BURST);
        Some((rate, burst))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_route_setting_overrides_the_default_limit_by_limit() {
        let mut throttle = StageThrottle::default();
        assert_eq!(throttle.limits("send"), None);
        throttle.default = RouteThrottle {
            rate_limit: Some(5.0),
            burst_limit: Some(2),
        };
        throttle.routes.insert(
            "send".into(),
            RouteThrottle {
                rate_limit: None,
                burst_limit: Some(1),
            },
        );
        assert_eq!(throttle.limits("send"), Some((5.0, 1)));
        assert_eq!(throttle.limits("$connect"), Some((5.0, 2)));
        throttle.default = RouteThrottle::default();
        assert_eq!(throttle.limits("send"), Some((10_000.0, 1)));
        assert_eq!(throttle.limits("$connect"), None);
    }
}
