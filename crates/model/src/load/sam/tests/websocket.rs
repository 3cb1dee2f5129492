//! WebSocket APIs from `AWS::ApiGatewayV2` resources: the bundled chat example, every property
//! Turnpike reads, and one test per class of error with its exact location and message.

use std::collections::BTreeMap;
use std::time::Duration;

use super::*;
use crate::api::{
    ContentHandling, HttpMethod, IntegrationCredentials, IntegrationType, PassthroughBehavior,
    ServiceApi, ServiceTarget,
};
use crate::auth::{
    ApiKeySource, AuthorizerKind, AuthorizerPayloadVersion, IdentitySource, RouteAuth,
};
use crate::id::api_id_from_title;
use crate::load::sam::load_template_file;
use crate::load::sam::websocket::route_selection;
use crate::stage::Stage;
use crate::websocket::{RouteSelection, RouteThrottle, StageThrottle, WebSocketApi};

fn lambda_uri(function: &str) -> String {
    format!("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:{function}/invocations")
}

fn arn(function: &str) -> String {
    format!("arn:aws:lambda:us-east-1:123456789012:function:{function}")
}

/// (key, integration type, function ARN, auth, two-way) of each route, in order.
type RouteRow = (String, IntegrationType, Option<String>, RouteAuth, bool);

fn rows(api: &WebSocketApi) -> Vec<RouteRow> {
    api.routes
        .iter()
        .map(|r| {
            (
                r.key.clone(),
                r.integration.kind,
                r.integration.lambda_function_arn().map(str::to_owned),
                r.auth.clone(),
                r.two_way,
            )
        })
        .collect()
}

fn row(key: &str, function: &str, two_way: bool) -> RouteRow {
    (
        key.to_owned(),
        IntegrationType::AwsProxy,
        Some(arn(function)),
        RouteAuth::None,
        two_way,
    )
}

#[test]
fn the_websocket_chat_example_loads() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/websocket-chat/template.yaml");
    let template = load_template_file(&path, &TemplateOptions::default()).unwrap();
    // The stack is named after the template's directory.
    let id = api_id_from_title("websocket-chat/ChatApi");
    assert!(template.apis.is_empty());
    assert_eq!(template.websocket_apis.len(), 1);
    let api = &template.websocket_apis[0];
    assert_eq!(api.id, id);
    assert_eq!(api.name, "ChatApi");
    assert_eq!(api.source, path);
    assert_eq!(api.route_selection, RouteSelection::action());
    assert_eq!(api.api_key_source, ApiKeySource::Header);
    assert!(api.authorizers.is_empty());
    assert_eq!(
        rows(api),
        [
            row("$connect", "OnConnectFunction", false),
            row("$disconnect", "OnDisconnectFunction", false),
            row("sendmessage", "SendMessageFunction", false),
            row("$default", "DefaultFunction", true),
        ]
    );
    let pointers: Vec<&str> = api.routes.iter().map(|r| r.pointer.as_str()).collect();
    assert_eq!(
        pointers,
        [
            "/Resources/ConnectRoute",
            "/Resources/DisconnectRoute",
            "/Resources/SendRoute",
            "/Resources/DefaultRoute"
        ]
    );
    for route in &api.routes {
        let integration = &route.integration;
        assert_eq!(integration.http_method, Some(HttpMethod::Post));
        assert_eq!(integration.timeout, Duration::from_secs(29));
        assert!(integration.responses.is_empty());
        assert!(!route.api_key_required);
        assert_eq!(route.template_selection, None);
        // Each route's function is one the template declares, found as REST routes' are.
        let function = integration
            .lambda_function_arn()
            .and_then(|arn| template.function_for_arn(arn))
            .unwrap();
        assert_eq!(function.runtime, "python3.12");
        assert!(function.code_dir.join("app.py").is_file());
    }
    let handlers: Vec<(&str, Option<&str>)> = template
        .functions
        .iter()
        .map(|f| (f.logical_id.as_str(), f.handler.as_deref()))
        .collect();
    assert_eq!(
        handlers,
        [
            ("OnConnectFunction", Some("app.on_connect")),
            ("OnDisconnectFunction", Some("app.on_disconnect")),
            ("SendMessageFunction", Some("app.send_message")),
            ("DefaultFunction", Some("app.default")),
        ]
    );
    assert_eq!(template.stages, [(id, Stage::new("Prod"))]);
    let permission = |name: &str| (name.to_owned(), "AWS::Lambda::Permission".to_owned());
    assert_eq!(
        template.ignored,
        [
            permission("OnConnectPermission"),
            permission("OnDisconnectPermission"),
            permission("SendMessagePermission"),
            permission("DefaultPermission"),
        ]
    );
    assert!(template.warnings.is_empty());
}

#[test]
fn route_selection_expressions() {
    let body = |members: &[&str]| {
        Some(RouteSelection::Body(
            members.iter().map(|m| (*m).to_owned()).collect(),
        ))
    };
    assert_eq!(route_selection("$request.body.action"), body(&["action"]));
    assert_eq!(route_selection("${request.body.action}"), body(&["action"]));
    assert_eq!(
        route_selection("$request.body.message.type"),
        body(&["message", "type"])
    );
    for unsupported in [
        "",
        "action",
        "$request.body",
        "$request.body.",
        "$request.body.a..b",
        "${request.body.action",
        "$request.body.action}",
        "${request.body.version}-beta",
        "$request.header.x",
        "$context.routeKey",
        "\\$default",
        "request.body.action",
    ] {
        assert_eq!(route_selection(unsupported), None, "{unsupported}");
    }
}

const FN: &str = "  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: hello\n      Handler: app.handler\n      Runtime: python3.12\n";

/// `FN`, a WebSocket API `Ws` with `api` properties (6 spaces of indent), then `rest`.
fn template(api: &str, rest: &str) -> String {
    format!("Transform: AWS::Serverless-2016-10-31\nResources:\n{FN}  Ws:\n    Type: AWS::ApiGatewayV2::Api\n    Properties:\n      Name: Ws\n      ProtocolType: WEBSOCKET\n{api}{rest}")
}

const LAMBDA_INTEGRATION: &str = "IntegrationUri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations";

/// (key, compiled pattern, templates, content handling) of an integration response.
type ResponseRow<'a> = (
    &'a str,
    Option<&'a str>,
    &'a BTreeMap<String, String>,
    Option<ContentHandling>,
);

#[test]
fn every_property_turnpike_reads() {
    let path = fixture("websocket_full", &["hello"]);
    let text = template(
        "      RouteSelectionExpression: ${request.body.message.type}\n      ApiKeySelectionExpression: $context.authorizer.usageIdentifierKey\n      Description: all of it\n",
        &format!(
            r#"  Auth:
    Type: AWS::ApiGatewayV2::Authorizer
    Properties:
      ApiId: !Ref Ws
      Name: auth
      AuthorizerType: REQUEST
      AuthorizerUri: !Sub arn:aws:apigateway:${{AWS::Region}}:lambda:path/2015-03-31/functions/${{Fn.Arn}}/invocations
      IdentitySource: [route.request.header.Auth, route.request.querystring.token, stageVariables.key, context.routeKey]
  Connect:
    Type: AWS::ApiGatewayV2::Route
    Properties:
      ApiId: !GetAtt Ws.ApiId
      RouteKey: $connect
      AuthorizationType: CUSTOM
      AuthorizerId: !Ref Auth
      ApiKeyRequired: true
      Target: !Join ['', [integrations/, !Ref LambdaInteg]]
  LambdaInteg:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      ApiId: !Ref Ws
      IntegrationType: AWS_PROXY
      IntegrationMethod: POST
      TimeoutInMillis: 50
      {LAMBDA_INTEGRATION}
  Echo:
    Type: AWS::ApiGatewayV2::Route
    Properties:
      ApiId: !Ref Ws
      RouteKey: echo
      RouteResponseSelectionExpression: $default
      Target: !Sub integrations/${{MockInteg}}
  EchoResponse:
    Type: AWS::ApiGatewayV2::RouteResponse
    Properties:
      ApiId: !Ref Ws
      RouteId: !Ref Echo
      RouteResponseKey: $default
  MockInteg:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      ApiId: !Ref Ws
      IntegrationType: MOCK
      TemplateSelectionExpression: \$default
      RequestTemplates:
        $default: '{{"statusCode": 200}}'
      PassthroughBehavior: NEVER
  MockOk:
    Type: AWS::ApiGatewayV2::IntegrationResponse
    Properties:
      ApiId: !Ref Ws
      IntegrationId: !Ref MockInteg
      IntegrationResponseKey: $default
      ResponseTemplates:
        $default: '{{"echo": $input.body}}'
  MockErrors:
    Type: AWS::ApiGatewayV2::IntegrationResponse
    Properties:
      ApiId: !Ref Ws
      IntegrationId: !Ref MockInteg
      IntegrationResponseKey: /4\d\d/
      ContentHandlingStrategy: CONVERT_TO_TEXT
  Forward:
    Type: AWS::ApiGatewayV2::Route
    Properties:
      ApiId: !Ref Ws
      RouteKey: $default
      OperationName: forward
      Target: integrations/HttpInteg
  HttpInteg:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      ApiId: !Ref Ws
      IntegrationType: HTTP_PROXY
      IntegrationMethod: PUT
      IntegrationUri: http://${{stageVariables.host}}/messages
      RequestParameters:
        integration.request.header.connectionId: context.connectionId
      ContentHandlingStrategy: CONVERT_TO_BINARY
      PayloadFormatVersion: '1.0'
  Enqueue:
    Type: AWS::ApiGatewayV2::Route
    Properties: {{ApiId: !Ref Ws, RouteKey: enqueue, Target: integrations/SqsInteg}}
  SqsInteg:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      ApiId: !Ref Ws
      IntegrationType: AWS
      IntegrationMethod: POST
      IntegrationUri: !Sub arn:aws:apigateway:${{AWS::Region}}:sqs:path/${{AWS::AccountId}}/chat
      CredentialsArn: arn:aws:iam::123456789012:role/gateway
      RequestTemplates:
        $default: Action=SendMessage&MessageBody=$input.body
  Live:
    Type: AWS::ApiGatewayV2::Stage
    Properties:
      ApiId: !Ref Ws
      StageName: live
      StageVariables: {{host: example.com}}
      DefaultRouteSettings: {{LoggingLevel: INFO, DataTraceEnabled: true}}
  Beta:
    Type: AWS::ApiGatewayV2::Stage
    Properties: {{ApiId: !Ref Ws, StageName: beta}}
  Deploy:
    Type: AWS::ApiGatewayV2::Deployment
    Properties: {{ApiId: !Ref Ws, StageName: live}}
  Model:
    Type: AWS::ApiGatewayV2::Model
    Properties: {{ApiId: !Ref Ws, Name: M, Schema: {{}}}}
Outputs:
  Url:
    Value: !GetAtt Ws.ApiEndpoint
"#
        ),
    );
    let template = load_ok(&path, &text);
    let id = api_id_from_title("sam-app/Ws");
    let api = &template.websocket_apis[0];
    assert_eq!(api.id, id);
    assert_eq!(
        api.route_selection,
        RouteSelection::Body(vec!["message".into(), "type".into()])
    );
    assert_eq!(api.api_key_source, ApiKeySource::Authorizer);

    let authorizer = &api.authorizers["Auth"];
    assert_eq!(authorizer.name, "Auth");
    assert_eq!(authorizer.kind, AuthorizerKind::Request);
    assert_eq!(authorizer.function_arn, Some(arn("Fn")));
    assert_eq!(
        authorizer.identity_sources,
        [
            IdentitySource::Header("Auth".into()),
            IdentitySource::QueryString("token".into()),
            IdentitySource::StageVariable("key".into()),
            IdentitySource::Context("routeKey".into()),
        ]
    );
    assert_eq!(authorizer.result_ttl, Duration::ZERO);
    assert_eq!(
        authorizer.payload_format_version,
        AuthorizerPayloadVersion::V1
    );
    assert_eq!(api.authorizers.len(), 1);

    let keys: Vec<(&str, &RouteAuth, bool, bool)> = api
        .routes
        .iter()
        .map(|r| (r.key.as_str(), &r.auth, r.api_key_required, r.two_way))
        .collect();
    let custom = RouteAuth::Authorizer {
        name: "Auth".into(),
        scopes: Vec::new(),
    };
    assert_eq!(
        keys,
        [
            ("$connect", &custom, true, false),
            ("echo", &RouteAuth::None, false, true),
            ("$default", &RouteAuth::None, false, false),
            ("enqueue", &RouteAuth::None, false, false),
        ]
    );

    let lambda = &api.routes[0].integration;
    assert_eq!(lambda.kind, IntegrationType::AwsProxy);
    assert_eq!(lambda.uri, Some(lambda_uri("Fn")));
    assert_eq!(lambda.http_method, Some(HttpMethod::Post));
    assert_eq!(lambda.timeout, Duration::from_millis(50));

    let mock = &api.routes[1];
    assert_eq!(mock.template_selection.as_deref(), Some("\\$default"));
    assert_eq!(mock.integration.kind, IntegrationType::Mock);
    assert_eq!(mock.integration.uri, None);
    assert_eq!(
        mock.integration.passthrough_behavior,
        PassthroughBehavior::Never
    );
    assert_eq!(
        mock.integration.request_templates,
        BTreeMap::from([("$default".to_owned(), "{\"statusCode\": 200}".to_owned())])
    );
    let responses: Vec<ResponseRow<'_>> = mock
        .integration
        .responses
        .iter()
        .map(|r| {
            (
                r.selection_pattern.as_str(),
                r.selection_regex.as_ref().map(|r| r.as_str()),
                &r.response_templates,
                r.content_handling,
            )
        })
        .collect();
    let echo = BTreeMap::from([("$default".to_owned(), "{\"echo\": $input.body}".to_owned())]);
    assert_eq!(
        responses,
        [
            ("$default", None, &echo, None),
            (
                "/4\\d\\d/",
                Some("^(?:4\\d\\d)$"),
                &BTreeMap::new(),
                Some(ContentHandling::ConvertToText)
            ),
        ]
    );

    let http = &api.routes[2].integration;
    assert_eq!(http.kind, IntegrationType::HttpProxy);
    assert_eq!(
        http.uri.as_deref(),
        Some("http://${stageVariables.host}/messages")
    );
    assert_eq!(http.http_method, Some(HttpMethod::Put));
    assert_eq!(http.timeout, Duration::from_secs(29));
    assert_eq!(
        http.content_handling,
        Some(ContentHandling::ConvertToBinary)
    );
    assert_eq!(
        http.request_parameters,
        BTreeMap::from([(
            "integration.request.header.connectionId".to_owned(),
            "context.connectionId".to_owned()
        )])
    );

    let sqs = &api.routes[3].integration;
    assert_eq!(sqs.kind, IntegrationType::Aws);
    assert_eq!(sqs.lambda_function_arn(), None);
    assert_eq!(
        sqs.service_target,
        Some(ServiceTarget {
            region: "us-east-1".into(),
            service: "sqs".into(),
            subdomain: None,
            api: ServiceApi::Path("123456789012/chat".into()),
        })
    );
    assert_eq!(
        sqs.credentials,
        Some(IntegrationCredentials::Role(
            "arn:aws:iam::123456789012:role/gateway".into()
        ))
    );

    let live = Stage {
        name: "live".into(),
        variables: BTreeMap::from([("host".to_owned(), "example.com".to_owned())]),
    };
    assert_eq!(
        template.stages,
        [(id.clone(), live), (id.clone(), Stage::new("beta"))]
    );
    assert_eq!(
        template.ignored,
        [("Model".to_owned(), "AWS::ApiGatewayV2::Model".to_owned())]
    );
    assert!(template.warnings.is_empty(), "{:?}", template.warnings);
}

#[test]
fn refs_and_attributes_of_a_websocket_api() {
    let path = fixture("websocket_refs", &["hello"]);
    let text = "Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: hello\n      Handler: app.handler\n      Runtime: python3.12\n      Environment:\n        Variables:\n          API: !Ref Ws\n          ID: !GetAtt Ws.ApiId\n          URL: !GetAtt Ws.ApiEndpoint\n  Ws:\n    Type: AWS::ApiGatewayV2::Api\n    Properties: {Name: Ws, ProtocolType: WEBSOCKET, RouteSelectionExpression: $request.body.action}\n";
    let template = load_ok(&path, text);
    let id = api_id_from_title("sam-app/Ws");
    let url = format!("wss://{id}.execute-api.us-east-1.amazonaws.com");
    assert_eq!(
        template.functions[0].environment,
        BTreeMap::from([
            ("API".to_owned(), id.clone()),
            ("ID".to_owned(), id.clone()),
            ("URL".to_owned(), url),
        ])
    );
    // An API without routes or stages loads; it answers nothing.
    assert!(template.websocket_apis[0].routes.is_empty());
    assert!(template.stages.is_empty());
}

#[test]
fn errors_in_the_api() {
    let path = fixture("websocket_api_errors", &["hello"]);
    let text = "Resources:\n  A:\n    Type: AWS::ApiGatewayV2::Api\n    Properties:\n      ProtocolType: WEBSOCKET\n      RouteSelectionExpression: $request.header.x\n      ApiKeySelectionExpression: $request.querystring.key\n      Body: {}\n      Colour: blue\n  B:\n    Type: AWS::ApiGatewayV2::Api\n    Properties: {Name: B, ProtocolType: HTTP, Body: {openapi: 3.0.1}}\n  C:\n    Type: AWS::ApiGatewayV2::Api\n    Properties: {Name: C, ProtocolType: websocket}\n  D:\n    Type: AWS::ApiGatewayV2::Api\n    Properties: {Name: D, ProtocolType: WEBSOCKET}\n  E:\n    Type: AWS::ApiGatewayV2::Api\n    Properties: {Name: E}\n  BRoute:\n    Type: AWS::ApiGatewayV2::Route\n    Properties: {ApiId: !Ref B, RouteKey: GET /x}\n";
    assert_eq!(
        load_errors(&path, text),
        [
            e(4, 5, "/Resources/A/Properties", "AWS::ApiGatewayV2::Api A needs a Name"),
            e(6, 33, "/Resources/A/Properties/RouteSelectionExpression", "RouteSelectionExpression \"$request.header.x\" is not one Turnpike can evaluate; it supports $request.body.PATH or ${request.body.PATH} (such as $request.body.action: the member of a JSON message whose value is the route key)"),
            e(7, 34, "/Resources/A/Properties/ApiKeySelectionExpression", "ApiKeySelectionExpression must be $request.header.x-api-key or $context.authorizer.usageIdentifierKey, the two API Gateway supports; found $request.querystring.key"),
            e(8, 7, "/Resources/A/Properties/Body", "Body is supported only for HTTP APIs; AWS::ApiGatewayV2::Api A belongs to a WebSocket API"),
            e(9, 7, "/Resources/A/Properties/Colour", "unknown property \"Colour\" in AWS::ApiGatewayV2::Api A; expected one of ApiKeySelectionExpression, BasePath, Body, BodyS3Location, CorsConfiguration, CredentialsArn, Description, DisableExecuteApiEndpoint, DisableSchemaValidation, FailOnWarnings, IpAddressType, Name, ProtocolType, RouteKey, RouteSelectionExpression, Tags, Target, Version"),
            e(15, 41, "/Resources/C/Properties/ProtocolType", "ProtocolType must be WEBSOCKET or HTTP; found websocket"),
            e(18, 5, "/Resources/D/Properties", "AWS::ApiGatewayV2::Api D needs a RouteSelectionExpression, which WebSocket APIs require; Turnpike supports $request.body.PATH or ${request.body.PATH} (such as $request.body.action: the member of a JSON message whose value is the route key)"),
            e(21, 5, "/Resources/E/Properties", "AWS::ApiGatewayV2::Api E needs ProtocolType: WEBSOCKET"),
            // B is an HTTP API (see cloudformation_http.rs), built from its Body alone.
            e(24, 5, "/Resources/BRoute/Properties", "AWS::ApiGatewayV2::Route BRoute adds to an API imported from Body, which Turnpike builds from Body alone; declare it in Body instead"),
        ]
    );
}

/// Lines 1 to 8 of the error templates below: the function `Fn` and the WebSocket API `Ws`.
macro_rules! fn_and_ws {
    () => {
        r#"Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: hello, Handler: app.handler, Runtime: python3.12}
  Ws:
    Type: AWS::ApiGatewayV2::Api
    Properties: {Name: Ws, ProtocolType: WEBSOCKET, RouteSelectionExpression: $request.body.action}
"#
    };
}

/// Lines 1 to 11 of the error templates below: `fn_and_ws!` and a second WebSocket API `Other`.
macro_rules! fn_ws_and_other {
    () => {
        concat!(
            fn_and_ws!(),
            r#"  Other:
    Type: AWS::ApiGatewayV2::Api
    Properties: {Name: Other, ProtocolType: WEBSOCKET, RouteSelectionExpression: $request.body.action}
"#
        )
    };
}

const ROUTE_ERRORS: &str = concat!(
    fn_ws_and_other!(),
    r#"  Send:
    Type: AWS::ApiGatewayV2::Route
    Properties: {ApiId: !Ref Ws, RouteKey: sendmessage, Target: !Sub "integrations/${Lambda}"}
  SendAgain:
    Type: AWS::ApiGatewayV2::Route
    Properties: {ApiId: !Ref Ws, RouteKey: sendmessage, Target: !Sub "integrations/${Lambda}"}
  Chat:
    Type: AWS::ApiGatewayV2::Route
    Properties: {ApiId: !Ref Ws, RouteKey: chat, AuthorizationType: AWS_IAM, Target: integrations/Lambda}
  NoTarget:
    Type: AWS::ApiGatewayV2::Route
    Properties: {ApiId: !Ref Ws, RouteKey: $default}
  BareTarget:
    Type: AWS::ApiGatewayV2::Route
    Properties: {ApiId: !Ref Ws, RouteKey: bare, Target: !Ref Lambda}
  Unknown:
    Type: AWS::ApiGatewayV2::Route
    Properties: {ApiId: !Ref Ws, RouteKey: unknown, Target: integrations/Nope}
  Foreign:
    Type: AWS::ApiGatewayV2::Route
    Properties: {ApiId: !Ref Ws, RouteKey: foreign, Target: integrations/OtherMock}
  NotAnApi:
    Type: AWS::ApiGatewayV2::Route
    Properties: {ApiId: !Ref Fn, RouteKey: x, Target: integrations/Lambda}
  Connect:
    Type: AWS::ApiGatewayV2::Route
    Properties: {ApiId: !Ref Ws, RouteKey: $connect, AuthorizationType: CUSTOM, Target: integrations/Lambda}
  Jwt:
    Type: AWS::ApiGatewayV2::Route
    Properties: {ApiId: !Ref Other, RouteKey: $connect, AuthorizationType: JWT, AuthorizationScopes: [a], Target: integrations/OtherMock}
  Lambda:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      ApiId: !Ref Ws
      IntegrationType: AWS_PROXY
      IntegrationUri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations
  OtherMock:
    Type: AWS::ApiGatewayV2::Integration
    Properties: {ApiId: !Ref Other, IntegrationType: MOCK}
  Response:
    Type: AWS::ApiGatewayV2::RouteResponse
    Properties: {ApiId: !Ref Ws, RouteId: !Ref Lambda, RouteResponseKey: $default}
  ResponseKey:
    Type: AWS::ApiGatewayV2::RouteResponse
    Properties: {ApiId: !Ref Ws, RouteId: !Ref Send, RouteResponseKey: ok}
  Stage:
    Type: AWS::ApiGatewayV2::Stage
    Properties: {ApiId: !Ref Ws, StageName: $default}
  Deploy:
    Type: AWS::ApiGatewayV2::Deployment
    Properties: {ApiId: Ws}
"#
);

#[test]
fn errors_in_routes() {
    let path = fixture("websocket_route_errors", &["hello"]);
    assert_eq!(
        load_errors(&path, ROUTE_ERRORS),
        [
            e(17, 44, "/Resources/SendAgain/Properties/RouteKey", "the API Ws already has a route with RouteKey sendmessage (Send); route keys are unique within an API"),
            e(20, 69, "/Resources/Chat/Properties/AuthorizationType", "AuthorizationType AWS_IAM on the route chat: a WebSocket API authorizes a connection once, on its $connect route, and takes NONE on every other route"),
            e(23, 5, "/Resources/NoTarget/Properties", "AWS::ApiGatewayV2::Route NoTarget has no Target; a WebSocket route calls the integration named by Target: integrations/ID, with ID the !Ref of an AWS::ApiGatewayV2::Integration (built with Fn::Join or Fn::Sub)"),
            e(26, 63, "/Resources/BareTarget/Properties/Target", "Target must be integrations/ID, with ID the !Ref of an AWS::ApiGatewayV2::Integration; found Lambda"),
            e(29, 61, "/Resources/Unknown/Properties/Target", "Target names \"Nope\", which is no AWS::ApiGatewayV2::Integration of this template; use !Ref of one"),
            e(32, 61, "/Resources/Foreign/Properties/Target", "Target names the integration OtherMock, which belongs to another API; a route calls integrations of its own API"),
            e(35, 30, "/Resources/NotAnApi/Properties/ApiId", "ApiId \"Fn\" is no WebSocket API of this template; use !Ref of an AWS::ApiGatewayV2::Api with ProtocolType: WEBSOCKET"),
            e(38, 73, "/Resources/Connect/Properties/AuthorizationType", "AuthorizationType CUSTOM needs AuthorizerId, the !Ref of an AWS::ApiGatewayV2::Authorizer of this API"),
            e(41, 76, "/Resources/Jwt/Properties/AuthorizationType", "AuthorizationType JWT is for HTTP APIs; WebSocket routes take NONE, AWS_IAM or CUSTOM (a Lambda REQUEST authorizer)"),
            e(41, 81, "/Resources/Jwt/Properties/AuthorizationScopes", "AuthorizationScopes apply to JWT authorizers, which only HTTP APIs have"),
            e(53, 48, "/Resources/Response/Properties/RouteId", "RouteId names \"Lambda\", which is no AWS::ApiGatewayV2::Route of this template; use !Ref of one"),
            e(56, 72, "/Resources/ResponseKey/Properties/RouteResponseKey", "RouteResponseKey must be $default, the only route response key API Gateway supports; found ok"),
            e(59, 45, "/Resources/Stage/Properties/StageName", "StageName \"$default\" is not a valid stage name; use up to 128 letters, digits, hyphens and underscores"),
            e(62, 25, "/Resources/Deploy/Properties/ApiId", "ApiId \"Ws\" is no WebSocket API of this template; use !Ref of an AWS::ApiGatewayV2::Api with ProtocolType: WEBSOCKET"),
        ]
    );
}

const INTEGRATION_ERRORS: &str = concat!(
    fn_and_ws!(),
    r#"  BareArn:
    Type: AWS::ApiGatewayV2::Integration
    Properties: {ApiId: !Ref Ws, IntegrationType: AWS_PROXY, IntegrationUri: !GetAtt Fn.Arn, TimeoutInMillis: 30000}
  BadType:
    Type: AWS::ApiGatewayV2::Integration
    Properties: {ApiId: !Ref Ws, IntegrationType: LAMBDA}
  Http:
    Type: AWS::ApiGatewayV2::Integration
    Properties: {ApiId: !Ref Ws, IntegrationType: HTTP, IntegrationUri: example.com/x}
  LambdaGet:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      ApiId: !Ref Ws
      IntegrationType: AWS
      IntegrationMethod: GET
      IntegrationUri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations
      PayloadFormatVersion: '2.0'
      ConnectionType: VPC_LINK
      IntegrationSubtype: SQS-SendMessage
  NoUri:
    Type: AWS::ApiGatewayV2::Integration
    Properties: {ApiId: !Ref Ws, IntegrationType: HTTP_PROXY, IntegrationMethod: POST, PassthroughBehavior: ALWAYS}
  Mock:
    Type: AWS::ApiGatewayV2::Integration
    Properties: {ApiId: !Ref Ws, IntegrationType: MOCK}
  KeyForm:
    Type: AWS::ApiGatewayV2::IntegrationResponse
    Properties: {ApiId: !Ref Ws, IntegrationId: !Ref Mock, IntegrationResponseKey: default}
  BadRegex:
    Type: AWS::ApiGatewayV2::IntegrationResponse
    Properties: {ApiId: !Ref Ws, IntegrationId: !Ref Mock, IntegrationResponseKey: /4(\d/}
  Twice:
    Type: AWS::ApiGatewayV2::IntegrationResponse
    Properties: {ApiId: !Ref Ws, IntegrationId: !Ref Mock, IntegrationResponseKey: $default}
  Again:
    Type: AWS::ApiGatewayV2::IntegrationResponse
    Properties: {ApiId: !Ref Ws, IntegrationId: !Ref Mock, IntegrationResponseKey: $default, ContentHandlingStrategy: BASE64}
  Jwt:
    Type: AWS::ApiGatewayV2::Authorizer
    Properties:
      ApiId: !Ref Ws
      Name: jwt
      AuthorizerType: JWT
      JwtConfiguration: {Issuer: https://issuer}
      IdentitySource: [$request.header.Authorization]
  NoUriAuth:
    Type: AWS::ApiGatewayV2::Authorizer
    Properties: {ApiId: !Ref Ws, AuthorizerType: REQUEST, IdentitySource: [$request.header.Authorization]}
"#
);

#[test]
fn errors_in_integrations_and_authorizers() {
    let path = fixture("websocket_integration_errors", &["hello"]);
    assert_eq!(
        load_errors(&path, INTEGRATION_ERRORS),
        [
            e(11, 86, "/Resources/BareArn/Properties/IntegrationUri", "IntegrationUri \"arn:aws:lambda:us-east-1:123456789012:function:Fn\" is not a Lambda invocation ARN; AWS_PROXY integrations of WebSocket APIs expect arn:aws:apigateway:REGION:lambda:path/2015-03-31/functions/FUNCTION_ARN/invocations"),
            e(11, 111, "/Resources/BareArn/Properties/TimeoutInMillis", "TimeoutInMillis must be a whole number from 50 to 29000; found 30000"),
            e(14, 51, "/Resources/BadType/Properties/IntegrationType", "IntegrationType must be one of AWS_PROXY, AWS, HTTP_PROXY, HTTP, MOCK; found LAMBDA"),
            e(17, 5, "/Resources/Http/Properties", "AWS::ApiGatewayV2::Integration Http needs an IntegrationMethod (such as POST) for its HTTP integration: a WebSocket message has no method of its own to pass on"),
            e(17, 73, "/Resources/Http/Properties/IntegrationUri", "uri \"example.com/x\" must be an absolute http:// or https:// URL (it may contain {param} and ${stageVariables.name})"),
            e(23, 26, "/Resources/LambdaGet/Properties/IntegrationMethod", "IntegrationMethod of a Lambda integration must be POST (API Gateway calls the Lambda Invoke API with POST); found GET"),
            e(25, 29, "/Resources/LambdaGet/Properties/PayloadFormatVersion", "PayloadFormatVersion of a WebSocket API's integration must be 1.0, the only format WebSocket APIs send; found 2.0"),
            e(26, 23, "/Resources/LambdaGet/Properties/ConnectionType", "ConnectionType VPC_LINK is not supported by Turnpike, which has no VPC links; use INTERNET (the default)"),
            e(27, 7, "/Resources/LambdaGet/Properties/IntegrationSubtype", "IntegrationSubtype is supported only for HTTP APIs; AWS::ApiGatewayV2::Integration LambdaGet belongs to a WebSocket API"),
            e(30, 5, "/Resources/NoUri/Properties", "AWS::ApiGatewayV2::Integration NoUri needs an IntegrationUri for its HTTP_PROXY integration: an absolute http:// or https:// URL"),
            e(30, 109, "/Resources/NoUri/Properties/PassthroughBehavior", "PassthroughBehavior must be one of WHEN_NO_MATCH, WHEN_NO_TEMPLATES, NEVER; found ALWAYS"),
            e(36, 84, "/Resources/KeyForm/Properties/IntegrationResponseKey", "IntegrationResponseKey must be $default or a regular expression between slashes, such as /4\\d\\d/; found default"),
            e(39, 84, "/Resources/BadRegex/Properties/IntegrationResponseKey", "IntegrationResponseKey /4(\\d/ is not a valid regular expression (unclosed group); expected $default or /REGEX/"),
            e(45, 84, "/Resources/Again/Properties/IntegrationResponseKey", "the integration Mock already has an integration response with IntegrationResponseKey $default"),
            e(45, 119, "/Resources/Again/Properties/ContentHandlingStrategy", "ContentHandlingStrategy must be CONVERT_TO_TEXT or CONVERT_TO_BINARY; found BASE64"),
            e(51, 23, "/Resources/Jwt/Properties/AuthorizerType", "AuthorizerType must be REQUEST, a Lambda authorizer, the only kind WebSocket APIs have; found JWT"),
            e(52, 7, "/Resources/Jwt/Properties/JwtConfiguration", "JwtConfiguration is supported only for HTTP APIs; AWS::ApiGatewayV2::Authorizer Jwt belongs to a WebSocket API"),
            e(56, 5, "/Resources/NoUriAuth/Properties", "AWS::ApiGatewayV2::Authorizer NoUriAuth needs a Name"),
            e(56, 5, "/Resources/NoUriAuth/Properties", "AWS::ApiGatewayV2::Authorizer NoUriAuth needs an AuthorizerUri, the Lambda invocation ARN arn:aws:apigateway:REGION:lambda:path/2015-03-31/functions/FUNCTION_ARN/invocations"),
            e(56, 76, "/Resources/NoUriAuth/Properties/IdentitySource/0", "IdentitySource \"$request.header.Authorization\" is not one a WebSocket authorizer takes; expected route.request.header.NAME, route.request.querystring.NAME, stageVariables.NAME or context.NAME"),
        ]
    );
}

const CROSS_API: &str = concat!(
    fn_ws_and_other!(),
    r#"  OtherAuth:
    Type: AWS::ApiGatewayV2::Authorizer
    Properties:
      ApiId: !Ref Other
      Name: auth
      AuthorizerType: REQUEST
      AuthorizerUri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations
  OtherMock:
    Type: AWS::ApiGatewayV2::Integration
    Properties: {ApiId: !Ref Other, IntegrationType: MOCK}
  OtherRoute:
    Type: AWS::ApiGatewayV2::Route
    Properties: {ApiId: !Ref Other, RouteKey: $default, Target: integrations/OtherMock}
  Mock:
    Type: AWS::ApiGatewayV2::Integration
    Properties: {ApiId: !Ref Ws, IntegrationType: MOCK}
  Connect:
    Type: AWS::ApiGatewayV2::Route
    Properties:
      ApiId: !Ref Ws
      RouteKey: $connect
      AuthorizationType: CUSTOM
      AuthorizerId: !Ref OtherAuth
      Target: integrations/Mock
  Plain:
    Type: AWS::ApiGatewayV2::Route
    Properties: {ApiId: !Ref Ws, RouteKey: plain, AuthorizationType: NONE, AuthorizerId: !Ref OtherAuth, Target: integrations/Mock}
  Answer:
    Type: AWS::ApiGatewayV2::RouteResponse
    Properties: {ApiId: !Ref Ws, RouteId: !Ref OtherRoute, RouteResponseKey: $default}
  AnswerTwice:
    Type: AWS::ApiGatewayV2::RouteResponse
    Properties: {ApiId: !Ref Other, RouteId: !Ref OtherRoute, RouteResponseKey: $default}
  AnswerThrice:
    Type: AWS::ApiGatewayV2::RouteResponse
    Properties: {ApiId: !Ref Other, RouteId: !Ref OtherRoute, RouteResponseKey: $default}
  Mapped:
    Type: AWS::ApiGatewayV2::IntegrationResponse
    Properties: {ApiId: !Ref Ws, IntegrationId: !Ref OtherMock, IntegrationResponseKey: $default}
  Prod:
    Type: AWS::ApiGatewayV2::Stage
    Properties: {ApiId: !Ref Ws, StageName: Prod}
  ProdAgain:
    Type: AWS::ApiGatewayV2::Stage
    Properties: {ApiId: !Ref Ws, StageName: Prod}
  OtherProd:
    Type: AWS::ApiGatewayV2::Stage
    Properties: {ApiId: !Ref Other, StageName: Prod}
"#
);

#[test]
fn resources_of_one_api_do_not_mix_with_another() {
    let path = fixture("websocket_cross_api", &["hello"]);
    assert_eq!(
        load_errors(&path, CROSS_API),
        [
            e(34, 26, "/Resources/Connect/Properties/AuthorizerId", "AuthorizerId names the authorizer OtherAuth, which belongs to another API; a route uses authorizers of its own API"),
            e(38, 76, "/Resources/Plain/Properties/AuthorizerId", "AuthorizerId is used only with AuthorizationType: CUSTOM; this route has AuthorizationType NONE"),
            e(41, 48, "/Resources/Answer/Properties/RouteId", "RouteId names the route OtherRoute, which belongs to another API; a route response belongs to the API of its route"),
            e(47, 51, "/Resources/AnswerThrice/Properties/RouteId", "the route OtherRoute already has a route response; a route has at most one ($default)"),
            e(50, 54, "/Resources/Mapped/Properties/IntegrationId", "IntegrationId \"OtherMock\" is an integration of another API; an integration response must belong to the API of its integration"),
            e(56, 45, "/Resources/ProdAgain/Properties/StageName", "the API already has a stage named Prod; stage names are unique within an API"),
        ]
    );
}

#[test]
fn what_turnpike_does_not_apply_yet_is_a_warning() {
    let path = fixture("websocket_warnings", &["hello"]);
    let text = r#"Transform: AWS::Serverless-2016-10-31
Resources:
  Ws:
    Type: AWS::ApiGatewayV2::Api
    Properties: {Name: Ws, ProtocolType: WEBSOCKET, RouteSelectionExpression: $request.body.action}
  Connect:
    Type: AWS::ApiGatewayV2::Route
    Properties:
      ApiId: !Ref Ws
      RouteKey: $connect
      RequestParameters: {route.request.querystring.name: {Required: true}}
      Target: integrations/Mock
  Mock:
    Type: AWS::ApiGatewayV2::Integration
    Properties: {ApiId: !Ref Ws, IntegrationType: MOCK}
  Mapped:
    Type: AWS::ApiGatewayV2::IntegrationResponse
    Properties: {ApiId: !Ref Ws, IntegrationId: !Ref Mock, IntegrationResponseKey: $default, TemplateSelectionExpression: \$default}
  Answer:
    Type: AWS::ApiGatewayV2::RouteResponse
    Properties: {ApiId: !Ref Ws, RouteId: !Ref Connect, RouteResponseKey: $default, ResponseModels: {$default: M}}
  Prod:
    Type: AWS::ApiGatewayV2::Stage
    Properties:
      ApiId: !Ref Ws
      StageName: Prod
"#;
    let template = load_ok(&path, text);
    let warnings = located_all(&path, template.warnings);
    assert_eq!(
        warnings,
        [
            e(11, 26, "/Resources/Connect/Properties/RequestParameters", "RequestParameters of a WebSocket route is not checked by Turnpike yet; messages and connections are not validated against it"),
            e(18, 123, "/Resources/Mapped/Properties/TemplateSelectionExpression", "TemplateSelectionExpression of an AWS::ApiGatewayV2::IntegrationResponse is not applied by Turnpike yet"),
            e(21, 101, "/Resources/Answer/Properties/ResponseModels", "ResponseModels of a WebSocket route response is not applied by Turnpike yet"),
        ]
    );
    let api = &template.websocket_apis[0];
    assert!(api.routes[0].two_way);
    assert_eq!(api.routes[0].integration.responses.len(), 1);
}

const THROTTLED_STAGES: &str = r#"Transform: AWS::Serverless-2016-10-31
Resources:
  Ws:
    Type: AWS::ApiGatewayV2::Api
    Properties: {Name: Ws, ProtocolType: WEBSOCKET, RouteSelectionExpression: $request.body.action}
  Connect:
    Type: AWS::ApiGatewayV2::Route
    Properties: {ApiId: !Ref Ws, RouteKey: $connect, Target: integrations/Mock}
  Send:
    Type: AWS::ApiGatewayV2::Route
    Properties: {ApiId: !Ref Ws, RouteKey: send, Target: integrations/Mock}
  Mock:
    Type: AWS::ApiGatewayV2::Integration
    Properties: {ApiId: !Ref Ws, IntegrationType: MOCK}
  Prod:
    Type: AWS::ApiGatewayV2::Stage
    Properties:
      ApiId: !Ref Ws
      StageName: Prod
      DefaultRouteSettings: {ThrottlingBurstLimit: 10, ThrottlingRateLimit: 5, LoggingLevel: INFO}
      RouteSettings:
        $connect: {ThrottlingRateLimit: 0.5}
        send: {ThrottlingBurstLimit: 1, ThrottlingRateLimit: 2, DataTraceEnabled: true}
  Dev:
    Type: AWS::ApiGatewayV2::Stage
    Properties:
      ApiId: !Ref Ws
      StageName: Dev
      RouteSettings:
        send: {ThrottlingBurstLimit: 3}
        $connect: {DetailedMetricsEnabled: true}
  Beta:
    Type: AWS::ApiGatewayV2::Stage
    Properties: {ApiId: !Ref Ws, StageName: Beta, DefaultRouteSettings: {LoggingLevel: ERROR}}
"#;

#[test]
fn stage_throttling_is_loaded_by_stage_and_route_key() {
    let path = fixture("websocket_throttling", &["hello"]);
    let template = load_ok(&path, THROTTLED_STAGES);
    assert!(template.warnings.is_empty(), "{:?}", template.warnings);
    let api = &template.websocket_apis[0];
    let limits = |rate: Option<f64>, burst: Option<u64>| RouteThrottle {
        rate_limit: rate,
        burst_limit: burst,
    };
    let prod = StageThrottle {
        default: limits(Some(5.0), Some(10)),
        routes: BTreeMap::from([
            ("$connect".to_owned(), limits(Some(0.5), None)),
            ("send".to_owned(), limits(Some(2.0), Some(1))),
        ]),
    };
    let dev = StageThrottle {
        default: RouteThrottle::default(),
        routes: BTreeMap::from([("send".to_owned(), limits(None, Some(3)))]),
    };
    // Beta sets no limit: it has no entry.
    assert_eq!(
        api.stage_throttles,
        BTreeMap::from([("Dev".to_owned(), dev), ("Prod".to_owned(), prod)])
    );
    let prod = &api.stage_throttles["Prod"];
    assert_eq!(prod.limits("$connect"), Some((0.5, 10)));
    assert_eq!(prod.limits("send"), Some((2.0, 1)));
    assert_eq!(prod.limits("$default"), Some((5.0, 10)));
    let dev = &api.stage_throttles["Dev"];
    assert_eq!(dev.limits("send"), Some((10_000.0, 3)));
    assert_eq!(dev.limits("$connect"), None);
    let names: Vec<_> = template
        .stages
        .iter()
        .map(|(_, s)| s.name.as_str())
        .collect();
    assert_eq!(names, ["Prod", "Dev", "Beta"]);
}

#[test]
fn errors_in_stage_throttling() {
    let path = fixture("websocket_throttling_errors", &["hello"]);
    let text = r#"Resources:
  Ws:
    Type: AWS::ApiGatewayV2::Api
    Properties: {Name: Ws, ProtocolType: WEBSOCKET, RouteSelectionExpression: $request.body.action}
  Send:
    Type: AWS::ApiGatewayV2::Route
    Properties: {ApiId: !Ref Ws, RouteKey: send, Target: integrations/Mock}
  Mock:
    Type: AWS::ApiGatewayV2::Integration
    Properties: {ApiId: !Ref Ws, IntegrationType: MOCK}
  A:
    Type: AWS::ApiGatewayV2::Stage
    Properties: {ApiId: !Ref Ws, StageName: a, DefaultRouteSettings: {ThrottlingRateLimit: -1}}
  B:
    Type: AWS::ApiGatewayV2::Stage
    Properties: {ApiId: !Ref Ws, StageName: b, DefaultRouteSettings: {ThrottlingBurstLimit: 1.5}}
  C:
    Type: AWS::ApiGatewayV2::Stage
    Properties: {ApiId: !Ref Ws, StageName: c, RouteSettings: {chat: {ThrottlingBurstLimit: 1}}}
  D:
    Type: AWS::ApiGatewayV2::Stage
    Properties: {ApiId: !Ref Ws, StageName: d, RouteSettings: {send: {ThrottlingLimit: 1}}}
  E:
    Type: AWS::ApiGatewayV2::Stage
    Properties: {ApiId: !Ref Ws, StageName: e, RouteSettings: [send]}
"#;
    assert_eq!(
        load_errors(&path, text),
        [
            e(13, 92, "/Resources/A/Properties/DefaultRouteSettings/ThrottlingRateLimit", "DefaultRouteSettings.ThrottlingRateLimit must be a non-negative number"),
            e(16, 93, "/Resources/B/Properties/DefaultRouteSettings/ThrottlingBurstLimit", "DefaultRouteSettings.ThrottlingBurstLimit must be a whole number from 0 to 4294967295; found 1.5"),
            e(19, 64, "/Resources/C/Properties/RouteSettings/chat", "RouteSettings names the route key \"chat\", which no AWS::ApiGatewayV2::Route of this API has"),
            e(22, 71, "/Resources/D/Properties/RouteSettings/send/ThrottlingLimit", "unknown property \"ThrottlingLimit\" in RouteSettings.send; expected one of DataTraceEnabled, DetailedMetricsEnabled, LoggingLevel, ThrottlingBurstLimit, ThrottlingRateLimit"),
            e(25, 63, "/Resources/E/Properties/RouteSettings", "RouteSettings must be a mapping; found a sequence"),
        ]
    );
}
