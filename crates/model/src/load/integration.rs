//! `x-amazon-apigateway-integration` → [`Integration`].

use std::time::Duration;

use super::context::{one_of, At, Ctx, Node};
use super::parameters::{self, INTEGRATION_REQUEST};
use super::values::{choice, content_handling, passthrough_behavior};
use super::{
    http_mapping, integration_response, integration_subtype, integration_uri, unsupported,
};
use crate::api::{
    ApiKind, HttpMethod, Integration, IntegrationType, PassthroughBehavior, PayloadFormatVersion,
    ServiceTarget,
};

/// The route an integration belongs to, for messages and `{param}` checks.
pub(crate) struct Route<'a> {
    /// `GET /pets/{id}`.
    pub key: &'a str,
    /// Path parameter names; `None` when the path itself was invalid.
    pub params: Option<&'a [String]>,
}

const REST_PROPERTIES: &[&str] = &[
    "type",
    "uri",
    "httpMethod",
    "requestParameters",
    "requestTemplates",
    "passthroughBehavior",
    "contentHandling",
    "responses",
    "timeoutInMillis",
    "payloadFormatVersion",
    "connectionType",
    "connectionId",
    "credentials",
    "cacheKeyParameters",
    "cacheNamespace",
    "tlsConfig",
];

const HTTP_PROPERTIES: &[&str] = &[
    "type",
    "uri",
    "httpMethod",
    "requestParameters",
    "responseParameters",
    "timeoutInMillis",
    "payloadFormatVersion",
    "connectionType",
    "connectionId",
    "credentials",
    "tlsConfig",
    "integrationSubtype",
];

const TYPES: &[(&str, IntegrationType)] = &[
    ("HTTP", IntegrationType::Http),
    ("HTTP_PROXY", IntegrationType::HttpProxy),
    ("MOCK", IntegrationType::Mock),
    ("AWS", IntegrationType::Aws),
    ("AWS_PROXY", IntegrationType::AwsProxy),
];

/// Resolves one integration with its `cacheNamespace` (which the route keeps, see
/// [`crate::Route::cache_namespace`]); `None` after reporting its problems.
pub(crate) fn resolve<'d>(
    ctx: &mut Ctx<'d>,
    node: &Node<'d>,
    route: &Route<'_>,
) -> Option<(Integration, Option<String>)> {
    let before = ctx.error_count();
    ctx.object(node, "x-amazon-apigateway-integration")?;
    check_properties(ctx, node);
    let kind = integration_type(ctx, node)?;
    // An HTTP API's AWS service integration: `integrationSubtype` names the service and action.
    let subtype_node = node
        .get("integrationSubtype")
        .filter(|_| ctx.kind == ApiKind::Http);
    let service_integration = subtype_node.is_some()
        || (kind == IntegrationType::Aws
            && node
                .get("uri")
                .and_then(|n| n.value.as_str())
                .is_some_and(integration_uri::is_service_uri));
    unsupported::integration_properties(ctx, node, service_integration);
    let credentials = match node.get("credentials") {
        Some(member) if service_integration => integration_uri::check_credentials(ctx, &member),
        _ => None,
    };
    let request_parameters = match (ctx.kind, node.get("requestParameters")) {
        (ApiKind::Rest, Some(n)) => {
            parameters::mapping(ctx, &n, "requestParameters", INTEGRATION_REQUEST)
        }
        _ => Default::default(),
    };
    // HTTP APIs map parameters with their own syntax, for HTTP_PROXY and Lambda alike.
    // A service integration's requestParameters are its subtype's parameters.
    let parameter_mapping = match (ctx.kind, &subtype_node) {
        (ApiKind::Http, Some(_)) => http_mapping::resolve_response(ctx, node),
        (ApiKind::Http, None) => http_mapping::resolve(ctx, node),
        (ApiKind::Rest, _) => None,
    };
    let service = subtype_node
        .as_ref()
        .and_then(|subtype| integration_subtype::resolve(ctx, node, subtype));
    let (uri, service_target) = match subtype_node {
        Some(_) => (None, None),
        None => uri(ctx, node, kind, route, &request_parameters).unzip(),
    };
    let integration = Integration {
        kind,
        uri,
        http_method: http_method(ctx, node, kind),
        request_parameters,
        request_templates: rest_only(ctx, node, "requestTemplates", |c, n| {
            c.string_map(n, "requestTemplates")
        })
        .unwrap_or_default(),
        passthrough_behavior: rest_only(ctx, node, "passthroughBehavior", passthrough_behavior)
            .flatten()
            .unwrap_or(PassthroughBehavior::WhenNoMatch),
        content_handling: rest_only(ctx, node, "contentHandling", content_handling).flatten(),
        responses: rest_only(ctx, node, "responses", integration_response::resolve_all)
            .unwrap_or_default(),
        timeout: timeout(ctx, node),
        payload_format_version: payload_format_version(ctx, node, kind),
        parameter_mapping,
        cache_key_parameters: rest_only(ctx, node, "cacheKeyParameters", super::cache_keys::read)
            .unwrap_or_default(),
        service,
        service_target: service_target.flatten(),
        credentials,
    };
    if integration.service.is_some()
        && integration.payload_format_version == PayloadFormatVersion::V2
    {
        if let Some(version_node) = node.get("payloadFormatVersion") {
            let message = "payloadFormatVersion 2.0 exists only for Lambda integrations; AWS service integrations (integrationSubtype) use 1.0";
            ctx.error(&version_node.ptr, At::Value, message);
        }
    }
    let cache_namespace = rest_only(ctx, node, "cacheNamespace", cache_namespace).flatten();
    (ctx.error_count() == before).then_some((integration, cache_namespace))
}

/// `cacheNamespace`: `None` when empty, which AWS treats as not given (the resource's own).
fn cache_namespace(ctx: &mut Ctx<'_>, node: &Node<'_>) -> Option<String> {
    let text = ctx.string(node, "cacheNamespace")?;
    (!text.is_empty()).then(|| text.to_owned())
}

/// Reads a REST-only property (reported by [`check_properties`] in an HTTP API).
fn rest_only<'d, T>(
    ctx: &mut Ctx<'d>,
    node: &Node<'d>,
    key: &str,
    read: impl FnOnce(&mut Ctx<'d>, &Node<'d>) -> T,
) -> Option<T> {
    let member = node.get(key).filter(|_| ctx.kind == ApiKind::Rest)?;
    Some(read(ctx, &member))
}

fn check_properties(ctx: &mut Ctx<'_>, node: &Node<'_>) {
    let (own, other, other_kind) = match ctx.kind {
        ApiKind::Rest => (REST_PROPERTIES, HTTP_PROPERTIES, "an HTTP API"),
        ApiKind::Http => (HTTP_PROPERTIES, REST_PROPERTIES, "a REST API"),
    };
    for (key, member) in node.entries() {
        if own.contains(&key) || key.starts_with("x-") {
            continue;
        }
        let message = if other.contains(&key) {
            let this_kind = match ctx.kind {
                ApiKind::Rest => "REST APIs",
                ApiKind::Http => "HTTP APIs",
            };
            format!("{key} is {other_kind} integration property; {this_kind} do not have it")
        } else {
            format!(
                "unknown property \"{key}\" in x-amazon-apigateway-integration; expected one of {}",
                one_of(own)
            )
        };
        ctx.error(&member.ptr, At::Key, message);
    }
}

/// The type, or `None` when it is missing, unknown, or not served (yet).
fn integration_type(ctx: &mut Ctx<'_>, node: &Node<'_>) -> Option<IntegrationType> {
    let Some(type_node) = node.get("type") else {
        let names: Vec<&str> = TYPES.iter().map(|(n, _)| *n).collect();
        let message = format!(
            "x-amazon-apigateway-integration has no type; expected one of {}",
            one_of(&names)
        );
        ctx.error(&node.ptr, At::Key, message);
        return None;
    };
    let kind = choice(ctx, &type_node, "integration type", TYPES)?;
    let http_api_has_it = matches!(kind, IntegrationType::HttpProxy | IntegrationType::AwsProxy);
    let message = if ctx.kind == ApiKind::Http && !http_api_has_it {
        format!("integration type {} is not available in HTTP APIs; HTTP APIs support HTTP_PROXY and AWS_PROXY", kind.as_str())
    } else if matches!(kind, IntegrationType::Aws | IntegrationType::AwsProxy) && !ctx.allow_lambda
    {
        format!("integration type {} is not supported yet by Turnpike (Lambda and AWS service integrations are planned)", kind.as_str())
    } else {
        return Some(kind);
    };
    ctx.error(&type_node.ptr, At::Value, message);
    None
}

fn uri(
    ctx: &mut Ctx<'_>,
    node: &Node<'_>,
    kind: IntegrationType,
    route: &Route<'_>,
    mapped: &std::collections::BTreeMap<String, String>,
) -> Option<(String, Option<ServiceTarget>)> {
    // MOCK answers by itself; AWS ignores a uri given to it.
    if kind == IntegrationType::Mock {
        return None;
    }
    let Some(uri_node) = node.get("uri") else {
        ctx.error(&node.ptr, At::Key, integration_uri::missing(kind));
        return None;
    };
    let uri = ctx.string(&uri_node, "uri")?;
    let mut target = None;
    match kind {
        IntegrationType::Aws if integration_uri::is_service_uri(uri) => {
            target = integration_uri::check_service(ctx, &uri_node, uri, route, mapped);
        }
        IntegrationType::Aws | IntegrationType::AwsProxy => {
            integration_uri::check_lambda(ctx, &uri_node, uri);
        }
        _ => integration_uri::check(ctx, &uri_node, uri, route, mapped),
    }
    Some((uri.to_owned(), target))
}

/// `None` means "the request's own method" (`ANY`, or no httpMethod where that is allowed).
fn http_method(ctx: &mut Ctx<'_>, node: &Node<'_>, kind: IntegrationType) -> Option<HttpMethod> {
    let Some(method_node) = node.get("httpMethod") else {
        // PutIntegration requires integrationHttpMethod for every REST type but MOCK.
        if ctx.kind == ApiKind::Rest && kind != IntegrationType::Mock {
            let message = format!("httpMethod is required for {} integrations in REST APIs; expected GET, POST, ... or ANY to use the request's method", kind.as_str());
            ctx.error(&node.ptr, At::Key, message);
        }
        return None;
    };
    let methods: Vec<(&str, HttpMethod)> =
        HttpMethod::ALL.iter().map(|m| (m.as_str(), *m)).collect();
    let method = choice(ctx, &method_node, "httpMethod", &methods)?;
    let lambda = kind == IntegrationType::AwsProxy
        || (kind == IntegrationType::Aws
            && node
                .get("uri")
                .and_then(|n| n.value.as_str())
                .is_some_and(|uri| !integration_uri::is_service_uri(uri)));
    if lambda && ctx.kind == ApiKind::Rest && method != HttpMethod::Post {
        // API Gateway calls Lambda's Invoke API, which only answers POST; AWS accepts any other
        // method at import and then fails every request, so say it here.
        let message = format!("httpMethod of a Lambda integration must be POST (API Gateway calls the Lambda Invoke API with POST); found {method}");
        ctx.error(&method_node.ptr, At::Value, message);
    }
    (method != HttpMethod::Any).then_some(method)
}

fn timeout(ctx: &mut Ctx<'_>, node: &Node<'_>) -> Duration {
    let (max, kind) = match ctx.kind {
        ApiKind::Rest => (29_000, "REST APIs"),
        ApiKind::Http => (30_000, "HTTP APIs"),
    };
    let Some(timeout_node) = node.get("timeoutInMillis") else {
        return Duration::from_millis(max);
    };
    if !timeout_node.value.is_number() {
        ctx.error(
            &timeout_node.ptr,
            At::Value,
            format!(
                "timeoutInMillis must be a number; found {}",
                super::context::type_name(timeout_node.value)
            ),
        );
        return Duration::from_millis(max);
    }
    match timeout_node
        .value
        .as_u64()
        .filter(|ms| (50..=max).contains(ms))
    {
        Some(ms) => Duration::from_millis(ms),
        None => {
            let message = format!("timeoutInMillis {} is out of range; {kind} allow a whole number of milliseconds from 50 to {max}", timeout_node.value);
            ctx.error(&timeout_node.ptr, At::Value, message);
            Duration::from_millis(max)
        }
    }
}

fn payload_format_version(
    ctx: &mut Ctx<'_>,
    node: &Node<'_>,
    kind: IntegrationType,
) -> PayloadFormatVersion {
    let Some(version_node) = node.get("payloadFormatVersion") else {
        return PayloadFormatVersion::V1;
    };
    // YAML users write 2.0 unquoted; the number means the same version.
    let text = match version_node.value {
        serde_json::Value::Number(n) => n.as_f64().map(|f| format!("{f:.1}")).unwrap_or_default(),
        _ => ctx
            .string(&version_node, "payloadFormatVersion")
            .unwrap_or("1.0")
            .to_owned(),
    };
    let version = match text.as_str() {
        "1.0" => PayloadFormatVersion::V1,
        "2.0" => PayloadFormatVersion::V2,
        _ => {
            let message =
                format!("unknown payloadFormatVersion \"{text}\"; expected \"1.0\" or \"2.0\"");
            ctx.error(&version_node.ptr, At::Value, message);
            return PayloadFormatVersion::V1;
        }
    };
    if version == PayloadFormatVersion::V2 && kind != IntegrationType::AwsProxy {
        let message = match ctx.kind {
            ApiKind::Rest => "payloadFormatVersion 2.0 exists only for Lambda proxy integrations of HTTP APIs; REST APIs use 1.0".to_owned(),
            ApiKind::Http => format!("payloadFormatVersion 2.0 exists only for Lambda (AWS_PROXY) integrations; {} integrations use 1.0", kind.as_str()),
        };
        ctx.error(&version_node.ptr, At::Value, message);
    }
    version
}
