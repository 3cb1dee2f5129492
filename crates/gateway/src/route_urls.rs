//! The local URL of every route on every stage, for the CLI's route table.

use turnpike_model::{ApiKind, Deployment, Integration, IntegrationType, RouteKey};

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
/// let deployment = Deployment::new(vec![], vec![Stage::new("dev")]);
/// assert!(turnpike_gateway::route_urls(&deployment, "http://127.0.0.1:8080").is_empty());
/// ```
pub fn route_urls(deployment: &Deployment, base_url: &str) -> Vec<RouteUrl> {
    let base = base_url.trim_end_matches('/');
    let mut urls = Vec::new();
    for api in &deployment.apis {
        for stage in stages_for(api.kind, deployment.stages_of(&api.id)) {
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
                let integration = integration_summary(&route.integration);
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

/// The integration type with what it calls: the back end's URI for HTTP ones, the function
/// (`AWS_PROXY HelloFunction`, qualifier kept) for Lambda ones.
fn integration_summary(integration: &Integration) -> String {
    let kind = integration.kind.as_str();
    match (integration.kind, &integration.uri) {
        (IntegrationType::Http | IntegrationType::HttpProxy, Some(uri)) => format!("{kind} {uri}"),
        (IntegrationType::Aws | IntegrationType::AwsProxy, Some(uri)) => {
            let arn = integration.lambda_function_arn().unwrap_or(uri);
            let function = arn.split_once(":function:").map_or(arn, |(_, name)| name);
            format!("{kind} {function}")
        }
        _ => kind.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use turnpike_model::Stage;

    use crate::test_support::{api, integration, mock_route, proxy_route, route};

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
        let deployment = Deployment::new(
            vec![Arc::new(rest), Arc::new(http)],
            vec![Stage::new("dev"), Stage::new("$default")],
        );
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

    #[test]
    fn stages_per_api_and_lambda_functions_by_name() {
        let lambda = |uri: &str| {
            let mut aws_proxy = integration(IntegrationType::AwsProxy);
            aws_proxy.uri = Some(uri.into());
            aws_proxy
        };
        let rest = api(
            "Sam Rest",
            ApiKind::Rest,
            vec![route(
                "GET",
                "/hello",
                lambda("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:HelloFunction/invocations"),
            )],
        );
        let http = api(
            "Sam Http",
            ApiKind::Http,
            vec![route(
                "GET",
                "/greet",
                lambda("arn:aws:lambda:us-east-1:123456789012:function:Greet:live"),
            )],
        );
        let mut deployment = Deployment::new(
            vec![Arc::new(rest.clone()), Arc::new(http)],
            vec![Stage::new("$default")],
        );
        deployment
            .api_stages
            .insert(rest.id.clone(), vec![Stage::new("Prod")]);
        let rows: Vec<(String, String, String)> = route_urls(&deployment, "http://h:1")
            .into_iter()
            .map(|u| (u.stage, u.integration, u.url))
            .collect();
        assert_eq!(
            rows,
            [
                (
                    "Prod".to_string(),
                    "AWS_PROXY HelloFunction".to_string(),
                    "http://h:1/Prod/hello".to_string()
                ),
                (
                    "$default".into(),
                    "AWS_PROXY Greet:live".into(),
                    "http://h:1/greet".into()
                ),
            ]
        );
    }
}
