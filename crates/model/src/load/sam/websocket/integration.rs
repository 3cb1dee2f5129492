//! `AWS::ApiGatewayV2::Integration` → [`Integration`] (what a route calls: a Lambda function,
//! an HTTP endpoint, an AWS service or a mock) and `AWS::ApiGatewayV2::IntegrationResponse` →
//! its [`IntegrationResponse`]s.

use std::collections::BTreeMap;
use std::time::Duration;

use regex::Regex;
use serde_json::Value;

use super::{http_only, reference, Kinds, Read, INTEGRATION};
use crate::api::{
    lambda_function_arn_of, ContentHandling, HttpMethod, Integration, IntegrationResponse,
    IntegrationType, PassthroughBehavior,
};
use crate::load::context::{one_of, At, Node};
use crate::load::integration::Route;
use crate::load::integration_uri;
use crate::load::sam::resolved::RNode;
use crate::load::sam::stack::Stack;

pub(super) const PROPERTIES: &[&str] = &[
    "ApiId",
    "ConnectionId",
    "ConnectionType",
    "ContentHandlingStrategy",
    "CredentialsArn",
    "Description",
    "IntegrationMethod",
    "IntegrationSubtype",
    "IntegrationType",
    "IntegrationUri",
    "PassthroughBehavior",
    "PayloadFormatVersion",
    "RequestParameters",
    "RequestTemplates",
    "ResponseParameters",
    "TemplateSelectionExpression",
    "TimeoutInMillis",
    "TlsConfig",
];

pub(super) const RESPONSE_PROPERTIES: &[&str] = &[
    "ApiId",
    "ContentHandlingStrategy",
    "IntegrationId",
    "IntegrationResponseKey",
    "ResponseParameters",
    "ResponseTemplates",
    "TemplateSelectionExpression",
];

const HTTP_ONLY: &[&str] = &[
    "ConnectionId",
    "IntegrationSubtype",
    "ResponseParameters",
    "TlsConfig",
];

const TYPES: &[(&str, IntegrationType)] = &[
    ("AWS_PROXY", IntegrationType::AwsProxy),
    ("AWS", IntegrationType::Aws),
    ("HTTP_PROXY", IntegrationType::HttpProxy),
    ("HTTP", IntegrationType::Http),
    ("MOCK", IntegrationType::Mock),
];

const LAMBDA_URI: &str =
    "arn:aws:apigateway:REGION:lambda:path/2015-03-31/functions/FUNCTION_ARN/invocations";

/// WebSocket APIs' limit (HTTP APIs allow 30 s); also their default.
const MAX_TIMEOUT_MS: u64 = 29_000;

/// One integration, read.
pub(super) struct Decl {
    /// Index of its API.
    pub api: usize,
    pub integration: Integration,
    /// `TemplateSelectionExpression`.
    pub template_selection: Option<String>,
}

/// Reads the integration `r` of the API `api`; `None` after reporting its problems.
pub(super) fn read(stack: &mut Stack<'_>, r: &Read, api: usize) -> Option<Decl> {
    let props = &r.props;
    http_only(stack, r, HTTP_ONLY);
    let Some(type_node) = props.get("IntegrationType") else {
        let message = format!("{} needs an IntegrationType: one of {}", r.name(), names());
        stack.error(&props.ptr, At::Key, message);
        return None;
    };
    let type_text = stack.text(type_node, "IntegrationType")?;
    let Some(&(_, kind)) = TYPES.iter().find(|(name, _)| *name == type_text) else {
        let message = format!(
            "IntegrationType must be one of {}; found {type_text}",
            names()
        );
        stack.error(&type_node.ptr, At::Value, message);
        return None;
    };
    let mut integration = Integration::new(kind);
    integration.timeout = Duration::from_millis(MAX_TIMEOUT_MS);
    let mut ok = true;
    if let Some(node) = props.get("ConnectionType") {
        match stack.text(node, "ConnectionType").as_deref() {
            Some("INTERNET") | None => {}
            Some(other) => {
                let message = format!("ConnectionType {other} is not supported by Turnpike, which has no VPC links; use INTERNET (the default)");
                stack.error(&node.ptr, At::Value, message);
                ok = false;
            }
        }
    }
    integration.request_parameters = props
        .get("RequestParameters")
        .map(|n| stack.string_map(n, "RequestParameters"))
        .unwrap_or_default();
    let lambda = kind != IntegrationType::Mock && uri(stack, r, &mut integration);
    ok &= kind == IntegrationType::Mock || integration.uri.is_some();
    ok &= method(stack, r, &mut integration, lambda);
    integration.request_templates = props
        .get("RequestTemplates")
        .map(|n| stack.string_map(n, "RequestTemplates"))
        .unwrap_or_default();
    if let Some(node) = props.get("PassthroughBehavior") {
        integration.passthrough_behavior = match stack.text(node, "PassthroughBehavior").as_deref()
        {
            Some("WHEN_NO_MATCH") => PassthroughBehavior::WhenNoMatch,
            Some("WHEN_NO_TEMPLATES") => PassthroughBehavior::WhenNoTemplates,
            Some("NEVER") => PassthroughBehavior::Never,
            found => {
                if let Some(found) = found {
                    let message = format!("PassthroughBehavior must be one of WHEN_NO_MATCH, WHEN_NO_TEMPLATES, NEVER; found {found}");
                    stack.error(&node.ptr, At::Value, message);
                }
                ok = false;
                PassthroughBehavior::WhenNoMatch
            }
        };
    }
    integration.content_handling = content_handling(stack, props, &mut ok);
    if let Some(node) = props.get("TimeoutInMillis") {
        match stack.integer(node, "TimeoutInMillis", 50, MAX_TIMEOUT_MS) {
            Some(ms) => integration.timeout = Duration::from_millis(ms),
            None => ok = false,
        }
    }
    if let Some(node) = props.get("PayloadFormatVersion") {
        let version = stack.text(node, "PayloadFormatVersion");
        if version.as_deref() != Some("1.0") {
            if let Some(found) = version {
                let message = format!("PayloadFormatVersion of a WebSocket API's integration must be 1.0, the only format WebSocket APIs send; found {found}");
                stack.error(&node.ptr, At::Value, message);
            }
            ok = false;
        }
    }
    let template_selection = props
        .get("TemplateSelectionExpression")
        .and_then(|n| stack.text(n, "TemplateSelectionExpression"));
    ok.then_some(Decl {
        api,
        integration,
        template_selection,
    })
}

fn names() -> String {
    let names: Vec<&str> = TYPES.iter().map(|(name, _)| *name).collect();
    one_of(&names)
}

/// Reads and checks `IntegrationUri` into `integration.uri`; returns whether it names a Lambda
/// function.
fn uri(stack: &mut Stack<'_>, r: &Read, integration: &mut Integration) -> bool {
    let kind = integration.kind;
    let Some(node) = r.props.get("IntegrationUri") else {
        let expected = match kind {
            IntegrationType::AwsProxy => format!("a Lambda invocation ARN, {LAMBDA_URI}"),
            IntegrationType::Aws => {
                format!("a Lambda invocation ARN, {LAMBDA_URI}, or an AWS service ARN")
            }
            _ => "an absolute http:// or https:// URL".to_owned(),
        };
        let message = format!(
            "{} needs an IntegrationUri for its {} integration: {expected}",
            r.name(),
            kind.as_str()
        );
        stack.error(&r.props.ptr, At::Key, message);
        return false;
    };
    let Some(text) = stack.text(node, "IntegrationUri") else {
        return false;
    };
    // The shared checks read template nodes; this value may have been computed by Fn::Sub.
    let value = Value::String(text.clone());
    let located = Node {
        value: &value,
        ptr: node.ptr.clone(),
    };
    let errors = stack.ctx.error_count();
    let no_route = Route {
        key: &r.id,
        params: None,
    };
    let function = lambda_function_arn_of(&text).filter(|f| *f != text);
    let lambda = match kind {
        IntegrationType::AwsProxy | IntegrationType::Aws if function.is_some() => true,
        IntegrationType::Aws if integration_uri::is_service_uri(&text) => {
            let mapped = integration.request_parameters.clone();
            integration.service_target =
                integration_uri::check_service(&mut stack.ctx, &located, &text, &no_route, &mapped);
            if let Some(node) = r.props.get("CredentialsArn") {
                let role = stack.text(node, "CredentialsArn").map(Value::String);
                if let Some(role) = &role {
                    let located = Node {
                        value: role,
                        ptr: node.ptr.clone(),
                    };
                    integration.credentials =
                        integration_uri::check_credentials(&mut stack.ctx, &located);
                }
            }
            false
        }
        IntegrationType::AwsProxy | IntegrationType::Aws => {
            let also = if kind == IntegrationType::Aws {
                ", or an AWS service ARN"
            } else {
                ""
            };
            let message = format!("IntegrationUri \"{text}\" is not a Lambda invocation ARN; {} integrations of WebSocket APIs expect {LAMBDA_URI}{also}", kind.as_str());
            stack.error(&node.ptr, At::Value, message);
            false
        }
        _ => {
            let mapped = integration.request_parameters.clone();
            integration_uri::check(&mut stack.ctx, &located, &text, &no_route, &mapped);
            false
        }
    };
    if stack.ctx.error_count() == errors {
        integration.uri = Some(text);
    }
    lambda
}

/// Reads `IntegrationMethod`: POST for Lambda functions (Lambda's Invoke API), required for HTTP
/// endpoints (a message has no method of its own to pass on). Returns false after an error.
fn method(stack: &mut Stack<'_>, r: &Read, integration: &mut Integration, lambda: bool) -> bool {
    let http = matches!(
        integration.kind,
        IntegrationType::Http | IntegrationType::HttpProxy
    );
    let Some(node) = r.props.get("IntegrationMethod") else {
        if http {
            let message = format!("{} needs an IntegrationMethod (such as POST) for its {} integration: a WebSocket message has no method of its own to pass on", r.name(), integration.kind.as_str());
            stack.error(&r.props.ptr, At::Key, message);
            return false;
        }
        if lambda {
            integration.http_method = Some(HttpMethod::Post);
        }
        return true;
    };
    let Some(text) = stack.text(node, "IntegrationMethod") else {
        return false;
    };
    let method = HttpMethod::parse(&text).filter(|m| *m != HttpMethod::Any);
    let message = match method {
        None => format!("IntegrationMethod must be an HTTP method (GET, POST, PUT, PATCH, DELETE, HEAD or OPTIONS); found {text}"),
        Some(m) if lambda && m != HttpMethod::Post => format!("IntegrationMethod of a Lambda integration must be POST (API Gateway calls the Lambda Invoke API with POST); found {text}"),
        Some(m) => {
            integration.http_method = Some(m);
            return true;
        }
    };
    stack.error(&node.ptr, At::Value, message);
    false
}

/// `ContentHandlingStrategy`; clears `ok` after an error.
fn content_handling(
    stack: &mut Stack<'_>,
    props: &RNode,
    ok: &mut bool,
) -> Option<ContentHandling> {
    let node = props.get("ContentHandlingStrategy")?;
    match stack.text(node, "ContentHandlingStrategy")?.as_str() {
        "CONVERT_TO_TEXT" => Some(ContentHandling::ConvertToText),
        "CONVERT_TO_BINARY" => Some(ContentHandling::ConvertToBinary),
        other => {
            let message = format!(
                "ContentHandlingStrategy must be CONVERT_TO_TEXT or CONVERT_TO_BINARY; found {other}"
            );
            stack.error(&node.ptr, At::Value, message);
            *ok = false;
            None
        }
    }
}

/// Adds the integration response `r` of API `api` to the integration its `IntegrationId` names.
pub(super) fn response(
    stack: &mut Stack<'_>,
    r: &Read,
    api: usize,
    kinds: &Kinds,
    integrations: &mut BTreeMap<String, Decl>,
) {
    let props = &r.props;
    let (Some(id_node), Some(key_node)) = (
        props.get("IntegrationId"),
        props.get("IntegrationResponseKey"),
    ) else {
        let message = format!(
            "{} needs IntegrationId (!Ref of its AWS::ApiGatewayV2::Integration) and IntegrationResponseKey ($default or a /regex/)",
            r.name()
        );
        stack.error(&props.ptr, At::Key, message);
        return;
    };
    let Some(id) = reference(stack, id_node, "IntegrationId", INTEGRATION, kinds) else {
        return;
    };
    let Some(key) = stack.text(key_node, "IntegrationResponseKey") else {
        return;
    };
    let selection_regex = if key == "$default" {
        None
    } else {
        let pattern = key
            .strip_prefix('/')
            .and_then(|k| k.strip_suffix('/'))
            .filter(|p| !p.is_empty());
        let Some(pattern) = pattern else {
            let message = format!("IntegrationResponseKey must be $default or a regular expression between slashes, such as /4\\d\\d/; found {key}");
            stack.error(&key_node.ptr, At::Value, message);
            return;
        };
        match Regex::new(&format!("^(?:{pattern})$")) {
            Ok(regex) => Some(regex),
            Err(e) => {
                // The regex crate's message ends with the one line that says what is wrong.
                let text = e.to_string();
                let last = text.lines().last().unwrap_or_default();
                let what = last.strip_prefix("error: ").unwrap_or(last);
                let message = format!("IntegrationResponseKey {key} is not a valid regular expression ({what}); expected $default or /REGEX/");
                stack.error(&key_node.ptr, At::Value, message);
                return;
            }
        }
    };
    if let Some(node) = props.get("TemplateSelectionExpression") {
        stack.warn(&node.ptr, "TemplateSelectionExpression of an AWS::ApiGatewayV2::IntegrationResponse is not applied by Turnpike yet");
    }
    let mut ok = true;
    let content_handling = content_handling(stack, props, &mut ok);
    let response_parameters = props
        .get("ResponseParameters")
        .map(|n| stack.string_map(n, "ResponseParameters"))
        .unwrap_or_default();
    let response_templates = props
        .get("ResponseTemplates")
        .map(|n| stack.string_map(n, "ResponseTemplates"))
        .unwrap_or_default();
    // An integration that did not load was reported already.
    let Some(decl) = integrations.get_mut(&id) else {
        return;
    };
    if decl.api != api {
        let message = format!("IntegrationId \"{id}\" is an integration of another API; an integration response must belong to the API of its integration");
        stack.error(&id_node.ptr, At::Value, message);
        return;
    }
    if decl
        .integration
        .responses
        .iter()
        .any(|existing| existing.selection_pattern == key)
    {
        let message = format!("the integration {id} already has an integration response with IntegrationResponseKey {key}");
        stack.error(&key_node.ptr, At::Value, message);
        return;
    }
    if ok {
        decl.integration.responses.push(IntegrationResponse {
            selection_pattern: key,
            selection_regex,
            // WebSocket integration responses have no status: the route response is a message.
            status_code: 200,
            response_parameters,
            response_templates,
            content_handling,
        });
    }
}
