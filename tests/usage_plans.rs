//! Usage plans end to end against the real binary on the embedded state: plans keyed from a
//! Lambda authorizer's `usageIdentifierKey` (`ApiKeySourceType: AUTHORIZER`), and the plans, keys
//! and memberships SAM's `Auth.UsagePlan` generates.

use crate::support;

use std::time::Duration;

use support::sam::project_with;
use support::turnpike::run;
use support::{
    assert_forbidden, assert_gateway_response, assert_limit_exceeded, Reply, Req, TempDir, Turnpike,
};

const TOO_MANY: &str = r#"{"message":"Too Many Requests"}"#;

const ALICE: &str = "alice-key-value-0123456789";
const BOB: &str = "bob-key-value-0123456789ab";

/// A TOKEN authorizer that allows every token and hands it back as the usage identifier key,
/// except `nokey`, for which it returns none.
const AUTHORIZER: &str = r#"
def handler(event, context):
    token = event["authorizationToken"]
    answer = {
        "principalId": "caller",
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [
                {"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": event["methodArn"]}
            ],
        },
    }
    if token != "nokey":
        answer["usageIdentifierKey"] = token
    return answer
"#;

const MOCK_PETS: &str = r#"
          /pets:
            get:
              x-amazon-apigateway-integration:
                type: mock
                requestTemplates: { application/json: '{"statusCode": 200}' }
                responses:
                  default:
                    statusCode: "200"
                    responseTemplates:
                      application/json: '{"ok":true,"key":"$context.identity.apiKey","keyId":"$context.identity.apiKeyId"}'"#;

/// An API whose keys come from the authorizer, and two keys with their plans: alice's counts a
/// quota of 2 a day, bob's has a burst of 2 that refills once every 100 s.
fn authorizer_template() -> String {
    format!(
        r#"
Transform: AWS::Serverless-2016-10-31
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: dev
      ApiKeySourceType: AUTHORIZER
      Auth:
        ApiKeyRequired: true
        DefaultAuthorizer: Tok
        Authorizers:
          Tok:
            FunctionArn: !GetAtt AuthFunction.Arn
            Identity: {{ Header: Authorization, ReauthorizeEvery: 0 }}
      DefinitionBody:
        openapi: 3.0.1
        info: {{ title: Keyed, version: "1" }}
        paths:{MOCK_PETS}
  AuthFunction:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: auth.handler
      CodeUri: src/
      Timeout: 5
  Alice:
    Type: AWS::ApiGateway::ApiKey
    Properties: {{ Name: alice, Enabled: true, Value: {ALICE} }}
  Bob:
    Type: AWS::ApiGateway::ApiKey
    Properties: {{ Name: bob, Enabled: true, Value: {BOB} }}
  QuotaPlan:
    Type: AWS::ApiGateway::UsagePlan
    Properties:
      ApiStages: [{{ ApiId: !Ref Api, Stage: dev }}]
      Quota: {{ Limit: 2, Period: DAY }}
  ThrottlePlan:
    Type: AWS::ApiGateway::UsagePlan
    Properties:
      ApiStages: [{{ ApiId: !Ref Api, Stage: dev }}]
      Throttle: {{ RateLimit: 0.01, BurstLimit: 2 }}
  AliceMember:
    Type: AWS::ApiGateway::UsagePlanKey
    Properties: {{ KeyId: !Ref Alice, KeyType: API_KEY, UsagePlanId: !Ref QuotaPlan }}
  BobMember:
    Type: AWS::ApiGateway::UsagePlanKey
    Properties: {{ KeyId: !Ref Bob, KeyType: API_KEY, UsagePlanId: !Ref ThrottlePlan }}
"#
    )
}

fn store(dir: &TempDir) -> String {
    dir.path().join("state").to_str().unwrap().to_string()
}

fn serve(template: &std::path::Path, data_dir: &str) -> Turnpike {
    Turnpike::serve_args(&[
        template.to_str().unwrap(),
        "--access-log-format",
        "off",
        "--data-dir",
        data_dir,
    ])
}

async fn get(addr: std::net::SocketAddr, token: &str, api_key: Option<&str>) -> Reply {
    let mut req = Req::get("/dev/pets").header("authorization", token);
    if let Some(key) = api_key {
        req = req.header("x-api-key", key);
    }
    req.send(addr).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authorizer_usage_identifier_key_is_validated_and_metered_by_its_plan() {
    let (dir, template) = project_with(&authorizer_template(), "auth.py", AUTHORIZER);
    let gw = serve(&template, &store(&dir));

    // alice's quota: two requests a day, then Limit Exceeded. The authorizer's key is the
    // request's `$context.identity.apiKey`, its stored id `apiKeyId`.
    let keys = run(&["keys", "list", "--data-dir", &store(&dir)]);
    let keys = String::from_utf8(keys.stdout).unwrap();
    let alice_id = keys
        .lines()
        .find(|l| l.contains("alice"))
        .and_then(|l| l.split_whitespace().next())
        .unwrap_or_else(|| panic!("no alice in:\n{keys}"))
        .to_string();
    for i in 0..2 {
        let reply = get(gw.addr, ALICE, None).await;
        assert_eq!(reply.status, 200, "request {i}: {reply:?}");
        assert_eq!(
            reply.text(),
            format!(r#"{{"ok":true,"key":"{ALICE}","keyId":"{alice_id}"}}"#)
        );
    }
    let reply = get(gw.addr, ALICE, None).await;
    assert_limit_exceeded(&reply);

    // bob's throttle: the burst of two, then Too Many Requests.
    for i in 0..2 {
        let reply = get(gw.addr, BOB, None).await;
        assert_eq!(reply.status, 200, "request {i}: {reply:?}");
    }
    let reply = get(gw.addr, BOB, None).await;
    assert_gateway_response(&reply, 429, TOO_MANY, Some("TooManyRequestsException"));

    // The key is the authorizer's: x-api-key is ignored, even a valid one.
    let reply = get(gw.addr, "nokey", Some(BOB)).await;
    assert_forbidden(&reply);
    let reply = get(gw.addr, "unknown-key-value-0123456789", None).await;
    assert_forbidden(&reply);
}

/// SAM's `Auth.UsagePlan` with `CreateUsagePlan: PER_API`.
fn per_api_template() -> String {
    format!(
        r#"
Transform: AWS::Serverless-2016-10-31
Resources:
  Orders:
    Type: AWS::Serverless::Api
    Properties:
      StageName: dev
      Auth:
        ApiKeyRequired: true
        UsagePlan:
          CreateUsagePlan: PER_API
          UsagePlanName: orders-plan
          Quota: {{ Limit: 3, Period: DAY }}
          Throttle: {{ RateLimit: 100, BurstLimit: 100 }}
      DefinitionBody:
        openapi: 3.0.1
        info: {{ title: Orders, version: "1" }}
        paths:{MOCK_PETS}
"#
    )
}

/// The value in the `API key created` log line of the key `logical_id`.
fn generated_value(stderr: &str, logical_id: &str) -> Option<String> {
    let line = stderr
        .lines()
        .find(|l| l.contains("API key created") && l.contains(&format!("key={logical_id} ")))?;
    let value = line.split("value=").nth(1)?;
    Some(
        value
            .split_whitespace()
            .next()?
            .trim_matches('"')
            .to_string(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sam_per_api_usage_plan_generates_a_key_in_a_plan_once() {
    let dir = TempDir::new();
    let template = dir.write("template.yaml", &per_api_template());
    let data_dir = store(&dir);
    let mut gw = serve(&template, &data_dir);
    // The value AWS would generate is generated here and logged once, at creation.
    let mut value = None;
    for _ in 0..100 {
        value = generated_value(&gw.stderr(), "OrdersApiKey");
        if value.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let value = value.unwrap_or_else(|| panic!("no generated key in:\n{}", gw.stderr()));
    assert_eq!(value.len(), 40, "{value}");
    let reply = Req::get("/dev/pets").send(gw.addr).await;
    assert_forbidden(&reply);
    for i in 0..2 {
        let reply = Req::get("/dev/pets")
            .header("x-api-key", &value)
            .send(gw.addr)
            .await;
        assert_eq!(reply.status, 200, "request {i}: {reply:?}");
    }
    gw.stop();

    // A restart finds the key and plan by name: no new key, and the quota keeps counting.
    let gw = serve(&template, &data_dir);
    let reply = Req::get("/dev/pets")
        .header("x-api-key", &value)
        .send(gw.addr)
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    let reply = Req::get("/dev/pets")
        .header("x-api-key", &value)
        .send(gw.addr)
        .await;
    assert_limit_exceeded(&reply);
    assert_eq!(generated_value(&gw.stderr(), "OrdersApiKey"), None);
    let keys = run(&["keys", "list", "--data-dir", &data_dir]);
    let keys = String::from_utf8(keys.stdout).unwrap();
    assert_eq!(keys.matches("OrdersApiKey").count(), 1, "{keys}");
    let plans = run(&["usage-plans", "list", "--data-dir", &data_dir]);
    let plans = String::from_utf8(plans.stdout).unwrap();
    assert_eq!(plans.matches("orders-plan").count(), 1, "{plans}");
}
