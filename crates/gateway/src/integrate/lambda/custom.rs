//! AWS integrations of Lambda functions (Lambda custom, "non-proxy", integrations; REST APIs only).
//!
//! The event is the request template's output, chosen by the request's `Content-Type` as for HTTP
//! integrations, or the request body passed through (`{}` when there is none, as Lambda's Invoke
//! API treats an empty payload). The function's result is the integration response body:
//!
//! - a result: the default integration response (the one without `selectionPattern`);
//! - an error the function reported, or one Lambda reports for it (timeout, crash, init error):
//!   the integration response whose `selectionPattern` matches the whole `errorMessage`, else the
//!   default one, whose body is then the error document — AWS answers an unmapped Lambda error
//!   `200 OK` ("Handle Lambda errors in API Gateway");
//! - no response to select: 500 `Internal server error` (API_CONFIGURATION_ERROR).
//!
//! The integration timeout answers 504 and a Lambda that refused the call (throttled, unknown
//! function, invalid payload) 500, as for AWS_PROXY.

use std::time::Duration;

use bytes::Bytes;
use http::Response;
use turnpike_functions::{InvokeError, InvokeResponse};
use turnpike_model::HttpMethod;

use super::function::FunctionTarget;
use super::{invoke_failed, invoke_within, resolve};
use crate::body::ResponseBody;
use crate::context::RequestContext;
use crate::gateway_response::GatewayError;
use crate::integrate::request::RequestTemplates;
use crate::integrate::response::{CompiledIntegrationResponse, IntegrationResponses};
use crate::integrate::Call;

/// An AWS integration of a Lambda function, compiled.
#[derive(Debug)]
pub(crate) struct LambdaCustomIntegration {
    target: Option<FunctionTarget>,
    http_method: Option<HttpMethod>,
    timeout: Duration,
    request_templates: RequestTemplates,
    responses: IntegrationResponses,
}

/// What the invocation produced, as the integration response sees it.
enum Produced {
    Result(Bytes),
    /// The error document and its `errorMessage` (empty when it has none).
    Error {
        document: Bytes,
        message: String,
    },
}

impl LambdaCustomIntegration {
    pub(crate) fn responses_mut(&mut self) -> &mut IntegrationResponses {
        &mut self.responses
    }

    pub(crate) fn compile(
        integration: &turnpike_model::Integration,
        problems: &mut Vec<String>,
    ) -> LambdaCustomIntegration {
        if integration
            .http_method
            .is_some_and(|m| m != HttpMethod::Post)
        {
            problems.push(
                "AWS integrations of Lambda invoke it with httpMethod POST; requests will fail"
                    .into(),
            );
        }
        LambdaCustomIntegration {
            target: FunctionTarget::compile(integration, problems),
            http_method: integration.http_method,
            timeout: integration.timeout,
            request_templates: RequestTemplates::compile(
                &integration.request_templates,
                integration.passthrough_behavior,
                integration.content_handling,
                problems,
            ),
            responses: IntegrationResponses::compile(&integration.responses, problems),
        }
    }

    /// Invokes the function with the mapped request and answers with the selected integration
    /// response.
    pub(crate) async fn invoke(
        &self,
        call: Call<'_>,
    ) -> Result<Response<ResponseBody>, GatewayError> {
        let request = call.method_request();
        let Call {
            ctx,
            parts,
            body,
            max_body_bytes,
            functions,
            ..
        } = call;
        let (function, host) = resolve(self.target.as_ref(), self.http_method, ctx, functions)?;
        let selected = self.request_templates.for_request(ctx, &parts.headers)?;
        let body = crate::limits::read_body(body, max_body_bytes).await?;
        let (payload, _) = selected.body(body, &request, ctx)?;
        let payload = if payload.iter().all(u8::is_ascii_whitespace) {
            Bytes::from_static(b"{}")
        } else {
            payload
        };
        if serde_json::from_slice::<serde_json::Value>(&payload).is_err() {
            // Lambda's Invoke API refuses it (400 InvalidRequestContentException).
            ctx.integration_status = Some(400);
            tracing::warn!(
                request_id = ctx.request_id(),
                function = function.name,
                "Lambda invocation failed with status: 400: Could not parse request body into \
                 json"
            );
            return Err(GatewayError::internal_server_error());
        }
        let outcome = invoke_within(host, &function, payload, ctx, self.timeout).await?;
        let produced = match outcome {
            Ok(outcome) => match outcome.response {
                InvokeResponse::Success(result) => Produced::Result(result),
                InvokeResponse::FunctionError(error) => Produced::Error {
                    message: error.error_message().unwrap_or_default(),
                    document: error.payload,
                },
            },
            Err(error) if error.is_function_error() => Produced::Error {
                message: error_message(&error),
                document: error.payload(),
            },
            Err(error) => {
                ctx.integration_status = Some(error.invoke_status());
                return Err(invoke_failed(ctx, &function.name, &error));
            }
        };
        ctx.integration_status = Some(200);
        let ctx: &RequestContext = ctx;
        let (selected, body) = self.select(ctx, &function.name, produced)?;
        selected
            .respond(ctx, &request, None, ResponseBody::full(body))
            .await
    }

    /// The integration response for what the function produced, and the body it passes on.
    fn select(
        &self,
        ctx: &RequestContext,
        function: &str,
        produced: Produced,
    ) -> Result<(&CompiledIntegrationResponse, Bytes), GatewayError> {
        let (selected, body) = match produced {
            Produced::Result(result) => (self.responses.default_response(), result),
            Produced::Error { document, message } => {
                tracing::warn!(
                    request_id = ctx.request_id(),
                    function,
                    error = message,
                    "Lambda execution failed with status 200 due to customer function error"
                );
                (self.responses.select(&message), document)
            }
        };
        match selected {
            Some(selected) => Ok((selected, body)),
            None => {
                tracing::warn!(
                    request_id = ctx.request_id(),
                    "Execution failed due to configuration error: No match for output mapping \
                     and no default output mapping configured"
                );
                Err(GatewayError::api_configuration_error())
            }
        }
    }
}

/// `errorMessage` of the error document Lambda reports for an invocation it ended.
fn error_message(error: &InvokeError) -> String {
    serde_json::from_slice::<serde_json::Value>(&error.payload())
        .ok()
        .and_then(|doc| doc.get("errorMessage")?.as_str().map(str::to_owned))
        .unwrap_or_default()
}
