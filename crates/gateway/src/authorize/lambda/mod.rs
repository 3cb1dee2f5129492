//! Lambda authorizers: REST TOKEN and REQUEST, HTTP API REQUEST (payload 1.0 and 2.0, simple or
//! IAM policy answers).
//!
//! A request's identity sources are read first ([`super::identity`]); any missing, or a TOKEN that
//! fails `identityValidationExpression`, is a 401 without calling the function. Otherwise the
//! answer cached for those values is used, or the function is invoked with the event
//! ([`event`]) and its answer ([`answer`]) cached for the authorizer's TTL. Failures answer as
//! API Gateway does:
//!
//! | what happened | answer |
//! |---|---|
//! | function raised an error whose message is `Unauthorized` | 401 UNAUTHORIZED |
//! | any other function error, crash, timeout, malformed answer, function not found | 500 AUTHORIZER_CONFIGURATION_ERROR |
//! | Lambda could not run the function (throttled, payload too large) | 500 AUTHORIZER_FAILURE |

pub(crate) mod answer;
pub(crate) mod event;

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::request::Parts;
use turnpike_functions::{FunctionHost, InvokeContext, InvokeError, InvokeResponse};
use turnpike_model::{
    ApiKind, Authorizer, AuthorizerKind, AuthorizerPayloadVersion, IdentitySource, Integration,
    IntegrationType,
};

pub(crate) use answer::Answer;

use super::cache::AuthorizerCache;
use super::denial::Denial;
use super::identity;
use crate::context::RequestContext;
use crate::integrate::lambda::body::EventBody;
use crate::integrate::lambda::function::FunctionTarget;
use crate::integrate::lambda::request::ProxyRequest;
use crate::router::PathParams;

/// How long API Gateway waits for an authorizer (its integration limit).
const TIMEOUT: Duration = Duration::from_secs(30);

/// A Lambda authorizer, compiled.
#[derive(Debug)]
pub(crate) struct LambdaAuthorizer {
    name: String,
    kind: AuthorizerKind,
    target: Option<FunctionTarget>,
    sources: Vec<IdentitySource>,
    validation: Option<regex::Regex>,
    ttl: Duration,
    payload: AuthorizerPayloadVersion,
    simple: bool,
    cache: AuthorizerCache,
}

/// The request being authorized.
pub(crate) struct AuthRequest<'a> {
    pub(crate) ctx: &'a RequestContext,
    pub(crate) parts: &'a Parts,
    pub(crate) params: Option<&'a PathParams>,
    pub(crate) functions: Option<&'a FunctionHost>,
    pub(crate) method_arn: &'a str,
}

impl LambdaAuthorizer {
    pub(crate) fn compile(authorizer: &Authorizer, problems: &mut Vec<String>) -> LambdaAuthorizer {
        let target = authorizer.function_arn.as_ref().and_then(|arn| {
            let mut integration = Integration::new(IntegrationType::AwsProxy);
            integration.uri = Some(arn.clone());
            FunctionTarget::compile(&integration, problems)
        });
        LambdaAuthorizer {
            name: authorizer.name.clone(),
            kind: authorizer.kind,
            target,
            sources: authorizer.identity_sources.clone(),
            validation: authorizer.identity_validation_expression.clone(),
            ttl: authorizer.result_ttl,
            payload: authorizer.payload_format_version,
            simple: authorizer.enable_simple_responses,
            cache: AuthorizerCache::default(),
        }
    }

    /// The authorizer's answer for this request (cached or fresh) and how long the function took
    /// (0 when cached).
    pub(crate) async fn answer(
        &self,
        request: &AuthRequest<'_>,
    ) -> Result<(Arc<Answer>, u64), Denial> {
        let ctx = request.ctx;
        let identity =
            identity::values(&self.sources, request.parts, ctx).ok_or(Denial::Unauthorized)?;
        if let (AuthorizerKind::Token, Some(re), Some(token)) =
            (self.kind, &self.validation, identity.first())
        {
            if !re.is_match(token) {
                return Err(Denial::Unauthorized);
            }
        }
        // Without identity sources there is nothing to key a cached answer on.
        let cacheable = !self.sources.is_empty() && !self.ttl.is_zero();
        if cacheable {
            if let Some(answer) = self.cache.get(&identity, Instant::now()) {
                return Ok((answer, 0));
            }
        }
        let event = self.event(request, &identity);
        let payload = serde_json::to_vec(&event)
            .map(Bytes::from)
            .map_err(|_| Denial::Configuration)?;
        let started = Instant::now();
        let result = self.invoke(request, payload).await;
        let latency = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        let result = result?;
        let principal_required = ctx.api_kind() == ApiKind::Rest;
        let answer = answer::parse(&result, self.simple, principal_required).map_err(|reason| {
            tracing::warn!(
                request_id = ctx.request_id(),
                authorizer = self.name,
                reason,
                "Execution failed due to configuration error: Invalid JSON in response"
            );
            Denial::Configuration
        })?;
        let answer = Arc::new(answer);
        if cacheable {
            self.cache
                .put(identity, answer.clone(), self.ttl, Instant::now());
        }
        Ok((answer, latency))
    }

    fn event(&self, request: &AuthRequest<'_>, identity: &[String]) -> serde_json::Value {
        let proxy = ProxyRequest {
            ctx: request.ctx,
            headers: &request.parts.headers,
            query: request.parts.uri.query(),
            params: request.params,
            body: EventBody::new(&[], false),
        };
        // A WebSocket `$connect` has its own REQUEST event.
        if let Some(ws) = request.ctx.websocket.as_deref() {
            let case = request.parts.extensions.get();
            return crate::websocket::authorizer_event(ws, &proxy, case, request.method_arn);
        }
        match (request.ctx.api_kind(), self.kind, self.payload) {
            (ApiKind::Rest, AuthorizerKind::Token, _) => event::token(
                identity.first().map_or("", String::as_str),
                request.method_arn,
            ),
            (ApiKind::Rest, _, _) => event::rest_request(&proxy, request.method_arn),
            (ApiKind::Http, _, AuthorizerPayloadVersion::V1) => {
                event::http_v1(&proxy, request.method_arn, identity)
            }
            (ApiKind::Http, _, AuthorizerPayloadVersion::V2) => {
                event::http_v2(&proxy, request.method_arn, identity)
            }
        }
    }

    /// Invokes the function; its result, or the denial its failure means.
    async fn invoke(&self, request: &AuthRequest<'_>, payload: Bytes) -> Result<Bytes, Denial> {
        let ctx = request.ctx;
        let stage_variables = ctx.stage.as_ref().map(|s| &s.variables);
        let function = self
            .target
            .as_ref()
            .and_then(|t| t.resolve(stage_variables).ok())
            .ok_or(Denial::Configuration)?;
        let Some(host) = request.functions else {
            tracing::warn!(request_id = ctx.request_id(), authorizer = self.name, "Execution failed due to configuration error: no functions host to invoke the authorizer");
            return Err(Denial::Configuration);
        };
        let invoke_ctx = InvokeContext {
            invoked_function_arn: Some(function.arn.clone()),
            trace_id: Some(ctx.trace_id.clone()),
            ..InvokeContext::default()
        };
        let call = host.invoke_arn(&function.name, &function.arn, payload, invoke_ctx);
        let outcome = match tokio::time::timeout(TIMEOUT, call).await {
            Ok(Ok(outcome)) => outcome,
            Ok(Err(error)) => return Err(invoke_failed(ctx, &self.name, &error)),
            Err(_) => {
                tracing::warn!(
                    request_id = ctx.request_id(),
                    authorizer = self.name,
                    "Execution failed due to a timeout error"
                );
                return Err(Denial::Configuration);
            }
        };
        match outcome.response {
            InvokeResponse::Success(result) => Ok(result),
            InvokeResponse::FunctionError(error) => {
                let message = error.error_message();
                if message.as_deref() == Some("Unauthorized") {
                    return Err(Denial::Unauthorized);
                }
                tracing::warn!(
                    request_id = ctx.request_id(),
                    authorizer = self.name,
                    error = message.unwrap_or_default(),
                    "Execution failed due to configuration error: Authorizer error"
                );
                Err(Denial::Configuration)
            }
        }
    }
}

fn invoke_failed(ctx: &RequestContext, name: &str, error: &InvokeError) -> Denial {
    tracing::warn!(request_id = ctx.request_id(), authorizer = name, error = %error, "Authorizer invocation failed");
    if error.is_function_error() {
        // The function crashed or timed out: for API Gateway, an authorizer that answered badly.
        return Denial::Configuration;
    }
    match error {
        InvokeError::FunctionNotFound { .. } => Denial::Configuration,
        _ => Denial::Failure,
    }
}
