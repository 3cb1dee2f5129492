//! Stage throttling of WebSocket APIs: each route's token bucket per stage, from the stage's
//! `DefaultRouteSettings` and `RouteSettings` ([`StageThrottle`](turnpike_model::StageThrottle)),
//! then the account's bucket, as REST methods have theirs. `$connect` draws from its route's
//! bucket once per handshake, after authorization (refused: 429
//! `{"message":"Too Many Requests"}`), and every other route once per message, after route
//! selection (refused: the message is not integrated and the client gets the error frame
//! `Too Many Requests`). `$disconnect` is never refused: the connection is gone either way. The
//! buckets live in the gateway's state (embedded or Redis) with REST's, so gateways on one Redis
//! share them; without a state nothing is throttled, as for REST.

use turnpike_model::{Stage, WebSocketApi};
use turnpike_state::Throttle;

use crate::pipeline::Shared;

use super::CompiledWebSocketApi;

/// One route's limits on one stage, with the name of its bucket.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RouteLimit {
    bucket: String,
    throttle: Throttle,
}

/// By stage (index-aligned with the compiled API's stages), by route (index-aligned with its
/// routes): the route's limits, if the stage sets any.
pub(crate) type Limits = Vec<Vec<Option<RouteLimit>>>;

/// The limits of every route of `api` on each of `stages`.
pub(crate) fn compile(api: &WebSocketApi, stages: &[Stage]) -> Limits {
    stages
        .iter()
        .map(|stage| {
            let throttle = api.stage_throttles.get(&stage.name);
            api.routes
                .iter()
                .map(|route| {
                    let (rate_limit, burst_limit) = throttle?.limits(&route.key)?;
                    Some(RouteLimit {
                        bucket: format!("ws:{}:{}:{}", api.id, stage.name, route.key),
                        throttle: Throttle {
                            rate_limit,
                            burst_limit,
                        },
                    })
                })
                .collect()
        })
        .collect()
}

/// Takes a token for one event of `route_key` on `stage`; false when throttled.
pub(crate) async fn admit(
    shared: &Shared,
    api: &CompiledWebSocketApi,
    stage: &str,
    route_key: &str,
) -> bool {
    let Some(traffic) = &shared.traffic else {
        return true;
    };
    let limit = api
        .stages
        .iter()
        .position(|s| s.name == stage)
        .and_then(|index| api.throttles.get(index))
        .and_then(|routes| {
            let index = api.routes.iter().position(|r| r.key == route_key)?;
            routes.get(index)?.as_ref()
        });
    traffic
        .admit_websocket(limit.map(|l| (l.bucket.as_str(), l.throttle)))
        .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;
    use turnpike_model::{
        ApiKeySource, Integration, IntegrationType, RouteAuth, RouteSelection, RouteThrottle,
        StageThrottle, WebSocketRoute,
    };

    fn route(key: &str) -> WebSocketRoute {
        WebSocketRoute {
            key: key.into(),
            pointer: String::new(),
            integration: Integration::new(IntegrationType::Mock),
            auth: RouteAuth::None,
            api_key_required: false,
            template_selection: None,
            two_way: false,
        }
    }

    #[test]
    fn each_route_of_each_stage_has_its_own_bucket() {
        let throttle = StageThrottle {
            default: RouteThrottle {
                rate_limit: Some(2.0),
                burst_limit: Some(4),
            },
            routes: BTreeMap::from([(
                "send".to_owned(),
                RouteThrottle {
                    rate_limit: None,
                    burst_limit: Some(1),
                },
            )]),
        };
        let api = WebSocketApi {
            id: "abcdefghij".into(),
            name: "Chat".into(),
            source: "t.yaml".into(),
            route_selection: RouteSelection::action(),
            api_key_source: ApiKeySource::Header,
            routes: vec![route("$connect"), route("send")],
            authorizers: BTreeMap::new(),
            stage_throttles: BTreeMap::from([("prod".to_owned(), throttle)]),
        };
        let limits = compile(&api, &[Stage::new("prod"), Stage::new("dev")]);
        let limit = |bucket: &str, rate_limit, burst_limit| {
            Some(RouteLimit {
                bucket: bucket.into(),
                throttle: Throttle {
                    rate_limit,
                    burst_limit,
                },
            })
        };
        assert_eq!(
            limits,
            [
                vec![
                    limit("ws:abcdefghij:prod:$connect", 2.0, 4),
                    limit("ws:abcdefghij:prod:send", 2.0, 1),
                ],
                vec![None, None],
            ]
        );
    }
}
