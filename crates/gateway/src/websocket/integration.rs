//! Calling a WebSocket route's integration.
//!
//! - AWS_PROXY (Lambda proxy): the route's [event](super::event) goes to the function on the
//!   gateway's functions host (the same resolution and invocation as REST and HTTP APIs: the
//!   function named by the uri, stage variables filled in, the integration's timeout). Its
//!   result is read as an HTTP API's payload 2.0 result: `statusCode`, `headers`, `body`,
//!   `isBase64Encoded`; any other JSON is a 200 whose body is that JSON, and `null` (a handler
//!   that returns nothing) is a 200 without body.
//! - MOCK, HTTP, HTTP_PROXY and AWS service integrations reuse the REST integration code, given
//!   the message as a POST body with `Content-Type: application/json` (`$connect`: the
//!   handshake's headers and query string, no body) and the event's WebSocket `$context`.
//!   WebSocket request templates are keyed by the value of the integration's template selection
//!   expression (`\$default` when absent; `$request.body.x` or a static key), the `$default`
//!   template when no template has that key ("Data transformations for WebSocket APIs"). Each
//!   key compiles to its own REST integration whose one template is `application/json`, which is
//!   what that code selects.
//!
//! A failure (no function, function error, malformed result, timeout) is [`Failed`], which the
//! caller answers with API Gateway's `Internal server error`.

use std::time::Duration;

use base64::Engine as _;
use bytes::Bytes;
use http::header::CONTENT_TYPE;
use http::{HeaderMap, HeaderValue, Method, Request};
use http_body_util::BodyExt;
use turnpike_functions::{InvokeContext, InvokeResponse};
use turnpike_model::{IntegrationType, WebSocketRoute};
use turnpike_state::Outbound;

use crate::body::RequestBody;
use crate::context::RequestContext;
use crate::integrate::lambda::function::FunctionTarget;
use crate::integrate::{self, Call, Integration};
use crate::pipeline::Shared;

use super::connection::Session;
use super::context::WsContext;
use super::event::{self, EventIds, EventKind};
use super::metrics::WsMetric;

/// A route's integration, compiled.
#[derive(Debug)]
pub(crate) enum RouteIntegration {
    Lambda {
        /// `None` when the uri names no function (reported at compile time).
        target: Option<FunctionTarget>,
        timeout: Duration,
    },
    Other(Box<Templated>),
}

/// A non-Lambda integration per request template key.
#[derive(Debug)]
pub(crate) struct Templated {
    selection: TemplateSelection,
    /// With the `$default` template, or none (the body then passes through).
    default: Integration,
    /// With the template of each other key.
    keyed: Vec<(String, Integration)>,
}

/// A template selection expression, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TemplateSelection {
    /// `\$default`, or a static key.
    Static(String),
    /// `$request.body.a.b` (or `${request.body.a.b}`): the members to walk.
    Body(Vec<String>),
}

impl TemplateSelection {
    pub(crate) fn parse(expression: Option<&str>) -> TemplateSelection {
        let Some(expression) = expression.map(str::trim) else {
            return TemplateSelection::Static("$default".to_owned());
        };
        let braced = expression
            .strip_prefix("${")
            .and_then(|rest| rest.strip_suffix('}'))
            .map(|inner| format!("${inner}"));
        let plain = braced.as_deref().unwrap_or(expression);
        match plain.strip_prefix("$request.body.") {
            Some(path) if !path.is_empty() => {
                TemplateSelection::Body(path.split('.').map(str::to_owned).collect())
            }
            _ => TemplateSelection::Static(expression.trim_start_matches('\\').to_owned()),
        }
    }

    /// The template key for `message`; `None` when the expression finds nothing in it.
    fn key(&self, message: &[u8]) -> Option<String> {
        match self {
            TemplateSelection::Static(key) => Some(key.clone()),
            TemplateSelection::Body(members) => {
                let value: serde_json::Value = serde_json::from_slice(message).ok()?;
                let mut at = &value;
                for member in members {
                    at = at.as_object()?.get(member)?;
                }
                match at {
                    serde_json::Value::String(text) => Some(text.clone()),
                    serde_json::Value::Null
                    | serde_json::Value::Object(_)
                    | serde_json::Value::Array(_) => None,
                    other => Some(other.to_string()),
                }
            }
        }
    }
}

/// What the integration answered.
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) headers: HeaderMap,
    /// The message a two-way route sends back; `None` when there is no body.
    pub(crate) body: Option<Outbound>,
}

/// The integration failed: API Gateway's `Internal server error`.
#[derive(Debug)]
pub(crate) struct Failed;

/// One call of a route's integration.
pub(crate) struct WsCall<'a> {
    pub(crate) shared: &'a Shared,
    pub(crate) session: &'a Session,
    pub(crate) route_key: &'a str,
    pub(crate) kind: EventKind<'a>,
    pub(crate) ids: &'a EventIds,
}

impl RouteIntegration {
    pub(crate) fn compile(route: &WebSocketRoute, problems: &mut Vec<String>) -> RouteIntegration {
        let integration = &route.integration;
        if integration.kind == IntegrationType::AwsProxy && integration.service.is_none() {
            return RouteIntegration::Lambda {
                target: FunctionTarget::compile(integration, problems),
                timeout: integration.timeout,
            };
        }
        let selection = TemplateSelection::parse(route.template_selection.as_deref());
        let templates: Vec<(String, &String)> = integration
            .request_templates
            .iter()
            .map(|(key, text)| (key.trim_start_matches('\\').to_owned(), text))
            .collect();
        let with_template = |template: Option<&String>, problems: &mut Vec<String>| {
            let mut one = integration.clone();
            one.request_templates = template
                .map(|text| ("application/json".to_owned(), text.clone()))
                .into_iter()
                .collect();
            Integration::compile(&one, &[], problems)
        };
        let default_template = templates
            .iter()
            .find(|(key, _)| key == "$default")
            .map(|(_, text)| *text);
        let default = with_template(default_template, problems);
        let keyed = match &selection {
            TemplateSelection::Static(key) if key == "$default" => Vec::new(),
            _ => templates
                .iter()
                .filter(|(key, _)| key != "$default")
                .map(|(key, text)| (key.clone(), with_template(Some(text), problems)))
                .collect(),
        };
        RouteIntegration::Other(Box::new(Templated {
            selection,
            default,
            keyed,
        }))
    }

    /// Calls the integration and counts the call in the stage's metrics.
    pub(crate) async fn call(&self, call: WsCall<'_>) -> Result<Reply, Failed> {
        let (api, stage) = (&call.session.api, call.session.stage.name.as_str());
        if call.route_key == "$connect" {
            api.count(stage, WsMetric::ConnectCount);
        }
        let result = match self {
            RouteIntegration::Lambda { target, timeout } => {
                invoke_lambda(target.as_ref(), *timeout, call).await
            }
            RouteIntegration::Other(integration) => call_other(integration, call).await,
        };
        match &result {
            Ok(reply) if reply.status >= 400 => api.count(stage, WsMetric::IntegrationError),
            Ok(_) => {}
            Err(Failed) => api.count(stage, WsMetric::ExecutionError),
        }
        result
    }
}

async fn invoke_lambda(
    target: Option<&FunctionTarget>,
    timeout: Duration,
    call: WsCall<'_>,
) -> Result<Reply, Failed> {
    let session = call.session;
    let log = |reason: &str| {
        tracing::warn!(
            api = session.api.id(),
            connection_id = session.connection_id,
            route = call.route_key,
            request_id = call.ids.request_id,
            "Execution failed: {reason}"
        );
        Failed
    };
    let function = match target.map(|t| t.resolve(Some(&session.stage.variables))) {
        Some(Ok(function)) => function,
        _ => return Err(log("the integration uri names no Lambda function")),
    };
    let Some(host) = call.shared.functions.as_ref() else {
        return Err(log("the gateway runs no functions"));
    };
    let event = event::event(session, call.route_key, &call.kind, call.ids);
    let payload = serde_json::to_vec(&event).map_err(|_| log("the event is not JSON"))?;
    let invoke_ctx = InvokeContext {
        invoked_function_arn: Some(function.arn.clone()),
        ..InvokeContext::default()
    };
    let invocation = host.0.invoke_arn(
        &function.name,
        &function.arn,
        Bytes::from(payload),
        invoke_ctx,
    );
    let outcome = match tokio::time::timeout(timeout, invocation).await {
        Ok(Ok(outcome)) => outcome,
        Ok(Err(error)) => return Err(log(&format!("Lambda invocation failed: {error}"))),
        Err(_) => return Err(log("timeout")),
    };
    let result = match outcome.response {
        InvokeResponse::Success(result) => result,
        InvokeResponse::FunctionError(error) => {
            let message = error.error_message().unwrap_or_default();
            return Err(log(&format!("customer function error: {message}")));
        }
    };
    if result.trim_ascii() == b"null" {
        return Ok(Reply {
            status: 200,
            headers: HeaderMap::new(),
            body: None,
        });
    }
    let parsed = crate::integrate::lambda::response::parse_v2(&result)
        .map_err(|malformed| log(&format!("Malformed Lambda proxy response: {}", malformed.0)))?;
    let body = match (parsed.body.is_empty(), parsed.base64) {
        (true, _) => None,
        (false, true) => {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(&parsed.body)
                .map_err(|_| log("isBase64Encoded body is not base64"))?;
            Some(Outbound::Binary(Bytes::from(bytes)))
        }
        (false, false) => Some(message(parsed.body)),
    };
    Ok(Reply {
        status: parsed.status.as_u16(),
        headers: parsed.headers,
        body,
    })
}

/// A message of `bytes`: text when they are UTF-8, binary otherwise.
pub(crate) fn message(bytes: Bytes) -> Outbound {
    match String::from_utf8(bytes.to_vec()) {
        Ok(text) => Outbound::Text(text),
        Err(_) => Outbound::Binary(bytes),
    }
}

async fn call_other(templated: &Templated, call: WsCall<'_>) -> Result<Reply, Failed> {
    let session = call.session;
    let body = match &call.kind {
        EventKind::Message { body, .. } => Bytes::copy_from_slice(body),
        _ => Bytes::new(),
    };
    let integration = match templated.selection.key(&body) {
        Some(key) => templated
            .keyed
            .iter()
            .find(|(k, _)| *k == key)
            .map_or(&templated.default, |(_, integration)| integration),
        None => &templated.default,
    };
    // `$connect` templates can read the handshake's headers and query string.
    let (uri, headers) = match &call.kind {
        EventKind::Connect(request, _) => {
            let uri = match request.query {
                Some(query) => format!("{}?{query}", session.path),
                None => session.path.clone(),
            };
            (uri, request.headers.clone())
        }
        _ => (session.path.clone(), HeaderMap::new()),
    };
    let mut request = Request::builder()
        .method(Method::POST)
        .uri(uri)
        .body(())
        .map_err(|_| Failed)?;
    *request.headers_mut() = headers;
    request
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    let (parts, ()) = request.into_parts();
    let mut ctx = RequestContext::new(&parts, session.client);
    ctx.stage = Some(session.stage.clone());
    ctx.authorizer = session.authorizer_context.clone();
    ctx.websocket = Some(Box::new(WsContext::new(
        session,
        call.route_key,
        &call.kind,
        call.ids,
    )));
    let response = integrate::invoke(
        integration,
        Call {
            client: &call.shared.client,
            ctx: &mut ctx,
            parts: &parts,
            body: RequestBody::Buffered(body),
            params: None,
            max_body_bytes: call.shared.limits.max_body_bytes,
            functions: call.shared.functions.as_ref().map(|f| &*f.0),
        },
    )
    .await
    .map_err(|error| {
        tracing::warn!(
            api = session.api.id(),
            connection_id = session.connection_id,
            route = call.route_key,
            status = error.status.unwrap_or_default(),
            "Execution failed: {}",
            error.message
        );
        Failed
    })?;
    let (head, body) = response.into_parts();
    let bytes = body.collect().await.map_err(|_| Failed)?.to_bytes();
    Ok(Reply {
        status: head.status.as_u16(),
        headers: head.headers,
        body: (!bytes.is_empty()).then(|| message(bytes)),
    })
}

/// The frame API Gateway sends a client whose message it could not serve:
/// `{"message": "Forbidden", "connectionId":"...", "requestId":"..."}` (its exact spacing).
pub(crate) fn error_frame(message: &str, connection_id: &str, request_id: &str) -> Outbound {
    Outbound::Text(format!(
        "{{\"message\": \"{message}\", \"connectionId\":\"{connection_id}\", \"requestId\":\"{request_id}\"}}"
    ))
}
