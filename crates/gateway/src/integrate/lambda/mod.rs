//! AWS_PROXY integrations: Lambda proxy, payload 1.0 and 2.0, for REST and HTTP APIs; AWS
//! (non-proxy) Lambda integrations are in [`custom`].
//!
//! A request is read whole (within the payload limit), turned into an API Gateway event
//! ([`event_v1`] or [`event_v2`], from the parts in [`request`] and [`body`]) and given to the
//! function named by the integration uri ([`function`]) on the gateway's
//! [`FunctionHost`]: the loaded function of that name, else the function in AWS through Lambda's
//! Invoke API. The function's result becomes the response ([`response`]). The integration's
//! `timeoutInMillis` bounds the whole invocation.
//!
//! Failures answer as API Gateway does (sources beside each case):
//!
//! | what happened | REST API | HTTP API |
//! |---|---|---|
//! | no function host, uri names no function | 500 `Internal server error` | 500 `Internal Server Error` |
//! | Lambda's Invoke API refused the call (unknown function, bad signature, no credentials) or cannot be reached | 500 `Internal server error` | 500 `Internal Server Error` |
//! | REST integration method other than POST (LocalStack, recorded on AWS) | 500 `Internal server error` | – |
//! | malformed result, unhandled error, function timeout, crash, init error (API Gateway sees Lambda's 200 with an error document, which is no proxy response) | 502 `Internal server error` | 500 `Internal Server Error` |
//! | Lambda throttled the call (AWS answers 500 and maps it to INTEGRATION_FAILURE, Stack Overflow 36363280 / re:Post) | 500 `Internal server error` | 500 `Internal Server Error` |
//! | event over Lambda's 6 MB | 413 `Request Too Long` | 413 `Request Entity Too Large` |
//! | `timeoutInMillis` elapsed | 504 `Endpoint request timed out` | 503 `Service Unavailable` |
//!
//! `$context.integrationStatus` is the status of the Lambda Invoke call (200 also for function
//! errors, 429 when throttled, Lambda's status when it refused the call),
//! `$context.integrationLatency` the time the invocation took.

pub(crate) mod body;
pub(crate) mod custom;
pub(crate) mod event_v1;
pub(crate) mod event_v2;
pub(crate) mod function;
pub(crate) mod header_case;
pub(crate) mod request;
pub(crate) mod response;

#[cfg(test)]
mod tests;

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::header::{ACCEPT, CONTENT_LENGTH, CONTENT_TYPE};
use http::request::Parts;
use http::Response;
use turnpike_functions::{FunctionHost, InvokeContext, InvokeError, InvokeOutcome, InvokeResponse};
use turnpike_model::{ApiKind, HttpMethod, PayloadFormatVersion};

use super::Call;
use crate::body::ResponseBody;
use crate::context::RequestContext;
use crate::gateway_response::GatewayError;
use crate::router::PathParams;

use self::body::{http_api_sends_text, EventBody};
use self::function::{FunctionTarget, ResolvedFunction};
use self::request::ProxyRequest;

pub(crate) use self::body::BinaryMediaTypes;

/// The gateway's functions host, shared by every request.
#[derive(Clone)]
pub(crate) struct Functions(pub(crate) Arc<FunctionHost>);

impl fmt::Debug for Functions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Functions")
            .field(&self.0.function_names())
            .finish()
    }
}

/// An AWS_PROXY integration, compiled.
#[derive(Debug)]
pub(crate) struct LambdaIntegration {
    /// `None` when the uri names no function (reported at compile time).
    target: Option<FunctionTarget>,
    /// `httpMethod`: REST APIs invoke Lambda with POST only.
    http_method: Option<HttpMethod>,
    /// Payload format of HTTP APIs; REST APIs always use 1.0.
    payload: PayloadFormatVersion,
    timeout: Duration,
}

impl LambdaIntegration {
    pub(crate) fn compile(
        integration: &turnpike_model::Integration,
        problems: &mut Vec<String>,
    ) -> LambdaIntegration {
        if integration
            .http_method
            .is_some_and(|m| m != HttpMethod::Post)
        {
            problems.push(
                "AWS_PROXY integrations invoke Lambda with httpMethod POST; requests will fail"
                    .into(),
            );
        }
        LambdaIntegration {
            target: FunctionTarget::compile(integration, problems),
            http_method: integration.http_method,
            payload: integration.payload_format_version,
            timeout: integration.timeout,
        }
    }

    /// Invokes the function with the request's event and answers with its result.
    pub(crate) async fn invoke(
        &self,
        call: Call<'_>,
    ) -> Result<Response<ResponseBody>, GatewayError> {
        let Call {
            ctx,
            parts,
            body,
            params,
            max_body_bytes,
            functions,
            ..
        } = call;
        let kind = ctx.api_kind();
        let (function, host) = resolve(self.target.as_ref(), self.http_method, ctx, functions)?;
        let body = crate::limits::read_body(body, max_body_bytes).await?;
        let event = self.event(kind, ctx, parts, params, &body);
        let payload = serde_json::to_vec(&event)
            .map(Bytes::from)
            .map_err(|_| GatewayError::internal_server_error())?;
        let outcome = invoke_within(host, &function, payload, ctx, self.timeout).await?;
        let result = function_result(ctx, &function.name, outcome)?;
        self.respond(kind, ctx, parts.headers.get(ACCEPT), &result)
            .map_err(|malformed| {
                tracing::warn!(
                    request_id = ctx.request_id(),
                    function = function.name,
                    reason = malformed.0,
                    "Execution failed due to configuration error: Malformed Lambda proxy response"
                );
                function_failed()
            })
    }

    fn event(
        &self,
        kind: ApiKind,
        ctx: &RequestContext,
        parts: &Parts,
        params: Option<&PathParams>,
        body: &[u8],
    ) -> serde_json::Value {
        let content_type = parts
            .headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok());
        let binary = match (kind, &ctx.api) {
            (ApiKind::Rest, Some(api)) => api.binary_media_types.matches(content_type),
            (ApiKind::Rest, None) => false,
            (ApiKind::Http, _) => !http_api_sends_text(content_type),
        };
        let request = ProxyRequest {
            ctx,
            headers: &parts.headers,
            query: parts.uri.query(),
            params,
            body: EventBody::new(body, binary),
        };
        match (kind, self.payload) {
            (ApiKind::Http, PayloadFormatVersion::V2) => {
                let mapped = crate::mapping::http_api::mapped_path(&parts.extensions);
                event_v2::event_with_path(&request, mapped.as_deref())
            }
            (ApiKind::Rest, _) => {
                let case = parts.extensions.get::<header_case::HeaderCase>();
                event_v1::event_with_case(&request, case)
            }
            // Payload 1.0 ignores `overwrite:path` (see `event_v1`).
            _ => event_v1::event(&request),
        }
    }

    /// The method response for a function's `result`.
    fn respond(
        &self,
        kind: ApiKind,
        ctx: &RequestContext,
        accept: Option<&http::HeaderValue>,
        result: &[u8],
    ) -> Result<Response<ResponseBody>, response::Malformed> {
        let parsed = match (kind, self.payload) {
            (ApiKind::Http, PayloadFormatVersion::V2) => response::parse_v2(result)?,
            _ => response::parse_v1(result)?,
        };
        match kind {
            ApiKind::Rest => {
                let accept = accept.and_then(|v| v.to_str().ok());
                let decode = ctx
                    .api
                    .as_ref()
                    .is_some_and(|api| api.binary_media_types.matches(accept));
                parsed.into_response(decode, "application/json")
            }
            ApiKind::Http => {
                // HTTP APIs frame the body themselves; REST APIs remap the function's
                // Content-Length (see `respond`).
                let mut response = parsed.into_response(true, "text/plain; charset=utf-8")?;
                response.headers_mut().remove(CONTENT_LENGTH);
                Ok(response)
            }
        }
    }
}

/// The function this request invokes and the host that invokes it, or the 500 AWS answers when
/// it cannot invoke one.
fn resolve<'h>(
    target: Option<&FunctionTarget>,
    http_method: Option<HttpMethod>,
    ctx: &RequestContext,
    functions: Option<&'h FunctionHost>,
) -> Result<(ResolvedFunction, &'h FunctionHost), GatewayError> {
    if ctx.api_kind() == ApiKind::Rest && http_method != Some(HttpMethod::Post) {
        tracing::warn!(
            request_id = ctx.request_id(),
            "Execution failed due to configuration error: Lambda integrations can only use the \
             POST integration method"
        );
        return Err(GatewayError::api_configuration_error());
    }
    let stage_variables = ctx.stage.as_ref().map(|s| &s.variables);
    let function = match target.map(|t| t.resolve(stage_variables)) {
        Some(Ok(function)) => function,
        Some(Err(arn)) => {
            tracing::warn!(
                request_id = ctx.request_id(),
                arn,
                "Execution failed due to configuration error: the integration uri names no \
                 Lambda function"
            );
            return Err(GatewayError::api_configuration_error());
        }
        None => return Err(GatewayError::api_configuration_error()),
    };
    match functions {
        Some(host) => Ok((function, host)),
        None => {
            tracing::warn!(
                request_id = ctx.request_id(),
                function = function.name,
                arn = function.arn,
                "Execution failed due to configuration error: the gateway runs no functions"
            );
            Err(GatewayError::api_configuration_error())
        }
    }
}

/// Invokes `function` with `payload`, bounded by the integration's `timeout` (504 when it
/// elapses), and records `$context.integrationLatency`.
async fn invoke_within(
    host: &FunctionHost,
    function: &ResolvedFunction,
    payload: Bytes,
    ctx: &mut RequestContext,
    timeout: Duration,
) -> Result<Result<InvokeOutcome, InvokeError>, GatewayError> {
    let invoke_ctx = InvokeContext {
        invoked_function_arn: Some(function.arn.clone()),
        trace_id: Some(ctx.trace_id.clone()),
        ..InvokeContext::default()
    };
    let started = Instant::now();
    let invocation = host.invoke_arn(&function.name, &function.arn, payload, invoke_ctx);
    let outcome = tokio::time::timeout(timeout, invocation).await;
    ctx.integration_latency =
        Some(u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX));
    outcome.map_err(|_| {
        tracing::warn!(
            request_id = ctx.request_id(),
            function = function.name,
            timeout_ms = u64::try_from(timeout.as_millis()).unwrap_or(u64::MAX),
            "Execution failed due to a timeout error"
        );
        GatewayError::integration_timeout()
    })
}

/// A function that failed or answered something that is no proxy response: REST 502, HTTP API
/// 500 (both `DEFAULT_5XX`).
fn function_failed() -> GatewayError {
    GatewayError {
        status: Some(502),
        ..GatewayError::new(turnpike_model::GatewayResponseType::Default5xx)
    }
}

/// What the function returned, with `$context.integrationStatus` set to the Invoke API's status.
fn function_result(
    ctx: &mut RequestContext,
    function: &str,
    outcome: Result<InvokeOutcome, InvokeError>,
) -> Result<Bytes, GatewayError> {
    let outcome = match outcome {
        Ok(outcome) => outcome,
        Err(error) => {
            ctx.integration_status = Some(error.invoke_status());
            return Err(invoke_failed(ctx, function, &error));
        }
    };
    ctx.integration_status = Some(200);
    match outcome.response {
        InvokeResponse::Success(result) => Ok(result),
        InvokeResponse::FunctionError(error) => {
            tracing::warn!(
                request_id = ctx.request_id(),
                function,
                lambda_request_id = outcome.request_id,
                error = error.error_message().unwrap_or_default(),
                "Lambda execution failed with status 200 due to customer function error"
            );
            Err(function_failed())
        }
    }
}

/// The gateway response for an invocation Lambda did not complete.
fn invoke_failed(ctx: &RequestContext, function: &str, error: &InvokeError) -> GatewayError {
    let request_id = ctx.request_id();
    if error.is_function_error() {
        tracing::warn!(
            request_id,
            function,
            error = %error,
            "Lambda execution failed with status 200 due to customer function error"
        );
        return function_failed();
    }
    tracing::warn!(
        request_id,
        function,
        status = error.invoke_status(),
        error = %error,
        "Lambda invocation failed"
    );
    match error {
        InvokeError::RequestTooLarge { .. } => GatewayError::request_too_large(),
        InvokeError::FunctionNotFound { .. } => GatewayError::api_configuration_error(),
        _ => GatewayError::internal_server_error(),
    }
}
