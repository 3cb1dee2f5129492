//! MethodSettings throttles and `AWS::ApiGateway::UsagePlan` / `ApiKey` / `UsagePlanKey`.

use std::collections::BTreeMap;

use super::{fixture, load_ok};
use crate::throttle::MethodThrottle;
use crate::usage_plan::{ApiKeyDecl, PlanQuota, PlanStage, UsagePlanDecl};

const TEMPLATE: &str = r#"
Transform: AWS::Serverless-2016-10-31
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      MethodSettings:
        - { ResourcePath: "/*", HttpMethod: "*", ThrottlingRateLimit: 12.5, ThrottlingBurstLimit: 7 }
        - { ResourcePath: "/~1pets~1{id}", HttpMethod: get, ThrottlingBurstLimit: 3 }
        - { ResourcePath: "/*", HttpMethod: "*", CachingEnabled: true }
      DefinitionBody:
        openapi: 3.0.1
        info: { title: T, version: "1" }
        paths: {}
  Key:
    Type: AWS::ApiGateway::ApiKey
    Properties: { Name: k, Value: key-value-0123456789ab, Enabled: false }
  Plan:
    Type: AWS::ApiGateway::UsagePlan
    Properties:
      ApiStages:
        - ApiId: !Ref Api
          Stage: prod
          Throttle: { "/pets/GET": { RateLimit: 2, BurstLimit: 1 } }
      Throttle: { RateLimit: 100, BurstLimit: 50 }
      Quota: { Limit: 1000, Period: week, Offset: 10 }
  Member:
    Type: AWS::ApiGateway::UsagePlanKey
    Properties: { KeyId: !Ref Key, KeyType: API_KEY, UsagePlanId: !Ref Plan }
"#;

#[test]
fn method_settings_and_usage_plans_load() {
    let template = load_ok(&fixture("traffic", &[]), TEMPLATE);
    let api = &template.apis[0];
    assert_eq!(
        api.method_throttles,
        [
            MethodThrottle {
                resource_path: None,
                http_method: None,
                rate_limit: 12.5,
                burst_limit: 7,
            },
            MethodThrottle {
                resource_path: Some("/pets/{id}".into()),
                http_method: Some("GET".into()),
                rate_limit: 10_000.0,
                burst_limit: 3,
            },
        ]
    );
    let plans = &template.usage_plans;
    assert_eq!(
        plans.keys,
        [ApiKeyDecl {
            logical_id: "Key".into(),
            name: "k".into(),
            value: Some("key-value-0123456789ab".into()),
            enabled: false,
        }]
    );
    assert_eq!(
        plans.plans,
        [UsagePlanDecl {
            logical_id: "Plan".into(),
            name: "Plan".into(),
            description: None,
            api_stages: vec![PlanStage {
                api_id: api.id.clone(),
                stage: "prod".into(),
                throttle: BTreeMap::from([("/pets/GET".into(), (2.0, 1))]),
            }],
            throttle: Some((100.0, 50)),
            quota: Some(PlanQuota {
                limit: 1000,
                period: "WEEK".into(),
                offset: 10,
            }),
        }]
    );
    assert_eq!(plans.members, [("Plan".to_string(), "Key".to_string())]);
}
