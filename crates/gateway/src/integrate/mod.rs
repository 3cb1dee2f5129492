//! Integrations: how a matched route reaches its back end.
//!
//! - [`http`]: HTTP_PROXY (the request and response streamed through, headers forwarded) and HTTP
//!   (non-proxy: mapped parameters, request template or passthrough body, integration responses);
//! - [`mock`]: MOCK (the request template's `statusCode` selects an integration response);
//! - [`aws`]: AWS integrations of AWS services other than Lambda (SQS, DynamoDB, ...): HTTP
//!   non-proxy integrations whose URL, signature and action headers come from the ARN;
//!   [`aws::subtype`] serves HTTP APIs' AWS service integrations (`integrationSubtype`);
//! - [`lambda`]: AWS_PROXY (Lambda proxy, payload 1.0 and 2.0) and AWS integrations of Lambda
//!   functions (non-proxy) on the gateway's functions host.
//!
//! Both non-proxy kinds share [`request`] (request templates by content type) and [`response`]
//! (integration responses by selection pattern); [`uri`] renders integration URIs and [`forward`]
//! builds the headers a back end receives. Every integration is compiled once per deployment.

pub(crate) mod aws;
pub(crate) mod content_handling;
pub(crate) mod forward;
pub(crate) mod http;
pub(crate) mod lambda;
pub(crate) mod mapping_template;
pub(crate) mod mock;
pub(crate) mod request;
pub(crate) mod response;
pub(crate) mod upstream;
pub(crate) mod uri;

use ::http::request::Parts;
use ::http::Response;
use turnpike_functions::FunctionHost;
use turnpike_model::IntegrationType;

use crate::body::{RequestBody, ResponseBody};
use crate::context::RequestContext;
use crate::gateway_response::GatewayError;
use crate::mapping::MethodRequest;
use crate::router::PathParams;

pub(crate) use self::http::UpstreamClient;

/// A route's integration, compiled.
#[derive(Debug)]
pub(crate) enum Integration {
    HttpProxy(http::HttpIntegration),
    Http(http::HttpIntegration),
    Mock(mock::MockIntegration),
    Lambda(lambda::LambdaIntegration),
    LambdaCustom(lambda::custom::LambdaCustomIntegration),
    /// AWS (non-proxy) of an AWS service other than Lambda.
    AwsService(aws::AwsIntegration),
    /// An HTTP API's AWS service integration: AWS_PROXY with an `integrationSubtype`.
    AwsSubtype(aws::subtype::SubtypeIntegration),
}

impl Integration {
    /// Compiles `integration`; `greedy` names the route's greedy path parameters.
    pub(crate) fn compile(
        integration: &turnpike_model::Integration,
        greedy: &[&str],
        problems: &mut Vec<String>,
    ) -> Integration {
        match integration.kind {
            IntegrationType::HttpProxy => Integration::HttpProxy(http::HttpIntegration::compile(
                integration,
                greedy,
                problems,
            )),
            IntegrationType::Http => Integration::Http(http::HttpIntegration::compile(
                integration,
                greedy,
                problems,
            )),
            IntegrationType::Mock => {
                Integration::Mock(mock::MockIntegration::compile(integration, problems))
            }
            IntegrationType::AwsProxy if integration.service.is_some() => Integration::AwsSubtype(
                aws::subtype::SubtypeIntegration::compile(integration, problems),
            ),
            IntegrationType::AwsProxy => {
                Integration::Lambda(lambda::LambdaIntegration::compile(integration, problems))
            }
            IntegrationType::Aws if integration.lambda_function_arn().is_some() => {
                Integration::LambdaCustom(lambda::custom::LambdaCustomIntegration::compile(
                    integration,
                    problems,
                ))
            }
            IntegrationType::Aws => {
                Integration::AwsService(aws::AwsIntegration::compile(integration, greedy, problems))
            }
        }
    }

    /// Marks the integration responses whose status no declared method response has (REST): a
    /// request that selects one fails, as on AWS. Nothing is marked when none is declared.
    pub(crate) fn check_method_responses(&mut self, declared: &[turnpike_model::MethodResponse]) {
        let responses = match self {
            Integration::Http(http) => http.responses_mut(),
            Integration::Mock(mock) => mock.responses_mut(),
            Integration::LambdaCustom(lambda) => lambda.responses_mut(),
            Integration::AwsService(aws) => aws.http.responses_mut(),
            _ => return,
        };
        responses.check_method_responses(declared);
    }

    pub(crate) fn kind(&self) -> IntegrationType {
        match self {
            Integration::HttpProxy(_) => IntegrationType::HttpProxy,
            Integration::Http(_) => IntegrationType::Http,
            Integration::Mock(_) => IntegrationType::Mock,
            Integration::Lambda(_) | Integration::AwsSubtype(_) => IntegrationType::AwsProxy,
            Integration::LambdaCustom(_) | Integration::AwsService(_) => IntegrationType::Aws,
        }
    }
}

/// Everything an integration needs from the request.
pub(crate) struct Call<'a> {
    pub(crate) client: &'a UpstreamClient,
    pub(crate) ctx: &'a mut RequestContext,
    pub(crate) parts: &'a Parts,
    pub(crate) body: RequestBody,
    pub(crate) params: Option<&'a PathParams>,
    pub(crate) max_body_bytes: u64,
    /// The functions AWS_PROXY integrations invoke, when the gateway has any.
    pub(crate) functions: Option<&'a FunctionHost>,
}

impl<'a> Call<'a> {
    pub(crate) fn method_request(&self) -> MethodRequest<'a> {
        MethodRequest::of(self.parts, self.params)
    }
}

/// Calls `integration` and returns the method response.
pub(crate) async fn invoke(
    integration: &Integration,
    call: Call<'_>,
) -> Result<Response<ResponseBody>, GatewayError> {
    match integration {
        Integration::HttpProxy(http) => http.proxy(call).await,
        // Boxed: these futures are several times the size of HTTP_PROXY's and MOCK's, and every
        // request's pipeline future would carry (and move) their space.
        Integration::Http(http) => Box::pin(http.call(call)).await,
        Integration::Mock(mock) => mock.invoke(call).await,
        Integration::Lambda(lambda) => Box::pin(lambda.invoke(call)).await,
        Integration::LambdaCustom(lambda) => Box::pin(lambda.invoke(call)).await,
        Integration::AwsService(aws) => Box::pin(aws.call(call)).await,
        Integration::AwsSubtype(service) => Box::pin(service.call(call)).await,
    }
}
