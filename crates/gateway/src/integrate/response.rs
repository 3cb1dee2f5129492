//! Integration responses of non-proxy integrations (HTTP, MOCK): the one selected by
//! `selectionPattern` against the back end's status decides the method response's status, its
//! headers (`responseParameters`) and its body (`responseTemplates`, else the body as it came).

use bytes::Bytes;
use http::header::{HeaderName, HeaderValue, ACCEPT, CONTENT_TYPE};
use http::{HeaderMap, Response, StatusCode};
use regex::Regex;
use turnpike_model::{ContentHandling, IntegrationResponse};

use super::content_handling::{self, ResponsePayload};
use super::mapping_template::MappingTemplate;
use super::request::media_type;
use crate::body::ResponseBody;
use crate::context::RequestContext;
use crate::gateway_response::GatewayError;
use crate::mapping::{header_target, Bodies, MethodRequest, ValueSource};

static APPLICATION_JSON: HeaderValue = HeaderValue::from_static("application/json");

/// One `responses` entry, compiled.
#[derive(Debug, Clone)]
pub(crate) struct CompiledIntegrationResponse {
    status: StatusCode,
    /// `None` for the default response.
    selection: Option<Regex>,
    headers: Vec<(HeaderName, ValueSource)>,
    /// (lower-case content type, its header value, template).
    templates: Vec<(Box<str>, HeaderValue, MappingTemplate)>,
    /// True when a header maps from the integration response's body.
    reads_body: bool,
    content_handling: Option<ContentHandling>,
    /// True when the method declares responses but none of this status: selecting this response
    /// fails the request ("Output mapping refers to an invalid method response").
    undeclared: bool,
}

/// An integration's `responses`, in document order.
#[derive(Debug, Clone, Default)]
pub(crate) struct IntegrationResponses {
    entries: Vec<CompiledIntegrationResponse>,
}

impl IntegrationResponses {
    pub(crate) fn compile(
        responses: &[IntegrationResponse],
        problems: &mut Vec<String>,
    ) -> IntegrationResponses {
        let mut entries = Vec::with_capacity(responses.len());
        for response in responses {
            let Ok(status) = StatusCode::from_u16(response.status_code) else {
                problems.push(format!(
                    "responses.{}: statusCode {} is not an HTTP status",
                    response.selection_pattern, response.status_code
                ));
                continue;
            };
            let mut headers = Vec::new();
            for (target, source) in &response.response_parameters {
                match (
                    header_target(target, "method.response.header."),
                    ValueSource::parse(source),
                ) {
                    (Ok(name), Ok(source)) => headers.push((name, source)),
                    (Err(e), _) | (_, Err(e)) => {
                        problems.push(format!("responses.{}: {e}", response.selection_pattern))
                    }
                }
            }
            let mut templates = Vec::new();
            for (content_type, text) in &response.response_templates {
                match HeaderValue::from_str(content_type) {
                    Ok(value) => templates.push((
                        content_type.to_ascii_lowercase().into(),
                        value,
                        MappingTemplate::compile(
                            text,
                            &format!(
                                "responses.{}.responseTemplates.{content_type}",
                                response.selection_pattern
                            ),
                            problems,
                        ),
                    )),
                    Err(_) => problems.push(format!(
                        "responses.{}: {content_type:?} is not a content type",
                        response.selection_pattern
                    )),
                }
            }
            entries.push(CompiledIntegrationResponse {
                status,
                selection: response.selection_regex.clone(),
                reads_body: headers.iter().any(|(_, s)| s.reads_integration_body()),
                headers,
                templates,
                content_handling: response.content_handling,
                undeclared: false,
            });
        }
        IntegrationResponses { entries }
    }

    /// The response whose pattern matches `selector` (the back end's status code), else the
    /// default one; `None` when neither exists.
    pub(crate) fn select(&self, selector: &str) -> Option<&CompiledIntegrationResponse> {
        self.entries
            .iter()
            .find(|r| r.selection.as_ref().is_some_and(|re| re.is_match(selector)))
            .or_else(|| self.entries.iter().find(|r| r.selection.is_none()))
    }
}

impl IntegrationResponses {
    /// Marks the responses whose status no method response in `declared` has; none when
    /// `declared` is empty (see `turnpike_model`'s method responses for that leniency).
    pub(crate) fn check_method_responses(&mut self, declared: &[turnpike_model::MethodResponse]) {
        if declared.is_empty() {
            return;
        }
        for entry in &mut self.entries {
            entry.undeclared = !declared
                .iter()
                .any(|m| m.status_code == entry.status.as_u16());
        }
    }

    /// The default response (the one without a pattern), which a successful Lambda result
    /// selects.
    pub(crate) fn default_response(&self) -> Option<&CompiledIntegrationResponse> {
        self.entries.iter().find(|r| r.selection.is_none())
    }
}

impl CompiledIntegrationResponse {
    /// The method response: this response's status and mapped headers, and its template rendered
    /// with `$input` over the integration's `body` (chosen by the request's `Accept`, else
    /// `application/json`, else the first), or the body as it came when it has none. The template's
    /// `$context.responseOverride.status` / `.header.X` win over both. `contentHandling` and the
    /// API's binary media types decide whether the body is base64-encoded before the template or
    /// decoded after it (see [`super::content_handling`]).
    pub(crate) async fn respond(
        &self,
        ctx: &RequestContext,
        request: &MethodRequest<'_>,
        integration_headers: Option<&HeaderMap>,
        body: ResponseBody,
    ) -> Result<Response<ResponseBody>, GatewayError> {
        if self.undeclared {
            tracing::warn!(
                request_id = ctx.request_id(),
                status = self.status.as_u16(),
                "Execution failed due to configuration error: Output mapping refers to an invalid \
                 method response: {}",
                self.status.as_u16()
            );
            return Err(GatewayError::api_configuration_error());
        }
        let payload = ResponsePayload::of(
            content_handling::header_is_binary(ctx, integration_headers, CONTENT_TYPE),
            content_handling::accepts_binary(ctx, request.headers),
            self.content_handling,
        );
        let template = self
            .template_for(request.headers)
            .filter(|_| payload.templates_apply());
        let read = template.is_some() || self.reads_body || payload.converts();
        let (raw, streamed) = if read {
            (Some(read_bytes(body).await?), None)
        } else {
            (None, Some(body))
        };
        // `$input.body` and body mappings read the payload as text (base64 when it was binary).
        let text = raw
            .as_ref()
            .filter(|_| template.is_some() || self.reads_body)
            .map(|raw| payload.text(raw));
        let (content_type, body, overrides) = match (template, &text, raw, streamed) {
            (Some((value, template)), Some(text), _, _) => {
                let rendered = template.render(text, request, ctx)?;
                let body = payload.finish(Bytes::from(rendered.body), false)?;
                (
                    value.clone(),
                    ResponseBody::full(body),
                    Some(rendered.overrides),
                )
            }
            (_, _, Some(raw), _) => (
                APPLICATION_JSON.clone(),
                ResponseBody::full(payload.finish(raw, true)?),
                None,
            ),
            (_, _, None, streamed) => (
                APPLICATION_JSON.clone(),
                streamed.unwrap_or_else(ResponseBody::empty),
                None,
            ),
        };
        let mut response = Response::new(body);
        *response.status_mut() = self.status;
        let headers = response.headers_mut();
        headers.insert(CONTENT_TYPE, content_type);
        let bodies = Bodies {
            request: None,
            integration: text.as_deref(),
        };
        for (name, source) in &self.headers {
            let value = source
                .resolve_in(request, ctx, integration_headers, bodies)
                .and_then(|v| HeaderValue::from_str(&v).ok());
            if let Some(value) = value {
                headers.insert(name.clone(), value);
            }
        }
        if let Some(overrides) = overrides {
            apply_response_overrides(&mut response, &overrides);
        }
        Ok(response)
    }

    fn template_for(
        &self,
        request_headers: &HeaderMap,
    ) -> Option<(&HeaderValue, &MappingTemplate)> {
        let accepted = request_headers
            .get_all(ACCEPT)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(media_type);
        let by_accept = accepted
            .filter_map(|wanted| {
                self.templates
                    .iter()
                    .find(|(ct, _, _)| ct.eq_ignore_ascii_case(wanted))
            })
            .next();
        by_accept
            .or_else(|| {
                self.templates
                    .iter()
                    .find(|(ct, _, _)| &**ct == "application/json")
            })
            .or_else(|| self.templates.first())
            .map(|(_, value, template)| (value, template))
    }
}

/// `$context.responseOverride.status` and `.header.X` onto the method response.
fn apply_response_overrides(
    response: &mut Response<ResponseBody>,
    overrides: &turnpike_vtl::Overrides,
) {
    if let Some(status) = overrides
        .response_status
        .and_then(|s| StatusCode::from_u16(s).ok())
    {
        *response.status_mut() = status;
    }
    for (name, value) in &overrides.response_headers {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            response.headers_mut().insert(name, value);
        }
    }
}

/// The integration's body, for templates, body mappings and conversions; a back end that breaks
/// off mid-body is INTEGRATION_FAILURE (504).
async fn read_bytes(body: ResponseBody) -> Result<Bytes, GatewayError> {
    use http_body_util::BodyExt;
    match body.collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(_) => Err(GatewayError::integration_failure()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::Request;
    use http_body_util::BodyExt;

    use crate::test_support::integration_response as response;

    fn compiled(list: &[IntegrationResponse]) -> IntegrationResponses {
        let mut problems = Vec::new();
        let r = IntegrationResponses::compile(list, &mut problems);
        assert!(problems.is_empty(), "{problems:?}");
        r
    }

    #[test]
    fn selects_by_pattern_then_default() {
        let responses = compiled(&[
            response("default", 200, &[], &[]),
            response("4\\d{2}", 400, &[], &[]),
            response("404", 404, &[], &[]),
        ]);
        let status = |s: &str| responses.select(s).map(|r| r.status.as_u16());
        assert_eq!(status("200"), Some(200));
        assert_eq!(status("201"), Some(200));
        assert_eq!(status("404"), Some(400));
        assert_eq!(status("418"), Some(400));
        assert_eq!(status("500"), Some(200));

        let no_default = compiled(&[response("2\\d{2}", 200, &[], &[])]);
        assert!(no_default.select("500").is_none());
        assert!(no_default.select("204").is_some());
    }

    async fn respond(
        r: &CompiledIntegrationResponse,
        request_headers: &HeaderMap,
        upstream: Option<&HeaderMap>,
        passthrough: &'static str,
    ) -> (u16, HeaderMap, String) {
        let ctx = crate::test_support::context_for(
            Request::get("/dev/pets").body(()).unwrap(),
            Vec::new(),
        );
        let request = MethodRequest {
            headers: request_headers,
            query: None,
            path_params: None,
        };
        let response = r
            .respond(&ctx, &request, upstream, ResponseBody::full(passthrough))
            .await
            .unwrap();
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        (status, headers, String::from_utf8(body.to_vec()).unwrap())
    }

    #[tokio::test]
    async fn maps_status_headers_and_template() {
        let responses = compiled(&[response(
            "default",
            201,
            &[
                ("method.response.header.Access-Control-Allow-Origin", "'*'"),
                (
                    "method.response.header.Location",
                    "integration.response.header.Location",
                ),
                (
                    "method.response.header.X-Absent",
                    "integration.response.header.X-None",
                ),
            ],
            &[
                ("application/json", r#"{"method":"$context.httpMethod"}"#),
                ("application/xml", "<m>$context.httpMethod</m>"),
            ],
        )]);
        let r = responses.select("200").unwrap();
        let mut upstream = HeaderMap::new();
        upstream.insert("location", "/pets/9".parse().unwrap());

        let (status, headers, body) =
            respond(r, &HeaderMap::new(), Some(&upstream), "ignored").await;
        assert_eq!(status, 201);
        assert_eq!(body, r#"{"method":"GET"}"#);
        assert_eq!(headers["content-type"], "application/json");
        assert_eq!(headers["access-control-allow-origin"], "*");
        assert_eq!(headers["location"], "/pets/9");
        assert!(headers.get("x-absent").is_none());

        let mut accept = HeaderMap::new();
        accept.insert(
            "accept",
            "text/html, application/xml;q=0.9".parse().unwrap(),
        );
        let (_, headers, body) = respond(r, &accept, Some(&upstream), "ignored").await;
        assert_eq!(body, "<m>GET</m>");
        assert_eq!(headers["content-type"], "application/xml");
    }

    #[tokio::test]
    async fn without_a_template_the_body_passes_through() {
        let responses = compiled(&[response("default", 200, &[], &[])]);
        let (status, headers, body) = respond(
            responses.select("200").unwrap(),
            &HeaderMap::new(),
            None,
            "raw body",
        )
        .await;
        assert_eq!(status, 200);
        assert_eq!(body, "raw body");
        assert_eq!(headers["content-type"], "application/json");
    }

    #[tokio::test]
    async fn templates_read_the_body_and_override_status_and_headers() {
        let responses = compiled(&[response(
            "default",
            200,
            &[
                ("method.response.header.X-Id", "integration.response.body.id"),
                ("method.response.header.X-Over", "'mapped'"),
            ],
            &[(
                "application/json",
                "#set($context.responseOverride.status = 201)#set($context.responseOverride.header.X-Over = 'template'){\"pet\": \"$input.path('$.name')\", \"n\": $input.json('$.tags')}",
            )],
        )]);
        let (status, headers, body) = respond(
            responses.select("200").unwrap(),
            &HeaderMap::new(),
            None,
            r#"{"id": "p-1", "name": "Rex", "tags": ["a"]}"#,
        )
        .await;
        assert_eq!(status, 201);
        assert_eq!(body, r#"{"pet": "Rex", "n": ["a"]}"#);
        assert_eq!(headers["x-id"], "p-1");
        assert_eq!(headers["x-over"], "template");
    }

    #[tokio::test]
    async fn a_body_mapping_without_template_keeps_the_body() {
        let responses = compiled(&[response(
            "default",
            200,
            &[(
                "method.response.header.X-Id",
                "integration.response.body.id",
            )],
            &[],
        )]);
        let (_, headers, body) = respond(
            responses.select("200").unwrap(),
            &HeaderMap::new(),
            None,
            r#"{"id": 5}"#,
        )
        .await;
        assert_eq!(body, r#"{"id": 5}"#);
        assert_eq!(headers["x-id"], "5");
    }

    #[tokio::test]
    async fn a_status_without_method_response_fails_once_responses_are_declared() {
        let mut responses = compiled(&[
            response("default", 200, &[], &[]),
            response("4\\d{2}", 404, &[], &[]),
        ]);
        // None declared: both answer.
        responses.check_method_responses(&[]);
        let (status, _, _) = respond(
            responses.select("404").unwrap(),
            &HeaderMap::new(),
            None,
            "x",
        )
        .await;
        assert_eq!(status, 404);

        responses.check_method_responses(&[turnpike_model::MethodResponse {
            status_code: 200,
            ..Default::default()
        }]);
        let (status, _, body) = respond(
            responses.select("200").unwrap(),
            &HeaderMap::new(),
            None,
            "ok",
        )
        .await;
        assert_eq!((status, body.as_str()), (200, "ok"));
        let ctx = crate::test_support::context_for(
            Request::get("/dev/pets").body(()).unwrap(),
            Vec::new(),
        );
        let headers = HeaderMap::new();
        let request = MethodRequest {
            headers: &headers,
            query: None,
            path_params: None,
        };
        let failed = responses
            .select("404")
            .unwrap()
            .respond(&ctx, &request, None, ResponseBody::full("x"))
            .await
            .map(|_| ())
            .map_err(|e| e.kind);
        assert_eq!(
            failed,
            Err(turnpike_model::GatewayResponseType::ApiConfigurationError)
        );
    }

    #[tokio::test]
    async fn content_handling_decodes_a_template_output() {
        let mut r = response(
            "default",
            200,
            &[],
            &[("application/json", "$input.path('$.img')")],
        );
        r.content_handling = Some(ContentHandling::ConvertToBinary);
        let responses = compiled(&[r]);
        let (_, _, body) = respond(
            responses.select("200").unwrap(),
            &HeaderMap::new(),
            None,
            r#"{"img": "aGk="}"#,
        )
        .await;
        assert_eq!(body, "hi");
    }
}
