//! Builders for model values in tests.

use std::collections::BTreeMap;

use turnpike_model::{
    Api, ApiKind, HttpMethod, Integration, IntegrationResponse, IntegrationType, Route, RouteKey,
};

pub(crate) fn api(title: &str, kind: ApiKind, routes: Vec<Route>) -> Api {
    Api {
        routes,
        ..Api::new(title, kind, format!("{title}.yaml"))
    }
}

pub(crate) fn integration(kind: IntegrationType) -> Integration {
    Integration::new(kind)
}

fn key(method: &str, path: &str) -> RouteKey {
    if method == "$default" {
        RouteKey::Default
    } else {
        RouteKey::Method {
            method: HttpMethod::parse(method).unwrap_or(HttpMethod::Any),
            path: path.into(),
        }
    }
}

pub(crate) fn route(method: &str, path: &str, integration: Integration) -> Route {
    Route::new(
        key(method, path),
        format!("/paths/{path}/{}", method.to_lowercase()),
        integration,
    )
}

/// A MOCK route answering `status` with `body` as `application/json`.
pub(crate) fn mock_route(method: &str, path: &str, status: u16, body: &str) -> Route {
    let mut mock = integration(IntegrationType::Mock);
    mock.request_templates.insert(
        "application/json".into(),
        format!("{{\"statusCode\": {status}}}"),
    );
    mock.responses.push(integration_response(
        "default",
        status,
        &[],
        &[("application/json", body)],
    ));
    route(method, path, mock)
}

/// An HTTP_PROXY route to `uri`.
pub(crate) fn proxy_route(method: &str, path: &str, uri: &str) -> Route {
    let mut proxy = integration(IntegrationType::HttpProxy);
    proxy.uri = Some(uri.into());
    route(method, path, proxy)
}

pub(crate) fn integration_response(
    pattern: &str,
    status: u16,
    params: &[(&str, &str)],
    templates: &[(&str, &str)],
) -> IntegrationResponse {
    let map = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
        pairs
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    };
    IntegrationResponse {
        selection_pattern: pattern.into(),
        selection_regex: (pattern != "default")
            .then(|| regex::Regex::new(&format!("^(?:{pattern})$")).ok())
            .flatten(),
        status_code: status,
        response_parameters: map(params),
        response_templates: map(templates),
        content_handling: None,
    }
}

/// A request context for `request` from 10.1.2.3 on 127.0.0.1:8080, served by the first API of
/// `apis` on its first stage when there is one.
pub(crate) fn context_for(
    request: http::Request<()>,
    apis: Vec<Api>,
) -> crate::context::RequestContext {
    let (parts, ()) = request.into_parts();
    let mut ctx = crate::context::RequestContext::new(
        &parts,
        crate::context::ClientConnection {
            peer: "10.1.2.3:50000"
                .parse()
                .unwrap_or(std::net::SocketAddr::from(([0, 0, 0, 0], 0))),
            local: "127.0.0.1:8080"
                .parse()
                .unwrap_or(std::net::SocketAddr::from(([0, 0, 0, 0], 0))),
            tls: false,
        },
    );
    let snapshot = crate::snapshot::Snapshot::build(&turnpike_model::Deployment::new(
        apis.into_iter().map(std::sync::Arc::new).collect(),
        Vec::new(),
    ));
    if let Some(api) = snapshot.apis.first() {
        ctx.stage = api.stages.first().cloned();
        ctx.route = (!api.routes.is_empty()).then_some(0);
        ctx.api = Some(api.clone());
    }
    ctx
}

/// The keys of a JSON object, in its order (the key order of events and answers is checked).
pub(crate) fn keys(value: &serde_json::Value) -> Vec<&str> {
    value
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect()
}
