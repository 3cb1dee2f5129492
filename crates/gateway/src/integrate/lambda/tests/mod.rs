//! Lambda proxy tests: events built from real requests compared key for key with what AWS
//! sends (`events`), and a real gateway in front of a real functions host running Python
//! handlers through the bundled runtime client (`serve`).

mod custom;
mod events;
mod serve;

use turnpike_model::{HttpMethod, Integration, IntegrationType, PayloadFormatVersion};

/// An AWS_PROXY integration of `function` (by name, in us-east-1 and the documentation account),
/// with POST as REST APIs need.
pub(super) fn lambda(function: &str, payload: PayloadFormatVersion) -> Integration {
    let mut integration = Integration::new(IntegrationType::AwsProxy);
    integration.uri = Some(format!(
        "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/\
         arn:aws:lambda:us-east-1:123456789012:function:{function}/invocations"
    ));
    integration.http_method = Some(HttpMethod::Post);
    integration.payload_format_version = payload;
    integration
}

#[test]
fn invoke_outcomes_set_integration_status_and_pick_the_gateway_response() {
    use std::time::Duration;

    use bytes::Bytes;
    use turnpike_functions::{InvokeError, InvokeOutcome, InvokeResponse};
    use turnpike_model::GatewayResponseType as T;

    use super::function_result;
    use crate::test_support::context_for;

    let mut ctx = context_for(http::Request::get("/").body(()).unwrap(), Vec::new());
    let mut failed = |error: InvokeError| {
        let answer = function_result(&mut ctx, "f", Err(error)).unwrap_err();
        (ctx.integration_status, answer.kind, answer.status)
    };
    assert_eq!(
        failed(InvokeError::Throttled),
        (Some(429), T::Default5xx, Some(500))
    );
    assert_eq!(
        failed(InvokeError::RequestTooLarge { size: 7 << 20 }),
        (Some(413), T::RequestTooLarge, None)
    );
    let timeout = InvokeError::Timeout {
        request_id: "r".into(),
        timeout: Duration::from_secs(3),
    };
    assert_eq!(failed(timeout), (Some(200), T::Default5xx, Some(502)));
    assert_eq!(
        failed(InvokeError::FunctionNotFound { arn: "a".into() }),
        (Some(404), T::ApiConfigurationError, None)
    );

    let outcome = |response| InvokeOutcome {
        request_id: "r".into(),
        worker_pid: 1,
        cold_start: false,
        duration: Duration::ZERO,
        response,
    };
    ctx.integration_status = None;
    let result = function_result(
        &mut ctx,
        "f",
        Ok(outcome(InvokeResponse::Success(Bytes::from_static(b"{}")))),
    );
    assert_eq!(
        (result.unwrap(), ctx.integration_status),
        (Bytes::from_static(b"{}"), Some(200))
    );
    let error = turnpike_functions::FunctionError {
        error_type: Some("ValueError".into()),
        payload: Bytes::from_static(br#"{"errorMessage":"boom"}"#),
    };
    let answer = function_result(
        &mut ctx,
        "f",
        Ok(outcome(InvokeResponse::FunctionError(error))),
    );
    assert_eq!(answer.unwrap_err().status, Some(502));
}
