//! `AWS::ApiGatewayV2::Stage` of a WebSocket API → a [`Stage`] with its variables and its
//! throttling ([`StageThrottle`]: `DefaultRouteSettings` and `RouteSettings` by route key);
//! `AWS::ApiGatewayV2::Deployment` is accepted (Turnpike serves what the template declares).

use super::Read;
use crate::load::context::At;
use crate::load::sam::gateway_stage::stage_name;
use crate::load::sam::resolved::RNode;
use crate::load::sam::stack::Stack;
use crate::stage::Stage;
use crate::websocket::{RouteThrottle, StageThrottle, WebSocketApi};

pub(super) const PROPERTIES: &[&str] = &[
    "AccessLogSettings",
    "AccessPolicyId",
    "ApiId",
    "AutoDeploy",
    "ClientCertificateId",
    "DefaultRouteSettings",
    "DeploymentId",
    "Description",
    "RouteSettings",
    "StageName",
    "StageVariables",
    "Tags",
];

pub(super) const DEPLOYMENT_PROPERTIES: &[&str] = &["ApiId", "Description", "StageName"];

const ROUTE_SETTINGS: &[&str] = &[
    "DataTraceEnabled",
    "DetailedMetricsEnabled",
    "LoggingLevel",
    "ThrottlingBurstLimit",
    "ThrottlingRateLimit",
];

/// Reads the stage `r` of `api` (whose routes are known); `None` after reporting its problems.
pub(super) fn read(
    stack: &mut Stack<'_>,
    r: &Read,
    api: &WebSocketApi,
) -> Option<(Stage, StageThrottle)> {
    let props = &r.props;
    let Some(name_node) = props.get("StageName") else {
        stack.error(
            &props.ptr,
            At::Key,
            format!("{} needs a StageName", r.name()),
        );
        return None;
    };
    let name = stage_name(stack, name_node, false)?;
    let variables = props
        .get("StageVariables")
        .map(|n| stack.string_map(n, "StageVariables"))
        .unwrap_or_default();
    let mut throttle = StageThrottle::default();
    if let Some(node) = props.get("DefaultRouteSettings") {
        throttle.default = route_settings(stack, node, "DefaultRouteSettings")?;
    }
    if let Some(node) = props.get("RouteSettings") {
        let entries = stack.mapping(node, "RouteSettings")?.to_vec();
        for (key, settings) in &entries {
            if api.route(key).is_none() {
                // It would throttle nothing (a typo, most likely); API Gateway refuses such a
                // key too.
                let message = format!("RouteSettings names the route key \"{key}\", which no AWS::ApiGatewayV2::Route of this API has");
                stack.error(&settings.ptr, At::Key, message);
                return None;
            }
            let what = format!("RouteSettings.{key}");
            let route = route_settings(stack, settings, &what)?;
            if !route.is_empty() {
                throttle.routes.insert(key.clone(), route);
            }
        }
    }
    Some((Stage { name, variables }, throttle))
}

/// One `RouteSettings` entry (or `DefaultRouteSettings`): its throttling limits; the logging and
/// metrics flags are accepted and have no effect.
fn route_settings(stack: &mut Stack<'_>, node: &RNode, what: &str) -> Option<RouteThrottle> {
    let entries = stack.mapping(node, what)?.to_vec();
    stack.check_keys(&entries, ROUTE_SETTINGS, what);
    let rate_limit = match node.get("ThrottlingRateLimit") {
        Some(n) => {
            let parsed = n.text().and_then(|t| t.parse::<f64>().ok());
            match parsed.filter(|r| r.is_finite() && *r >= 0.0) {
                Some(rate) => Some(rate),
                None => {
                    let message =
                        format!("{what}.ThrottlingRateLimit must be a non-negative number");
                    stack.error(&n.ptr, At::Value, message);
                    return None;
                }
            }
        }
        None => None,
    };
    let burst_limit = match node.get("ThrottlingBurstLimit") {
        Some(n) => Some(stack.integer(
            n,
            &format!("{what}.ThrottlingBurstLimit"),
            0,
            u64::from(u32::MAX),
        )?),
        None => None,
    };
    Some(RouteThrottle {
        rate_limit,
        burst_limit,
    })
}

/// Adds `stage` of the API `api_id` to `stages` unless that API has a stage of that name
/// already; true when added.
pub(super) fn add(
    stack: &mut Stack<'_>,
    r: &Read,
    api_id: &str,
    stage: Stage,
    stages: &mut Vec<(String, Stage)>,
) -> bool {
    if stages
        .iter()
        .any(|(id, s)| id == api_id && s.name == stage.name)
    {
        let message = format!(
            "the API already has a stage named {}; stage names are unique within an API",
            stage.name
        );
        let at = r.props.get("StageName").map_or(&r.props.ptr, |n| &n.ptr);
        stack.error(at, At::Value, message);
        return false;
    }
    stages.push((api_id.to_owned(), stage));
    true
}
