//! `Auth` on APIs and events, written into the API's document as SAM writes it.

use std::time::Duration;

use super::*;
use crate::auth::{
    AuthorizerKind, AuthorizerPayloadVersion, Effect, IdentitySource, JwtConfiguration, RouteAuth,
};

const TEMPLATE: &str = r#"Transform: AWS::Serverless-2016-10-31
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: dev
      Auth:
        DefaultAuthorizer: Tok
        ApiKeyRequired: true
        ResourcePolicy:
          IpRangeBlacklist: ['10.0.0.0/8']
        Authorizers:
          Tok:
            FunctionArn: !GetAtt AuthFn.Arn
            Identity: {Header: X-Token, ValidationExpression: 'allow|deny', ReauthorizeEvery: 60}
          Req:
            FunctionArn: !GetAtt AuthFn.Arn
            FunctionPayloadType: REQUEST
            Identity: {Headers: [X-A], QueryStrings: [q], ReauthorizeEvery: 0}
  Http:
    Type: AWS::Serverless::HttpApi
    Properties:
      Auth:
        Authorizers:
          Lam:
            FunctionArn: !GetAtt AuthFn.Arn
            AuthorizerPayloadFormatVersion: 2.0
            EnableSimpleResponses: true
            Identity: {Headers: [Authorization]}
          Jwt:
            IdentitySource: $request.header.Authorization
            JwtConfiguration: {issuer: 'https://issuer.example', audience: [aud1]}
            AuthorizationScopes: [read]
  AuthFn:
    Type: AWS::Serverless::Function
    Properties: {Runtime: python3.12, Handler: app.handler, CodeUri: code}
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: code
      Events:
        Default: {Type: Api, Properties: {RestApiId: !Ref Api, Path: /a, Method: get}}
        Req: {Type: Api, Properties: {RestApiId: !Ref Api, Path: /b, Method: get, Auth: {Authorizer: Req, ApiKeyRequired: false}}}
        Open: {Type: Api, Properties: {RestApiId: !Ref Api, Path: /c, Method: get, Auth: {Authorizer: NONE}}}
        Iam: {Type: Api, Properties: {RestApiId: !Ref Api, Path: /d, Method: get, Auth: {Authorizer: AWS_IAM}}}
        H: {Type: HttpApi, Properties: {ApiId: !Ref Http, Path: /h, Method: get, Auth: {Authorizer: Lam}}}
        J: {Type: HttpApi, Properties: {ApiId: !Ref Http, Path: /j, Method: get, Auth: {Authorizer: Jwt}}}
        K: {Type: HttpApi, Properties: {ApiId: !Ref Http, Path: /k, Method: get, Auth: {Authorizer: Jwt, AuthorizationScopes: [write]}}}
"#;

#[test]
fn api_and_event_auth_become_authorizers_and_requirements() {
    let path = fixture("auth_api_and_events", &["code"]);
    let template = load_ok(&path, TEMPLATE);
    let rest = &template.apis[0];
    let arn = "arn:aws:lambda:us-east-1:123456789012:function:AuthFn";
    let tok = &rest.authorizers["Tok"];
    assert_eq!(tok.kind, AuthorizerKind::Token);
    assert_eq!(tok.function_arn.as_deref(), Some(arn));
    assert_eq!(
        tok.identity_sources,
        [IdentitySource::Header("X-Token".into())]
    );
    assert_eq!(tok.result_ttl, Duration::from_secs(60));
    let re = tok.identity_validation_expression.as_ref().unwrap();
    assert!(re.is_match("allow") && !re.is_match("allowed"));
    let req = &rest.authorizers["Req"];
    assert_eq!(req.kind, AuthorizerKind::Request);
    assert_eq!(
        req.identity_sources,
        [
            IdentitySource::Header("X-A".into()),
            IdentitySource::QueryString("q".into())
        ]
    );
    assert!(req.result_ttl.is_zero());
    let routes: Vec<(String, RouteAuth, bool)> = rest
        .routes
        .iter()
        .map(|r| (r.key.to_string(), r.auth.clone(), r.api_key_required))
        .collect();
    let by = |name: &str| RouteAuth::Authorizer {
        name: name.into(),
        scopes: vec![],
    };
    assert_eq!(
        routes,
        [
            ("GET /a".into(), by("Tok"), true),
            ("GET /b".into(), by("Req"), false),
            ("GET /c".into(), RouteAuth::None, true),
            ("GET /d".into(), RouteAuth::Iam, true),
        ]
    );
    let policy = rest.resource_policy.as_ref().unwrap();
    let effects: Vec<Effect> = policy.statements.iter().map(|s| s.effect).collect();
    assert_eq!(effects, [Effect::Allow, Effect::Deny]);

    let http = &template.apis[1];
    let lam = &http.authorizers["Lam"];
    assert_eq!(lam.kind, AuthorizerKind::Request);
    assert_eq!(lam.payload_format_version, AuthorizerPayloadVersion::V2);
    assert!(lam.enable_simple_responses);
    assert_eq!(http.routes[0].auth, by("Lam"));
    let jwt = &http.authorizers["Jwt"];
    assert_eq!(jwt.kind, AuthorizerKind::Jwt);
    assert_eq!(
        jwt.jwt,
        Some(JwtConfiguration {
            issuer: "https://issuer.example".into(),
            audience: vec!["aud1".into()]
        })
    );
    let scoped = |s: &str| RouteAuth::Authorizer {
        name: "Jwt".into(),
        scopes: vec![s.into()],
    };
    // The authorizer's AuthorizationScopes are the default; an event's own replace them.
    assert_eq!(http.routes[1].auth, scoped("read"));
    assert_eq!(http.routes[2].auth, scoped("write"));
}

#[test]
fn unknown_authorizers_are_located() {
    let path = fixture("auth_unknown", &["code"]);
    let text = TEMPLATE.replace("DefaultAuthorizer: Tok", "DefaultAuthorizer: Nope");
    assert_eq!(
        load_errors(&path, &text),
        [e(
            8,
            28,
            "/Resources/Api/Properties/Auth/DefaultAuthorizer",
            "DefaultAuthorizer \"Nope\" is not one of Auth.Authorizers (or AWS_IAM)"
        )]
    );
}
