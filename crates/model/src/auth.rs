//! Access control, resolved: the authorizers an API declares, what each route requires, the API key
//! source and the resource policy (`x-amazon-apigateway-authorizer`,
//! `x-amazon-apigateway-authtype`, `security`, `x-amazon-apigateway-api-key-source`,
//! `x-amazon-apigateway-policy`, and SAM's `Auth`, which the SAM loader writes as those).

mod policy;

use std::fmt;
use std::time::Duration;

pub use policy::{
    Cidr, ConditionKey, ConditionOperator, Effect, PolicyCondition, PolicyDocument, PolicyError,
    PolicyStatement,
};

/// `authorizerResultTtlInSeconds` when the document gives none.
pub const DEFAULT_AUTHORIZER_TTL: Duration = Duration::from_secs(300);
/// The largest `authorizerResultTtlInSeconds` AWS accepts.
pub const MAX_AUTHORIZER_TTL: Duration = Duration::from_secs(3600);

/// What kind of authorizer a security scheme declares (`x-amazon-apigateway-authorizer.type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuthorizerKind {
    /// REST Lambda authorizer given one token (`type: token`).
    Token,
    /// Lambda authorizer given the request's parameters (`type: request`), REST or HTTP API.
    Request,
    /// REST Amazon Cognito user pool authorizer (`type: cognito_user_pools`).
    CognitoUserPools,
    /// HTTP API JWT authorizer (`type: jwt`).
    Jwt,
}

impl AuthorizerKind {
    /// The `type` as AWS exports it.
    pub fn as_str(self) -> &'static str {
        match self {
            AuthorizerKind::Token => "TOKEN",
            AuthorizerKind::Request => "REQUEST",
            AuthorizerKind::CognitoUserPools => "COGNITO_USER_POOLS",
            AuthorizerKind::Jwt => "JWT",
        }
    }

    /// True for the kinds that call a Lambda function.
    pub fn is_lambda(self) -> bool {
        matches!(self, AuthorizerKind::Token | AuthorizerKind::Request)
    }
}

/// One place a request carries its identity: an authorizer's `identitySource` entry.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum IdentitySource {
    /// `method.request.header.X` / `$request.header.X` (name as written; matched ignoring case).
    Header(String),
    /// `method.request.querystring.x` / `$request.querystring.x`.
    QueryString(String),
    /// `stageVariables.x` / `$stageVariables.x`.
    StageVariable(String),
    /// `context.x` / `$context.x`.
    Context(String),
}

impl IdentitySource {
    /// Parses one entry in either API kind's spelling; `None` when it is neither.
    ///
    /// ```
    /// use turnpike_model::IdentitySource;
    ///
    /// assert_eq!(IdentitySource::parse("method.request.header.Auth"), Some(IdentitySource::Header("Auth".into())));
    /// assert_eq!(IdentitySource::parse("$request.querystring.token"), Some(IdentitySource::QueryString("token".into())));
    /// assert_eq!(IdentitySource::parse("Authorization"), None);
    /// ```
    pub fn parse(text: &str) -> Option<IdentitySource> {
        let text = text.trim();
        type Make = fn(String) -> IdentitySource;
        let forms: [(&str, Make); 8] = [
            ("method.request.header.", IdentitySource::Header),
            ("$request.header.", IdentitySource::Header),
            ("method.request.querystring.", IdentitySource::QueryString),
            ("$request.querystring.", IdentitySource::QueryString),
            ("stageVariables.", IdentitySource::StageVariable),
            ("$stageVariables.", IdentitySource::StageVariable),
            ("context.", IdentitySource::Context),
            ("$context.", IdentitySource::Context),
        ];
        forms.iter().find_map(|(prefix, make)| {
            let name = text.strip_prefix(prefix)?;
            let valid = !name.is_empty() && !name.contains(char::is_whitespace);
            valid.then(|| make(name.to_owned()))
        })
    }
}

impl fmt::Display for IdentitySource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IdentitySource::Header(n) => write!(f, "method.request.header.{n}"),
            IdentitySource::QueryString(n) => write!(f, "method.request.querystring.{n}"),
            IdentitySource::StageVariable(n) => write!(f, "stageVariables.{n}"),
            IdentitySource::Context(n) => write!(f, "context.{n}"),
        }
    }
}

/// `authorizerPayloadFormatVersion` of an HTTP API Lambda authorizer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AuthorizerPayloadVersion {
    /// REST's REQUEST event with `version: "1.0"`; the function answers with an IAM policy.
    V1,
    /// The 2.0 event (`routeArn`, `identitySource` list); simple or IAM policy answers.
    #[default]
    V2,
}

/// `jwtConfiguration` of an HTTP API JWT authorizer.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct JwtConfiguration {
    pub issuer: String,
    /// Accepted `aud` (ID tokens) or `client_id` (access tokens) values.
    pub audience: Vec<String>,
}

/// An authorizer, as `x-amazon-apigateway-authorizer` declares it.
#[derive(Debug, Clone)]
pub struct Authorizer {
    /// The security scheme's name, which `security` requirements refer to.
    pub name: String,
    pub kind: AuthorizerKind,
    /// Lambda authorizers: the function's ARN, taken from `authorizerUri` as integration uris
    /// are (it may hold `${stageVariables.x}`). `None` for Cognito and JWT authorizers.
    pub function_arn: Option<String>,
    /// Where the identity comes from, in order. TOKEN authorizers have exactly one header.
    pub identity_sources: Vec<IdentitySource>,
    /// `identityValidationExpression` (TOKEN): a token that does not match is refused with 401
    /// before the function is called.
    pub identity_validation_expression: Option<regex::Regex>,
    /// `authorizerResultTtlInSeconds`: how long a Lambda authorizer's answer is reused for the same
    /// identity; zero turns caching off.
    pub result_ttl: Duration,
    /// HTTP API Lambda authorizers.
    pub payload_format_version: AuthorizerPayloadVersion,
    /// `enableSimpleResponses` (HTTP API, payload 2.0): `{isAuthorized, context}` answers.
    pub enable_simple_responses: bool,
    /// `providerARNs` of a Cognito user pool authorizer.
    pub provider_arns: Vec<String>,
    /// `jwtConfiguration` of a JWT authorizer.
    pub jwt: Option<JwtConfiguration>,
}

impl Authorizer {
    /// An authorizer of `kind` named `name` with AWS's defaults: no function, the
    /// `Authorization` header as identity source, a 300 s cache.
    pub fn new(name: impl Into<String>, kind: AuthorizerKind) -> Authorizer {
        Authorizer {
            name: name.into(),
            kind,
            function_arn: None,
            identity_sources: vec![IdentitySource::Header("Authorization".into())],
            identity_validation_expression: None,
            result_ttl: DEFAULT_AUTHORIZER_TTL,
            payload_format_version: AuthorizerPayloadVersion::default(),
            enable_simple_responses: false,
            provider_arns: Vec::new(),
            jwt: None,
        }
    }
}

/// What a route requires of a caller before its integration runs.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum RouteAuth {
    /// Nothing (`security: []`, or no requirement at all).
    #[default]
    None,
    /// AWS Signature Version 4 (`x-amazon-apigateway-authtype: awsSigv4`, SAM `AWS_IAM`).
    Iam,
    /// The named authorizer, with the OAuth scopes the requirement lists (JWT and Cognito).
    Authorizer { name: String, scopes: Vec<String> },
}

/// `x-amazon-apigateway-api-key-source`: where API keys are read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ApiKeySource {
    /// The `x-api-key` header.
    #[default]
    Header,
    /// The `usageIdentifierKey` a Lambda authorizer returns.
    Authorizer,
}

/// The name of the header API keys come in.
pub const API_KEY_HEADER: &str = "x-api-key";

#[cfg(test)]
mod tests;
