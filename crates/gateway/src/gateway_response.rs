//! Gateway responses: every failure the gateway itself answers, and the one function that turns
//! a [`GatewayError`] into the response AWS would send.
//!
//! REST APIs answer with the type's response, customisable per API through
//! `x-amazon-apigateway-gateway-responses`:
//! - a customised type uses its own status (or the type's default), headers and template;
//! - a type that is not customised takes DEFAULT_4XX's or DEFAULT_5XX's customisation (by the
//!   type's default status), with the type's default status unless that one sets a status;
//! - otherwise AWS's default: the type's default status and the template
//!   `{"message":$context.error.messageString}` as `application/json`.
//!
//! Each carries `x-amzn-ErrorType` naming the error. HTTP APIs cannot customise gateway responses:
//! they answer a fixed `{"message":"<reason>"}` per status and no `x-amzn-ErrorType`.
//!
//! Sources: AWS's "Gateway response types for API Gateway" (types, default statuses, DEFAULT_4XX /
//! DEFAULT_5XX semantics) and LocalStack's `gateway_response.py` (fallback order, error types,
//! default messages; the ones LocalStack validated against AWS are BadRequestException,
//! ForbiddenException, InternalServerErrorException for INTEGRATION_TIMEOUT,
//! LimitExceededException, MissingAuthenticationTokenException, TooManyRequestsException and
//! UnauthorizedException). The integration-stage errors (integration timeout and failure, API
//! configuration error, internal server error) and request validation's (BAD_REQUEST_BODY,
//! BAD_REQUEST_PARAMETERS) are written `{"message": "..."}` with a space, as AWS's responses for
//! them are observed to be.

use std::borrow::Cow;
use std::collections::BTreeMap;

use http::header::{HeaderName, HeaderValue, CONTENT_TYPE};
use http::{Response, StatusCode};
use turnpike_model::{ApiKind, GatewayResponse, GatewayResponseType};

use crate::body::ResponseBody;
use crate::context::{json_string, ContextError, RequestContext};
use crate::integrate::mapping_template::MappingTemplate;
use crate::mapping::{header_target, MethodRequest, ValueSource};

/// `x-amzn-ErrorType`.
pub(crate) static ERROR_TYPE: HeaderName = HeaderName::from_static("x-amzn-errortype");
static APPLICATION_JSON: HeaderValue = HeaderValue::from_static("application/json");

/// A failure the gateway answers itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct GatewayError {
    pub(crate) kind: GatewayResponseType,
    /// `$context.error.message`.
    pub(crate) message: Cow<'static, str>,
    /// `x-amzn-ErrorType` (REST APIs).
    pub(crate) error_type: &'static str,
    /// The status of this occurrence when its type has no default status (DEFAULT_4XX / 5XX).
    pub(crate) status: Option<u16>,
    /// `www-authenticate` (HTTP API JWT authorizers' 401s).
    pub(crate) www_authenticate: Option<String>,
    /// `$context.error.validationErrorString` (request validation failures).
    pub(crate) validation_error_string: Option<String>,
}

impl GatewayError {
    /// An error of `kind` with AWS's default message and error type.
    pub(crate) fn new(kind: GatewayResponseType) -> GatewayError {
        let (message, error_type) = defaults(kind);
        GatewayError {
            kind,
            message: Cow::Borrowed(message),
            error_type,
            status: None,
            www_authenticate: None,
            validation_error_string: None,
        }
    }

    pub(crate) fn with_message(mut self, message: impl Into<Cow<'static, str>>) -> GatewayError {
        self.message = message.into();
        self
    }

    /// No route (or no stage) for the request: REST's 403 `Missing Authentication Token`.
    pub(crate) fn missing_authentication_token() -> GatewayError {
        GatewayError::new(GatewayResponseType::MissingAuthenticationToken)
    }

    /// A REST request whose first path segment names no stage of the API: AWS answers a plain
    /// 403 `{"message":"Forbidden"}` (ForbiddenException) that no gateway response customises,
    /// since without a stage there is no deployment to take customisations from.
    pub(crate) fn unknown_stage() -> GatewayError {
        GatewayError {
            status: Some(403),
            error_type: "ForbiddenException",
            ..GatewayError::new(GatewayResponseType::Default4xx).with_message("Forbidden")
        }
    }

    pub(crate) fn request_too_large() -> GatewayError {
        GatewayError::new(GatewayResponseType::RequestTooLarge)
    }

    pub(crate) fn integration_timeout() -> GatewayError {
        GatewayError::new(GatewayResponseType::IntegrationTimeout)
    }

    /// The back end broke the exchange after it began.
    pub(crate) fn integration_failure() -> GatewayError {
        GatewayError::new(GatewayResponseType::IntegrationFailure)
    }

    /// A configuration problem surfacing at request time: an unusable endpoint address, an
    /// integration response that matches nothing.
    pub(crate) fn api_configuration_error() -> GatewayError {
        GatewayError::new(GatewayResponseType::ApiConfigurationError)
    }

    /// A 500 outside the named types (e.g. a MOCK template without a usable `statusCode`).
    pub(crate) fn internal_server_error() -> GatewayError {
        GatewayError {
            status: Some(500),
            ..GatewayError::new(GatewayResponseType::Default5xx)
        }
    }

    pub(crate) fn unsupported_media_type() -> GatewayError {
        GatewayError::new(GatewayResponseType::UnsupportedMediaType)
    }

    /// A request the gateway cannot route at all (an HTTP API path that is not valid
    /// percent-encoding): a DEFAULT_4XX with status 400.
    pub(crate) fn bad_request() -> GatewayError {
        GatewayError {
            status: Some(400),
            ..GatewayError::new(GatewayResponseType::Default4xx)
        }
    }

    /// A request URI over the limit: a DEFAULT_4XX with status 414.
    pub(crate) fn uri_too_long() -> GatewayError {
        GatewayError {
            status: Some(414),
            ..GatewayError::new(GatewayResponseType::Default4xx)
                .with_message("Request-URI Too Long")
        }
    }

    /// Request headers over the limit: a DEFAULT_4XX with status 431.
    pub(crate) fn header_fields_too_large() -> GatewayError {
        GatewayError {
            status: Some(431),
            ..GatewayError::new(GatewayResponseType::Default4xx)
                .with_message("Request Header Fields Too Large")
        }
    }

    /// The status before any customisation.
    fn default_status(&self) -> u16 {
        self.kind.default_status().or(self.status).unwrap_or(500)
    }
}

/// AWS's default message and `x-amzn-ErrorType` of each type.
fn defaults(kind: GatewayResponseType) -> (&'static str, &'static str) {
    use GatewayResponseType as T;
    match kind {
        T::AccessDenied => (
            "User is not authorized to access this resource",
            "AccessDeniedException",
        ),
        T::ApiConfigurationError => ("Internal server error", "InternalServerErrorException"),
        T::AuthorizerConfigurationError => {
            ("Internal server error", "AuthorizerConfigurationException")
        }
        T::AuthorizerFailure => ("Internal server error", "AuthorizerFailureException"),
        T::BadRequestParameters => ("Invalid request parameters", "BadRequestException"),
        T::BadRequestBody => ("Invalid request body", "BadRequestException"),
        T::Default4xx => ("Bad Request", "BadRequestException"),
        T::Default5xx => ("Internal server error", "InternalServerErrorException"),
        T::ExpiredToken => (
            "The security token included in the request is expired",
            "ExpiredTokenException",
        ),
        T::IntegrationFailure => (
            "Network error communicating with endpoint",
            "InternalServerErrorException",
        ),
        T::IntegrationTimeout => ("Endpoint request timed out", "InternalServerErrorException"),
        T::InvalidApiKey => ("Forbidden", "ForbiddenException"),
        T::InvalidSignature => (
            "The request signature we calculated does not match the signature you provided. \
             Check your AWS Secret Access Key and signing method. Consult the service \
             documentation for details.",
            "InvalidSignatureException",
        ),
        T::MissingAuthenticationToken => (
            "Missing Authentication Token",
            "MissingAuthenticationTokenException",
        ),
        T::QuotaExceeded => ("Limit Exceeded", "LimitExceededException"),
        T::RequestTooLarge => ("Request Too Long", "RequestTooLargeException"),
        T::ResourceNotFound => ("Not Found", "ResourceNotFoundException"),
        T::Throttled => ("Too Many Requests", "TooManyRequestsException"),
        T::Unauthorized => ("Unauthorized", "UnauthorizedException"),
        T::UnsupportedMediaType => ("Unsupported Media Type", "BadRequestException"),
        T::WafFiltered => ("Forbidden", "WafFilteredException"),
    }
}

/// True for the errors AWS writes `{"message": "..."}` (with a space) when not customised.
fn spaced_default(kind: GatewayResponseType) -> bool {
    matches!(
        kind,
        GatewayResponseType::IntegrationTimeout
            | GatewayResponseType::IntegrationFailure
            | GatewayResponseType::ApiConfigurationError
            | GatewayResponseType::Default5xx
            | GatewayResponseType::BadRequestBody
            | GatewayResponseType::BadRequestParameters
    )
}

/// One customised gateway response, compiled.
#[derive(Debug, Clone)]
struct CompiledGatewayResponse {
    status: Option<StatusCode>,
    headers: Vec<(HeaderName, ValueSource)>,
    /// The `application/json` template, else the first one, with its content type: Velocity,
    /// compiled once like mapping templates, seeing `$context` (with `error.*` and
    /// `authorizer.*`), `$stageVariables` and `$input.params()`.
    template: Option<(HeaderValue, MappingTemplate)>,
}

/// An API's customised gateway responses.
#[derive(Debug, Clone, Default)]
pub(crate) struct GatewayResponses {
    custom: BTreeMap<GatewayResponseType, CompiledGatewayResponse>,
}

impl GatewayResponses {
    /// Compiles an API's customisations; entries that cannot be used are reported in `problems`
    /// (the loader rejects them first, so these only guard the gateway).
    pub(crate) fn compile(
        responses: &BTreeMap<GatewayResponseType, GatewayResponse>,
        problems: &mut Vec<String>,
    ) -> GatewayResponses {
        let mut custom = BTreeMap::new();
        for (kind, response) in responses {
            let status = response
                .status_code
                .and_then(|code| match StatusCode::from_u16(code) {
                    Ok(status) => Some(status),
                    Err(_) => {
                        problems.push(format!("{kind}: statusCode {code} is not an HTTP status"));
                        None
                    }
                });
            let mut headers = Vec::new();
            for (target, source) in &response.response_parameters {
                match (
                    header_target(target, "gatewayresponse.header."),
                    ValueSource::parse(source),
                ) {
                    (Ok(name), Ok(source)) => headers.push((name, source)),
                    (Err(e), _) | (_, Err(e)) => problems.push(format!("{kind}: {e}")),
                }
            }
            let template = response
                .response_templates
                .get_key_value("application/json")
                .or_else(|| response.response_templates.iter().next())
                .and_then(
                    |(content_type, text)| match HeaderValue::from_str(content_type) {
                        Ok(value) => Some((
                            value,
                            MappingTemplate::compile(
                                text,
                                &format!("{kind}: responseTemplates.{content_type}"),
                                problems,
                            ),
                        )),
                        Err(_) => {
                            problems
                                .push(format!("{kind}: {content_type:?} is not a content type"));
                            None
                        }
                    },
                );
            custom.insert(
                *kind,
                CompiledGatewayResponse {
                    status,
                    headers,
                    template,
                },
            );
        }
        GatewayResponses { custom }
    }
}

/// The response for `error`, as an API of `kind` with `responses` answers it. Sets
/// `$context.error.*` on `ctx` first, so templates and the access log see them.
pub(crate) fn render(
    kind: ApiKind,
    responses: &GatewayResponses,
    error: &GatewayError,
    ctx: &mut RequestContext,
    request: &MethodRequest<'_>,
) -> Response<ResponseBody> {
    ctx.error = Some(ContextError {
        message: error.message.clone(),
        response_type: error.kind,
        validation_error_string: error.validation_error_string.clone(),
    });
    match kind {
        ApiKind::Rest => render_rest(responses, error, ctx, request),
        ApiKind::Http => render_http_api(error),
    }
}

fn render_rest(
    responses: &GatewayResponses,
    error: &GatewayError,
    ctx: &RequestContext,
    request: &MethodRequest<'_>,
) -> Response<ResponseBody> {
    let default_status = error.default_status();
    let custom = responses.custom.get(&error.kind).or_else(|| {
        let family = if default_status >= 500 {
            GatewayResponseType::Default5xx
        } else {
            GatewayResponseType::Default4xx
        };
        responses.custom.get(&family)
    });
    let status = custom
        .and_then(|c| c.status)
        .or_else(|| StatusCode::from_u16(default_status).ok())
        .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);

    // A gateway response's template has no body to read: `$input.body` is empty. One that fails
    // to render answers with the default body rather than failing the error response itself.
    let rendered = custom
        .and_then(|c| c.template.as_ref())
        .and_then(|(content_type, template)| {
            let rendered = template.render("", request, ctx).ok()?;
            Some((content_type.clone(), rendered.body))
        });
    let (content_type, body) =
        rendered.unwrap_or_else(|| (APPLICATION_JSON.clone(), default_body(error)));
    let mut response = Response::new(ResponseBody::full(body));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, content_type);
    for (name, source) in custom.map_or(&[][..], |c| &c.headers[..]) {
        let value = source
            .resolve(request, ctx, None)
            .and_then(|v| HeaderValue::from_str(&v).ok());
        if let Some(value) = value {
            headers.insert(name.clone(), value);
        }
    }
    if let Ok(value) = HeaderValue::from_str(error.error_type) {
        headers.insert(ERROR_TYPE.clone(), value);
    }
    response
}

/// `{"message":$context.error.messageString}`, AWS's default template. Authorizer denials
/// (ACCESS_DENIED) spell the key `Message`, and authorizer failures carry no message at all
/// (`{"message": null}`), as AWS answers them.
fn default_body(error: &GatewayError) -> String {
    if matches!(
        error.kind,
        GatewayResponseType::AuthorizerConfigurationError | GatewayResponseType::AuthorizerFailure
    ) {
        return r#"{"message": null}"#.to_owned();
    }
    let key = if error.kind == GatewayResponseType::AccessDenied {
        "Message"
    } else {
        "message"
    };
    let separator = if spaced_default(error.kind) { " " } else { "" };
    format!("{{\"{key}\":{separator}{}}}", json_string(&error.message))
}

/// HTTP APIs' fixed error responses: `{"message":"<reason>"}`.
fn render_http_api(error: &GatewayError) -> Response<ResponseBody> {
    use GatewayResponseType as T;
    let status = match error.kind {
        T::MissingAuthenticationToken | T::ResourceNotFound => StatusCode::NOT_FOUND,
        T::RequestTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        T::IntegrationTimeout => StatusCode::SERVICE_UNAVAILABLE,
        T::Throttled | T::QuotaExceeded => StatusCode::TOO_MANY_REQUESTS,
        T::Unauthorized => StatusCode::UNAUTHORIZED,
        T::AccessDenied
        | T::InvalidApiKey
        | T::WafFiltered
        | T::ExpiredToken
        | T::InvalidSignature => StatusCode::FORBIDDEN,
        T::BadRequestParameters | T::BadRequestBody => StatusCode::BAD_REQUEST,
        T::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        T::Default4xx => error
            .status
            .and_then(|s| StatusCode::from_u16(s).ok())
            .unwrap_or(StatusCode::BAD_REQUEST),
        T::ApiConfigurationError
        | T::AuthorizerConfigurationError
        | T::AuthorizerFailure
        | T::Default5xx
        | T::IntegrationFailure => StatusCode::INTERNAL_SERVER_ERROR,
    };
    // HTTP APIs still use RFC 2616's name for 413.
    let reason = match status {
        StatusCode::PAYLOAD_TOO_LARGE => "Request Entity Too Large",
        _ => status.canonical_reason().unwrap_or("Error"),
    };
    let mut response = Response::new(ResponseBody::full(format!(
        "{{\"message\":{}}}",
        json_string(reason)
    )));
    *response.status_mut() = status;
    if let Some(value) = error
        .www_authenticate
        .as_deref()
        .and_then(|v| HeaderValue::from_str(v).ok())
    {
        response
            .headers_mut()
            .insert(http::header::WWW_AUTHENTICATE, value);
    }
    // AWS's 503 for an integration timeout carries no content type (observed: date,
    // content-length and apigw-requestid only).
    if status != StatusCode::SERVICE_UNAVAILABLE {
        response
            .headers_mut()
            .insert(CONTENT_TYPE, APPLICATION_JSON.clone());
    }
    response
}

#[cfg(test)]
mod tests;
