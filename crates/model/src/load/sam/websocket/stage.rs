//! `AWS::ApiGatewayV2::Stage` of a WebSocket API → a [`Stage`] with its variables;
//! `AWS::ApiGatewayV2::Deployment` is accepted (Turnpike serves what the template declares).

use super::Read;
use crate::load::context::At;
use crate::load::sam::stack::Stack;
use crate::stage::Stage;

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

/// Reads the stage `r`; `None` after reporting its problems.
pub(super) fn read(stack: &mut Stack<'_>, r: &Read) -> Option<Stage> {
    let props = &r.props;
    let Some(name_node) = props.get("StageName") else {
        stack.error(
            &props.ptr,
            At::Key,
            format!("{} needs a StageName", r.name()),
        );
        return None;
    };
    let name = stack.text(name_node, "StageName")?;
    let valid = !name.is_empty()
        && name.len() <= 128
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !valid {
        let message = format!("StageName \"{name}\" is not a valid stage name; use up to 128 letters, digits, hyphens and underscores");
        stack.error(&name_node.ptr, At::Value, message);
        return None;
    }
    let variables = props
        .get("StageVariables")
        .map(|n| stack.string_map(n, "StageVariables"))
        .unwrap_or_default();
    if let Some(node) = props.get("DefaultRouteSettings") {
        if let Some(entries) = stack.mapping(node, "DefaultRouteSettings") {
            let entries = entries.to_vec();
            stack.check_keys(&entries, ROUTE_SETTINGS, "DefaultRouteSettings");
            if entries.iter().any(|(k, _)| k.starts_with("Throttling")) {
                stack.warn(&node.ptr, "throttling in DefaultRouteSettings of an AWS::ApiGatewayV2::Stage is not applied by Turnpike yet");
            }
        }
    }
    if let Some(node) = props.get("RouteSettings") {
        stack.warn(
            &node.ptr,
            "RouteSettings of an AWS::ApiGatewayV2::Stage are not applied by Turnpike yet",
        );
    }
    Some(Stage { name, variables })
}

/// Adds `stage` of the API `api_id` to `stages` unless that API has a stage of that name already.
pub(super) fn add(
    stack: &mut Stack<'_>,
    r: &Read,
    api_id: &str,
    stage: Stage,
    stages: &mut Vec<(String, Stage)>,
) {
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
        return;
    }
    stages.push((api_id.to_owned(), stage));
}
