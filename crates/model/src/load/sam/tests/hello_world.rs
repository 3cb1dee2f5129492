//! A realistic SAM application: short forms, Globals, Parameters, Conditions, implicit APIs, an
//! explicit AWS::Serverless::Api with DefinitionBody and Variables, and an HttpApi.

use std::collections::BTreeMap;
use std::time::Duration;

use super::*;
use crate::api::{ApiKind, HttpMethod, IntegrationType, PayloadFormatVersion, RouteKey};
use crate::function::{Architecture, Function};
use crate::id::api_id_from_title;
use crate::stage::Stage;

const TEMPLATE: &str = r#"AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Description: sam-app

Parameters:
  Env:
    Type: String
    Default: dev
    AllowedValues: [dev, prod]
  Memory:
    Type: Number
    Default: 256

Conditions:
  IsProd: !Equals [!Ref Env, prod]
  IsDev: !Not [!Condition IsProd]

Globals:
  Function:
    Runtime: python3.12
    Timeout: 10
    MemorySize: !Ref Memory
    Environment:
      Variables:
        STAGE: !Ref Env
        TABLE: !Ref Table

Resources:
  HelloFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: hello/
      Handler: app.lambda_handler
      Environment:
        Variables:
          GREETING: !If [IsProd, Hello, Hi]
      Events:
        Hello:
          Type: Api
          Properties:
            Path: /hello
            Method: get
        HelloHttp:
          Type: HttpApi
          Properties:
            Path: /hello
            Method: GET

  UsersFunction:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: !Sub ${AWS::StackName}-users
      CodeUri: users
      Handler: app.handler
      ReservedConcurrentExecutions: 5
      Architectures: [arm64]
      Events:
        List:
          Type: Api
          Properties:
            RestApiId: !Ref UsersApi
            Path: /users
            Method: any
        Jobs:
          Type: SQS
          Properties:
            Queue: !GetAtt Jobs.Arn

  UsersApi:
    Type: AWS::Serverless::Api
    Properties:
      StageName: v1
      Variables:
        backend: !Ref Env
      DefinitionBody:
        openapi: 3.0.1
        info: {title: Users}
        paths:
          /users/{id}:
            get:
              x-amazon-apigateway-integration:
                type: aws_proxy
                httpMethod: POST
                uri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${UsersFunction.Arn}/invocations

  PublicApi:
    Type: AWS::Serverless::HttpApi
    Properties:
      StageVariables:
        mode: public

  CatchAllFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: hello/
      Handler: app.catch_all
      Events:
        Default:
          Type: HttpApi
          Properties:
            ApiId: !Ref PublicApi
            PayloadFormatVersion: "1.0"

  ProdOnlyFunction:
    Type: AWS::Serverless::Function
    Condition: IsProd
    Properties:
      CodeUri: hello/
      Handler: app.prod

  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST
  Jobs:
    Type: AWS::SQS::Queue

Outputs:
  HelloApi:
    Value: !Sub "https://${ServerlessRestApi}.execute-api.${AWS::Region}.amazonaws.com/Prod/hello/"
"#;

fn lambda_uri(name: &str) -> String {
    format!("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:{name}/invocations")
}

fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

#[test]
fn functions_with_globals_parameters_and_conditions() {
    let path = fixture("hello_world_functions", &["hello", "users"]);
    let template = load_ok(&path, TEMPLATE);
    let dir = path.parent().unwrap();
    let common = |id: &str, name: &str, handler: &str, code: &str| Function {
        logical_id: id.into(),
        function_name: name.into(),
        runtime: "python3.12".into(),
        handler: Some(handler.into()),
        code_dir: dir.join(code),
        timeout: Duration::from_secs(10),
        memory_mb: 256,
        environment: env(&[("STAGE", "dev"), ("TABLE", "Table")]),
        reserved_concurrency: None,
        architectures: vec![Architecture::X86_64],
        pointer: format!("/Resources/{id}"),
    };
    let mut hello = common(
        "HelloFunction",
        "HelloFunction",
        "app.lambda_handler",
        "hello/",
    );
    hello.environment.insert("GREETING".into(), "Hi".into());
    let mut users = common("UsersFunction", "sam-app-users", "app.handler", "users");
    users.reserved_concurrency = Some(5);
    users.architectures = vec![Architecture::Arm64];
    let catch_all = common(
        "CatchAllFunction",
        "CatchAllFunction",
        "app.catch_all",
        "hello/",
    );
    // ProdOnlyFunction's condition is false: it is not created.
    assert_eq!(template.functions, vec![hello, users, catch_all]);
    assert_eq!(
        template.ignored,
        [
            ("UsersFunction.Events.Jobs".to_owned(), "SQS".to_owned()),
            ("Table".to_owned(), "AWS::DynamoDB::Table".to_owned()),
            ("Jobs".to_owned(), "AWS::SQS::Queue".to_owned()),
        ]
    );
    let warnings: Vec<String> = template.warnings.iter().map(|w| w.to_string()).collect();
    assert_eq!(
        warnings,
        [format!("{}:65:17: /Resources/UsersFunction/Properties/Events/Jobs/Type: event Jobs of type SQS does not come through API Gateway; Turnpike serves HTTP only and ignores it", path.display())]
    );
}

#[test]
fn apis_routes_and_stages() {
    let path = fixture("hello_world_apis", &["hello", "users"]);
    let template = load_ok(&path, TEMPLATE);
    let id = |logical: &str| api_id_from_title(&format!("sam-app/{logical}"));
    let summary: Vec<(String, String, ApiKind, Vec<String>)> = template
        .apis
        .iter()
        .map(|a| {
            let routes = a.routes.iter().map(|r| r.key.to_string()).collect();
            (a.id.clone(), a.name.clone(), a.kind, routes)
        })
        .collect();
    assert_eq!(
        summary,
        [
            (
                id("UsersApi"),
                "Users".into(),
                ApiKind::Rest,
                vec!["GET /users/{id}".into(), "ANY /users".into()]
            ),
            (
                id("PublicApi"),
                "sam-app".into(),
                ApiKind::Http,
                vec!["$default".into()]
            ),
            (
                id("ServerlessRestApi"),
                "sam-app".into(),
                ApiKind::Rest,
                vec!["GET /hello".into()]
            ),
            (
                id("ServerlessHttpApi"),
                "sam-app".into(),
                ApiKind::Http,
                vec!["GET /hello".into()]
            ),
        ]
    );
    let stage = |name: &str, vars: &[(&str, &str)]| Stage {
        name: name.into(),
        variables: env(vars),
    };
    assert_eq!(
        template.stages,
        [
            (id("UsersApi"), stage("v1", &[("backend", "dev")])),
            (id("PublicApi"), stage("$default", &[("mode", "public")])),
            (id("ServerlessRestApi"), stage("Prod", &[])),
            (id("ServerlessHttpApi"), stage("$default", &[])),
        ]
    );

    // Every route is a Lambda proxy integration of the function its event belongs to.
    let users_api = &template.apis[0];
    let from_body = &users_api.routes[0];
    assert_eq!(
        from_body.pointer,
        "/Resources/UsersApi/Properties/DefinitionBody/paths/~1users~1{id}/get"
    );
    assert_eq!(from_body.integration.kind, IntegrationType::AwsProxy);
    assert_eq!(
        from_body.integration.uri.as_deref(),
        Some(lambda_uri("sam-app-users").as_str())
    );
    let from_event = &users_api.routes[1];
    assert_eq!(
        from_event.key,
        RouteKey::Method {
            method: HttpMethod::Any,
            path: "/users".into()
        }
    );
    assert_eq!(
        from_event.pointer,
        "/Resources/UsersFunction/Properties/Events/List"
    );
    assert_eq!(from_event.integration.http_method, Some(HttpMethod::Post));
    assert_eq!(
        from_event.integration.payload_format_version,
        PayloadFormatVersion::V1
    );
    assert_eq!(
        from_event.integration.timeout,
        Duration::from_millis(29_000)
    );
    assert_eq!(
        from_event.integration.lambda_function_arn(),
        Some("arn:aws:lambda:us-east-1:123456789012:function:sam-app-users")
    );
    let catch_all = &template.apis[1].routes[0].integration;
    assert_eq!(
        catch_all.uri.as_deref(),
        Some(lambda_uri("CatchAllFunction").as_str())
    );
    assert_eq!(catch_all.payload_format_version, PayloadFormatVersion::V1);
    let hello_rest = &template.apis[2].routes[0].integration;
    assert_eq!(
        hello_rest.uri.as_deref(),
        Some(lambda_uri("HelloFunction").as_str())
    );
    assert_eq!(hello_rest.payload_format_version, PayloadFormatVersion::V1);
    let hello_http = &template.apis[3].routes[0].integration;
    assert_eq!(hello_http.payload_format_version, PayloadFormatVersion::V2);
    assert_eq!(hello_http.timeout, Duration::from_millis(30_000));
    assert_eq!(template.apis[3].source, path);
}

#[test]
fn overrides_change_parameters_and_conditions() {
    let path = fixture("hello_world_prod", &["hello", "users"]);
    let mut options = options();
    options
        .parameter_overrides
        .insert("Env".into(), "prod".into());
    options
        .parameter_overrides
        .insert("Memory".into(), "1024".into());
    let template = load_ok_with(&path, TEMPLATE, &options);
    let names: Vec<&str> = template
        .functions
        .iter()
        .map(|f| f.logical_id.as_str())
        .collect();
    assert_eq!(
        names,
        [
            "HelloFunction",
            "UsersFunction",
            "CatchAllFunction",
            "ProdOnlyFunction"
        ]
    );
    let hello = &template.functions[0];
    assert_eq!(
        hello.environment,
        env(&[("GREETING", "Hello"), ("STAGE", "prod"), ("TABLE", "Table")])
    );
    assert_eq!(hello.memory_mb, 1024);
    assert_eq!(template.stages[0].1.variables, env(&[("backend", "prod")]));
}
