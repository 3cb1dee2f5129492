//! Gateway response types (`x-amazon-apigateway-gateway-responses`).

use std::collections::BTreeMap;
use std::fmt;

macro_rules! gateway_response_types {
    ($($variant:ident = $name:literal, $status:expr;)*) => {
        /// The error responses API Gateway itself produces, each with AWS's default status.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum GatewayResponseType { $($variant,)* }

        impl GatewayResponseType {
            pub const ALL: &'static [GatewayResponseType] = &[$(GatewayResponseType::$variant,)*];

            /// The name as AWS spells it (`MISSING_AUTHENTICATION_TOKEN`).
            pub fn as_str(self) -> &'static str {
                match self { $(GatewayResponseType::$variant => $name,)* }
            }

            pub fn parse(s: &str) -> Option<GatewayResponseType> {
                match s { $($name => Some(GatewayResponseType::$variant),)* _ => None }
            }

            /// AWS's default status code; `None` for DEFAULT_4XX / DEFAULT_5XX, which only supply
            /// defaults for the others.
            pub fn default_status(self) -> Option<u16> {
                match self { $(GatewayResponseType::$variant => $status,)* }
            }
        }
    };
}

gateway_response_types! {
    AccessDenied = "ACCESS_DENIED", Some(403);
    ApiConfigurationError = "API_CONFIGURATION_ERROR", Some(500);
    AuthorizerConfigurationError = "AUTHORIZER_CONFIGURATION_ERROR", Some(500);
    AuthorizerFailure = "AUTHORIZER_FAILURE", Some(500);
    BadRequestParameters = "BAD_REQUEST_PARAMETERS", Some(400);
    BadRequestBody = "BAD_REQUEST_BODY", Some(400);
    Default4xx = "DEFAULT_4XX", None;
    Default5xx = "DEFAULT_5XX", None;
    ExpiredToken = "EXPIRED_TOKEN", Some(403);
    IntegrationFailure = "INTEGRATION_FAILURE", Some(504);
    IntegrationTimeout = "INTEGRATION_TIMEOUT", Some(504);
    InvalidApiKey = "INVALID_API_KEY", Some(403);
    InvalidSignature = "INVALID_SIGNATURE", Some(403);
    MissingAuthenticationToken = "MISSING_AUTHENTICATION_TOKEN", Some(403);
    QuotaExceeded = "QUOTA_EXCEEDED", Some(429);
    RequestTooLarge = "REQUEST_TOO_LARGE", Some(413);
    ResourceNotFound = "RESOURCE_NOT_FOUND", Some(404);
    Throttled = "THROTTLED", Some(429);
    Unauthorized = "UNAUTHORIZED", Some(401);
    UnsupportedMediaType = "UNSUPPORTED_MEDIA_TYPE", Some(415);
    WafFiltered = "WAF_FILTERED", Some(403);
}

impl fmt::Display for GatewayResponseType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A customised gateway response, as `x-amazon-apigateway-gateway-responses` declares it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GatewayResponse {
    /// `statusCode`; `None` keeps the type's default.
    pub status_code: Option<u16>,
    /// `responseParameters`: `gatewayresponse.header.X` → source (`'literal'`, `method.request.header.Y`, ...).
    pub response_parameters: BTreeMap<String, String>,
    /// `responseTemplates`: content type → template.
    pub response_templates: BTreeMap<String, String>,
}
