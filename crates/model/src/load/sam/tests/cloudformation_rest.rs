//! REST APIs written as `AWS::ApiGateway::*` resources (what `cdk synth` produces): a CDK-style
//! Lambda proxy API, an OpenAPI `Body`, a MOCK method with integration responses, an
//! authorizer, and one test per class of error with its exact location and message.

use super::*;
use crate::api::{ApiKind, IntegrationType};
use crate::auth::RouteAuth;
use crate::id::api_id_from_title;
use crate::stage::Stage;

fn arn(function: &str) -> String {
    format!("arn:aws:lambda:us-east-1:123456789012:function:{function}")
}

/// (route key, integration type, Lambda ARN, pointer) of each route.
fn rows(api: &crate::api::Api) -> Vec<(String, IntegrationType, Option<String>, String)> {
    api.routes
        .iter()
        .map(|r| {
            (
                r.key.to_string(),
                r.integration.kind,
                r.integration.lambda_function_arn().map(str::to_owned),
                r.pointer.clone(),
            )
        })
        .collect()
}

const CDK: &str = r#"Transform: AWS::Serverless-2016-10-31
Resources:
  Handler:
    Type: AWS::Lambda::Function
    Properties:
      Code: hello
      Handler: app.handler
      Runtime: python3.12
      Role: arn:aws:iam::123456789012:role/lambda
  SamHandler:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: hello
      Handler: app.handler
      Runtime: python3.12
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties:
      Name: cdk-api
      EndpointConfiguration:
        Types: [REGIONAL]
  ApiProxy:
    Type: AWS::ApiGateway::Resource
    Properties:
      RestApiId: !Ref Api
      ParentId: !GetAtt Api.RootResourceId
      PathPart: "{proxy+}"
  ApiProxyAny:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Api
      ResourceId: !Ref ApiProxy
      HttpMethod: ANY
      AuthorizationType: NONE
      Integration:
        Type: AWS_PROXY
        IntegrationHttpMethod: POST
        Uri: !Join ["", ["arn:", !Ref AWS::Partition, ":apigateway:", !Ref AWS::Region, ":lambda:path/2015-03-31/functions/", !GetAtt Handler.Arn, "/invocations"]]
  ApiRootAny:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Api
      ResourceId: !GetAtt Api.RootResourceId
      HttpMethod: ANY
      AuthorizationType: NONE
      Integration:
        Type: AWS_PROXY
        IntegrationHttpMethod: POST
        Uri: !Sub "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${SamHandler.Arn}/invocations"
  ApiDeployment:
    Type: AWS::ApiGateway::Deployment
    DependsOn: [ApiProxyAny, ApiRootAny]
    Properties:
      RestApiId: !Ref Api
      Description: Automatically created by the RestApi construct
  ApiStage:
    Type: AWS::ApiGateway::Stage
    Properties:
      RestApiId: !Ref Api
      DeploymentId: !Ref ApiDeployment
      StageName: prod
"#;

#[test]
fn a_cdk_lambda_rest_api_loads_with_its_stage() {
    let path = fixture("cfn_rest_cdk", &["hello"]);
    let template = load_ok(&path, CDK);
    let id = api_id_from_title("sam-app/Api");
    assert_eq!(template.apis.len(), 1);
    let api = &template.apis[0];
    assert_eq!(api.id, id);
    assert_eq!(api.name, "cdk-api");
    assert_eq!(api.kind, ApiKind::Rest);
    assert_eq!(
        rows(api),
        [
            (
                "ANY /{proxy+}".to_owned(),
                IntegrationType::AwsProxy,
                Some(arn("Handler")),
                "/Resources/ApiProxyAny/Properties".to_owned()
            ),
            (
                "ANY /".to_owned(),
                IntegrationType::AwsProxy,
                Some(arn("SamHandler")),
                "/Resources/ApiRootAny/Properties".to_owned()
            ),
        ]
    );
    assert!(api.routes.iter().all(|r| r.auth == RouteAuth::None));
    for route in &api.routes {
        let arn = route.integration.lambda_function_arn().unwrap();
        assert!(template.function_for_arn(arn).is_some(), "{arn}");
    }
    assert_eq!(template.stages, [(id, Stage::new("prod"))]);
    assert_eq!(template.ignored, Vec::<(String, String)>::new());
    assert_eq!(template.warnings, []);
}

/// (selection pattern, status, response parameters, response templates).
type ResponseRow = (
    String,
    u16,
    std::collections::BTreeMap<String, String>,
    std::collections::BTreeMap<String, String>,
);

const MOCK: &str = r#"AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Pets:
    Type: AWS::ApiGateway::RestApi
    Properties:
      Name: pets
      BinaryMediaTypes: [image~1png]
      ApiKeySourceType: HEADER
  PetsResource:
    Type: AWS::ApiGateway::Resource
    Properties:
      RestApiId: !Ref Pets
      ParentId: !GetAtt Pets.RootResourceId
      PathPart: pets
  PetResource:
    Type: AWS::ApiGateway::Resource
    Properties:
      RestApiId: !Ref Pets
      ParentId: !Ref PetsResource
      PathPart: "{id}"
  GetPet:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Pets
      ResourceId: !Ref PetResource
      HttpMethod: GET
      AuthorizationType: CUSTOM
      AuthorizerId: !Ref TokenAuthorizer
      ApiKeyRequired: true
      RequestParameters:
        method.request.path.id: true
        method.request.querystring.verbose: false
      MethodResponses:
        - StatusCode: "200"
          ResponseParameters:
            method.response.header.X-Pet: true
        - StatusCode: "404"
      Integration:
        Type: MOCK
        PassthroughBehavior: WHEN_NO_TEMPLATES
        RequestTemplates:
          application/json: '{"statusCode": $input.params(''id'')}'
        IntegrationResponses:
          - StatusCode: "200"
            ResponseParameters:
              method.response.header.X-Pet: "'cat'"
            ResponseTemplates:
              application/json: '{"id": 1}'
          - StatusCode: "404"
            SelectionPattern: "4\\d{2}"
  ListPets:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Pets
      ResourceId: !Ref PetsResource
      HttpMethod: GET
      AuthorizationType: COGNITO_USER_POOLS
      AuthorizerId: !Ref UserPoolAuthorizer
      AuthorizationScopes: [pets/read]
      Integration:
        Type: MOCK
        RequestTemplates:
          application/json: '{"statusCode": 200}'
        IntegrationResponses:
          - StatusCode: "200"
  DeletePets:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Pets
      ResourceId: !Ref PetsResource
      HttpMethod: DELETE
      AuthorizationType: AWS_IAM
      Integration:
        Type: MOCK
        RequestTemplates:
          application/json: '{"statusCode": 204}'
        IntegrationResponses:
          - StatusCode: "204"
  TokenAuthorizer:
    Type: AWS::ApiGateway::Authorizer
    Properties:
      RestApiId: !Ref Pets
      Name: token
      Type: TOKEN
      AuthorizerUri: arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:auth/invocations
      IdentitySource: method.request.header.X-Token
      IdentityValidationExpression: "^Bearer .+$"
      AuthorizerResultTtlInSeconds: 60
  UserPoolAuthorizer:
    Type: AWS::ApiGateway::Authorizer
    Properties:
      RestApiId: !Ref Pets
      Name: users
      Type: COGNITO_USER_POOLS
      IdentitySource: method.request.header.Authorization
      ProviderARNs:
        - arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc
  NotFound:
    Type: AWS::ApiGateway::GatewayResponse
    Properties:
      RestApiId: !Ref Pets
      ResponseType: RESOURCE_NOT_FOUND
      StatusCode: "418"
      ResponseTemplates:
        application/json: '{"message": "no such pet"}'
  Deployment:
    Type: AWS::ApiGateway::Deployment
    DependsOn: [GetPet, ListPets, DeletePets]
    Properties:
      RestApiId: !Ref Pets
      StageName: v1
      StageDescription:
        Variables:
          mode: test
"#;

#[test]
fn mock_methods_authorizers_and_gateway_responses_load() {
    use crate::api::{HttpMethod, PassthroughBehavior};
    use crate::auth::{AuthorizerKind, IdentitySource};
    use crate::gateway_response::GatewayResponseType;
    use std::collections::BTreeMap;
    use std::time::Duration;

    let path = fixture("cfn_rest_mock", &[]);
    let template = load_ok(&path, MOCK);
    let id = api_id_from_title("sam-app/Pets");
    let api = &template.apis[0];
    assert_eq!((api.id.as_str(), api.name.as_str()), (id.as_str(), "pets"));
    assert_eq!(api.binary_media_types, ["image/png"]);
    let keys: Vec<String> = api.routes.iter().map(|r| r.key.to_string()).collect();
    assert_eq!(keys, ["GET /pets/{id}", "GET /pets", "DELETE /pets"]);

    let get = &api.routes[0];
    assert_eq!(
        get.auth,
        RouteAuth::Authorizer {
            name: "TokenAuthorizer".into(),
            scopes: vec![]
        }
    );
    assert!(get.api_key_required);
    assert_eq!(get.integration.kind, IntegrationType::Mock);
    assert_eq!(
        get.integration.passthrough_behavior,
        PassthroughBehavior::WhenNoTemplates
    );
    assert_eq!(
        get.integration.request_templates,
        BTreeMap::from([(
            "application/json".to_owned(),
            r#"{"statusCode": $input.params('id')}"#.to_owned()
        )])
    );
    let responses: Vec<ResponseRow> = get
        .integration
        .responses
        .iter()
        .map(|r| {
            (
                r.selection_pattern.clone(),
                r.status_code,
                r.response_parameters.clone(),
                r.response_templates.clone(),
            )
        })
        .collect();
    assert_eq!(
        responses,
        [
            (
                "default".to_owned(),
                200,
                BTreeMap::from([(
                    "method.response.header.X-Pet".to_owned(),
                    "'cat'".to_owned()
                )]),
                BTreeMap::from([("application/json".to_owned(), r#"{"id": 1}"#.to_owned())]),
            ),
            (r"4\d{2}".to_owned(), 404, BTreeMap::new(), BTreeMap::new()),
        ]
    );
    let method_responses: Vec<(u16, Vec<String>)> = get
        .method_responses
        .iter()
        .map(|m| (m.status_code, m.headers.clone()))
        .collect();
    assert_eq!(
        method_responses,
        [(200, vec!["X-Pet".to_owned()]), (404, vec![])]
    );

    assert_eq!(
        api.routes[1].auth,
        RouteAuth::Authorizer {
            name: "UserPoolAuthorizer".into(),
            scopes: vec!["pets/read".into()]
        }
    );
    assert!(!api.routes[1].api_key_required);
    assert_eq!(api.routes[2].auth, RouteAuth::Iam);
    assert_eq!(api.routes[2].integration.http_method, None::<HttpMethod>);

    let token = &api.authorizers["TokenAuthorizer"];
    assert_eq!(token.kind, AuthorizerKind::Token);
    assert_eq!(token.function_arn.as_deref(), Some(arn("auth").as_str()));
    assert_eq!(
        token.identity_sources,
        [IdentitySource::Header("X-Token".into())]
    );
    assert_eq!(
        token
            .identity_validation_expression
            .as_ref()
            .map(|r| r.as_str()),
        // The loader anchors the whole string, as AWS matches it.
        Some("^(?:^Bearer .+$)$")
    );
    assert_eq!(token.result_ttl, Duration::from_secs(60));
    let users = &api.authorizers["UserPoolAuthorizer"];
    assert_eq!(users.kind, AuthorizerKind::CognitoUserPools);
    assert_eq!(
        users.provider_arns,
        ["arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc"]
    );

    let not_found = &api.gateway_responses[&GatewayResponseType::ResourceNotFound];
    assert_eq!(not_found.status_code, Some(418));
    assert_eq!(
        not_found.response_templates,
        BTreeMap::from([(
            "application/json".to_owned(),
            r#"{"message": "no such pet"}"#.to_owned()
        )])
    );
    assert_eq!(
        template.stages,
        [(
            id,
            Stage {
                name: "v1".into(),
                variables: BTreeMap::from([("mode".to_owned(), "test".to_owned())])
            }
        )]
    );
    assert_eq!(template.warnings, []);
}

#[test]
fn a_body_rest_api_loads_through_the_openapi_loader_and_warns_without_a_stage() {
    let path = fixture("cfn_rest_body", &["hello"]);
    let text = r#"Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: hello
      Handler: app.handler
      Runtime: python3.12
  BodyApi:
    Type: AWS::ApiGateway::RestApi
    Properties:
      Name: body-api
      Body:
        swagger: "2.0"
        info: {title: from-the-body, version: "1"}
        paths:
          /hello:
            get:
              x-amazon-apigateway-integration:
                type: aws_proxy
                httpMethod: POST
                uri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations
  RootPost:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref BodyApi
      ResourceId: !GetAtt BodyApi.RootResourceId
      HttpMethod: POST
      Integration:
        Type: MOCK
        RequestTemplates:
          application/json: '{"statusCode": 200}'
        IntegrationResponses:
          - StatusCode: 200
"#;
    let template = load_ok(&path, text);
    let api = &template.apis[0];
    assert_eq!(api.name, "body-api");
    assert_eq!(
        rows(api),
        [
            (
                "GET /hello".to_owned(),
                IntegrationType::AwsProxy,
                Some(arn("Fn")),
                "/Resources/BodyApi/Properties/Body/paths/~1hello/get".to_owned()
            ),
            (
                "POST /".to_owned(),
                IntegrationType::Mock,
                None,
                "/Resources/RootPost/Properties".to_owned()
            ),
        ]
    );
    assert_eq!(template.stages, []);
    assert_eq!(
        located_all(&path, template.warnings),
        [e(
            12,
            7,
            "/Resources/BodyApi/Properties",
            "AWS::ApiGateway::RestApi BodyApi has no stage: no AWS::ApiGateway::Deployment with StageName and no AWS::ApiGateway::Stage deploys it, so AWS would not serve it; Turnpike serves it on the default stage (dev, or --stage)"
        )]
    );
}

#[test]
fn refs_give_the_api_id_and_a_stable_root_resource_id() {
    let path = fixture("cfn_rest_refs", &[]);
    let text = r#"Resources:
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties:
      Name: refs
      Policy:
        Version: "2012-10-17"
        Statement:
          - Effect: Deny
            Principal: "*"
            Action: execute-api:Invoke
            Resource: execute-api:/*
            Condition:
              NotIpAddress:
                aws:SourceIp: 10.0.0.0/8
  Root:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Api
      ResourceId: !GetAtt Api.RootResourceId
      HttpMethod: GET
      Integration:
        Type: MOCK
        RequestTemplates:
          application/json: !Sub '{"statusCode": 200, "api": "${Api}", "root": "${Api.RootResourceId}"}'
        IntegrationResponses:
          - StatusCode: 200
  Items:
    Type: AWS::ApiGateway::Resource
    Properties:
      RestApiId: !GetAtt Api.RestApiId
      ParentId: !GetAtt Api.RootResourceId
      PathPart: items
  Item:
    Type: AWS::ApiGateway::Resource
    Properties:
      RestApiId: !Ref Api
      ParentId: !GetAtt Items.ResourceId
      PathPart: "{id}"
  GetItem:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Api
      ResourceId: !Ref Item
      HttpMethod: GET
      Integration:
        Type: MOCK
        RequestTemplates:
          application/json: '{"statusCode": 200}'
        IntegrationResponses:
          - StatusCode: 200
  Deployment:
    Type: AWS::ApiGateway::Deployment
    Properties:
      RestApiId: !Ref Api
      StageName: prod
"#;
    let template = load_ok(&path, text);
    let keys: Vec<String> = template.apis[0]
        .routes
        .iter()
        .map(|r| r.key.to_string())
        .collect();
    assert_eq!(keys, ["GET /", "GET /items/{id}"]);
    // Policy is the API's resource policy, read as x-amazon-apigateway-policy is.
    let policy = serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Deny",
            "Principal": "*",
            "Action": "execute-api:Invoke",
            "Resource": "execute-api:/*",
            "Condition": {"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}}
        }]
    });
    assert_eq!(
        template.apis[0].resource_policy,
        Some(crate::auth::PolicyDocument::from_json(&policy).unwrap())
    );
    assert_eq!(template.warnings, []);
    let api_id = api_id_from_title("sam-app/Api");
    let root = api_id_from_title("sam-app/Api/RootResourceId");
    assert_ne!(api_id, root);
    let route = &template.apis[0].routes[0];
    assert_eq!(
        route.integration.request_templates["application/json"],
        format!(r#"{{"statusCode": 200, "api": "{api_id}", "root": "{root}"}}"#)
    );
    assert_eq!(template.stages, [(api_id, Stage::new("prod"))]);
}

const ERRORS: &str = r#"Resources:
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties:
      Name: errs
      Colour: red
  Other:
    Type: AWS::ApiGateway::RestApi
    Properties:
      Name: other
  OtherChild:
    Type: AWS::ApiGateway::Resource
    Properties:
      RestApiId: !Ref Other
      ParentId: !GetAtt Other.RootResourceId
      PathPart: other
  Foreign:
    Type: AWS::ApiGateway::Resource
    Properties:
      RestApiId: !Ref Api
      ParentId: !Ref OtherChild
      PathPart: x
  LoopA:
    Type: AWS::ApiGateway::Resource
    Properties:
      RestApiId: !Ref Api
      ParentId: !Ref LoopB
      PathPart: a
  LoopB:
    Type: AWS::ApiGateway::Resource
    Properties:
      RestApiId: !Ref Api
      ParentId: !Ref LoopA
      PathPart: b
  OnNothing:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Api
      ResourceId: Nowhere
      HttpMethod: GET
      Integration: {Type: MOCK}
  First:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Api
      ResourceId: !GetAtt Api.RootResourceId
      HttpMethod: GET
      Integration: {Type: MOCK}
  Second:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Api
      ResourceId: !GetAtt Api.RootResourceId
      HttpMethod: GET
      Integration: {Type: MOCK}
  BadVerb:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Api
      ResourceId: !GetAtt Api.RootResourceId
      HttpMethod: FETCH
      Integration: {Type: MOCK}
  NoType:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Api
      ResourceId: !GetAtt Api.RootResourceId
      HttpMethod: PUT
      Integration: {Uri: "https://example.com"}
  NoAuthorizer:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Api
      ResourceId: !GetAtt Api.RootResourceId
      HttpMethod: POST
      AuthorizationType: CUSTOM
      AuthorizerId: Missing
      Integration: {Type: MOCK, Timeout: 3}
  LowerCase:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Api
      ResourceId: !GetAtt Api.RootResourceId
      HttpMethod: patch
      Integration: {Type: MOCK}
"#;

#[test]
fn resource_and_method_errors_are_located() {
    let path = fixture("cfn_rest_errors", &[]);
    let errors = load_errors(&path, ERRORS);
    assert_eq!(
        errors,
        [
            e(6, 7, "/Resources/Api/Properties/Colour", "unknown property \"Colour\" in AWS::ApiGateway::RestApi Api; expected one of ApiKeySourceType, BinaryMediaTypes, Body, BodyS3Location, CloneFrom, Description, DisableExecuteApiEndpoint, EndpointConfiguration, FailOnWarnings, MinimumCompressionSize, Mode, Name, Parameters, Policy, Tags"),
            e(21, 22, "/Resources/Foreign/Properties/ParentId", "ParentId names a resource of another REST API (Other) than RestApiId (Api); a resource hangs from the root or a resource of its own API"),
            e(33, 22, "/Resources/LoopB/Properties/ParentId", "ParentId makes a cycle (LoopA → LoopB → LoopA): every AWS::ApiGateway::Resource must hang, through its parents, from !GetAtt of a RestApi's RootResourceId"),
            e(39, 19, "/Resources/OnNothing/Properties/ResourceId", "ResourceId \"Nowhere\" is neither !GetAtt RestApi.RootResourceId nor !Ref of an AWS::ApiGateway::Resource of this template"),
            e(54, 19, "/Resources/Second/Properties/HttpMethod", "GET / is declared twice: another AWS::ApiGateway::Method (or the Body) already has it; each path and HTTP method may have one method"),
            e(61, 19, "/Resources/BadVerb/Properties/HttpMethod", "unknown HttpMethod \"FETCH\"; expected one of ANY, DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT"),
            e(69, 7, "/Resources/NoType/Properties/Integration", "Integration needs Type; expected one of AWS, AWS_PROXY, HTTP, HTTP_PROXY, MOCK"),
            e(77, 21, "/Resources/NoAuthorizer/Properties/AuthorizerId", "AuthorizerId \"Missing\" is no AWS::ApiGateway::Authorizer of this template; use !Ref of one"),
            e(78, 33, "/Resources/NoAuthorizer/Properties/Integration/Timeout", "unknown property \"Timeout\" in the Integration of AWS::ApiGateway::Method NoAuthorizer; expected one of CacheKeyParameters, CacheNamespace, ConnectionId, ConnectionType, ContentHandling, Credentials, IntegrationHttpMethod, IntegrationResponses, PassthroughBehavior, RequestParameters, RequestTemplates, TimeoutInMillis, Type, Uri"),
            e(84, 19, "/Resources/LowerCase/Properties/HttpMethod", "HttpMethod \"patch\" must be written in capitals, as API Gateway requires: PATCH"),
        ]
    );
}

#[test]
fn integration_values_get_the_openapi_loaders_checks_at_their_template_place() {
    let path = fixture("cfn_rest_values", &[]);
    let text = r#"Resources:
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties:
      Name: values
  S3Api:
    Type: AWS::ApiGateway::RestApi
    Properties:
      BodyS3Location: {Bucket: b, Key: k}
  Auth:
    Type: AWS::ApiGateway::Authorizer
    Properties:
      RestApiId: !Ref Api
      Name: auth
      Type: TOKEN
      AuthorizerUri: arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:auth/invocations
  Get:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Api
      ResourceId: !GetAtt Api.RootResourceId
      HttpMethod: GET
      AuthorizationType: COGNITO_USER_POOLS
      AuthorizerId: !Ref Auth
      Integration: {Type: MOCK}
  Post:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Api
      ResourceId: !GetAtt Api.RootResourceId
      HttpMethod: POST
      Integration:
        Type: SOAP
  Put:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: Elsewhere
      ResourceId: !GetAtt Api.RootResourceId
      HttpMethod: PUT
      Integration: {Type: MOCK}
  Unused:
    Type: AWS::ApiGateway::Authorizer
    Properties:
      RestApiId: !Ref Api
      Name: unused
      Type: BASIC
  Teapot:
    Type: AWS::ApiGateway::GatewayResponse
    Properties:
      RestApiId: !Ref Api
      ResponseType: TEAPOT
      StatusCode: "418"
"#;
    let errors = load_errors(&path, text);
    assert_eq!(
        errors,
        [
            e(9, 7, "/Resources/S3Api/Properties/BodyS3Location", "BodyS3Location is not supported by Turnpike, which does not read S3; give the OpenAPI document inline as Body, or use an AWS::Serverless::Api with DefinitionUri naming a file beside the template"),
            e(24, 26, "/Resources/Get/Properties/AuthorizerId", "AuthorizationType COGNITO_USER_POOLS does not match Auth, a TOKEN authorizer; use AuthorizationType CUSTOM"),
            e(37, 18, "/Resources/Put/Properties/RestApiId", "RestApiId \"Elsewhere\" is no REST API of this template; use !Ref of an AWS::ApiGateway::RestApi"),
            // The OpenAPI loader's own check and message, at the template's place.
            e(33, 15, "/Resources/Post/Properties/Integration/Type", "unknown integration type \"SOAP\"; expected one of HTTP, HTTP_PROXY, MOCK, AWS, AWS_PROXY"),
            // The loader's own checks of the authorizer and the gateway response.
            e(46, 13, "/Resources/Unused/Properties/Type", "unknown authorizer type \"basic\"; expected one of token, request, cognito_user_pools (REST APIs)"),
            e(51, 7, "/Resources/Teapot/Properties/ResponseType", "unknown gateway response type \"TEAPOT\"; expected one of ACCESS_DENIED, API_CONFIGURATION_ERROR, AUTHORIZER_CONFIGURATION_ERROR, AUTHORIZER_FAILURE, BAD_REQUEST_PARAMETERS, BAD_REQUEST_BODY, DEFAULT_4XX, DEFAULT_5XX, EXPIRED_TOKEN, INTEGRATION_FAILURE, INTEGRATION_TIMEOUT, INVALID_API_KEY, INVALID_SIGNATURE, MISSING_AUTHENTICATION_TOKEN, QUOTA_EXCEEDED, REQUEST_TOO_LARGE, RESOURCE_NOT_FOUND, THROTTLED, UNAUTHORIZED, UNSUPPORTED_MEDIA_TYPE, WAF_FILTERED"),
        ]
    );
}

#[test]
fn the_cloudformation_rest_example_loads() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/cloudformation/rest.yaml");
    let template =
        crate::load::sam::load_template_file(&path, &TemplateOptions::default()).unwrap();
    // The stack is named after the template's directory.
    let id = api_id_from_title("cloudformation/Api");
    let api = &template.apis[0];
    assert_eq!(
        (api.id.as_str(), api.name.as_str()),
        (id.as_str(), "greetings")
    );
    let keys: Vec<(String, IntegrationType)> = api
        .routes
        .iter()
        .map(|r| (r.key.to_string(), r.integration.kind))
        .collect();
    assert_eq!(
        keys,
        [
            ("ANY /".to_owned(), IntegrationType::AwsProxy),
            ("ANY /{proxy+}".to_owned(), IntegrationType::AwsProxy),
            ("GET /health".to_owned(), IntegrationType::Mock),
        ]
    );
    assert_eq!(template.functions.len(), 1);
    let function = api.routes[0].integration.lambda_function_arn().unwrap();
    assert_eq!(
        template
            .function_for_arn(function)
            .map(|f| f.function_name.as_str()),
        Some("Handler")
    );
    assert_eq!(template.stages, [(id, Stage::new("prod"))]);
    assert_eq!(template.warnings, []);
}

/// What `cdk synth` writes for a `RestApi` with a CORS preflight and a MOCK method, in JSON with
/// CDK's bootstrap parameter and rule, its metadata resource and CloudWatch role.
const CDK_JSON: &str = r##"{
 "Resources": {
  "MyApi49610EDF": {
   "Type": "AWS::ApiGateway::RestApi",
   "Properties": {"Name": "MyApi"},
   "Metadata": {"aws:cdk:path": "CdkStack/MyApi/Resource"}
  },
  "MyApiCloudWatchRole2BEC1A9C": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {}}},
  "MyApiAccount13882D84": {"Type": "AWS::ApiGateway::Account", "Properties": {"CloudWatchRoleArn": {"Fn::GetAtt": ["MyApiCloudWatchRole2BEC1A9C", "Arn"]}}, "DependsOn": ["MyApi49610EDF"]},
  "MyApiDeploymentECB0D05E1f2b3c4d": {
   "Type": "AWS::ApiGateway::Deployment",
   "Properties": {"RestApiId": {"Ref": "MyApi49610EDF"}, "Description": "Automatically created by the RestApi construct"},
   "DependsOn": ["MyApiitemsGET", "MyApiitems"]
  },
  "MyApiDeploymentStageprodE1054AF0": {
   "Type": "AWS::ApiGateway::Stage",
   "Properties": {"DeploymentId": {"Ref": "MyApiDeploymentECB0D05E1f2b3c4d"}, "RestApiId": {"Ref": "MyApi49610EDF"}, "StageName": "prod"},
   "DependsOn": ["MyApiAccount13882D84"]
  },
  "MyApiitems": {
   "Type": "AWS::ApiGateway::Resource",
   "Properties": {"ParentId": {"Fn::GetAtt": ["MyApi49610EDF", "RootResourceId"]}, "PathPart": "items", "RestApiId": {"Ref": "MyApi49610EDF"}}
  },
  "MyApiitemsOPTIONS": {
   "Type": "AWS::ApiGateway::Method",
   "Properties": {
    "ApiKeyRequired": false, "AuthorizationType": "NONE", "HttpMethod": "OPTIONS",
    "Integration": {"IntegrationResponses": [{"ResponseParameters": {"method.response.header.Access-Control-Allow-Headers": "'Content-Type'", "method.response.header.Access-Control-Allow-Origin": "'*'"}, "StatusCode": "204"}], "RequestTemplates": {"application/json": "{ statusCode: 200 }"}, "Type": "MOCK"},
    "MethodResponses": [{"ResponseParameters": {"method.response.header.Access-Control-Allow-Headers": true, "method.response.header.Access-Control-Allow-Origin": true}, "StatusCode": "204"}],
    "ResourceId": {"Ref": "MyApiitems"}, "RestApiId": {"Ref": "MyApi49610EDF"}
   }
  },
  "MyApiitemsGET": {
   "Type": "AWS::ApiGateway::Method",
   "Properties": {
    "AuthorizationType": "NONE", "HttpMethod": "GET",
    "Integration": {"IntegrationResponses": [{"StatusCode": "200", "ResponseTemplates": {"application/json": "[]"}}], "RequestTemplates": {"application/json": "{\"statusCode\": 200}"}, "Type": "MOCK"},
    "MethodResponses": [{"StatusCode": "200"}],
    "ResourceId": {"Ref": "MyApiitems"}, "RestApiId": {"Ref": "MyApi49610EDF"}
   }
  },
  "CDKMetadata": {"Type": "AWS::CDK::Metadata", "Properties": {"Analytics": "v2:deflate64:H4sI"}}
 },
 "Outputs": {"MyApiEndpoint869ABE96": {"Value": {"Fn::Join": ["", ["https://", {"Ref": "MyApi49610EDF"}, ".execute-api.", {"Ref": "AWS::Region"}, ".", {"Ref": "AWS::URLSuffix"}, "/", {"Ref": "MyApiDeploymentStageprodE1054AF0"}, "/"]]}}},
 "Parameters": {"BootstrapVersion": {"Type": "AWS::SSM::Parameter::Value<String>", "Default": "/cdk-bootstrap/hnb659fds/version", "Description": "Version of the CDK Bootstrap resources in this environment, automatically retrieved from SSM Parameter Store. [cdk:skip]"}},
 "Rules": {"CheckBootstrapVersion": {"Assertions": [{"Assert": {"Fn::Not": [{"Fn::Contains": [["1", "2", "3", "4", "5"], {"Ref": "BootstrapVersion"}]}]}, "AssertDescription": "CDK bootstrap stack version 6 required. Please run 'cdk bootstrap' with a recent version of the CDK CLI."}]}}
}
"##;

#[test]
fn cdk_synth_json_loads_with_its_companions_ignored() {
    let path = fixture("cfn_rest_cdk_json", &[]).with_file_name("CdkStack.template.json");
    let template = load_ok(&path, CDK_JSON);
    let id = api_id_from_title("sam-app/MyApi49610EDF");
    let api = &template.apis[0];
    assert_eq!((api.id.as_str(), api.name.as_str()), (id.as_str(), "MyApi"));
    let keys: Vec<(String, IntegrationType)> = api
        .routes
        .iter()
        .map(|r| (r.key.to_string(), r.integration.kind))
        .collect();
    assert_eq!(
        keys,
        [
            ("OPTIONS /items".to_owned(), IntegrationType::Mock),
            ("GET /items".to_owned(), IntegrationType::Mock),
        ]
    );
    let preflight = &api.routes[0];
    assert!(!preflight.api_key_required);
    let method_responses: Vec<(u16, Vec<String>)> = preflight
        .method_responses
        .iter()
        .map(|m| (m.status_code, m.headers.clone()))
        .collect();
    assert_eq!(
        method_responses,
        [(
            204,
            vec![
                "Access-Control-Allow-Headers".to_owned(),
                "Access-Control-Allow-Origin".to_owned()
            ]
        )]
    );
    assert_eq!(template.stages, [(id, Stage::new("prod"))]);
    assert_eq!(
        template.ignored,
        [
            (
                "MyApiCloudWatchRole2BEC1A9C".to_owned(),
                "AWS::IAM::Role".to_owned()
            ),
            (
                "MyApiAccount13882D84".to_owned(),
                "AWS::ApiGateway::Account".to_owned()
            ),
            ("CDKMetadata".to_owned(), "AWS::CDK::Metadata".to_owned()),
        ]
    );
    let warnings: Vec<String> = template
        .warnings
        .iter()
        .map(|w| w.pointer.clone())
        .collect();
    assert_eq!(warnings, ["/Parameters/BootstrapVersion", "/Rules"]);
}

#[test]
fn methods_and_authorizers_join_an_openapi_3_body() {
    use crate::auth::{AuthorizerKind, IdentitySource};

    let path = fixture("cfn_rest_openapi3", &[]);
    let text = r#"Resources:
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties:
      Body:
        openapi: 3.0.1
        info: {title: three, version: "1"}
        paths:
          /a:
            get:
              x-amazon-apigateway-integration:
                type: mock
                requestTemplates: {application/json: '{"statusCode": 200}'}
                responses: {default: {statusCode: "200"}}
  Gate:
    Type: AWS::ApiGateway::Authorizer
    Properties:
      RestApiId: !Ref Api
      Name: gate
      Type: REQUEST
      AuthorizerUri: arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:gate/invocations
      IdentitySource: method.request.header.X-Key, method.request.querystring.team
      AuthorizerResultTtlInSeconds: 0
  Post:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Api
      ResourceId: !GetAtt Api.RootResourceId
      HttpMethod: POST
      AuthorizationType: CUSTOM
      AuthorizerId: !Ref Gate
      Integration:
        Type: MOCK
        RequestTemplates:
          application/json: '{"statusCode": 200}'
        IntegrationResponses:
          - StatusCode: 200
  Deployment:
    Type: AWS::ApiGateway::Deployment
    Properties:
      RestApiId: !Ref Api
      StageName: dev
"#;
    let template = load_ok(&path, text);
    let api = &template.apis[0];
    assert_eq!(api.name, "three");
    let auth: Vec<(String, RouteAuth)> = api
        .routes
        .iter()
        .map(|r| (r.key.to_string(), r.auth.clone()))
        .collect();
    assert_eq!(
        auth,
        [
            ("GET /a".to_owned(), RouteAuth::None),
            (
                "POST /".to_owned(),
                RouteAuth::Authorizer {
                    name: "Gate".into(),
                    scopes: vec![]
                }
            ),
        ]
    );
    let gate = &api.authorizers["Gate"];
    assert_eq!(gate.kind, AuthorizerKind::Request);
    assert_eq!(
        gate.identity_sources,
        [
            IdentitySource::Header("X-Key".into()),
            IdentitySource::QueryString("team".into())
        ]
    );
    assert_eq!(gate.result_ttl, std::time::Duration::ZERO);
}

/// Throttling `MethodSettings` of an `AWS::ApiGateway::Stage` hold for a RestApi deployed to that
/// stage only; with a second stage they would have to differ by stage, which API throttles
/// cannot, so they are reported and not applied.
#[test]
fn stage_method_throttling_applies_to_a_single_stage_api() {
    let path = fixture("cfn_rest_stage_throttle", &[]);
    let text = |second_stage: &str| {
        format!(
            r#"Resources:
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties:
      Name: throttled
      Body: {{swagger: "2.0", info: {{title: throttled}}, paths: {{/hi: {{get: {{x-amazon-apigateway-integration: {{type: mock, requestTemplates: {{application/json: '{{"statusCode": 200}}'}}}}}}}}}}}}
  Prod:
    Type: AWS::ApiGateway::Stage
    Properties:
      RestApiId: !Ref Api
      StageName: prod
      MethodSettings:
        - {{ResourcePath: /~1hi, HttpMethod: GET, ThrottlingRateLimit: 5, ThrottlingBurstLimit: 2}}
{second_stage}"#
        )
    };
    let template = load_ok(&path, &text(""));
    assert_eq!(
        template.apis[0].method_throttles,
        [crate::throttle::MethodThrottle {
            resource_path: Some("/hi".into()),
            http_method: Some("GET".into()),
            rate_limit: 5.0,
            burst_limit: 2,
        }]
    );
    assert_eq!(template.warnings, []);

    let second = "  Beta:\n    Type: AWS::ApiGateway::Stage\n    Properties: {RestApiId: !Ref Api, StageName: beta}\n";
    let template = load_ok(&path, &text(second));
    assert_eq!(template.apis[0].method_throttles, []);
    assert_eq!(
        located_all(&path, template.warnings),
        [e(
            13,
            9,
            "/Resources/Prod/Properties/MethodSettings",
            "throttling MethodSettings of an AWS::ApiGateway::Stage are applied only to an API with that one stage and no throttling of its own; these are not applied"
        )]
    );
}
