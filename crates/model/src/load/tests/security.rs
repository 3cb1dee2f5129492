//! Security schemes, requirements, the API key source and resource policies.

use super::*;
use crate::api::ApiKind;
use crate::auth::{
    ApiKeySource, AuthorizerKind, ConditionKey, Effect, IdentitySource, JwtConfiguration, RouteAuth,
};

const MOCK: &str = "{type: mock, requestTemplates: {application/json: '{\"statusCode\": 200}'}, responses: {default: {statusCode: '200'}}}";

#[test]
fn rest_schemes_requirements_key_source_and_policy() {
    let text = format!(
        r#"swagger: '2.0'
info: {{title: t}}
x-amazon-apigateway-api-key-source: AUTHORIZER
x-amazon-apigateway-policy:
  Version: '2012-10-17'
  Statement:
    - {{Effect: Allow, Principal: '*', Action: 'execute-api:Invoke', Resource: 'execute-api:/*'}}
    - Effect: Deny
      Principal: '*'
      Action: 'execute-api:Invoke'
      Resource: 'execute-api:/*'
      Condition: {{NotIpAddress: {{'aws:SourceIp': ['10.0.0.0/8']}}}}
security: [{{pool: [email]}}]
securityDefinitions:
  pool:
    type: apiKey
    name: Auth
    in: header
    x-amazon-apigateway-authtype: cognito_user_pools
    x-amazon-apigateway-authorizer:
      type: cognito_user_pools
      providerARNs: ['arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_x']
  sigv4: {{type: apiKey, name: Authorization, in: header, x-amazon-apigateway-authtype: awsSigv4}}
  api_key: {{type: apiKey, name: x-api-key, in: header}}
paths:
  /default:
    get:
      x-amazon-apigateway-integration: {MOCK}
  /iam:
    get:
      security: [{{sigv4: []}}, {{api_key: []}}]
      x-amazon-apigateway-integration: {MOCK}
  /open:
    get:
      security: []
      x-amazon-apigateway-integration: {MOCK}
"#
    );
    let api = load_ok("api.yaml", &text);
    assert_eq!(api.api_key_source, ApiKeySource::Authorizer);
    let pool = &api.authorizers["pool"];
    assert_eq!(pool.kind, AuthorizerKind::CognitoUserPools);
    assert_eq!(
        pool.identity_sources,
        [IdentitySource::Header("Auth".into())]
    );
    assert_eq!(
        pool.provider_arns,
        ["arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_x"]
    );
    let auth: Vec<(RouteAuth, bool)> = api
        .routes
        .iter()
        .map(|r| (r.auth.clone(), r.api_key_required))
        .collect();
    assert_eq!(
        auth,
        [
            (
                RouteAuth::Authorizer {
                    name: "pool".into(),
                    scopes: vec!["email".into()]
                },
                false
            ),
            (RouteAuth::Iam, true),
            (RouteAuth::None, false),
        ]
    );
    let policy = api.resource_policy.unwrap();
    assert_eq!(policy.statements.len(), 2);
    assert_eq!(policy.statements[1].effect, Effect::Deny);
    assert_eq!(
        policy.statements[1].conditions[0].key,
        ConditionKey::SourceIp
    );
}

#[test]
fn http_api_jwt_authorizers() {
    let text = r#"openapi: 3.0.1
info: {title: t}
x-amazon-apigateway-importexport-version: '1.0'
components:
  securitySchemes:
    jwt:
      type: oauth2
      x-amazon-apigateway-authorizer:
        type: jwt
        identitySource: $request.header.Authorization
        jwtConfiguration: {issuer: 'https://issuer.example', audience: [a, b]}
paths:
  /a:
    get:
      security: [{jwt: [read]}]
      x-amazon-apigateway-integration: {type: http_proxy, uri: 'http://h/a'}
"#;
    let api = load_ok("api.yaml", text);
    assert_eq!(api.kind, ApiKind::Http);
    let jwt = &api.authorizers["jwt"];
    assert_eq!(jwt.kind, AuthorizerKind::Jwt);
    assert_eq!(
        jwt.jwt,
        Some(JwtConfiguration {
            issuer: "https://issuer.example".into(),
            audience: vec!["a".into(), "b".into()]
        })
    );
    assert!(jwt.result_ttl.is_zero());
    assert_eq!(
        api.routes[0].auth,
        RouteAuth::Authorizer {
            name: "jwt".into(),
            scopes: vec!["read".into()]
        }
    );
}

#[test]
fn bad_security_is_located() {
    let text = format!(
        r#"openapi: 3.0.1
info: {{title: t}}
x-amazon-apigateway-api-key-source: QUERY
security: [{{nope: []}}]
components:
  securitySchemes:
    basic: {{type: http, scheme: basic}}
    pool:
      type: apiKey
      name: Authorization
      in: header
      x-amazon-apigateway-authorizer:
        type: cognito_user_pools
        authorizerResultTtlInSeconds: 4000
        providerARNs: [p]
    lambda:
      type: apiKey
      name: Authorization
      in: header
      x-amazon-apigateway-authorizer: {{type: jwt}}
paths:
  /a:
    get:
      security: [{{basic: []}}]
      x-amazon-apigateway-integration: {MOCK}
"#
    );
    assert_eq!(
        load_errors("api.yaml", &text),
        [
            e(3, 37, "/x-amazon-apigateway-api-key-source", "unknown x-amazon-apigateway-api-key-source \"QUERY\"; expected HEADER or AUTHORIZER"),
            e(4, 13, "/security/0/nope", "security requirement names \"nope\", which is not a security scheme of this document; expected one of basic"),
            e(14, 39, "/components/securitySchemes/pool/x-amazon-apigateway-authorizer/authorizerResultTtlInSeconds", "authorizerResultTtlInSeconds must be a whole number of seconds from 0 to 3600; found 4000"),
            e(20, 46, "/components/securitySchemes/lambda/x-amazon-apigateway-authorizer/type", "unknown authorizer type \"jwt\"; expected one of token, request, cognito_user_pools (REST APIs)"),
            e(24, 19, "/paths/~1a/get/security/0/basic", "security scheme basic is neither an API key (type: apiKey, name: x-api-key, in: header), AWS IAM (x-amazon-apigateway-authtype: awsSigv4) nor an authorizer (x-amazon-apigateway-authorizer); API Gateway cannot apply it"),
        ]
    );
}

#[test]
fn lambda_token_authorizers_take_the_scheme_header_and_the_function_of_the_uri() {
    let text = format!(
        r#"openapi: 3.0.1
info: {{title: t}}
components:
  securitySchemes:
    tok:
      type: apiKey
      name: X-Token
      in: header
      x-amazon-apigateway-authtype: custom
      x-amazon-apigateway-authorizer:
        type: token
        authorizerUri: arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:Auth/invocations
        identityValidationExpression: '^Bearer [a-z]+$'
        authorizerResultTtlInSeconds: 0
paths:
  /a:
    get:
      security: [{{tok: []}}]
      x-amazon-apigateway-integration: {MOCK}
"#
    );
    let api = load_ok("api.yaml", &text);
    let tok = &api.authorizers["tok"];
    assert_eq!(tok.kind, AuthorizerKind::Token);
    assert_eq!(
        tok.function_arn.as_deref(),
        Some("arn:aws:lambda:us-east-1:123456789012:function:Auth")
    );
    assert_eq!(
        tok.identity_sources,
        [IdentitySource::Header("X-Token".into())]
    );
    assert!(tok.result_ttl.is_zero());
    let re = tok.identity_validation_expression.as_ref().unwrap();
    assert!(re.is_match("Bearer abc"));
    assert!(!re.is_match("Bearer abc1"));
}

#[test]
fn access_control_extensions_in_the_wrong_place() {
    let text = format!("openapi: 3.0.1\ninfo: {{title: t}}\npaths:\n  /a:\n    get:\n      x-amazon-apigateway-authorizer: {{type: token}}\n      x-amazon-apigateway-policy: {{}}\n      x-amazon-apigateway-integration: {MOCK}\n");
    assert_eq!(
        load_errors("api.yaml", &text),
        [
            e(6, 7, "/paths/~1a/get/x-amazon-apigateway-authorizer", "x-amazon-apigateway-authorizer has no effect here; it belongs in a security scheme (components.securitySchemes, or securityDefinitions in Swagger 2)"),
            e(7, 7, "/paths/~1a/get/x-amazon-apigateway-policy", "x-amazon-apigateway-policy has no effect here; it belongs in the top level of the document"),
        ]
    );
}
