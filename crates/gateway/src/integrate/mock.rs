//! MOCK integrations: no back end. The request template (chosen by content type) must render
//! JSON with an integer `statusCode`; that status selects the integration response, whose
//! template and headers make the method response. Without a template the status is 200. A
//! template whose output has no integer `statusCode` is AWS's "Execution failed due to
//! configuration error: Unable to parse statusCode" → 500 `Internal server error`.

use bytes::Bytes;
use http::Response;

use super::request::{RequestTemplates, Selected};
use super::response::IntegrationResponses;
use super::Call;
use crate::body::ResponseBody;
use crate::context::RequestContext;
use crate::gateway_response::GatewayError;
use crate::mapping::MethodRequest;

/// A MOCK integration, compiled.
#[derive(Debug)]
pub(crate) struct MockIntegration {
    request_templates: RequestTemplates,
    responses: IntegrationResponses,
}

impl MockIntegration {
    pub(crate) fn responses_mut(&mut self) -> &mut IntegrationResponses {
        &mut self.responses
    }

    pub(crate) fn compile(
        integration: &turnpike_model::Integration,
        problems: &mut Vec<String>,
    ) -> MockIntegration {
        MockIntegration {
            request_templates: RequestTemplates::compile(
                &integration.request_templates,
                integration.passthrough_behavior,
                integration.content_handling,
                problems,
            ),
            responses: IntegrationResponses::compile(&integration.responses, problems),
        }
    }

    pub(crate) async fn invoke(
        &self,
        call: Call<'_>,
    ) -> Result<Response<ResponseBody>, GatewayError> {
        // AWS reads the whole request even with no back end: its size limit and framing apply,
        // and the body is the request template's `$input.body`.
        let request = call.method_request();
        let body = crate::limits::read_body(call.body, call.max_body_bytes).await?;
        let selected = self
            .request_templates
            .for_request(call.ctx, &call.parts.headers)?;
        self.answer(call.ctx, &request, selected, body).await
    }

    /// The method response for a request whose template (if any) is `selected`.
    async fn answer(
        &self,
        ctx: &RequestContext,
        request: &MethodRequest<'_>,
        selected: Selected<'_>,
        body: Bytes,
    ) -> Result<Response<ResponseBody>, GatewayError> {
        let status = match selected.template {
            Some((_, template)) => status_code(
                &template
                    .render(&selected.payload.text(&body), request, ctx)?
                    .body,
            )
            .ok_or_else(|| {
                tracing::warn!(
                    "Execution failed due to configuration error: Unable to parse \
                             statusCode. It should be an integer that is defined in the request \
                             template."
                );
                GatewayError::internal_server_error()
            })?,
            None => 200,
        };
        let selected = self.responses.select(&status.to_string()).ok_or_else(|| {
            tracing::warn!(
                status,
                "Execution failed due to configuration error: No match for output mapping and \
                 no default output mapping configured"
            );
            GatewayError::api_configuration_error()
        })?;
        // A MOCK integration response has no back-end body: `$input` reads an empty one.
        selected
            .respond(ctx, request, None, ResponseBody::empty())
            .await
    }
}

/// The integer `statusCode` of a rendered MOCK request template.
fn status_code(rendered: &str) -> Option<u16> {
    let value: serde_json::Value = serde_json::from_str(rendered).ok()?;
    let code = value.get("statusCode")?.as_u64()?;
    u16::try_from(code).ok().filter(|c| (100..=599).contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;
    use std::time::Duration;

    use http::header::CONTENT_TYPE;
    use http::{HeaderMap, Request};
    use http_body_util::BodyExt;
    use turnpike_model::{
        GatewayResponseType, Integration, IntegrationType, PassthroughBehavior,
        PayloadFormatVersion,
    };

    use crate::test_support::integration_response as response;

    fn mock(
        templates: &[(&str, &str)],
        responses: Vec<turnpike_model::IntegrationResponse>,
    ) -> MockIntegration {
        let integration = Integration {
            kind: IntegrationType::Mock,
            uri: None,
            http_method: None,
            request_parameters: BTreeMap::new(),
            request_templates: templates
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            passthrough_behavior: PassthroughBehavior::WhenNoMatch,
            content_handling: None,
            responses,
            timeout: Duration::from_secs(29),
            payload_format_version: PayloadFormatVersion::V1,
            parameter_mapping: None,
            cache_key_parameters: Vec::new(),
            service: None,
            service_target: None,
            credentials: None,
        };
        let mut problems = Vec::new();
        let compiled = MockIntegration::compile(&integration, &mut problems);
        assert!(problems.is_empty(), "{problems:?}");
        compiled
    }

    async fn answer(
        m: &MockIntegration,
        content_type: Option<&str>,
    ) -> Result<(u16, HeaderMap, String), GatewayResponseType> {
        let ctx = crate::test_support::context_for(
            Request::post("/dev/pets").body(()).unwrap(),
            Vec::new(),
        );
        let mut headers = HeaderMap::new();
        if let Some(content_type) = content_type {
            headers.insert(CONTENT_TYPE, content_type.parse().unwrap());
        }
        let request = MethodRequest {
            headers: &headers,
            query: None,
            path_params: None,
        };
        let selected = m
            .request_templates
            .for_request(&ctx, &headers)
            .map_err(|e| e.kind)?;
        let response = m
            .answer(&ctx, &request, selected, Bytes::new())
            .await
            .map_err(|e| e.kind)?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        Ok((status, headers, String::from_utf8(body.to_vec()).unwrap()))
    }

    #[tokio::test]
    async fn the_request_template_status_selects_the_response() {
        let m = mock(
            &[
                ("application/json", r#"{"statusCode": 201}"#),
                ("text/plain", r#"{"statusCode": 404}"#),
            ],
            vec![
                response(
                    "201",
                    201,
                    &[("method.response.header.Location", "'/pets/4'")],
                    &[("application/json", r#"{"created":"$context.httpMethod"}"#)],
                ),
                response(
                    "4\\d{2}",
                    404,
                    &[],
                    &[("application/json", r#"{"message":"no pet"}"#)],
                ),
                response("default", 500, &[], &[]),
            ],
        );
        let (status, headers, body) = answer(&m, None).await.unwrap();
        assert_eq!((status, body.as_str()), (201, r#"{"created":"POST"}"#));
        assert_eq!(headers["location"], "/pets/4");
        assert_eq!(headers["content-type"], "application/json");

        let (status, _, body) = answer(&m, Some("text/plain; charset=utf-8")).await.unwrap();
        assert_eq!((status, body.as_str()), (404, r#"{"message":"no pet"}"#));
    }

    #[tokio::test]
    async fn no_template_means_status_200() {
        let m = mock(
            &[],
            vec![response("default", 200, &[], &[("application/json", "ok")])],
        );
        let (status, _, body) = answer(&m, None).await.unwrap();
        assert_eq!((status, body.as_str()), (200, "ok"));
    }

    #[tokio::test]
    async fn an_unparsable_status_is_a_500() {
        let m = mock(
            &[("application/json", "{\"status\": 200}")],
            vec![response("default", 200, &[], &[])],
        );
        assert_eq!(
            answer(&m, None).await.unwrap_err(),
            GatewayResponseType::Default5xx
        );
    }

    #[tokio::test]
    async fn no_matching_response_is_a_configuration_error() {
        let m = mock(
            &[("application/json", r#"{"statusCode": 500}"#)],
            vec![response("2\\d{2}", 200, &[], &[])],
        );
        assert_eq!(
            answer(&m, None).await.unwrap_err(),
            GatewayResponseType::ApiConfigurationError
        );
    }

    #[tokio::test]
    async fn a_response_without_template_has_an_empty_body() {
        let m = mock(
            &[("application/json", r#"{"statusCode": 200}"#)],
            vec![response("default", 204, &[], &[])],
        );
        let (status, headers, body) = answer(&m, None).await.unwrap();
        assert_eq!((status, body.as_str()), (204, ""));
        assert_eq!(headers["content-type"], "application/json");
    }

    #[test]
    fn reads_an_integer_status_code() {
        assert_eq!(status_code(r#"{"statusCode": 200}"#), Some(200));
        assert_eq!(
            status_code(" {\"statusCode\":404, \"x\": [1]}\n"),
            Some(404)
        );
        assert_eq!(status_code(r#"{"statusCode": "200"}"#), None);
        assert_eq!(status_code(r#"{"statusCode": 2000}"#), None);
        assert_eq!(status_code(r#"{"statusCode": 20.5}"#), None);
        assert_eq!(status_code(r#"{"code": 200}"#), None);
        assert_eq!(status_code("statusCode: 200"), None);
        assert_eq!(status_code(""), None);
    }
}
