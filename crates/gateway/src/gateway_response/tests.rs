use super::*;
use http::{HeaderMap, Request};
use http_body_util::BodyExt;
use turnpike_model::GatewayResponse;

use crate::context::ClientConnection;

fn ctx() -> RequestContext {
    let (parts, ()) = Request::get("/dev/nope").body(()).unwrap().into_parts();
    RequestContext::new(
        &parts,
        ClientConnection {
            peer: "192.0.2.7:4000".parse().unwrap(),
            local: "127.0.0.1:8080".parse().unwrap(),
            tls: false,
        },
    )
}

struct Rendered {
    status: u16,
    headers: HeaderMap,
    body: String,
}

async fn rendered(
    kind: ApiKind,
    responses: &GatewayResponses,
    error: &GatewayError,
    request_headers: &HeaderMap,
) -> Rendered {
    let mut ctx = ctx();
    let request = MethodRequest {
        headers: request_headers,
        query: Some("lang=fr"),
        path_params: None,
    };
    let response = render(kind, responses, error, &mut ctx, &request);
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    Rendered {
        status,
        headers,
        body: String::from_utf8(body.to_vec()).unwrap(),
    }
}

async fn rest_default(kind: GatewayResponseType) -> Rendered {
    rendered(
        ApiKind::Rest,
        &GatewayResponses::default(),
        &GatewayError::new(kind),
        &HeaderMap::new(),
    )
    .await
}

fn header<'a>(r: &'a Rendered, name: &str) -> Option<&'a str> {
    r.headers.get(name).map(|v| v.to_str().unwrap())
}

#[tokio::test]
async fn every_rest_type_has_aws_default_status_body_and_error_type() {
    use GatewayResponseType as T;
    let table: [(T, u16, &str, &str); 19] = [
        (
            T::AccessDenied,
            403,
            // Authorizer and resource-policy denials spell the key with a capital M.
            r#"{"Message":"User is not authorized to access this resource"}"#,
            "AccessDeniedException",
        ),
        (
            T::ApiConfigurationError,
            500,
            r#"{"message": "Internal server error"}"#,
            "InternalServerErrorException",
        ),
        (
            T::AuthorizerConfigurationError,
            500,
            r#"{"message": null}"#,
            "AuthorizerConfigurationException",
        ),
        (
            T::AuthorizerFailure,
            500,
            r#"{"message": null}"#,
            "AuthorizerFailureException",
        ),
        (
            T::BadRequestParameters,
            400,
            r#"{"message": "Invalid request parameters"}"#,
            "BadRequestException",
        ),
        (
            T::BadRequestBody,
            400,
            r#"{"message": "Invalid request body"}"#,
            "BadRequestException",
        ),
        (
            T::ExpiredToken,
            403,
            r#"{"message":"The security token included in the request is expired"}"#,
            "ExpiredTokenException",
        ),
        (
            T::IntegrationFailure,
            504,
            r#"{"message": "Network error communicating with endpoint"}"#,
            "InternalServerErrorException",
        ),
        (
            T::IntegrationTimeout,
            504,
            r#"{"message": "Endpoint request timed out"}"#,
            "InternalServerErrorException",
        ),
        (
            T::InvalidApiKey,
            403,
            r#"{"message":"Forbidden"}"#,
            "ForbiddenException",
        ),
        (
            T::InvalidSignature,
            403,
            r#"{"message":"The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."}"#,
            "InvalidSignatureException",
        ),
        (
            T::MissingAuthenticationToken,
            403,
            r#"{"message":"Missing Authentication Token"}"#,
            "MissingAuthenticationTokenException",
        ),
        (
            T::QuotaExceeded,
            429,
            r#"{"message":"Limit Exceeded"}"#,
            "LimitExceededException",
        ),
        (
            T::RequestTooLarge,
            413,
            r#"{"message":"Request Too Long"}"#,
            "RequestTooLargeException",
        ),
        (
            T::ResourceNotFound,
            404,
            r#"{"message":"Not Found"}"#,
            "ResourceNotFoundException",
        ),
        (
            T::Throttled,
            429,
            r#"{"message":"Too Many Requests"}"#,
            "TooManyRequestsException",
        ),
        (
            T::Unauthorized,
            401,
            r#"{"message":"Unauthorized"}"#,
            "UnauthorizedException",
        ),
        (
            T::UnsupportedMediaType,
            415,
            r#"{"message":"Unsupported Media Type"}"#,
            "BadRequestException",
        ),
        (
            T::WafFiltered,
            403,
            r#"{"message":"Forbidden"}"#,
            "WafFilteredException",
        ),
    ];
    for (kind, status, body, error_type) in table {
        let r = rest_default(kind).await;
        assert_eq!(r.status, status, "{kind}");
        assert_eq!(r.body, body, "{kind}");
        assert_eq!(
            header(&r, "content-type"),
            Some("application/json"),
            "{kind}"
        );
        assert_eq!(header(&r, "x-amzn-errortype"), Some(error_type), "{kind}");
        assert_eq!(r.headers.len(), 2, "{kind}");
    }
}

#[tokio::test]
async fn default_family_errors_carry_their_own_status() {
    let r = rendered(
        ApiKind::Rest,
        &GatewayResponses::default(),
        &GatewayError::internal_server_error(),
        &HeaderMap::new(),
    )
    .await;
    assert_eq!(r.status, 500);
    assert_eq!(r.body, r#"{"message": "Internal server error"}"#);
    assert_eq!(
        header(&r, "x-amzn-errortype"),
        Some("InternalServerErrorException")
    );

    let r = rendered(
        ApiKind::Rest,
        &GatewayResponses::default(),
        &GatewayError::uri_too_long(),
        &HeaderMap::new(),
    )
    .await;
    assert_eq!(r.status, 414);
    assert_eq!(r.body, r#"{"message":"Request-URI Too Long"}"#);

    let r = rendered(
        ApiKind::Rest,
        &GatewayResponses::default(),
        &GatewayError::header_fields_too_large(),
        &HeaderMap::new(),
    )
    .await;
    assert_eq!(r.status, 431);
    assert_eq!(r.body, r#"{"message":"Request Header Fields Too Large"}"#);
}

#[tokio::test]
async fn every_http_api_error_is_fixed() {
    use GatewayResponseType as T;
    let table: [(GatewayError, u16, &str); 12] = [
        (
            GatewayError::missing_authentication_token(),
            404,
            r#"{"message":"Not Found"}"#,
        ),
        (
            GatewayError::new(T::ResourceNotFound),
            404,
            r#"{"message":"Not Found"}"#,
        ),
        (
            GatewayError::request_too_large(),
            413,
            r#"{"message":"Request Entity Too Large"}"#,
        ),
        (
            GatewayError::integration_timeout(),
            503,
            r#"{"message":"Service Unavailable"}"#,
        ),
        (
            GatewayError::integration_failure(),
            500,
            r#"{"message":"Internal Server Error"}"#,
        ),
        (
            GatewayError::api_configuration_error(),
            500,
            r#"{"message":"Internal Server Error"}"#,
        ),
        (
            GatewayError::internal_server_error(),
            500,
            r#"{"message":"Internal Server Error"}"#,
        ),
        (
            GatewayError::new(T::Throttled),
            429,
            r#"{"message":"Too Many Requests"}"#,
        ),
        (
            GatewayError::new(T::Unauthorized),
            401,
            r#"{"message":"Unauthorized"}"#,
        ),
        (
            GatewayError::new(T::AccessDenied),
            403,
            r#"{"message":"Forbidden"}"#,
        ),
        (
            GatewayError::unsupported_media_type(),
            415,
            r#"{"message":"Unsupported Media Type"}"#,
        ),
        (
            GatewayError::uri_too_long(),
            414,
            r#"{"message":"URI Too Long"}"#,
        ),
    ];
    // Customisations are a REST feature: an HTTP API ignores them.
    let mut custom = BTreeMap::new();
    custom.insert(
        T::Default4xx,
        GatewayResponse {
            status_code: Some(418),
            ..Default::default()
        },
    );
    let responses = GatewayResponses::compile(&custom, &mut Vec::new());
    for (error, status, body) in table {
        let r = rendered(ApiKind::Http, &responses, &error, &HeaderMap::new()).await;
        assert_eq!(r.status, status, "{:?}", error.kind);
        assert_eq!(r.body, body, "{:?}", error.kind);
        assert_eq!(header(&r, "x-amzn-errortype"), None);
        let content_type = if status == 503 {
            None
        } else {
            Some("application/json")
        };
        assert_eq!(header(&r, "content-type"), content_type, "{:?}", error.kind);
    }
}

fn compile(entries: Vec<(GatewayResponseType, GatewayResponse)>) -> GatewayResponses {
    let mut problems = Vec::new();
    let compiled = GatewayResponses::compile(&entries.into_iter().collect(), &mut problems);
    assert_eq!(problems, Vec::<String>::new());
    compiled
}

fn params(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[tokio::test]
async fn a_customised_type_uses_its_status_headers_and_template() {
    let responses = compile(vec![(
        GatewayResponseType::MissingAuthenticationToken,
        GatewayResponse {
            status_code: Some(404),
            response_parameters: params(&[
                ("gatewayresponse.header.Access-Control-Allow-Origin", "'*'"),
                (
                    "gatewayresponse.header.X-Echo",
                    "method.request.header.X-Trace",
                ),
                (
                    "gatewayresponse.header.X-Lang",
                    "method.request.querystring.lang",
                ),
                (
                    "gatewayresponse.header.X-Missing",
                    "method.request.header.X-None",
                ),
            ]),
            response_templates: params(&[(
                "application/json",
                r#"{"error":$context.error.messageString,"type":"$context.error.responseType","path":"$context.path"}"#,
            )]),
        },
    )]);
    let mut request_headers = HeaderMap::new();
    request_headers.insert("x-trace", "abc".parse().unwrap());
    let r = rendered(
        ApiKind::Rest,
        &responses,
        &GatewayError::missing_authentication_token(),
        &request_headers,
    )
    .await;
    assert_eq!(r.status, 404);
    assert_eq!(
        r.body,
        r#"{"error":"Missing Authentication Token","type":"MISSING_AUTHENTICATION_TOKEN","path":"/dev/nope"}"#
    );
    assert_eq!(header(&r, "access-control-allow-origin"), Some("*"));
    assert_eq!(header(&r, "x-echo"), Some("abc"));
    assert_eq!(header(&r, "x-lang"), Some("fr"));
    assert_eq!(header(&r, "x-missing"), None);
    assert_eq!(header(&r, "content-type"), Some("application/json"));
    assert_eq!(
        header(&r, "x-amzn-errortype"),
        Some("MissingAuthenticationTokenException")
    );
}

#[tokio::test]
async fn a_customised_type_without_status_or_template_keeps_the_defaults() {
    let responses = compile(vec![(
        GatewayResponseType::Unauthorized,
        GatewayResponse {
            response_parameters: params(&[("gatewayresponse.header.WWW-Authenticate", "'Bearer'")]),
            ..Default::default()
        },
    )]);
    let r = rendered(
        ApiKind::Rest,
        &responses,
        &GatewayError::new(GatewayResponseType::Unauthorized),
        &HeaderMap::new(),
    )
    .await;
    assert_eq!(r.status, 401);
    assert_eq!(r.body, r#"{"message":"Unauthorized"}"#);
    assert_eq!(header(&r, "www-authenticate"), Some("Bearer"));
}

#[tokio::test]
async fn default_4xx_applies_to_4xx_types_not_customised_themselves() {
    let responses = compile(vec![
        (
            GatewayResponseType::Default4xx,
            GatewayResponse {
                response_parameters: params(&[(
                    "gatewayresponse.header.Access-Control-Allow-Origin",
                    "'*'",
                )]),
                response_templates: params(&[(
                    "application/json",
                    r#"{"oops":$context.error.messageString}"#,
                )]),
                ..Default::default()
            },
        ),
        (
            GatewayResponseType::Throttled,
            GatewayResponse {
                status_code: Some(503),
                ..Default::default()
            },
        ),
    ]);
    // Not customised: DEFAULT_4XX's headers and template, the type's own status.
    let r = rendered(
        ApiKind::Rest,
        &responses,
        &GatewayError::missing_authentication_token(),
        &HeaderMap::new(),
    )
    .await;
    assert_eq!(r.status, 403);
    assert_eq!(r.body, r#"{"oops":"Missing Authentication Token"}"#);
    assert_eq!(header(&r, "access-control-allow-origin"), Some("*"));

    // Customised: its own response only.
    let r = rendered(
        ApiKind::Rest,
        &responses,
        &GatewayError::new(GatewayResponseType::Throttled),
        &HeaderMap::new(),
    )
    .await;
    assert_eq!(r.status, 503);
    assert_eq!(r.body, r#"{"message":"Too Many Requests"}"#);
    assert_eq!(header(&r, "access-control-allow-origin"), None);

    // A 5xx type is untouched by DEFAULT_4XX.
    let r = rendered(
        ApiKind::Rest,
        &responses,
        &GatewayError::integration_timeout(),
        &HeaderMap::new(),
    )
    .await;
    assert_eq!(r.status, 504);
    assert_eq!(r.body, r#"{"message": "Endpoint request timed out"}"#);
    assert_eq!(header(&r, "access-control-allow-origin"), None);
}

#[tokio::test]
async fn a_default_5xx_status_changes_every_uncustomised_5xx() {
    let responses = compile(vec![(
        GatewayResponseType::Default5xx,
        GatewayResponse {
            status_code: Some(502),
            response_templates: params(&[("text/plain", "failed: $context.error.message")]),
            ..Default::default()
        },
    )]);
    let r = rendered(
        ApiKind::Rest,
        &responses,
        &GatewayError::integration_timeout(),
        &HeaderMap::new(),
    )
    .await;
    assert_eq!(r.status, 502);
    assert_eq!(r.body, "failed: Endpoint request timed out");
    assert_eq!(header(&r, "content-type"), Some("text/plain"));
    assert_eq!(
        header(&r, "x-amzn-errortype"),
        Some("InternalServerErrorException")
    );

    let r = rendered(
        ApiKind::Rest,
        &responses,
        &GatewayError::internal_server_error(),
        &HeaderMap::new(),
    )
    .await;
    assert_eq!(r.status, 502);
}

#[tokio::test]
async fn the_json_template_is_preferred_over_others() {
    let responses = compile(vec![(
        GatewayResponseType::MissingAuthenticationToken,
        GatewayResponse {
            response_templates: params(&[
                ("application/xml", "<m>$context.error.message</m>"),
                ("application/json", r#"{"m":"$context.error.message"}"#),
            ]),
            ..Default::default()
        },
    )]);
    let r = rendered(
        ApiKind::Rest,
        &responses,
        &GatewayError::missing_authentication_token(),
        &HeaderMap::new(),
    )
    .await;
    assert_eq!(r.body, r#"{"m":"Missing Authentication Token"}"#);
}

#[test]
fn unusable_customisations_are_reported() {
    let mut problems = Vec::new();
    let entries = [(
        GatewayResponseType::Throttled,
        GatewayResponse {
            status_code: Some(1000),
            response_parameters: params(&[("gatewayresponse.header.X", "method.response.body")]),
            ..Default::default()
        },
    )];
    GatewayResponses::compile(&entries.into_iter().collect(), &mut problems);
    assert_eq!(problems.len(), 2);
    assert_eq!(
        problems[0],
        "THROTTLED: statusCode 1000 is not an HTTP status"
    );
    assert!(problems[1].starts_with("THROTTLED: unsupported mapping source"));
}

#[tokio::test]
async fn templates_are_velocity_with_error_authorizer_and_params() {
    let responses = compile(vec![(
        GatewayResponseType::BadRequestBody,
        GatewayResponse {
            response_templates: params(&[(
                "application/json",
                "#set($who = $context.authorizer.principalId){\"who\": \"$who\", \"tier\": \"$context.authorizer.tier\", \"lang\": \"$input.params('lang')\", \"trace\": \"$input.params().header.get('x-trace')\", \"detail\": \"$util.escapeJavaScript($context.error.validationErrorString)\", #if($context.error.message.length() > 3)\"long\": true#else\"long\": false#end}",
            )]),
            ..Default::default()
        },
    )]);
    let mut ctx = ctx();
    let mut context = serde_json::Map::new();
    context.insert("tier".into(), "gold".into());
    ctx.authorizer = Some(std::sync::Arc::new(crate::authorize::AuthorizerContext {
        source: Default::default(),
        principal_id: Some("user-1".into()),
        context,
        claims: None,
        scopes: None,
        integration_latency: 0,
    }));
    let mut request_headers = HeaderMap::new();
    request_headers.insert("x-trace", "t-9".parse().unwrap());
    let request = MethodRequest {
        headers: &request_headers,
        query: Some("lang=fr"),
        path_params: None,
    };
    let mut error = GatewayError::new(GatewayResponseType::BadRequestBody);
    error.validation_error_string =
        Some(r#"[object has missing required properties (["name"])]"#.into());
    let response = render(ApiKind::Rest, &responses, &error, &mut ctx, &request);
    assert_eq!(response.status().as_u16(), 400);
    let body = response.into_body().collect().await.unwrap().to_bytes();
    assert_eq!(
        String::from_utf8(body.to_vec()).unwrap(),
        r#"{"who": "user-1", "tier": "gold", "lang": "fr", "trace": "t-9", "detail": "[object has missing required properties ([\"name\"])]", "long": true}"#
    );
}

#[tokio::test]
async fn a_template_that_fails_to_render_answers_the_default_body() {
    let responses = compile(vec![(
        GatewayResponseType::Unauthorized,
        GatewayResponse {
            response_templates: params(&[(
                "application/json",
                // A method that throws in Java terms: index out of bounds.
                "$context.error.message.substring(0, 500)",
            )]),
            ..Default::default()
        },
    )]);
    let r = rendered(
        ApiKind::Rest,
        &responses,
        &GatewayError::new(GatewayResponseType::Unauthorized),
        &HeaderMap::new(),
    )
    .await;
    assert_eq!(r.status, 401);
    assert_eq!(r.body, r#"{"message":"Unauthorized"}"#);
}
