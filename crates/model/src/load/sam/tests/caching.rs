//! Stage caches: `CacheClusterEnabled` / `CacheClusterSize`, the caching fields of
//! `MethodSettings` (also from Globals), `AWS::ApiGateway::Stage`, and their errors.

use super::{e, fixture, load_errors, load_ok};
use crate::cache::{MethodCacheSetting, StageCache, UnauthorizedCacheControlHeaderStrategy};

const TEMPLATE: &str = r#"
Transform: AWS::Serverless-2016-10-31
Globals:
  Api:
    CacheClusterEnabled: true
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      CacheClusterSize: "6.1"
      MethodSettings:
        - { ResourcePath: "/*", HttpMethod: "*", CachingEnabled: true, CacheTtlInSeconds: 60 }
        - ResourcePath: "/~1pets~1{id}"
          HttpMethod: post
          CachingEnabled: "true"
          CacheDataEncrypted: true
          RequireAuthorizationForCacheControl: false
          UnauthorizedCacheControlHeaderStrategy: FAIL_WITH_403
          ThrottlingBurstLimit: 3
      DefinitionBody:
        openapi: 3.0.1
        info: { title: T, version: "1" }
        paths: {}
  Beta:
    Type: AWS::ApiGateway::Stage
    Properties:
      RestApiId: !Ref Api
      StageName: beta
      Variables: { tier: gold }
      MethodSettings:
        - { ResourcePath: "/*", HttpMethod: "*", CachingEnabled: false }
"#;

#[test]
fn stage_caches_load_from_the_api_globals_and_stage_resources() {
    let template = load_ok(&fixture("caching", &[]), TEMPLATE);
    let api = &template.apis[0];
    let prod = api.caching.for_stage("prod").unwrap();
    assert_eq!(
        prod,
        &StageCache {
            cluster_enabled: true,
            cluster_size: Some("6.1".into()),
            method_settings: vec![
                MethodCacheSetting {
                    caching_enabled: Some(true),
                    ttl_seconds: Some(60),
                    ..MethodCacheSetting::all()
                },
                MethodCacheSetting {
                    resource_path: Some("/pets/{id}".into()),
                    http_method: Some("POST".into()),
                    caching_enabled: Some(true),
                    ttl_seconds: None,
                    data_encrypted: Some(true),
                    require_authorization: Some(false),
                    unauthorized_strategy: Some(
                        UnauthorizedCacheControlHeaderStrategy::FailWith403
                    ),
                },
            ],
        }
    );
    assert_eq!(api.method_throttles.len(), 1);
    let beta = api.caching.for_stage("beta").unwrap();
    assert!(!beta.cluster_enabled);
    assert_eq!(beta.method("/pets", "GET"), None);
    let stages: Vec<(&str, Option<&str>)> = template
        .stages
        .iter()
        .map(|(_, s)| (s.name.as_str(), s.variables.get("tier").map(String::as_str)))
        .collect();
    assert_eq!(stages, [("prod", None), ("beta", Some("gold"))]);
    assert_eq!(template.stages[1].0, api.id);
    // Beta enables caching nowhere and has no cluster: no warning for it; prod has both.
    assert!(template.warnings.is_empty(), "{:?}", template.warnings);
}

#[test]
fn cache_settings_out_of_range_are_errors() {
    let text = r#"Transform: AWS::Serverless-2016-10-31
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      CacheClusterEnabled: yes please
      CacheClusterSize: "2"
      MethodSettings:
        - ResourcePath: "/*"
          HttpMethod: "*"
          CacheTtlInSeconds: 3601
        - ResourcePath: pets
          CachingEnabled: true
        - UnauthorizedCacheControlHeaderStrategy: FAIL
      DefinitionBody: { openapi: 3.0.1, info: { title: T, version: "1" }, paths: {} }
  Orphan:
    Type: AWS::ApiGateway::Stage
    Properties: { RestApiId: abc, StageName: x }
  Bad:
    Type: AWS::ApiGateway::Stage
    Properties: { RestApiId: !Ref Api, StageName: "a b", CanarySetting: {} }
"#;
    let api = "/Resources/Api/Properties";
    assert_eq!(
        load_errors(&fixture("caching-errors", &[]), text),
        [
            e(7, 28, &format!("{api}/CacheClusterEnabled"), "CacheClusterEnabled must be true or false; found yes please"),
            e(8, 25, &format!("{api}/CacheClusterSize"), "CacheClusterSize \"2\" is not one of API Gateway's sizes (GB): 0.5, 1.6, 6.1, 13.5, 28.4, 58.2, 118, 237"),
            e(12, 30, &format!("{api}/MethodSettings/0/CacheTtlInSeconds"), "CacheTtlInSeconds must be a whole number from 0 to 3600; found 3601"),
            e(13, 25, &format!("{api}/MethodSettings/1/ResourcePath"), "ResourcePath \"pets\" must start with /: /* for every resource, / for the root, or the path with each / after the first written ~1 (/~1pets~1{id})"),
            e(15, 51, &format!("{api}/MethodSettings/2/UnauthorizedCacheControlHeaderStrategy"), "UnauthorizedCacheControlHeaderStrategy \"FAIL\" is not one of FAIL_WITH_403, SUCCEED_WITH_RESPONSE_HEADER, SUCCEED_WITHOUT_RESPONSE_HEADER"),
            e(19, 30, "/Resources/Orphan/Properties/RestApiId", "RestApiId \"abc\" is no REST API of this template; use !Ref of an AWS::Serverless::Api"),
            e(22, 51, "/Resources/Bad/Properties/StageName", "StageName \"a b\" is not a valid stage name; use up to 128 letters, digits, hyphens and underscores"),
            e(22, 58, "/Resources/Bad/Properties/CanarySetting", "CanarySetting is not supported yet by Turnpike (canary deployments are planned)"),
        ]
    );
}
