//! The compiled deployment every request reads.
//!
//! A [`Snapshot`] holds, per API, its router, its routes with their compiled integrations
//! (URI templates, mapping expressions, templates), its stages and its gateway responses: all the
//! work a request would otherwise repeat. The server keeps it behind `ArcSwap`; a reload compiles
//! a new one off the request path and swaps it in, and requests in flight finish on the old one.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use http::HeaderValue;
use turnpike_model::{Api, ApiKind, Deployment, IntegrationType, RouteKey, Stage};

use crate::authorize::ApiAuth;
use crate::cors::CompiledCors;
use crate::gateway_response::GatewayResponses;
use crate::integrate::lambda::BinaryMediaTypes;
use crate::integrate::Integration;
use crate::router::Router;
use crate::validate::CompiledValidation;

/// A compiled deployment.
#[derive(Debug, Default)]
pub(crate) struct Snapshot {
    /// In load order: without a selector, the first API whose route matches serves.
    pub(crate) apis: Vec<Arc<CompiledApi>>,
    /// Whether a REST API has a Lambda proxy route, whose payload 1.0 events keep the client's
    /// header-name spelling: only then do connections record it.
    pub(crate) keeps_header_case: bool,
    /// The WebSocket APIs, in load order.
    pub(crate) websocket_apis: Vec<Arc<crate::websocket::CompiledWebSocketApi>>,
}

/// One API, compiled.
pub(crate) struct CompiledApi {
    pub(crate) id: String,
    /// `id` as a header value (`x-amzn-apigateway-api-id`), built once rather than per request.
    pub(crate) id_header: Option<HeaderValue>,
    pub(crate) kind: ApiKind,
    pub(crate) router: Router,
    pub(crate) routes: Vec<CompiledRoute>,
    pub(crate) stages: Vec<Arc<StageInfo>>,
    pub(crate) gateway_responses: GatewayResponses,
    /// `x-amazon-apigateway-binary-media-types`.
    pub(crate) binary_media_types: BinaryMediaTypes,
    /// Authorizers, route requirements, resource policy.
    pub(crate) auth: ApiAuth,
    /// An HTTP API's CORS configuration.
    pub(crate) cors: Option<CompiledCors>,
    /// Its stages' response caches (REST).
    pub(crate) cache: crate::cache::ApiCache,
}

impl fmt::Debug for CompiledApi {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CompiledApi")
            .field("id", &self.id)
            .field("kind", &self.kind)
            .field("routes", &self.routes.len())
            .finish_non_exhaustive()
    }
}

/// A stage an API is deployed to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StageInfo {
    pub(crate) name: String,
    pub(crate) variables: BTreeMap<String, String>,
}

impl StageInfo {
    /// Each of `stages` as requests see it (name and variables), shared by all it serves.
    pub(crate) fn compile_all(stages: Vec<Stage>) -> Vec<Arc<StageInfo>> {
        stages
            .into_iter()
            .map(|stage| {
                Arc::new(StageInfo {
                    name: stage.name,
                    variables: stage.variables,
                })
            })
            .collect()
    }

    /// HTTP APIs' `$default` stage, served without a path prefix.
    pub(crate) fn is_default(&self) -> bool {
        self.name == Stage::DEFAULT
    }
}

/// One route, compiled.
#[derive(Debug)]
pub(crate) struct CompiledRoute {
    /// `$context.routeKey`: `GET /pets/{petId}` or `$default`.
    pub(crate) route_key: String,
    /// `$context.resourcePath`: `/pets/{petId}`.
    pub(crate) resource_path: String,
    /// `$context.resourceId`: six characters derived from the API id and resource path, so they
    /// are stable across restarts like AWS's are across deployments.
    pub(crate) resource_id: String,
    pub(crate) integration: Integration,
    /// The method's request validator, when one applies.
    pub(crate) validation: Option<CompiledValidation>,
    /// An HTTP API integration's parameter mapping.
    pub(crate) http_mapping: Option<Box<crate::mapping::http_api::HttpApiMapping>>,
}

impl Snapshot {
    /// Compiles `deployment`. Never fails: the loader has validated the APIs, and anything the
    /// gateway still cannot use is logged and answered at request time with a gateway response.
    pub(crate) fn build(deployment: &Deployment) -> Snapshot {
        Snapshot {
            apis: deployment
                .apis
                .iter()
                .map(|api| Arc::new(compile_api(api, deployment.stages_of(&api.id))))
                .collect(),
            keeps_header_case: deployment.apis.iter().any(|api| {
                api.kind == ApiKind::Rest
                    && api
                        .routes
                        .iter()
                        .any(|r| r.integration.kind == IntegrationType::AwsProxy)
            }) || !deployment.websocket_apis.is_empty(),
            websocket_apis: crate::websocket::compile_all(deployment),
        }
    }
}

impl Snapshot {
    /// Points every caching stage of this freshly built snapshot at the gateway's counters for
    /// its API and stage, so hits and misses keep counting across reloads.
    pub(crate) fn attach_cache_counters(&mut self, registry: &crate::cache::CounterRegistry) {
        for api in &mut self.apis {
            match Arc::get_mut(api) {
                Some(api) => api.cache.use_counters(&api.id, registry),
                // Only a snapshot already shared could refuse; `build` never returns one.
                None => tracing::error!("cache counters not attached: the snapshot is in use"),
            }
        }
    }
}

fn compile_api(api: &Api, stages: &[Stage]) -> CompiledApi {
    let mut problems = Vec::new();
    let routes = api
        .routes
        .iter()
        .map(|route| {
            let resource_path = match &route.key {
                RouteKey::Default => Stage::DEFAULT.to_owned(),
                RouteKey::Method { path, .. } => path.clone(),
            };
            let greedy: Vec<&str> = resource_path
                .split('/')
                .filter_map(|s| s.strip_prefix('{')?.strip_suffix("+}"))
                .collect();
            let mut route_problems = Vec::new();
            let mut integration =
                Integration::compile(&route.integration, &greedy, &mut route_problems);
            integration.check_method_responses(&route.method_responses);
            problems.extend(
                route_problems
                    .into_iter()
                    .map(|p| format!("{} ({}): {p}", route.key, route.pointer)),
            );
            let validation = route.validation.as_ref().map(|v| {
                let mut validation_problems = Vec::new();
                let compiled = CompiledValidation::compile(v, &mut validation_problems);
                problems.extend(
                    validation_problems
                        .into_iter()
                        .map(|p| format!("{} ({}): {p}", route.key, route.pointer)),
                );
                compiled
            });
            let http_mapping = route.integration.parameter_mapping.as_ref().map(|m| {
                let mut mapping_problems = Vec::new();
                let compiled =
                    crate::mapping::http_api::HttpApiMapping::compile(m, &mut mapping_problems);
                problems.extend(
                    mapping_problems
                        .into_iter()
                        .map(|p| format!("{} ({}): {p}", route.key, route.pointer)),
                );
                Box::new(compiled)
            });
            CompiledRoute {
                http_mapping,
                route_key: route.key.to_string(),
                resource_id: resource_id(&api.id, &resource_path),
                resource_path,
                integration,
                validation,
            }
        })
        .collect();
    let gateway_responses = GatewayResponses::compile(&api.gateway_responses, &mut problems);
    let auth = ApiAuth::compile(api, &mut problems);
    for problem in &problems {
        tracing::warn!(api = %api.id, file = %api.source.display(), "{problem}");
    }
    CompiledApi {
        id: api.id.clone(),
        id_header: HeaderValue::from_str(&api.id).ok(),
        kind: api.kind,
        router: Router::new(api.kind, &api.routes),
        routes,
        stages: StageInfo::compile_all(stages_for(api.kind, stages)),
        gateway_responses,
        binary_media_types: BinaryMediaTypes::new(&api.binary_media_types),
        auth,
        cors: api.cors.as_ref().map(CompiledCors::new),
        cache: crate::cache::ApiCache::compile(api, stages),
    }
}

/// The stages an API of `kind` is deployed to, from those the deployment gives it
/// ([`Deployment::stages_of`]): all of them except `$default` for REST APIs (AWS has no such
/// REST stage); with none given, the kind's usual default (REST `dev`, HTTP `$default`).
pub(crate) fn stages_for(kind: ApiKind, stages: &[Stage]) -> Vec<Stage> {
    if stages.is_empty() {
        let name = match kind {
            ApiKind::Rest => "dev",
            ApiKind::Http => Stage::DEFAULT,
        };
        return vec![Stage::new(name)];
    }
    stages
        .iter()
        .filter(|s| kind == ApiKind::Http || !s.is_default())
        .cloned()
        .collect()
}

fn resource_id(api_id: &str, path: &str) -> String {
    turnpike_model::api_id_from_title(&format!("{api_id} {path}"))
        .chars()
        .take(6)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{api, mock_route};

    #[test]
    fn compiles_routes_stages_and_ids() {
        let rest = api(
            "Shop",
            ApiKind::Rest,
            vec![mock_route("GET", "/items/{id}", 200, "")],
        );
        let http = api(
            "Shop HTTP",
            ApiKind::Http,
            vec![mock_route("GET", "/items", 200, "")],
        );
        let mut prod = Stage::new("prod");
        prod.variables.insert("host".into(), "example.com".into());
        let deployment = Deployment::new(
            vec![Arc::new(rest), Arc::new(http)],
            vec![Stage::new("$default"), prod],
        );
        let snapshot = Snapshot::build(&deployment);
        let [rest, http] = &snapshot.apis[..] else {
            panic!("two apis")
        };
        assert_eq!(
            rest.stages
                .iter()
                .map(|s| s.name.as_str())
                .collect::<Vec<_>>(),
            ["prod"]
        );
        assert_eq!(
            http.stages
                .iter()
                .map(|s| s.name.as_str())
                .collect::<Vec<_>>(),
            ["$default", "prod"]
        );
        assert_eq!(rest.stages[0].variables["host"], "example.com");
        let route = &rest.routes[0];
        assert_eq!(route.route_key, "GET /items/{id}");
        assert_eq!(route.resource_path, "/items/{id}");
        assert_eq!(route.resource_id.len(), 6);
        assert_eq!(route.resource_id, resource_id(&rest.id, "/items/{id}"));
        assert_ne!(route.resource_id, resource_id(&rest.id, "/items"));
    }

    #[test]
    fn an_api_with_its_own_stages_gets_only_those() {
        let rest = api("Own", ApiKind::Rest, vec![mock_route("GET", "/", 200, "")]);
        let other = api(
            "Other",
            ApiKind::Rest,
            vec![mock_route("GET", "/", 200, "")],
        );
        let mut prod = Stage::new("Prod");
        prod.variables.insert("table".into(), "live".into());
        let mut deployment = Deployment::new(
            vec![Arc::new(rest.clone()), Arc::new(other)],
            vec![Stage::new("dev")],
        );
        deployment
            .api_stages
            .insert(rest.id.clone(), vec![prod, Stage::new("$default")]);
        let snapshot = Snapshot::build(&deployment);
        let names = |i: usize| -> Vec<(String, Vec<(String, String)>)> {
            snapshot.apis[i]
                .stages
                .iter()
                .map(|s| {
                    let vars = s.variables.clone().into_iter().collect();
                    (s.name.clone(), vars)
                })
                .collect()
        };
        // `$default` is no REST stage, even when given per API.
        assert_eq!(
            names(0),
            [(
                "Prod".to_string(),
                vec![("table".to_string(), "live".to_string())]
            )]
        );
        assert_eq!(names(1), [("dev".to_string(), vec![])]);
    }

    #[test]
    fn without_stages_each_kind_gets_its_default() {
        assert_eq!(stages_for(ApiKind::Rest, &[])[0].name, "dev");
        assert_eq!(stages_for(ApiKind::Http, &[])[0].name, "$default");
        let only_default = [Stage::new("$default")];
        assert!(stages_for(ApiKind::Rest, &only_default).is_empty());
    }
}
