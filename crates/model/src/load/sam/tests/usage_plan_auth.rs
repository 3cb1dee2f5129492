//! SAM `Auth.UsagePlan`: the plans, keys and memberships SAM generates for `PER_API`, `SHARED`
//! (also from `Globals`) and `NONE`.

use std::collections::BTreeMap;

use super::{e, fixture, load_errors, load_ok};
use crate::usage_plan::{ApiKeyDecl, PlanQuota, PlanStage, UsagePlanDecl};

const BODY: &str = r#"
      DefinitionBody:
        openapi: 3.0.1
        info: { title: T, version: "1" }
        paths: {}"#;

fn stage(api_id: &str, stage: &str) -> PlanStage {
    PlanStage {
        api_id: api_id.into(),
        stage: stage.into(),
        throttle: BTreeMap::new(),
    }
}

fn key(logical_id: &str) -> ApiKeyDecl {
    ApiKeyDecl {
        logical_id: logical_id.into(),
        name: logical_id.into(),
        value: None,
        enabled: true,
    }
}

#[test]
fn per_api_makes_a_plan_key_and_membership_for_the_api_stage() {
    let text = format!(
        r#"
Transform: AWS::Serverless-2016-10-31
Resources:
  Orders:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      Auth:
        ApiKeyRequired: true
        UsagePlan:
          CreateUsagePlan: PER_API
          UsagePlanName: gold
          Description: Gold tier
          Quota: {{ Limit: 500, Offset: 10, Period: DAY }}
          Throttle: {{ BurstLimit: 20, RateLimit: 5.5 }}
          Tags: [{{ Key: tier, Value: gold }}]{BODY}
"#
    );
    let template = load_ok(&fixture("usage-plan-per-api", &[]), &text);
    let api_id = template.apis[0].id.clone();
    let plans = &template.usage_plans;
    assert_eq!(
        plans.plans,
        [UsagePlanDecl {
            logical_id: "OrdersUsagePlan".into(),
            name: "gold".into(),
            description: Some("Gold tier".into()),
            api_stages: vec![stage(&api_id, "prod")],
            throttle: Some((5.5, 20)),
            quota: Some(PlanQuota {
                limit: 500,
                period: "DAY".into(),
                offset: 10,
            }),
        }]
    );
    assert_eq!(plans.keys, [key("OrdersApiKey")]);
    assert_eq!(
        plans.members,
        [("OrdersUsagePlan".to_string(), "OrdersApiKey".to_string())]
    );
}

#[test]
fn shared_from_globals_makes_one_plan_for_every_api_and_none_opts_out() {
    let text = format!(
        r#"
Transform: AWS::Serverless-2016-10-31
Globals:
  Api:
    Auth:
      ApiKeyRequired: true
      UsagePlan:
        CreateUsagePlan: SHARED
Resources:
  One:
    Type: AWS::Serverless::Api
    Properties:
      StageName: dev{BODY}
  Two:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      Auth:
        UsagePlan:
          CreateUsagePlan: SHARED
          Throttle: {{ RateLimit: 3, BurstLimit: 4 }}{BODY}
  Three:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      Auth:
        UsagePlan:
          CreateUsagePlan: NONE{BODY}
"#
    );
    let template = load_ok(&fixture("usage-plan-shared", &[]), &text);
    let ids: Vec<String> = template.apis.iter().map(|a| a.id.clone()).collect();
    assert_eq!(ids.len(), 3);
    let plans = &template.usage_plans;
    assert_eq!(
        plans.plans,
        [UsagePlanDecl {
            logical_id: "ServerlessUsagePlan".into(),
            name: "ServerlessUsagePlan".into(),
            description: None,
            api_stages: vec![stage(&ids[0], "dev"), stage(&ids[1], "prod")],
            // The last SHARED API's settings, as SAM writes the plan.
            throttle: Some((3.0, 4)),
            quota: None,
        }]
    );
    assert_eq!(plans.keys, [key("ServerlessApiKey")]);
    assert_eq!(
        plans.members,
        [(
            "ServerlessUsagePlan".to_string(),
            "ServerlessApiKey".to_string()
        )]
    );
}

#[test]
fn bad_usage_plans_are_refused_with_their_location() {
    let text = format!(
        r#"
Transform: AWS::Serverless-2016-10-31
Resources:
  A:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      Auth:
        UsagePlan:
          CreateUsagePlan: SINGLE{BODY}
  B:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      Auth:
        UsagePlan:
          UsagePlanName: x
          Limit: 3{BODY}
"#
    );
    let path = fixture("usage-plan-errors", &[]);
    assert_eq!(
        load_errors(&path, &text),
        [
            e(
                10,
                28,
                "/Resources/A/Properties/Auth/UsagePlan/CreateUsagePlan",
                "CreateUsagePlan must be one of PER_API, SHARED, NONE; found SINGLE"
            ),
            e(
                21,
                11,
                "/Resources/B/Properties/Auth/UsagePlan",
                "Auth.UsagePlan needs CreateUsagePlan (PER_API, SHARED, NONE)"
            ),
            e(
                22,
                11,
                "/Resources/B/Properties/Auth/UsagePlan/Limit",
                "unknown property \"Limit\" in Auth.UsagePlan; expected one of CreateUsagePlan, Description, Quota, Tags, Throttle, UsagePlanName"
            ),
        ]
    );
}

#[test]
fn api_key_source_type_sets_where_keys_come_from() {
    let text = |source: &str| {
        format!(
            r#"
Transform: AWS::Serverless-2016-10-31
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      ApiKeySourceType: {source}{BODY}
"#
        )
    };
    let path = fixture("api-key-source", &[]);
    let template = load_ok(&path, &text("AUTHORIZER"));
    assert_eq!(
        template.apis[0].api_key_source,
        crate::auth::ApiKeySource::Authorizer
    );
    let template = load_ok(&path, &text("HEADER"));
    assert_eq!(
        template.apis[0].api_key_source,
        crate::auth::ApiKeySource::Header
    );
    assert_eq!(
        load_errors(&path, &text("COOKIE")),
        [e(
            8,
            25,
            "/Resources/Api/Properties/ApiKeySourceType",
            "ApiKeySourceType must be HEADER or AUTHORIZER; found COOKIE"
        )]
    );
}

#[test]
fn template_resources_can_ref_what_auth_usage_plan_generates() {
    let text = format!(
        r#"
Transform: AWS::Serverless-2016-10-31
Globals:
  Api:
    Auth:
      UsagePlan: {{ CreateUsagePlan: SHARED }}
Resources:
  Orders:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      Auth:
        UsagePlan: {{ CreateUsagePlan: PER_API }}{BODY}
  Pets:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod{BODY}
  Extra:
    Type: AWS::ApiGateway::ApiKey
    Properties: {{ Name: extra, Enabled: true, Value: extra-key-value-0123456789 }}
  ExtraOrders:
    Type: AWS::ApiGateway::UsagePlanKey
    Properties: {{ KeyId: !Ref Extra, KeyType: API_KEY, UsagePlanId: !Ref OrdersUsagePlan }}
  ExtraShared:
    Type: AWS::ApiGateway::UsagePlanKey
    Properties: {{ KeyId: !Ref Extra, KeyType: API_KEY, UsagePlanId: !Ref ServerlessUsagePlan }}
"#
    );
    let template = load_ok(&fixture("usage-plan-refs", &[]), &text);
    let mut members = template.usage_plans.members.clone();
    members.sort();
    assert_eq!(
        members,
        [
            ("OrdersUsagePlan".to_string(), "Extra".to_string()),
            ("OrdersUsagePlan".to_string(), "OrdersApiKey".to_string()),
            ("ServerlessUsagePlan".to_string(), "Extra".to_string()),
            (
                "ServerlessUsagePlan".to_string(),
                "ServerlessApiKey".to_string()
            ),
        ]
    );
}
