//! HTTP APIs from `AWS::ApiGatewayV2` resources (what `cdk synth` writes for an `HttpApi`): the
//! bundled example, an API imported from `Body`, quick create, an HTTP_PROXY route with
//! parameter mapping, and the errors with their exact locations and messages.

use std::collections::BTreeMap;
use std::time::Duration;

use super::*;
use crate::api::{Api, ApiKind, HttpMethod, IntegrationType, PayloadFormatVersion};
use crate::auth::{AuthorizerKind, IdentitySource, JwtConfiguration, RouteAuth};
use crate::cors::Cors;
use crate::http_mapping::{
    HttpRequestParameter, HttpRequestTarget, HttpResponseParameter, HttpResponseTarget,
    MappingAction, MappingSource, MappingValue, ParameterMapping, ValuePart,
};
use crate::id::api_id_from_title;
use crate::load::sam::load_template_file;
use crate::stage::Stage;

/// (route key, integration type, uri, payload version, auth) of each route, in order.
type RouteRow = (
    String,
    IntegrationType,
    Option<String>,
    PayloadFormatVersion,
    RouteAuth,
);

fn rows(api: &Api) -> Vec<RouteRow> {
    api.routes
        .iter()
        .map(|r| {
            (
                r.key.to_string(),
                r.integration.kind,
                r.integration.uri.clone(),
                r.integration.payload_format_version,
                r.auth.clone(),
            )
        })
        .collect()
}

fn arn(function: &str) -> String {
    format!("arn:aws:lambda:us-east-1:123456789012:function:{function}")
}

fn lambda_row(key: &str, function: &str, auth: RouteAuth) -> RouteRow {
    (
        key.to_owned(),
        IntegrationType::AwsProxy,
        Some(arn(function)),
        PayloadFormatVersion::V2,
        auth,
    )
}

#[test]
fn the_cloudformation_http_example_loads() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/cloudformation/http.yaml");
    let template = load_template_file(&path, &TemplateOptions::default()).unwrap();
    // The stack is named after the template's directory.
    let id = api_id_from_title("cloudformation/ItemsApi");
    assert!(template.websocket_apis.is_empty());
    assert_eq!(template.apis.len(), 1);
    let api = &template.apis[0];
    assert_eq!(api.id, id);
    assert_eq!(api.name, "items");
    assert_eq!(api.kind, ApiKind::Http);
    assert_eq!(api.source, path);
    let jwt = RouteAuth::Authorizer {
        name: "ItemsAuthorizer".into(),
        scopes: vec!["items/read".into()],
    };
    assert_eq!(
        rows(api),
        [
            lambda_row("GET /items/{id}", "ItemsFunction", jwt),
            lambda_row("$default", "ItemsFunction", RouteAuth::None),
        ]
    );
    let route = &api.routes[0];
    assert_eq!(route.pointer, "/Resources/GetItemRoute/Properties");
    assert_eq!(route.integration.http_method, Some(HttpMethod::Post));
    assert_eq!(route.integration.timeout, Duration::from_secs(30));
    assert_eq!(
        api.authorizers.keys().collect::<Vec<_>>(),
        ["ItemsAuthorizer"]
    );
    let authorizer = &api.authorizers["ItemsAuthorizer"];
    assert_eq!(authorizer.kind, AuthorizerKind::Jwt);
    assert_eq!(authorizer.function_arn, None);
    assert_eq!(
        authorizer.identity_sources,
        [IdentitySource::Header("Authorization".into())]
    );
    assert_eq!(
        authorizer.jwt,
        Some(JwtConfiguration {
            issuer: "https://issuer.example.com".into(),
            audience: vec!["items".into()],
        })
    );
    assert_eq!(
        api.cors,
        Some(Cors {
            allow_origins: vec!["https://app.example.com".into()],
            allow_methods: vec!["GET".into()],
            allow_headers: vec!["authorization".into()],
            expose_headers: Vec::new(),
            max_age: Some(300),
            allow_credentials: false,
        })
    );
    assert_eq!(
        template.stages,
        [(
            id,
            Stage {
                name: "$default".into(),
                variables: BTreeMap::new(),
            }
        )]
    );
}

#[test]
fn an_api_imported_from_body_is_its_openapi_document() {
    let path = fixture("cfn_http_body", &["hello"]);
    let text = "Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties: {FunctionName: hello, Runtime: python3.12, Handler: app.handler, Code: hello}\n  Api:\n    Type: AWS::ApiGatewayV2::Api\n    Properties:\n      ProtocolType: HTTP\n      Body:\n        openapi: 3.0.1\n        info: {title: from-body, version: \"1\"}\n        paths:\n          /hello:\n            post:\n              x-amazon-apigateway-integration:\n                type: aws_proxy\n                httpMethod: POST\n                uri: !GetAtt Fn.Arn\n                payloadFormatVersion: \"1.0\"\n                timeoutInMillis: 5000\n  Stage:\n    Type: AWS::ApiGatewayV2::Stage\n    Properties: {ApiId: !Ref Api, StageName: prod, StageVariables: {color: blue}, DefaultRouteSettings: {ThrottlingBurstLimit: 5}}\n";
    let template = load_ok(&path, text);
    assert_eq!(template.apis.len(), 1);
    let api = &template.apis[0];
    let id = api_id_from_title("sam-app/Api");
    assert_eq!(api.id, id);
    // Without Name, the document's title names the API.
    assert_eq!(api.name, "from-body");
    assert_eq!(
        rows(api),
        [(
            "POST /hello".to_owned(),
            IntegrationType::AwsProxy,
            Some(arn("hello")),
            PayloadFormatVersion::V1,
            RouteAuth::None,
        )]
    );
    assert_eq!(
        api.routes[0].integration.timeout,
        Duration::from_millis(5000)
    );
    assert_eq!(
        api.routes[0].pointer,
        "/Resources/Api/Properties/Body/paths/~1hello/post"
    );
    assert_eq!(
        located_all(&path, template.warnings.clone()),
        [e(23, 105, "/Resources/Stage/Properties/DefaultRouteSettings", "DefaultRouteSettings has no effect in Turnpike on HTTP APIs yet: their routes are not throttled")]
    );
    let variables = [("color".to_owned(), "blue".to_owned())]
        .into_iter()
        .collect();
    assert_eq!(
        template.stages,
        [(
            id,
            Stage {
                name: "prod".into(),
                variables,
            }
        )]
    );
}

#[test]
fn quick_create_makes_one_route_and_a_default_stage() {
    let path = fixture("cfn_http_quick", &["hello"]);
    let text = "Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties: {FunctionName: hello, Runtime: python3.12, Handler: app.handler, Code: hello}\n  Quick:\n    Type: AWS::ApiGatewayV2::Api\n    Properties: {Name: quick, ProtocolType: HTTP, Target: !GetAtt Fn.Arn}\n  Keyed:\n    Type: AWS::ApiGatewayV2::Api\n    Properties: {Name: keyed, ProtocolType: HTTP, Target: !GetAtt Fn.Arn, RouteKey: \"ANY /{proxy+}\"}\n  Url:\n    Type: AWS::ApiGatewayV2::Api\n    Properties: {Name: url, ProtocolType: HTTP, Target: \"https://backend.example.com\", RouteKey: GET /status}\n";
    let template = load_ok(&path, text);
    let keys: Vec<_> = template
        .apis
        .iter()
        .map(|a| (a.name.as_str(), rows(a)))
        .collect();
    assert_eq!(
        keys,
        [
            (
                "quick",
                vec![lambda_row("$default", "hello", RouteAuth::None)]
            ),
            (
                "keyed",
                vec![lambda_row("ANY /{proxy+}", "hello", RouteAuth::None)]
            ),
            (
                "url",
                vec![(
                    "GET /status".to_owned(),
                    IntegrationType::HttpProxy,
                    Some("https://backend.example.com".to_owned()),
                    PayloadFormatVersion::V1,
                    RouteAuth::None,
                )]
            ),
        ]
    );
    let url = &template.apis[2].routes[0].integration;
    // ANY: the caller's method is passed on, which the model writes as no method of its own.
    assert_eq!(url.http_method, None);
    let stages: Vec<_> = template
        .stages
        .iter()
        .map(|(id, s)| (id.clone(), s.name.clone()))
        .collect();
    assert_eq!(
        stages,
        [
            (api_id_from_title("sam-app/Quick"), "$default".to_owned()),
            (api_id_from_title("sam-app/Keyed"), "$default".to_owned()),
            (api_id_from_title("sam-app/Url"), "$default".to_owned()),
        ]
    );
}

fn source_text(parts: Vec<ValuePart>) -> MappingValue {
    MappingValue { parts }
}

#[test]
fn an_http_proxy_route_with_parameter_mapping_iam_and_a_lambda_authorizer() {
    let path = fixture("cfn_http_proxy", &["hello"]);
    let text = "Resources:\n  Api:\n    Type: AWS::ApiGatewayV2::Api\n    Properties: {Name: proxy, ProtocolType: HTTP}\n  Backend:\n    Type: AWS::ApiGatewayV2::Integration\n    Properties:\n      ApiId: !Ref Api\n      IntegrationType: HTTP_PROXY\n      IntegrationMethod: GET\n      IntegrationUri: https://backend.example.com/api\n      TimeoutInMillis: 2000\n      RequestParameters:\n        overwrite:path: /v2/$request.path.proxy\n        append:header.x-caller: $context.identity.sourceIp\n      ResponseParameters:\n        \"404\":\n          ResponseParameters:\n            - {Destination: overwrite:statuscode, Source: \"200\"}\n            - {Destination: append:header.x-missing, Source: \"yes\"}\n  Auth:\n    Type: AWS::ApiGatewayV2::Authorizer\n    Properties:\n      ApiId: !Ref Api\n      Name: lambda\n      AuthorizerType: REQUEST\n      AuthorizerUri: arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:auth/invocations\n      AuthorizerPayloadFormatVersion: \"2.0\"\n      EnableSimpleResponses: true\n      AuthorizerResultTtlInSeconds: 60\n      IdentitySource: [$request.header.X-Token]\n  Proxy:\n    Type: AWS::ApiGatewayV2::Route\n    Properties: {ApiId: !Ref Api, RouteKey: \"ANY /{proxy+}\", Target: !Sub \"integrations/${Backend}\", AuthorizationType: CUSTOM, AuthorizerId: !Ref Auth}\n  Signed:\n    Type: AWS::ApiGatewayV2::Route\n    Properties: {ApiId: !Ref Api, RouteKey: PUT /signed, Target: !Sub \"integrations/${Backend}\", AuthorizationType: AWS_IAM}\n";
    let template = load_ok(&path, text);
    let api = &template.apis[0];
    let lambda = RouteAuth::Authorizer {
        name: "Auth".into(),
        scopes: Vec::new(),
    };
    let uri = Some("https://backend.example.com/api".to_owned());
    assert_eq!(
        rows(api),
        [
            (
                "ANY /{proxy+}".to_owned(),
                IntegrationType::HttpProxy,
                uri.clone(),
                PayloadFormatVersion::V1,
                lambda,
            ),
            (
                "PUT /signed".to_owned(),
                IntegrationType::HttpProxy,
                uri,
                PayloadFormatVersion::V1,
                RouteAuth::Iam,
            ),
        ]
    );
    let integration = &api.routes[0].integration;
    assert_eq!(integration.http_method, Some(HttpMethod::Get));
    assert_eq!(integration.timeout, Duration::from_millis(2000));
    let text = |t: &str| ValuePart::Text(t.to_owned());
    let expected = ParameterMapping {
        request: vec![
            HttpRequestParameter {
                action: MappingAction::Overwrite,
                target: HttpRequestTarget::Path,
                value: source_text(vec![
                    text("/v2/"),
                    ValuePart::Source(MappingSource::RequestPathParameter("proxy".into())),
                ]),
            },
            HttpRequestParameter {
                action: MappingAction::Append,
                target: HttpRequestTarget::Header("x-caller".into()),
                value: source_text(vec![ValuePart::Source(MappingSource::Context(
                    "identity.sourceIp".into(),
                ))]),
            },
        ],
        response: [(
            404,
            vec![
                HttpResponseParameter {
                    action: MappingAction::Overwrite,
                    target: HttpResponseTarget::StatusCode,
                    value: source_text(vec![text("200")]),
                },
                HttpResponseParameter {
                    action: MappingAction::Append,
                    target: HttpResponseTarget::Header("x-missing".into()),
                    value: source_text(vec![text("yes")]),
                },
            ],
        )]
        .into_iter()
        .collect(),
    };
    assert_eq!(integration.parameter_mapping, Some(expected));
    let authorizer = &api.authorizers["Auth"];
    assert_eq!(authorizer.kind, AuthorizerKind::Request);
    assert_eq!(
        authorizer.function_arn.as_deref(),
        Some(arn("auth").as_str())
    );
    assert_eq!(
        authorizer.identity_sources,
        [IdentitySource::Header("X-Token".into())]
    );
    assert_eq!(authorizer.result_ttl, Duration::from_secs(60));
    assert!(authorizer.enable_simple_responses);
    // No Stage resource: the API is built without one (the gateway serves it at $default).
    assert!(template.stages.is_empty());
    assert_eq!(
        located_all(&path, template.warnings),
        [e(4, 17, "/Resources/Api/Properties", "AWS::ApiGatewayV2::Api Api has no AWS::ApiGatewayV2::Stage, which API Gateway needs to serve it; Turnpike serves it at $default meanwhile (declare one, such as StageName: $default with AutoDeploy: true)")]
    );
}

/// Lines 1 to 7 of the error templates below: the function `Fn` and the HTTP API `Api`.
const HEAD: &str = "Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties: {FunctionName: hello, Runtime: python3.12, Handler: app.handler, Code: hello}\n  Api:\n    Type: AWS::ApiGatewayV2::Api\n    Properties: {Name: api, ProtocolType: HTTP}\n";

#[test]
fn errors_in_routes() {
    let path = fixture("cfn_http_route_errors", &["hello"]);
    let text = format!("{HEAD}  Lambda:\n    Type: AWS::ApiGatewayV2::Integration\n    Properties: {{ApiId: !Ref Api, IntegrationType: AWS_PROXY, IntegrationUri: !GetAtt Fn.Arn, PayloadFormatVersion: \"2.0\"}}\n  Jwt:\n    Type: AWS::ApiGatewayV2::Authorizer\n    Properties: {{ApiId: !Ref Api, Name: jwt, AuthorizerType: JWT, IdentitySource: [$request.header.Authorization], JwtConfiguration: {{Issuer: https://issuer.example.com, Audience: [a]}}}}\n  BadKey:\n    Type: AWS::ApiGatewayV2::Route\n    Properties: {{ApiId: !Ref Api, RouteKey: $connect, Target: integrations/Lambda}}\n  LowerMethod:\n    Type: AWS::ApiGatewayV2::Route\n    Properties: {{ApiId: !Ref Api, RouteKey: get /x, Target: integrations/Lambda}}\n  Unknown:\n    Type: AWS::ApiGatewayV2::Route\n    Properties: {{ApiId: !Ref Api, RouteKey: GET /a, Target: integrations/Nope}}\n  NoPrefix:\n    Type: AWS::ApiGatewayV2::Route\n    Properties: {{ApiId: !Ref Api, RouteKey: GET /b, Target: !Ref Lambda}}\n  NoTarget:\n    Type: AWS::ApiGatewayV2::Route\n    Properties: {{ApiId: !Ref Api, RouteKey: GET /c}}\n  WsOnly:\n    Type: AWS::ApiGatewayV2::Route\n    Properties: {{ApiId: !Ref Api, RouteKey: GET /d, Target: integrations/Lambda, ApiKeyRequired: true, RouteResponseSelectionExpression: $default}}\n  Scopes:\n    Type: AWS::ApiGatewayV2::Route\n    Properties: {{ApiId: !Ref Api, RouteKey: GET /e, Target: integrations/Lambda, AuthorizationScopes: [s]}}\n  NoAuthorizer:\n    Type: AWS::ApiGatewayV2::Route\n    Properties: {{ApiId: !Ref Api, RouteKey: GET /f, Target: integrations/Lambda, AuthorizationType: JWT}}\n  WrongKind:\n    Type: AWS::ApiGatewayV2::Route\n    Properties: {{ApiId: !Ref Api, RouteKey: GET /g, Target: integrations/Lambda, AuthorizationType: CUSTOM, AuthorizerId: !Ref Jwt}}\n  BadType:\n    Type: AWS::ApiGatewayV2::Route\n    Properties: {{ApiId: !Ref Api, RouteKey: GET /h, Target: integrations/Lambda, AuthorizationType: COGNITO}}\n  Twice:\n    Type: AWS::ApiGatewayV2::Route\n    Properties: {{ApiId: !Ref Api, RouteKey: GET /a, Target: integrations/Lambda, Colour: red}}\n  Again:\n    Type: AWS::ApiGatewayV2::Route\n    Properties: {{ApiId: !Ref Api, RouteKey: GET /a, Target: integrations/Lambda}}\n  Response:\n    Type: AWS::ApiGatewayV2::RouteResponse\n    Properties: {{ApiId: !Ref Api, RouteId: !Ref Again, RouteResponseKey: $default}}\n");
    assert_eq!(load_errors(&path, &text),
        [
            e(16, 45, "/Resources/BadKey/Properties/RouteKey", "RouteKey \"$connect\" is not an HTTP API route key; give METHOD /PATH (METHOD one of ANY, DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT, such as GET /pets/{id} or ANY /{proxy+}) or $default"),
            e(19, 45, "/Resources/LowerMethod/Properties/RouteKey", "RouteKey \"get /x\" is not an HTTP API route key; give METHOD /PATH (METHOD one of ANY, DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT, such as GET /pets/{id} or ANY /{proxy+}) or $default"),
            e(22, 61, "/Resources/Unknown/Properties/Target", "Target names \"Nope\", which is no AWS::ApiGatewayV2::Integration of this template; use !Ref of one"),
            e(25, 66, "/Resources/NoPrefix/Properties/Target", "Target must be integrations/ID, the !Ref of an AWS::ApiGatewayV2::Integration after \"integrations/\"; found Lambda"),
            e(28, 5, "/Resources/NoTarget/Properties", "AWS::ApiGatewayV2::Route NoTarget needs a Target (integrations/ID of an AWS::ApiGatewayV2::Integration of its API); Turnpike serves only routes with an integration"),
            e(31, 82, "/Resources/WsOnly/Properties/ApiKeyRequired", "ApiKeyRequired is supported only for WebSocket APIs; AWS::ApiGatewayV2::Route WsOnly belongs to an HTTP API"),
            e(31, 104, "/Resources/WsOnly/Properties/RouteResponseSelectionExpression", "RouteResponseSelectionExpression is supported only for WebSocket APIs; AWS::ApiGatewayV2::Route WsOnly belongs to an HTTP API"),
            e(34, 82, "/Resources/Scopes/Properties/AuthorizationScopes", "AuthorizationScopes apply to routes with AuthorizationType JWT only"),
            e(37, 5, "/Resources/NoAuthorizer/Properties", "AWS::ApiGatewayV2::Route NoAuthorizer has AuthorizationType JWT and needs an AuthorizerId, the !Ref of an AWS::ApiGatewayV2::Authorizer of its API"),
            e(40, 101, "/Resources/WrongKind/Properties/AuthorizationType", "AuthorizationType CUSTOM needs a REQUEST authorizer; Jwt is a JWT authorizer"),
            e(43, 101, "/Resources/BadType/Properties/AuthorizationType", "AuthorizationType must be NONE, JWT, AWS_IAM or CUSTOM for HTTP API routes; found COGNITO"),
            e(46, 82, "/Resources/Twice/Properties/Colour", "unknown property \"Colour\" in AWS::ApiGatewayV2::Route Twice; expected one of ApiId, ApiKeyRequired, AuthorizationScopes, AuthorizationType, AuthorizerId, ModelSelectionExpression, OperationName, RequestModels, RequestParameters, RouteKey, RouteResponseSelectionExpression, Target"),
            e(49, 45, "/Resources/Again/Properties/RouteKey", "another AWS::ApiGatewayV2::Route of this API has the route key GET /a; route keys are unique within an API"),
            e(52, 5, "/Resources/Response/Properties", "AWS::ApiGatewayV2::RouteResponse Response belongs to an HTTP API; route and integration responses are supported only for WebSocket APIs (HTTP APIs map responses with the integration's ResponseParameters)"),
        ]
    );
}

#[test]
fn errors_in_the_api_integrations_and_authorizers() {
    let path = fixture("cfn_http_integration_errors", &["hello"]);
    let text = format!("{HEAD}  Mock:\n    Type: AWS::ApiGatewayV2::Integration\n    Properties: {{ApiId: !Ref Api, IntegrationType: MOCK}}\n  Http:\n    Type: AWS::ApiGatewayV2::Integration\n    Properties: {{ApiId: !Ref Api, IntegrationType: HTTP, IntegrationUri: https://example.com}}\n  NoVersion:\n    Type: AWS::ApiGatewayV2::Integration\n    Properties: {{ApiId: !Ref Api, IntegrationType: AWS_PROXY, IntegrationUri: !GetAtt Fn.Arn}}\n  WsOnly:\n    Type: AWS::ApiGatewayV2::Integration\n    Properties: {{ApiId: !Ref Api, IntegrationType: HTTP_PROXY, IntegrationMethod: GET, IntegrationUri: https://example.com, PassthroughBehavior: NEVER, RequestTemplates: {{}}}}\n  Token:\n    Type: AWS::ApiGatewayV2::Authorizer\n    Properties: {{ApiId: !Ref Api, Name: t, AuthorizerType: TOKEN}}\n  NoPayload:\n    Type: AWS::ApiGatewayV2::Authorizer\n    Properties: {{ApiId: !Ref Api, Name: l, AuthorizerType: REQUEST, AuthorizerUri: !GetAtt Fn.Arn}}\n  Ws:\n    Type: AWS::ApiGatewayV2::Api\n    Properties: {{Name: ws, ProtocolType: WEBSOCKET, RouteSelectionExpression: $request.body.action}}\n  Foreign:\n    Type: AWS::ApiGatewayV2::Route\n    Properties: {{ApiId: !Ref Api, RouteKey: GET /3, Target: integrations/WsIntegration}}\n  WsIntegration:\n    Type: AWS::ApiGatewayV2::Integration\n    Properties: {{ApiId: !Ref Ws, IntegrationType: MOCK}}\n  S3:\n    Type: AWS::ApiGatewayV2::Api\n    Properties: {{ProtocolType: HTTP, BodyS3Location: {{Bucket: b, Key: k}}, RouteSelectionExpression: $request.method}}\n  Bare:\n    Type: AWS::ApiGatewayV2::Api\n    Properties: {{ProtocolType: HTTP, CorsConfiguration: {{AllowOrigin: [x]}}}}\n");
    assert_eq!(load_errors(&path, &text),
        [
            e(10, 52, "/Resources/Mock/Properties/IntegrationType", "IntegrationType MOCK is for WebSocket APIs; HTTP APIs take AWS_PROXY (a Lambda function, or an AWS service with IntegrationSubtype) or HTTP_PROXY"),
            e(13, 52, "/Resources/Http/Properties/IntegrationType", "IntegrationType HTTP is for WebSocket APIs; HTTP APIs take AWS_PROXY (a Lambda function, or an AWS service with IntegrationSubtype) or HTTP_PROXY"),
            e(16, 5, "/Resources/NoVersion/Properties", "AWS::ApiGatewayV2::Integration NoVersion needs a PayloadFormatVersion (1.0 or 2.0): CloudFormation requires one for an HTTP API's Lambda proxy integration"),
            e(19, 125, "/Resources/WsOnly/Properties/PassthroughBehavior", "PassthroughBehavior is supported only for WebSocket APIs; AWS::ApiGatewayV2::Integration WsOnly belongs to an HTTP API"),
            e(19, 153, "/Resources/WsOnly/Properties/RequestTemplates", "RequestTemplates is supported only for WebSocket APIs; AWS::ApiGatewayV2::Integration WsOnly belongs to an HTTP API"),
            e(22, 60, "/Resources/Token/Properties/AuthorizerType", "AuthorizerType must be JWT or REQUEST for HTTP APIs; found TOKEN"),
            e(25, 5, "/Resources/NoPayload/Properties", "AWS::ApiGatewayV2::Authorizer NoPayload needs an AuthorizerPayloadFormatVersion (1.0 or 2.0), which HTTP APIs' Lambda authorizers require"),
            e(31, 61, "/Resources/Foreign/Properties/Target", "Target names the integration \"WsIntegration\" of another API; a route's integration belongs to its own API"),
            e(37, 38, "/Resources/S3/Properties/BodyS3Location", "BodyS3Location is not supported by Turnpike, which does not read S3; give the OpenAPI document inline as Body"),
            e(37, 75, "/Resources/S3/Properties/RouteSelectionExpression", "RouteSelectionExpression is supported only for WebSocket APIs; AWS::ApiGatewayV2::Api S3 belongs to an HTTP API"),
            e(40, 5, "/Resources/Bare/Properties", "AWS::ApiGatewayV2::Api Bare needs a Name (or an OpenAPI Body that gives its title)"),
            e(40, 58, "/Resources/Bare/Properties/CorsConfiguration/AllowOrigin", "unknown property \"AllowOrigin\" in CorsConfiguration; expected one of AllowCredentials, AllowHeaders, AllowMethods, AllowOrigins, ExposeHeaders, MaxAge"),
        ]
    );
}

/// What the OpenAPI loader checks (payload version, timeout, parameter mapping, path
/// placeholders) is reported at the CloudFormation property it came from.
#[test]
fn openapi_checks_point_at_the_resources() {
    let path = fixture("cfn_http_openapi_errors", &["hello"]);
    let text = format!("{HEAD}  BadVersion:\n    Type: AWS::ApiGatewayV2::Integration\n    Properties: {{ApiId: !Ref Api, IntegrationType: AWS_PROXY, IntegrationUri: !GetAtt Fn.Arn, PayloadFormatVersion: \"3.0\", TimeoutInMillis: 40000}}\n  Mapping:\n    Type: AWS::ApiGatewayV2::Integration\n    Properties: {{ApiId: !Ref Api, IntegrationType: HTTP_PROXY, IntegrationMethod: GET, IntegrationUri: https://example.com, RequestParameters: {{\"rename:header.x\": a}}}}\n  R1:\n    Type: AWS::ApiGatewayV2::Route\n    Properties: {{ApiId: !Ref Api, RouteKey: GET /1, Target: integrations/BadVersion}}\n  R2:\n    Type: AWS::ApiGatewayV2::Route\n    Properties: {{ApiId: !Ref Api, RouteKey: \"GET /2/{{id\", Target: integrations/Mapping}}\n");
    assert_eq!(load_errors(&path, &text),
        [
            e(10, 117, "/Resources/BadVersion/Properties/PayloadFormatVersion", "unknown payloadFormatVersion \"3.0\"; expected \"1.0\" or \"2.0\""),
            e(10, 141, "/Resources/BadVersion/Properties/TimeoutInMillis", "timeoutInMillis 40000 is out of range; HTTP APIs allow a whole number of milliseconds from 50 to 30000"),
            e(13, 145, "/Resources/Mapping/Properties/RequestParameters/rename:header.x", "requestParameters key \"rename:header.x\" must have the form ACTION:header.NAME, ACTION:querystring.NAME or overwrite:path, where ACTION is append, overwrite or remove"),
            e(19, 35, "/Resources/R2/Properties/RouteKey", "unbalanced braces in segment \"{id\" of \"/2/{id\"; a parameter is written {name}"),
        ]
    );
}

#[test]
fn stage_errors() {
    let path = fixture("cfn_http_stage_errors", &["hello"]);
    let text = format!("{HEAD}  Lambda:\n    Type: AWS::ApiGatewayV2::Integration\n    Properties: {{ApiId: !Ref Api, IntegrationType: AWS_PROXY, IntegrationUri: !GetAtt Fn.Arn, PayloadFormatVersion: \"2.0\"}}\n  Route:\n    Type: AWS::ApiGatewayV2::Route\n    Properties: {{ApiId: !Ref Api, RouteKey: $default, Target: integrations/Lambda}}\n  One:\n    Type: AWS::ApiGatewayV2::Stage\n    Properties: {{ApiId: !Ref Api, StageName: $default, AutoDeploy: true}}\n  Two:\n    Type: AWS::ApiGatewayV2::Stage\n    Properties: {{ApiId: !Ref Api, StageName: $default}}\n");
    assert_eq!(
        load_errors(&path, &text),
        [e(
            19,
            46,
            "/Resources/Two/Properties/StageName",
            "the API already has a stage named $default; stage names are unique within an API"
        )]
    );
}
