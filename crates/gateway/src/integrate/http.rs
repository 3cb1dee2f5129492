//! HTTP and HTTP_PROXY integrations.
//!
//! One pooled keep-alive client serves every back end, over TCP or TLS (rustls, verifying against
//! the system's root certificates plus any configured extra CA bundle). HTTP_PROXY streams the client's body to
//! the back end (the payload limit enforced as it flows) and the back end's body to the client;
//! nothing is collected. `timeoutInMillis` bounds the wait for the back end's response headers.
//! Failures map to gateway responses as AWS maps them: no connection (refused, unresolvable,
//! invalid address) → API_CONFIGURATION_ERROR (REST 500 `Internal server error`, execution log
//! "Execution failed due to configuration error"); an exchange broken after connecting →
//! INTEGRATION_FAILURE (504 `Network error communicating with endpoint`); the timeout →
//! INTEGRATION_TIMEOUT (504 `Endpoint request timed out`); HTTP APIs answer these with their
//! fixed 500 and 503.

use std::borrow::Cow;
use std::sync::Arc;
use std::time::{Duration, Instant};

use ::http::header::{HeaderName, HeaderValue, CONTENT_TYPE, HOST};
use ::http::{Method, Request, Response, Uri};
use turnpike_model::{HttpMethod, IntegrationType};

use super::forward;
use super::request::RequestTemplates;
use super::response::IntegrationResponses;
use super::upstream;
use super::uri::{append_query_pair, append_raw_query, remove_query_params, UriTemplate};
use super::Call;
use crate::body::{ResponseBody, UpstreamBody};
use crate::context::RequestContext;
use crate::gateway_response::GatewayError;
use crate::limits;
use crate::mapping::{Bodies, MethodRequest, RequestTarget, ValueSource};
use crate::respond::BackendHeaders;

mod client;

use client::UpstreamError;
pub(crate) use client::{PooledBody, UpstreamClient};

/// The pooled keep-alive client every HTTP integration shares, for `http` and `https` back ends,
/// calling AWS service integrations as `aws` says.
pub(crate) fn client(
    tls: rustls::ClientConfig,
    aws: Arc<super::aws::AwsSettings>,
) -> UpstreamClient {
    UpstreamClient::with_aws(tls, aws)
}

/// TLS towards back ends: the system's root certificates and `extra_roots`. Without any root,
/// every `https` back end fails verification (a 500, as AWS answers a certificate it rejects).
pub(crate) fn tls_config(
    extra_roots: Vec<rustls::pki_types::CertificateDer<'static>>,
) -> Result<rustls::ClientConfig, rustls::Error> {
    let mut roots = rustls::RootCertStore::empty();
    let native = rustls_native_certs::load_native_certs();
    let (added, _ignored) = roots.add_parsable_certificates(native.certs);
    if added == 0 {
        tracing::warn!(
            errors = ?native.errors,
            "no system root certificates found; https integrations will fail verification"
        );
    }
    for cert in extra_roots {
        roots.add(cert)?;
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth())
}

/// An HTTP or HTTP_PROXY integration, compiled.
#[derive(Debug)]
pub(crate) struct HttpIntegration {
    /// `None`: the request's own method (`httpMethod` absent or `ANY`).
    method: Option<Method>,
    uri: UriTemplate,
    /// The URI and its `Host` header when the URI has no placeholders: parsed once here instead
    /// of rendered and parsed per request.
    static_target: Option<(Uri, HeaderValue)>,
    /// True when a parameter maps to the query string, which the static target cannot carry.
    maps_query: bool,
    /// True when a parameter maps from the request body, which must then be read whole.
    reads_body: bool,
    parameters: Vec<(RequestTarget, ValueSource)>,
    timeout: Duration,
    /// Non-proxy only.
    request_templates: RequestTemplates,
    /// Non-proxy only.
    responses: IntegrationResponses,
}

impl HttpIntegration {
    pub(crate) fn responses_mut(&mut self) -> &mut IntegrationResponses {
        &mut self.responses
    }

    pub(crate) fn compile(
        integration: &turnpike_model::Integration,
        greedy: &[&str],
        problems: &mut Vec<String>,
    ) -> HttpIntegration {
        let uri_text = integration.uri.as_deref().unwrap_or_default();
        if uri_text.is_empty() {
            problems.push("the integration has no uri".into());
        }
        let uri = UriTemplate::parse(uri_text, greedy);
        let method = match integration.http_method {
            None | Some(HttpMethod::Any) => None,
            Some(m) => Method::from_bytes(m.as_str().as_bytes()).ok(),
        };
        let mut parameters = Vec::new();
        for (target, source) in &integration.request_parameters {
            match (RequestTarget::parse(target), ValueSource::parse(source)) {
                (Ok(target), Ok(source)) => parameters.push((target, source)),
                (Err(e), _) | (_, Err(e)) => problems.push(format!("requestParameters: {e}")),
            }
        }
        let static_target = uri
            .static_text()
            .and_then(|text| Uri::try_from(text).ok())
            .and_then(|uri| Some((client::host_header(&uri)?, uri)))
            .map(|(host, uri)| (uri, host));
        let maps_query = parameters
            .iter()
            .any(|(target, _)| matches!(target, RequestTarget::Query(_)));
        HttpIntegration {
            method,
            uri,
            static_target,
            maps_query,
            reads_body: parameters.iter().any(|(_, s)| s.reads_request_body()),
            parameters,
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

    /// HTTP_PROXY: the request as the client sent it (minus hop-by-hop headers, plus forwarding
    /// headers and mapped parameters) to the rendered URI, the response streamed back.
    pub(crate) async fn proxy(
        &self,
        call: Call<'_>,
    ) -> Result<Response<ResponseBody>, GatewayError> {
        let request = call.method_request();
        let ctx: &RequestContext = call.ctx;
        let mut headers = forward::proxy_headers(&call.parts.headers, ctx);
        let uri = self.target(
            &request,
            ctx,
            call.parts.uri.query(),
            &mut headers,
            Mapping::default(),
        )?;
        // HTTP API `overwrite:path`.
        let uri = crate::mapping::http_api::overwrite_path(uri, &call.parts.extensions);
        let method = self
            .method
            .clone()
            .unwrap_or_else(|| call.parts.method.clone());
        let body = UpstreamBody::limited(call.body, call.max_body_bytes);
        if let Some(inline) = upstream::inline_body(&method, &uri, &body) {
            if !headers.contains_key(HOST) {
                if let Some(host) = client::host_header(&uri) {
                    headers.insert(HOST, host);
                }
            }
            let request = upstream::Outgoing {
                method: &method,
                uri: &uri,
                headers: &headers,
                body: inline,
                response_headers: client_facing_names(ctx),
            };
            return self.send_inline(call.client, call.ctx, request).await;
        }
        // Boxed: hyper's client future is large, and the common path above should not carry it.
        let upstream =
            Box::pin(self.send(call.client, call.ctx, method, uri, headers, body)).await?;
        let (parts, body) = upstream.into_parts();
        Ok(Response::from_parts(parts, ResponseBody::stream(body)))
    }

    /// HTTP_PROXY through the hop's own client (see [`upstream`]), within `timeoutInMillis`.
    async fn send_inline(
        &self,
        client: &super::UpstreamClient,
        ctx: &mut RequestContext,
        request: upstream::Outgoing<'_>,
    ) -> Result<Response<ResponseBody>, GatewayError> {
        match timed(self.timeout, ctx, client.proxy_pool().send(request)).await? {
            Err(error) if error.is_connect() => {
                tracing::warn!(error = %ErrorChain(&error), "Execution failed due to configuration error");
                Err(GatewayError::api_configuration_error())
            }
            Err(error) => {
                tracing::warn!(error = %ErrorChain(&error), "Execution failed due to a network error communicating with endpoint");
                Err(GatewayError::integration_failure())
            }
            Ok(response) => {
                ctx.integration_status = Some(response.status().as_u16());
                let (parts, body) = response.into_parts();
                Ok(Response::from_parts(parts, ResponseBody::proxied(body)))
            }
        }
    }

    /// HTTP (non-proxy): mapped parameters and the request template's output (or the body passed
    /// through) to the rendered URI; the integration response selected by the back end's status
    /// shapes the method response.
    pub(crate) async fn call(
        &self,
        call: Call<'_>,
    ) -> Result<Response<ResponseBody>, GatewayError> {
        self.call_as(call, None).await
    }

    /// [`HttpIntegration::call`], for an AWS service integration when `aws` is given: the body
    /// is read whole, then the request is pointed at the service's endpoint and signed.
    pub(crate) async fn call_as(
        &self,
        call: Call<'_>,
        aws: Option<&super::aws::AwsTarget>,
    ) -> Result<Response<ResponseBody>, GatewayError> {
        let request = call.method_request();
        let ctx: &RequestContext = call.ctx;
        let content_type = call.parts.headers.get(CONTENT_TYPE);
        let selected = self
            .request_templates
            .for_request(ctx, &call.parts.headers)?;
        let mut headers = forward::integration_headers(&call.parts.headers, ctx);
        // The body is read whole only when a template, a conversion or a mapped parameter reads
        // it.
        let (bytes, streamed) = if selected.reads_body() || self.reads_body || aws.is_some() {
            let bytes = limits::read_body(call.body, call.max_body_bytes).await?;
            (Some(bytes), None)
        } else {
            (None, Some(call.body))
        };
        let text = bytes
            .as_ref()
            .filter(|_| self.reads_body)
            .map(|b| String::from_utf8_lossy(b).into_owned());
        let mut overrides = None;
        let mut whole = bytes::Bytes::new();
        let body = match (bytes, streamed) {
            (Some(bytes), _) => {
                let (body, rendered) = selected.body(bytes, &request, ctx)?;
                whole = body.clone();
                match (selected.template, content_type) {
                    (Some((template_type, _)), _) => {
                        headers.insert(CONTENT_TYPE, template_type.clone());
                    }
                    (None, Some(content_type)) => {
                        headers.insert(CONTENT_TYPE, content_type.clone());
                    }
                    (None, None) => {}
                }
                overrides = rendered;
                UpstreamBody::full(body)
            }
            (None, streamed) => {
                if let Some(content_type) = content_type {
                    headers.insert(CONTENT_TYPE, content_type.clone());
                }
                match streamed {
                    Some(body) => UpstreamBody::limited(body, call.max_body_bytes),
                    None => UpstreamBody::full(bytes::Bytes::new()),
                }
            }
        };
        let mapping = Mapping {
            request_body: text.as_deref(),
            overrides: overrides.as_ref(),
        };
        let uri = self.target(&request, ctx, None, &mut headers, mapping)?;
        let method = self
            .method
            .clone()
            .unwrap_or_else(|| call.parts.method.clone());
        let (uri, body) = match aws {
            Some(aws) => aws.prepare(call.client.aws(), &method, uri, &mut headers, whole)?,
            None => (uri, body),
        };
        let upstream = self
            .send(call.client, call.ctx, method, uri, headers, body)
            .await?;
        let ctx: &RequestContext = call.ctx;
        let selected = self
            .responses
            .select(upstream.status().as_str())
            .ok_or_else(GatewayError::api_configuration_error)?;
        let (parts, body) = upstream.into_parts();
        selected
            .respond(
                ctx,
                &request,
                Some(&parts.headers),
                ResponseBody::stream(body),
            )
            .await
    }

    /// The URI to call with the client's `query` appended, after the mapped parameters have gone
    /// into it and into `headers`.
    fn target(
        &self,
        request: &MethodRequest<'_>,
        ctx: &RequestContext,
        query: Option<&str>,
        headers: &mut ::http::HeaderMap,
        mapping: Mapping<'_>,
    ) -> Result<Uri, GatewayError> {
        let query = query.unwrap_or_default();
        let overrides_query = mapping
            .overrides
            .is_some_and(|o| !o.request_querystring.is_empty());
        if let Some((uri, host)) = &self.static_target {
            if query.is_empty() && !self.maps_query && !overrides_query {
                self.apply_parameters(request, ctx, &mut String::new(), headers, mapping);
                // A mapped `Host` wins, as the client would let it.
                headers.entry(HOST).or_insert_with(|| host.clone());
                return Ok(uri.clone());
            }
        }
        let mut uri = self.render_uri(request, ctx, mapping);
        append_raw_query(&mut uri, query);
        self.apply_parameters(request, ctx, &mut uri, headers, mapping);
        match Uri::try_from(uri) {
            Ok(uri) if uri.host().is_some() => Ok(uri),
            _ => {
                tracing::warn!(
                    "Execution failed due to configuration error: Invalid endpoint address"
                );
                Err(GatewayError::api_configuration_error())
            }
        }
    }

    fn render_uri(
        &self,
        request: &MethodRequest<'_>,
        ctx: &RequestContext,
        mapping: Mapping<'_>,
    ) -> String {
        let mut uri = String::new();
        let stage_variables = ctx.stage.as_ref().map(|s| &s.variables);
        // REST path parameters are still percent-encoded; HTTP API ones are decoded.
        let raw = ctx.api_kind() == turnpike_model::ApiKind::Rest;
        self.uri.render(
            |name| self.path_value(name, request, ctx, mapping),
            raw,
            stage_variables,
            &mut uri,
        );
        uri
    }

    /// `{name}` in the URI: `$context.requestOverride.path.name` when the template set it, else
    /// `integration.request.path.name` when mapped, else the route's path parameter of that name.
    fn path_value<'a>(
        &'a self,
        name: &str,
        request: &MethodRequest<'a>,
        ctx: &'a RequestContext,
        mapping: Mapping<'a>,
    ) -> Option<Cow<'a, str>> {
        let overridden = mapping
            .overrides
            .and_then(|o| o.request_path.iter().find(|(k, _)| k == name));
        if let Some((_, value)) = overridden {
            return Some(Cow::Borrowed(value));
        }
        let mapped = self
            .parameters
            .iter()
            .find_map(|(target, source)| match target {
                RequestTarget::Path(p) if &**p == name => Some(source),
                _ => None,
            });
        let bodies = Bodies {
            request: mapping.request_body,
            integration: None,
        };
        match mapped {
            Some(source) => source.resolve_in(request, ctx, None, bodies),
            None => request.path_param(name).map(Cow::Borrowed),
        }
    }

    fn apply_parameters(
        &self,
        request: &MethodRequest<'_>,
        ctx: &RequestContext,
        uri: &mut String,
        headers: &mut ::http::HeaderMap,
        mapping: Mapping<'_>,
    ) {
        let bodies = Bodies {
            request: mapping.request_body,
            integration: None,
        };
        for (target, source) in &self.parameters {
            let Some(value) = source.resolve_in(request, ctx, None, bodies) else {
                continue;
            };
            match target {
                RequestTarget::Header(name) => {
                    if let Ok(value) = HeaderValue::from_str(&value) {
                        headers.insert(name.clone(), value);
                    }
                }
                RequestTarget::Query(name) => append_query_pair(uri, name, &value),
                RequestTarget::Path(_) => {}
            }
        }
        // The template's `$context.requestOverride` wins over mapped parameters.
        let Some(overrides) = mapping.overrides else {
            return;
        };
        for (name, value) in &overrides.request_headers {
            if let (Ok(name), Ok(value)) = (
                HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_str(value),
            ) {
                headers.insert(name, value);
            }
        }
        if !overrides.request_querystring.is_empty() {
            remove_query_params(uri, overrides.request_querystring.iter().map(|(k, _)| k));
            for (name, value) in &overrides.request_querystring {
                append_query_pair(uri, name, value);
            }
        }
    }

    async fn send(
        &self,
        client: &super::UpstreamClient,
        ctx: &mut RequestContext,
        method: Method,
        uri: Uri,
        headers: ::http::HeaderMap,
        body: UpstreamBody,
    ) -> Result<Response<PooledBody>, GatewayError> {
        let mut request = Request::new(body);
        *request.method_mut() = method;
        *request.uri_mut() = uri;
        *request.headers_mut() = headers;
        exchange(client, ctx, self.timeout, request).await
    }
}

/// One exchange with a back end through the gateway's client within `timeout` (an integration's
/// `timeoutInMillis`), its status and latency recorded for `$context`, failures answered as AWS
/// answers them.
pub(super) async fn exchange(
    client: &super::UpstreamClient,
    ctx: &mut RequestContext,
    timeout: Duration,
    request: Request<UpstreamBody>,
) -> Result<Response<PooledBody>, GatewayError> {
    match timed(timeout, ctx, client.request(request)).await? {
        Err(error) => Err(classify(&error)),
        Ok(response) => {
            ctx.integration_status = Some(response.status().as_u16());
            Ok(response)
        }
    }
}

/// Runs one exchange with the back end within `timeout`, recording its latency for
/// `$context.integrationLatency`; running out of time is the gateway's timeout response.
async fn timed<T, E>(
    timeout: Duration,
    ctx: &mut RequestContext,
    exchange: impl std::future::Future<Output = Result<T, E>>,
) -> Result<Result<T, E>, GatewayError> {
    let started = Instant::now();
    let outcome = tokio::time::timeout(timeout, exchange).await;
    ctx.integration_latency =
        Some(u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX));
    outcome.map_err(|_| {
        tracing::warn!(
            timeout_ms = timeout.as_millis() as u64,
            "Execution failed due to a timeout error"
        );
        GatewayError::integration_timeout()
    })
}

/// What the request's mapping produced besides parameters: the body it read and the template's
/// `$context.requestOverride`.
#[derive(Debug, Clone, Copy, Default)]
struct Mapping<'a> {
    request_body: Option<&'a str>,
    overrides: Option<&'a turnpike_vtl::Overrides>,
}

/// The gateway response for a failed exchange with a back end.
fn classify(error: &UpstreamError) -> GatewayError {
    if limits::is_body_too_large(error) {
        GatewayError::request_too_large()
    } else if error.is_connect() {
        tracing::warn!(error = %ErrorChain(error), "Execution failed due to configuration error");
        GatewayError::api_configuration_error()
    } else {
        tracing::warn!(error = %ErrorChain(error), "Execution failed due to a network error communicating with endpoint");
        GatewayError::integration_failure()
    }
}

/// Displays an error with its sources: `a: b: c`.
struct ErrorChain<'a>(&'a (dyn std::error::Error + 'static));

impl std::fmt::Display for ErrorChain<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)?;
        let mut source = self.0.source();
        while let Some(s) = source {
            write!(f, ": {s}")?;
            source = s.source();
        }
        Ok(())
    }
}

/// The rules that name the back end's response headers for the client, applied by the proxy
/// client as it parses the head so that `respond::finish` finds nothing left to do; `None` under
/// an HTTP API's response mapping, which reads the back end's own header names.
fn client_facing_names(ctx: &RequestContext) -> Option<BackendHeaders> {
    let api = ctx.api.as_ref()?;
    let mapped = ctx
        .route
        .and_then(|route| api.routes.get(route))
        .is_some_and(|route| route.http_mapping.is_some());
    (!mapped).then(|| BackendHeaders::of(api.kind, IntegrationType::HttpProxy))
}
