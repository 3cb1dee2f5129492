//! Resolved API types: what the gateway serves.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use crate::auth::{ApiKeySource, Authorizer, PolicyDocument, RouteAuth};
use crate::cors::Cors;
use crate::gateway_response::{GatewayResponse, GatewayResponseType};
use crate::validation::RequestValidation;

/// The two request/response API kinds API Gateway has (WebSocket APIs come later).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ApiKind {
    /// A REST API (API Gateway v1): resource tree, stage always in the URL.
    Rest,
    /// An HTTP API (API Gateway v2): route keys, `$default` stage without URL prefix.
    Http,
}

impl ApiKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ApiKind::Rest => "rest",
            ApiKind::Http => "http",
        }
    }
}

/// One API as imported from one document.
#[derive(Debug, Clone)]
pub struct Api {
    /// Ten lower-case alphanumerics, derived from the title so it is stable across restarts.
    pub id: String,
    /// `info.title`.
    pub name: String,
    pub kind: ApiKind,
    /// The file it was loaded from (for messages).
    pub source: PathBuf,
    pub routes: Vec<Route>,
    /// Customised gateway responses (`x-amazon-apigateway-gateway-responses`); types not present use
    /// AWS's defaults.
    pub gateway_responses: BTreeMap<GatewayResponseType, GatewayResponse>,
    /// `x-amazon-apigateway-binary-media-types`.
    pub binary_media_types: Vec<String>,
    /// The authorizers its security schemes declare, by scheme name.
    pub authorizers: BTreeMap<String, Authorizer>,
    /// `x-amazon-apigateway-api-key-source`.
    pub api_key_source: ApiKeySource,
    /// `x-amazon-apigateway-policy`: the resource policy, if any.
    pub resource_policy: Option<PolicyDocument>,
    /// An HTTP API's CORS configuration, answered by the gateway itself.
    pub cors: Option<Cors>,
    /// Throttles of its stage's `MethodSettings` (SAM: one stage per API), most specific first
    /// when several apply.
    pub method_throttles: Vec<crate::throttle::MethodThrottle>,
    /// Its stages' response caches (REST).
    pub caching: crate::cache::ApiCaching,
}

impl Api {
    /// An API named `name` (its id derived from the name, as the loaders do) with no routes and
    /// no customisations; the loaders fill in the rest.
    pub fn new(name: impl Into<String>, kind: ApiKind, source: impl Into<PathBuf>) -> Api {
        let name = name.into();
        Api {
            id: crate::id::api_id_from_title(&name),
            name,
            kind,
            source: source.into(),
            routes: Vec::new(),
            gateway_responses: BTreeMap::new(),
            binary_media_types: Vec::new(),
            authorizers: BTreeMap::new(),
            api_key_source: ApiKeySource::Header,
            resource_policy: None,
            cors: None,
            method_throttles: Vec::new(),
            caching: crate::cache::ApiCaching::default(),
        }
    }
}

/// An HTTP method as a route names it; `Any` is API Gateway's `ANY` / `x-amazon-apigateway-any-method`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum HttpMethod {
    Get,
    Put,
    Post,
    Delete,
    Options,
    Head,
    Patch,
    Any,
}

impl HttpMethod {
    pub const ALL: [HttpMethod; 8] = [
        HttpMethod::Get,
        HttpMethod::Put,
        HttpMethod::Post,
        HttpMethod::Delete,
        HttpMethod::Options,
        HttpMethod::Head,
        HttpMethod::Patch,
        HttpMethod::Any,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            HttpMethod::Get => "GET",
            HttpMethod::Put => "PUT",
            HttpMethod::Post => "POST",
            HttpMethod::Delete => "DELETE",
            HttpMethod::Options => "OPTIONS",
            HttpMethod::Head => "HEAD",
            HttpMethod::Patch => "PATCH",
            HttpMethod::Any => "ANY",
        }
    }

    /// Parses an upper-case method name as a route key or integration spells it (`GET`, `ANY`).
    pub fn parse(s: &str) -> Option<HttpMethod> {
        HttpMethod::ALL
            .into_iter()
            .find(|m| m.as_str().eq_ignore_ascii_case(s))
    }
}

impl fmt::Display for HttpMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a route answers to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum RouteKey {
    /// HTTP API `$default`: catches what no other route matches.
    Default,
    /// A method on a resource path such as `/pets/{petId}` or `/{proxy+}`.
    Method { method: HttpMethod, path: String },
}

impl fmt::Display for RouteKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RouteKey::Default => f.write_str("$default"),
            RouteKey::Method { method, path } => write!(f, "{method} {path}"),
        }
    }
}

/// A REST method or an HTTP API route, with its integration.
#[derive(Debug, Clone)]
pub struct Route {
    pub key: RouteKey,
    /// `operationId`, if the document gives one.
    pub operation_id: Option<String>,
    /// JSON pointer of the operation in the source document (for messages).
    pub pointer: String,
    pub integration: Integration,
    /// What the caller must prove (`security`, `x-amazon-apigateway-authtype`).
    pub auth: RouteAuth,
    /// Whether an API key is required (an `api_key` security scheme in `security`).
    pub api_key_required: bool,
    /// What the method's request validator checks, when one applies (REST).
    pub validation: Option<RequestValidation>,
    /// The operation's `responses` with a numeric status (REST method responses), in document
    /// order; empty when it declares none.
    pub method_responses: Vec<MethodResponse>,
    /// The integration's `cacheNamespace` (REST), when set and not empty: the group of resources
    /// whose cached responses this method shares; `None` means its own resource, AWS's default.
    /// Read from the integration but kept on the route: it stands in for the route's resource
    /// in cache keys and plays no part in calling the integration.
    pub cache_namespace: Option<String>,
}

/// A REST method response: one numeric entry of an operation's `responses`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MethodResponse {
    pub status_code: u16,
    /// Declared `headers`, as written (`method.response.header.<name>` targets).
    pub headers: Vec<String>,
    /// Content type → the model its schema names (`inline` for an inline schema).
    pub models: BTreeMap<String, String>,
}

impl Route {
    /// A route with no authorization requirement.
    pub fn new(key: RouteKey, pointer: impl Into<String>, integration: Integration) -> Route {
        Route {
            key,
            operation_id: None,
            pointer: pointer.into(),
            integration,
            auth: RouteAuth::None,
            api_key_required: false,
            validation: None,
            method_responses: Vec::new(),
            cache_namespace: None,
        }
    }
}

/// `x-amazon-apigateway-integration.type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IntegrationType {
    Http,
    HttpProxy,
    Mock,
    Aws,
    AwsProxy,
}

impl IntegrationType {
    pub fn as_str(self) -> &'static str {
        match self {
            IntegrationType::Http => "HTTP",
            IntegrationType::HttpProxy => "HTTP_PROXY",
            IntegrationType::Mock => "MOCK",
            IntegrationType::Aws => "AWS",
            IntegrationType::AwsProxy => "AWS_PROXY",
        }
    }
}

/// `passthroughBehavior`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PassthroughBehavior {
    #[default]
    WhenNoMatch,
    WhenNoTemplates,
    Never,
}

/// `contentHandling` of an integration or integration response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContentHandling {
    ConvertToText,
    ConvertToBinary,
}

/// `payloadFormatVersion` (Lambda proxy integrations of HTTP APIs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PayloadFormatVersion {
    #[default]
    V1,
    V2,
}

/// `x-amazon-apigateway-integration`, resolved.
#[derive(Debug, Clone)]
pub struct Integration {
    pub kind: IntegrationType,
    /// Back-end URI; may contain `{param}` and `${stageVariables.x}` placeholders. `None` for MOCK.
    pub uri: Option<String>,
    /// Method used towards the back end (`httpMethod`); `None` means "same as the request".
    pub http_method: Option<HttpMethod>,
    /// `requestParameters`: target (`integration.request.header.X`) → source expression, verbatim.
    pub request_parameters: BTreeMap<String, String>,
    /// `requestTemplates`: content type → template text.
    pub request_templates: BTreeMap<String, String>,
    pub passthrough_behavior: PassthroughBehavior,
    pub content_handling: Option<ContentHandling>,
    /// `responses`, in document order; the one whose pattern is `default` is the fallback.
    pub responses: Vec<IntegrationResponse>,
    /// `timeoutInMillis`; AWS's default is 29 s (REST) / 30 s (HTTP API).
    pub timeout: Duration,
    pub payload_format_version: PayloadFormatVersion,
    /// An HTTP API's `requestParameters` / `responseParameters`; `None` when it has neither.
    pub parameter_mapping: Option<crate::http_mapping::ParameterMapping>,
    /// `cacheKeyParameters`: the method request parameters (`method.request.querystring.q`, ...)
    /// whose values tell cached responses apart (REST).
    pub cache_key_parameters: Vec<String>,
    /// An HTTP API's AWS service integration (`integrationSubtype`): the subtype and its mapped
    /// parameters; `None` for every other integration.
    pub service: Option<ServiceIntegration>,
    /// A REST AWS service integration's uri (`type: AWS`,
    /// `arn:aws:apigateway:REGION:SERVICE:path|action/...`), parsed by the loader; `None` for
    /// every other integration.
    pub service_target: Option<ServiceTarget>,
    /// `credentials` of an AWS service integration (REST `type: AWS` with a service ARN, or an
    /// HTTP API's `integrationSubtype`); `None` when it has none.
    pub credentials: Option<IntegrationCredentials>,
}

/// The AWS service a REST AWS integration calls, from its uri
/// `arn:aws:apigateway:{region}:{subdomain.service|service}:path|action/{service_api}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceTarget {
    pub region: String,
    /// The service: its endpoint prefix and signing name (`sqs`, `dynamodb`, `s3`).
    pub service: String,
    /// The `SUBDOMAIN` of `SUBDOMAIN.SERVICE` (an S3 bucket), prefixed to the service's host.
    pub subdomain: Option<String>,
    pub api: ServiceApi,
}

/// How a [`ServiceTarget`] is called.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServiceApi {
    /// `path/{path}`: the path after the host, without its leading `/`; it may hold `{param}`
    /// and `${stageVariables.name}` placeholders.
    Path(String),
    /// `action/{Action}`: an API action name (letters and digits, `SendMessage`).
    Action(String),
}

/// An AWS service integration's `credentials`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IntegrationCredentials {
    /// An IAM role ARN (`arn:aws:iam::123456789012:role/NAME`) for API Gateway to assume.
    Role(String),
    /// `arn:aws:iam::*:user/*`: the caller's own credentials.
    Caller,
}

/// An HTTP API AWS service integration ("first-class integration"): `type: AWS_PROXY` with an
/// `integrationSubtype` (`SQS-SendMessage`) whose `requestParameters` map the action's
/// parameters (`QueueUrl`, `MessageBody`) from static text and request sources.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceIntegration {
    /// `integrationSubtype`, as AWS names it (`SQS-SendMessage`, `EventBridge-PutEvents`).
    pub subtype: String,
    /// Parameter name (`QueueUrl`) → its value, in the HTTP API parameter-mapping syntax.
    pub parameters: BTreeMap<String, crate::http_mapping::MappingValue>,
    /// `credentials` as written; [`Integration::credentials`] holds it parsed, which the gateway
    /// assumes.
    pub credentials: Option<String>,
}

impl Integration {
    /// An integration of `kind` with nothing configured: AWS's defaults (WHEN_NO_MATCH
    /// passthrough, payload 1.0, the REST API's 29 s timeout) and no mappings or responses.
    pub fn new(kind: IntegrationType) -> Integration {
        Integration {
            kind,
            uri: None,
            http_method: None,
            request_parameters: BTreeMap::new(),
            request_templates: BTreeMap::new(),
            passthrough_behavior: PassthroughBehavior::WhenNoMatch,
            content_handling: None,
            responses: Vec::new(),
            timeout: Duration::from_secs(29),
            payload_format_version: PayloadFormatVersion::V1,
            parameter_mapping: None,
            cache_key_parameters: Vec::new(),
            service: None,
            service_target: None,
            credentials: None,
        }
    }

    /// The ARN of the Lambda function an AWS or AWS_PROXY integration invokes, taken from its
    /// uri: the `{functionArn}` of
    /// `arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{functionArn}/invocations`,
    /// or the uri itself when it is a function ARN (HTTP APIs accept that form). It may still
    /// hold `${stageVariables.name}` placeholders. `None` for other integrations.
    ///
    /// ```
    /// use turnpike_model::{Integration, IntegrationType};
    ///
    /// let mut integration = Integration::new(IntegrationType::AwsProxy);
    /// integration.uri = Some("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:Hello/invocations".into());
    /// assert_eq!(
    ///     integration.lambda_function_arn(),
    ///     Some("arn:aws:lambda:us-east-1:123456789012:function:Hello")
    /// );
    /// ```
    pub fn lambda_function_arn(&self) -> Option<&str> {
        match self.kind {
            IntegrationType::Aws | IntegrationType::AwsProxy => {
                lambda_function_arn_of(self.uri.as_deref()?)
            }
            _ => None,
        }
    }
}

/// The function ARN inside a Lambda integration uri (see [`Integration::lambda_function_arn`]).
pub(crate) fn lambda_function_arn_of(uri: &str) -> Option<&str> {
    if is_lambda_function_arn(uri) {
        return Some(uri);
    }
    // arn:{partition}:apigateway:{region}:lambda:path/2015-03-31/functions/{arn}/invocations
    let mut parts = uri.splitn(5, ':');
    let (arn, partition, service, _region) =
        (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    let rest = parts.next()?;
    if arn != "arn" || partition.is_empty() || service != "apigateway" {
        return None;
    }
    let function = rest
        .strip_prefix("lambda:path/2015-03-31/functions/")?
        .strip_suffix("/invocations")?;
    is_lambda_function_arn(function).then_some(function)
}

/// `arn:{partition}:lambda:{region}:{account}:function:{name}[:{qualifier}]`.
fn is_lambda_function_arn(text: &str) -> bool {
    let parts: Vec<&str> = text.splitn(7, ':').collect();
    matches!(
        parts.as_slice(),
        ["arn", partition, "lambda", _, _, "function", name]
            if !partition.is_empty() && !name.is_empty() && !name.contains('/')
    )
}

/// One entry of `x-amazon-apigateway-integration.responses`.
#[derive(Debug, Clone)]
pub struct IntegrationResponse {
    /// The key under `responses` (`default`, `2\d{2}`, `.*NotFound.*`).
    pub selection_pattern: String,
    /// `None` when the key is `default`; otherwise the compiled, whole-string-anchored pattern.
    pub selection_regex: Option<regex::Regex>,
    pub status_code: u16,
    /// `responseParameters`: `method.response.header.X` → source expression, verbatim.
    pub response_parameters: BTreeMap<String, String>,
    /// `responseTemplates`: content type → template text.
    pub response_templates: BTreeMap<String, String>,
    pub content_handling: Option<ContentHandling>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lambda_function_arns_from_integration_uris() {
        let invocation = |f: &str| {
            format!("arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/{f}/invocations")
        };
        let f = "arn:aws:lambda:eu-west-1:123456789012:function:Hello";
        assert_eq!(lambda_function_arn_of(&invocation(f)), Some(f));
        let qualified = "arn:aws:lambda:eu-west-1:123456789012:function:Hello:live";
        assert_eq!(
            lambda_function_arn_of(&invocation(qualified)),
            Some(qualified)
        );
        let staged = "arn:aws:lambda:us-east-1:123456789012:function:${stageVariables.fn}";
        assert_eq!(lambda_function_arn_of(&invocation(staged)), Some(staged));
        // HTTP APIs take the function ARN itself.
        assert_eq!(lambda_function_arn_of(f), Some(f));
        assert_eq!(
            lambda_function_arn_of("arn:aws:apigateway:us-east-1:sqs:path/123/q"),
            None
        );
        assert_eq!(lambda_function_arn_of(&invocation("Hello")), None);
        assert_eq!(lambda_function_arn_of("http://example.com/x"), None);

        let mut integration = Integration::new(IntegrationType::HttpProxy);
        integration.uri = Some(f.into());
        assert_eq!(integration.lambda_function_arn(), None);
        integration.kind = IntegrationType::Aws;
        assert_eq!(integration.lambda_function_arn(), Some(f));
    }
}
