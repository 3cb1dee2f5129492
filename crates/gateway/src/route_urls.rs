//! The local URL of every route on every stage, for the CLI's route table.

use turnpike_model::{ApiKind, Deployment, IntegrationType, RouteKey};

use crate::snapshot::stages_for;

/// One route of one API on one stage, with the URL that reaches it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteUrl {
    pub api_id: String,
    pub api_name: String,
    pub kind: ApiKind,
    pub stage: String,
    /// `GET /pets/{petId}` or `$default`.
    pub route_key: String,
    /// The integration type, with the back end's URI for HTTP ones: `HTTP_PROXY http://...`.
    pub integration: String,
    /// `{base_url}/{stage}/pets/{petId}`; HTTP APIs' `$default` stage has no prefix.
    pub url: String,
}

/// Every route's URL under `base_url` (e.g. `http://127.0.0.1:8080`), in load order, stage by
/// stage.
///
/// ```
/// # use std::sync::Arc;
/// # use turnpike_model::{Deployment, Stage};
/// let deployment = Deployment { apis: vec![], stages: vec![Stage::new("dev")] };
/// assert!(turnpike_gateway::route_urls(&deployment, "http://127.0.0.1:8080").is_empty());
/// ```
pub fn route_urls(deployment: &Deployment, base_url: &str) -> Vec<RouteUrl> {
    let base = base_url.trim_end_matches('/');
    let mut urls = Vec::new();
    for api in &deployment.apis {
        for stage in stages_for(api.kind, &deployment.stages) {
            let prefix = if stage.is_default() {
                String::new()
            } else {
                format!("/{}", stage.name)
            };
            for route in &api.routes {
                let path = match &route.key {
                    RouteKey::Default => "/{proxy+}",
                    RouteKey::Method { path, .. } => path.as_str(),
                };
                let path = if path == "/" && !prefix.is_empty() {
                    ""
                } else {
                    path
                };
                let integration = match (route.integration.kind, &route.integration.uri) {
                    (IntegrationType::Http | IntegrationType::HttpProxy, Some(uri)) => {
                        format!("{} {uri}", route.integration.kind.as_str())
                    }
                    (kind, _) => kind.as_str().to_owned(),
                };
                urls.push(RouteUrl {
                    api_id: api.id.clone(),
                    api_name: api.name.clone(),
                    kind: api.kind,
                    stage: stage.name.clone(),
                    route_key: route.key.to_string(),
                    integration,
                    url: format!("{base}{prefix}{path}"),
                });
            }
        }
    }
    urls
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use turnpike_model::Stage;

    use crate::test_support::{api, mock_route, proxy_route};

    #[test]
    fn urls_follow_each_kinds_stage_rules() {
        let rest = api(
            "Pets",
            ApiKind::Rest,
            vec![
                mock_route("GET", "/pets/{petId}", 200, ""),
                mock_route("GET", "/", 200, ""),
            ],
        );
        let http = api(
            "Pets HTTP",
            ApiKind::Http,
            vec![
                proxy_route("GET", "/pets", "http://127.0.0.1:9/dev/pets"),
                mock_route("$default", "", 200, ""),
            ],
        );
        let deployment = Deployment {
            apis: vec![Arc::new(rest), Arc::new(http)],
            stages: vec![Stage::new("dev"), Stage::new("$default")],
        };
        let urls = route_urls(&deployment, "http://127.0.0.1:8080/");
        let rows: Vec<(&str, &str, &str, &str)> = urls
            .iter()
            .map(|u| {
                (
                    u.stage.as_str(),
                    u.route_key.as_str(),
                    u.integration.as_str(),
                    u.url.as_str(),
                )
            })
            .collect();
        assert_eq!(
            rows,
            [
                (
                    "dev",
                    "GET /pets/{petId}",
                    "MOCK",
                    "http://127.0.0.1:8080/dev/pets/{petId}"
                ),
                ("dev", "GET /", "MOCK", "http://127.0.0.1:8080/dev"),
                (
                    "dev",
                    "GET /pets",
                    "HTTP_PROXY http://127.0.0.1:9/dev/pets",
                    "http://127.0.0.1:8080/dev/pets"
                ),
                (
                    "dev",
                    "$default",
                    "MOCK",
                    "http://127.0.0.1:8080/dev/{proxy+}"
                ),
                (
                    "$default",
                    "GET /pets",
                    "HTTP_PROXY http://127.0.0.1:9/dev/pets",
                    "http://127.0.0.1:8080/pets"
                ),
                (
                    "$default",
                    "$default",
                    "MOCK",
                    "http://127.0.0.1:8080/{proxy+}"
                ),
            ]
        );
        assert_eq!(urls[0].api_name, "Pets");
        assert_eq!(urls[0].kind, ApiKind::Rest);
        assert_eq!(urls[2].api_id, deployment.apis[1].id);
    }
}
