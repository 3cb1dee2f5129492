//! Error classes about the template as a whole: syntax, sections, parameters, conditions,
//! intrinsic functions, Globals and APIs.

use super::*;

/// A valid function, from line `n` when the line before it is `Resources:` on line `n - 1`.
const FN: &str = "  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: hello\n      Runtime: python3.12\n      Handler: app.handler\n";

#[test]
fn syntax_errors_name_the_parsers_position() {
    let path = fixture("syntax", &[]);
    assert_eq!(
        load_errors(&path, "Resources:\n  Fn: [a, b\n  Other: 1\n"),
        [e(3, 8, "", "illegal placement of ':' indicator")]
    );
}

#[test]
fn sections_version_and_transforms() {
    let path = fixture("sections", &["hello"]);
    let text = format!("AWSTemplateFormatVersion: '2009-01-01'\nTransform: [AWS::Serverless-2016-10-31, AWS::LanguageExtensions]\nResource: {{}}\nResources:\n{FN}");
    assert_eq!(
        load_errors(&path, &text),
        [
            e(1, 27, "/AWSTemplateFormatVersion", "AWSTemplateFormatVersion must be \"2010-09-09\", the only version CloudFormation has; found \"2009-01-01\""),
            e(2, 41, "/Transform/1", "the transform AWS::LanguageExtensions is not supported by Turnpike; it reads templates with Transform: AWS::Serverless-2016-10-31 or none"),
            e(3, 1, "/Resource", "unknown template section \"Resource\"; expected one of AWSTemplateFormatVersion, Description, Metadata, Parameters, Rules, Mappings, Conditions, Transform, Resources, Outputs, Globals"),
        ]
    );
    let text = format!("Globals: {{Function: {{Timeout: 3}}}}\nResources:\n{FN}");
    assert_eq!(
        load_errors(&path, &text),
        [
            e(1, 1, "/Globals", "Globals is a SAM section, which needs Transform: AWS::Serverless-2016-10-31"),
            e(4, 11, "/Resources/Fn/Type", "AWS::Serverless::Function is a SAM resource type, which needs Transform: AWS::Serverless-2016-10-31 at the top of the template"),
        ]
    );
    assert_eq!(
        load_errors(
            &path,
            "AWSTemplateFormatVersion: '2010-09-09'\nResources: {}\n"
        ),
        [e(
            2,
            12,
            "/Resources",
            "Resources must be a mapping with at least one resource; found a mapping"
        )]
    );
}

#[test]
fn parameters_without_type_or_value_and_values_that_break_constraints() {
    let path = fixture("parameters", &["hello"]);
    let text = format!("Transform: AWS::Serverless-2016-10-31\nParameters:\n  NoType:\n    Default: x\n  NoDefault:\n    Type: String\n  Env:\n    Type: String\n    Default: test\n    AllowedValues: [dev, prod]\n  Count:\n    Type: Number\n    Default: many\n  Name:\n    Type: String\n    Default: ab\n    MinLength: 3\n    AllowedPattern: '[a-z]+'\nResources:\n{FN}");
    assert_eq!(
        load_errors(&path, &text),
        [
            e(3, 3, "/Parameters/NoType", "parameter NoType has no Type; expected String, Number, List<Number>, CommaDelimitedList, or an AWS-specific type such as AWS::EC2::VPC::Id or AWS::SSM::Parameter::Value<String>"),
            e(5, 3, "/Parameters/NoDefault", "parameter NoDefault has no Default; give it a value with --parameter-overrides NoDefault=VALUE"),
            e(9, 14, "/Parameters/Env/Default", "parameter Env is \"test\", which is not one of its AllowedValues: dev, prod"),
            e(13, 14, "/Parameters/Count/Default", "parameter Count is a Number but \"many\" is not a number"),
            e(16, 14, "/Parameters/Name/Default", "parameter Name is \"ab\", which breaks its MinLength of 3"),
        ]
    );
    // An override is checked the same way, reported at the parameter; one the template does
    // not declare is an error too.
    let mut options = options();
    options
        .parameter_overrides
        .insert("Env".into(), "qa".into());
    options
        .parameter_overrides
        .insert("NoDefault".into(), "x".into());
    options
        .parameter_overrides
        .insert("NoType".into(), "x".into());
    options
        .parameter_overrides
        .insert("Nope".into(), "1".into());
    options
        .parameter_overrides
        .insert("Count".into(), "2".into());
    options
        .parameter_overrides
        .insert("Name".into(), "abc".into());
    let errors = load_errors_with(&path, &text, &options);
    assert_eq!(
        errors,
        [
            e(2, 1, "/Parameters", "the parameter override Nope names no parameter of the template; it declares NoType, NoDefault, Env, Count, Name"),
            e(3, 3, "/Parameters/NoType", "parameter NoType has no Type; expected String, Number, List<Number>, CommaDelimitedList, or an AWS-specific type such as AWS::EC2::VPC::Id or AWS::SSM::Parameter::Value<String>"),
            e(7, 3, "/Parameters/Env", "parameter Env is \"qa\", which is not one of its AllowedValues: dev, prod"),
        ]
    );
}

#[test]
fn conditions_unknown_cyclic_and_not_conditions() {
    let path = fixture("conditions", &["hello"]);
    let text = format!("Transform: AWS::Serverless-2016-10-31\nConditions:\n  A: !Condition B\n  B: !Not [!Condition A]\n  C: !Equals [!Ref Fn, x]\n  D: !Ref AWS::Region\n  E: !Or [!Condition D]\nResources:\n{FN}      Timeout: !If [Missing, 3, 4]\n");
    assert_eq!(
        load_errors(&path, &text),
        [
            e(4, 23, "/Conditions/B/Fn::Not/0/Condition", "condition A depends on itself"),
            e(5, 20, "/Conditions/C/Fn::Equals/0/Ref", "Ref to \"Fn\": conditions can refer to parameters and pseudo parameters only, not to resources"),
            e(6, 3, "/Conditions/D", "Ref is not a condition function; a condition must be one of Fn::Equals, Fn::And, Fn::Or, Fn::Not or Condition"),
            e(7, 10, "/Conditions/E/Fn::Or", "Fn::Or takes a sequence of 2 to 10 conditions; found 1 item"),
            e(15, 21, "/Resources/Fn/Properties/Timeout/Fn::If/0", "unknown condition \"Missing\"; the template declares A, B, C, D, E"),
        ]
    );
}

#[test]
fn intrinsic_functions_that_are_unknown_unsupported_or_misused() {
    let path = fixture("intrinsic_errors", &["hello"]);
    let head = "Parameters:\n  Zones: {Type: CommaDelimitedList, Default: 'a,b'}\n";
    let text = with_variables(
        head,
        &[
            "A: !Foo x",
            "B: !Base64 x",
            "C: !Ref Nope",
            "D: !GetAtt Fn.Name",
            "E: !Select [5, [a]]",
            "F: !Sub '${Zones}'",
            "G: !Equals [a, b]",
            "H: {Ref: Zones, Other: 1}",
            "I: !Join [',', a]",
            "J: !GetAtt Fn",
            "K: !Ref AWS::Nowhere",
        ],
    );
    let at = |name: &str| format!("/Resources/Fn/Properties/Environment/Variables/{name}");
    assert_eq!(
        load_errors(&path, &text),
        [
            e(13, 11, &at("A"), "unknown intrinsic function Fn::Foo; CloudFormation has Ref, Fn::Sub, Fn::GetAtt, Fn::Join, Fn::If, Fn::Select, Fn::Split, Fn::FindInMap, the condition functions and a few more"),
            e(14, 11, &at("B"), "Fn::Base64 is not supported yet by Turnpike; it evaluates Ref, Fn::Sub, Fn::GetAtt, Fn::Join, Fn::If, Fn::Select, Fn::Split, Fn::FindInMap and the condition functions"),
            e(15, 19, &format!("{}/Ref", at("C")), "Ref refers to \"Nope\", which is neither a parameter nor a resource of this template"),
            e(16, 22, &at("D"), "Fn::GetAtt Fn.Name: Turnpike does not know the attribute Name of a AWS::Serverless::Function; it knows Arn"),
            e(17, 23, &format!("{}/Fn::Select/0", at("E")), "Fn::Select index 5 is out of range for a list of 1 item"),
            e(18, 19, &format!("{}/Fn::Sub", at("F")), "Fn::Sub ${Zones} is a sequence, not a string; Fn::Sub substitutes strings only (join a list with Fn::Join)"),
            e(19, 11, &at("G"), "Fn::Equals is a condition function, which belongs in the Conditions section; here, use Fn::If with the name of a condition"),
            e(20, 14, &at("H"), "Ref must be the only key of its mapping; an intrinsic function is a mapping with one key"),
            e(21, 26, &format!("{}/Fn::Join/1", at("I")), "the Fn::Join list must be a sequence; found a string"),
            e(22, 22, &format!("{}/Fn::GetAtt", at("J")), "Fn::GetAtt takes [Resource, Attribute] or \"Resource.Attribute\""),
            e(23, 19, &format!("{}/Ref", at("K")), "unknown pseudo parameter AWS::Nowhere; CloudFormation has AWS::AccountId, AWS::NotificationARNs, AWS::NoValue, AWS::Partition, AWS::Region, AWS::StackId, AWS::StackName and AWS::URLSuffix"),
        ]
    );
}

#[test]
fn globals_sections_and_properties_sam_does_not_take() {
    let path = fixture("globals", &["hello"]);
    let text = format!("Transform: AWS::Serverless-2016-10-31\nGlobals:\n  Functions:\n    Runtime: python3.12\n  Function:\n    FunctionName: shared\n    Timeout: 30\nResources:\n{FN}");
    assert_eq!(
        load_errors(&path, &text),
        [
            e(3, 3, "/Globals/Functions", "Globals section \"Functions\" is not supported by SAM; expected one of Api, Function, HttpApi, LayerVersion, SimpleTable, StateMachine"),
            e(6, 5, "/Globals/Function/FunctionName", &format!("\"FunctionName\" is not a property SAM takes from Globals.Function; expected one of {}", "Handler, Runtime, CodeUri, DeadLetterQueue, Description, MemorySize, Timeout, VpcConfig, Environment, Tags, PropagateTags, Tracing, KmsKeyArn, AutoPublishAlias, AutoPublishAliasAllProperties, Layers, DeploymentPreference, RolePath, PermissionsBoundary, ReservedConcurrentExecutions, ProvisionedConcurrencyConfig, AssumeRolePolicyDocument, EventInvokeConfig, FileSystemConfigs, CodeSigningConfigArn, Architectures, SnapStart, EphemeralStorage, FunctionUrlConfig, RuntimeManagementConfig, LoggingConfig, RecursiveLoop, SourceKMSKeyArn")),
        ]
    );
}

#[test]
fn globals_merge_maps_concatenate_lists_and_yield_to_the_resource() {
    let path = fixture("globals_merge", &["hello", "other"]);
    let text = "Transform: AWS::Serverless-2016-10-31\nGlobals:\n  Function:\n    CodeUri: hello\n    Runtime: python3.12\n    Handler: app.handler\n    Architectures: [arm64]\n    Environment:\n      Variables: {AA: global, BB: global}\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: other\n      Architectures: [x86_64]\n      Environment:\n        Variables: {BB: local, CC: local}\n  Plain:\n    Type: AWS::Serverless::Function\n    IgnoreGlobals: [Environment]\n";
    let template = load_ok(&path, text);
    let f = &template.functions[0];
    assert_eq!(f.code_dir, path.with_file_name("other"));
    assert_eq!(f.architectures, [crate::function::Architecture::X86_64]);
    let vars: Vec<(&str, &str)> = f
        .environment
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(vars, [("AA", "global"), ("BB", "local"), ("CC", "local")]);
    let plain = &template.functions[1];
    assert_eq!(plain.code_dir, path.with_file_name("hello"));
    assert_eq!(plain.architectures, [crate::function::Architecture::Arm64]);
    assert!(plain.environment.is_empty());
}

#[test]
fn a_resource_whose_condition_is_false_cannot_be_referred_to() {
    let path = fixture("inactive", &["hello"]);
    let head = "Conditions:\n  Never: !Equals [a, b]\n";
    let text = format!(
        "{}  Table:\n    Type: AWS::DynamoDB::Table\n    Condition: Never\n",
        with_variables(
            head,
            &[
                "TABLE: !Ref Table",
                "OPTIONAL: !If [Never, !Ref Table, none]"
            ]
        )
    );
    assert_eq!(
        load_errors(&path, &text),
        [e(13, 23, "/Resources/Fn/Properties/Environment/Variables/TABLE/Ref", "Ref refers to Table, which is not created because its condition Never is false; guard this value with Fn::If on the same condition")]
    );
}

/// A template with an `AWS::Serverless::Api` called `Api` whose properties are `props` (from
/// line 13, column 7), after the function `Fn` (lines 3 to 9) whose Api event (line 9) targets it.
fn with_api(props: &[&str]) -> String {
    let props: String = props.iter().map(|l| format!("      {l}\n")).collect();
    format!("Transform: AWS::Serverless-2016-10-31\nResources:\n{FN}      Events: {{E: {{Type: Api, Properties: {{RestApiId: !Ref Api, Path: /fn, Method: post}}}}}}\n  Api:\n    Type: AWS::Serverless::Api\n    Properties:\n{props}")
}

#[test]
fn apis_without_stage_with_two_definitions_or_with_features_not_yet_served() {
    let path = fixture("api_errors", &["hello"]);
    assert_eq!(
        load_errors(&path, &with_api(&["Variables: {v: '1'}"])),
        [e(
            12,
            5,
            "/Resources/Api/Properties",
            "Api has no StageName; SAM requires one for an AWS::Serverless::Api"
        )]
    );
    assert_eq!(
        load_errors(
            &path,
            &with_api(&[
                "StageName: dev",
                "DefinitionBody: {}",
                "DefinitionUri: api.yaml"
            ])
        ),
        [e(
            15,
            7,
            "/Resources/Api/Properties/DefinitionUri",
            "give either DefinitionBody or DefinitionUri, not both"
        )]
    );
    assert_eq!(
        load_errors(
            &path,
            &with_api(&[
                "StageName: dev",
                "CanarySetting: {PercentTraffic: 10}",
                "Variables: {'bad-name': x}"
            ])
        ),
        [
            e(
                14,
                7,
                "/Resources/Api/Properties/CanarySetting",
                "CanarySetting is not supported yet by Turnpike (canary deployments are planned)"
            ),
            e(
                15,
                19,
                "/Resources/Api/Properties/Variables/bad-name",
                "stage variable name \"bad-name\" may only have letters, digits and underscores"
            ),
        ]
    );
}

#[test]
fn definition_body_errors_point_into_the_template() {
    let path = fixture("definition_body", &["hello"]);
    let text = with_api(&[
        "StageName: dev",
        "DefinitionBody:",
        "  openapi: 3.0.1",
        "  info: {title: Api}",
        "  paths:",
        "    /proxy:",
        "      get:",
        "        x-amazon-apigateway-integration: {type: http_proxy, httpMethod: GET, uri: !Sub 'example.com/${AWS::Region}'}",
        "    /queue:",
        "      post:",
        "        x-amazon-apigateway-integration: {type: aws, httpMethod: POST, uri: 'arn:aws:apigateway:us-east-1:sqs:queue/123456789012/jobs'}",
        "    /fn:",
        "      post:",
        "        x-amazon-apigateway-integration: {type: mock}",
    ]);
    let body = "/Resources/Api/Properties/DefinitionBody/paths";
    assert_eq!(
        load_errors(&path, &text),
        [
            e(9, 84, "/Resources/Fn/Properties/Events/E/Properties/Method", "API method \"post\" is defined more than once for path \"/fn\"; each path and method may have one integration"),
            e(20, 94, &format!("{body}/~1proxy/get/x-amazon-apigateway-integration/uri"), "uri \"example.com/us-east-1\" must be an absolute http:// or https:// URL (it may contain {param} and ${stageVariables.name})"),
            e(23, 83, &format!("{body}/~1queue/post/x-amazon-apigateway-integration/uri"), "uri \"arn:aws:apigateway:us-east-1:sqs:queue/123456789012/jobs\" must call the service by path/ or action/ after \"sqs:\"; expected arn:aws:apigateway:REGION:SERVICE:path/PATH or arn:aws:apigateway:REGION:SERVICE:action/ACTION (SERVICE may be SUBDOMAIN.SERVICE)"),
        ]
    );
}

#[test]
fn definition_uri_is_an_openapi_file_beside_the_template() {
    let path = fixture("definition_uri", &["hello"]);
    let api_file = path.with_file_name("api.yaml");
    std::fs::write(&api_file, "openapi: 3.0.1\ninfo: {title: From File}\npaths:\n  /users:\n    get:\n      x-amazon-apigateway-integration:\n        type: aws_proxy\n        httpMethod: POST\n        uri: arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:Fn/invocations\n").unwrap();
    let template = load_ok(
        &path,
        &with_api(&["StageName: dev", "DefinitionUri: api.yaml"]),
    );
    let api = &template.apis[0];
    assert_eq!(api.name, "From File");
    assert_eq!(api.source, api_file);
    let routes: Vec<String> = api.routes.iter().map(|r| r.key.to_string()).collect();
    assert_eq!(routes, ["GET /users"]);
    let warnings = located_all(&path, template.warnings);
    assert_eq!(
        warnings,
        [e(9, 19, "/Resources/Fn/Properties/Events/E", "this event adds no route to Api: SAM does not edit an API defined by DefinitionUri (api.yaml), so POST /fn is served only if that file declares it")]
    );
    // Errors in the file name the file.
    std::fs::write(&api_file, "openapi: 3.0.1\ninfo: {title: From File}\npaths:\n  /users:\n    get:\n      x-amazon-apigateway-integration: {type: aws_proxy, httpMethod: GET, uri: 'arn:aws:lambda:us-east-1:123456789012:function:Fn'}\n").unwrap();
    let errors = load_template(
        &path,
        &with_api(&["StageName: dev", "DefinitionUri: api.yaml"]),
        &options(),
    )
    .unwrap_err();
    assert_eq!(
        errors.to_string(),
        format!(
            "{0}:6:70: /paths/~1users/get/x-amazon-apigateway-integration/httpMethod: httpMethod of a Lambda integration must be POST (API Gateway calls the Lambda Invoke API with POST); found GET\n{0}:6:80: /paths/~1users/get/x-amazon-apigateway-integration/uri: uri \"arn:aws:lambda:us-east-1:123456789012:function:Fn\" is a function ARN, which only HTTP APIs take; REST APIs expect a Lambda invocation ARN, arn:aws:apigateway:REGION:lambda:path/2015-03-31/functions/FUNCTION_ARN/invocations",
            api_file.display()
        )
    );
}

#[test]
fn implicit_apis_can_be_referred_to() {
    let path = fixture("implicit_ref", &["hello"]);
    let text = format!(
        "{}      Events:\n        E: {{Type: Api, Properties: {{Path: /x, Method: get}}}}\n",
        with_variables("", &["URL: !Sub 'https://${ServerlessRestApi}.execute-api.${AWS::Region}.amazonaws.com/Prod'"])
    );
    let template = load_ok(&path, &text);
    let id = &template.apis[0].id;
    assert_eq!(
        template.functions[0]
            .environment
            .get("URL")
            .map(String::as_str),
        Some(format!("https://{id}.execute-api.us-east-1.amazonaws.com/Prod").as_str())
    );
}

#[test]
fn http_api_bodies_take_function_arns_and_lambda_invocation_arns() {
    let path = fixture("http_body", &["hello"]);
    let text = format!(
        "Transform: AWS::Serverless-2016-10-31\nResources:\n{FN}  Http:\n    Type: AWS::Serverless::HttpApi\n    Properties:\n      StageName: live\n      DefinitionBody:\n        openapi: 3.0.1\n        info: {{title: Http}}\n        x-amazon-apigateway-importexport-version: '1.0'\n        paths:\n          /a:\n            get:\n              x-amazon-apigateway-integration: {{type: aws_proxy, uri: !GetAtt Fn.Arn, payloadFormatVersion: '2.0'}}\n          /b:\n            get:\n              x-amazon-apigateway-integration: {{type: aws_proxy, uri: !Sub 'arn:${{AWS::Partition}}:apigateway:${{AWS::Region}}:lambda:path/2015-03-31/functions/${{Fn.Arn}}/invocations'}}\n"
    );
    let template = load_ok(&path, &text);
    let api = &template.apis[0];
    let arns: Vec<Option<&str>> = api
        .routes
        .iter()
        .map(|r| r.integration.lambda_function_arn())
        .collect();
    let fn_arn = "arn:aws:lambda:us-east-1:123456789012:function:Fn";
    assert_eq!(arns, [Some(fn_arn), Some(fn_arn)]);
    assert_eq!(template.stages[0].1.name, "live");
    assert_eq!(
        template
            .function_for_arn(fn_arn)
            .map(|f| f.logical_id.as_str()),
        Some("Fn")
    );
}

#[test]
fn odd_shapes_are_errors_not_panics() {
    let path = fixture("odd_shapes", &["hello"]);
    let texts = [
        "[]",
        "Resources: []",
        "Resources: {Fn: []}",
        "Resources: {Fn: {Type: [x]}}",
        "Transform: AWS::Serverless-2016-10-31\nResources: {Fn: {Type: AWS::Serverless::Function, Properties: x}}",
        "Transform: AWS::Serverless-2016-10-31\nResources: {Fn: {Type: AWS::Serverless::Function, Properties: {Events: [a]}}}",
        "Transform: AWS::Serverless-2016-10-31\nResources: {Fn: {Type: AWS::Serverless::Function, Properties: {Events: {E: {Type: Api, Properties: [1]}}}}}",
        "Transform: [1]\nGlobals: []\nParameters: []\nConditions: []\nResources: {A: {Type: AWS::SNS::Topic}}",
        "Parameters: {P: {Type: String, Default: {a: 1}}}\nConditions: {C: !Equals [!Ref P]}\nResources: {A: {Type: AWS::SNS::Topic, Condition: [C]}}",
        "Transform: AWS::Serverless-2016-10-31\nResources: {Fn: {Type: AWS::Serverless::Function, Properties: {FunctionName: !Ref Fn, CodeUri: hello, Runtime: python3.12, Handler: a.b, Environment: !Ref AWS::NoValue}}}",
        "Transform: AWS::Serverless-2016-10-31\nResources: {Api: {Type: AWS::Serverless::Api, Properties: {StageName: [x], DefinitionBody: !Join [',', [a]]}}}",
        "Transform: AWS::Serverless-2016-10-31\nResources: {Fn: {Type: AWS::Serverless::Function, Properties: {CodeUri: hello, Runtime: python3.12, Handler: a.b, Timeout: !Select [!Ref AWS::Region, [1]], MemorySize: !FindInMap [a, b, c], Layers: !Split ['', x]}}}",
    ];
    for text in texts {
        let result = load_template(&path, text, &options());
        let errors = result.expect_err(text);
        assert!(!errors.0.is_empty(), "{text}");
        for error in &errors.0 {
            assert!(error.line >= 1, "{text}: {error}");
        }
    }
}

#[test]
fn an_event_gives_an_operation_of_the_definition_its_integration() {
    let path = fixture("event_into_body", &["hello"]);
    let text = with_api(&[
        "StageName: dev",
        "DefinitionBody:",
        "  swagger: '2.0'",
        "  info: {title: Api}",
        "  paths:",
        "    /fn:",
        "      post:",
        "        operationId: callFn",
        "        responses: {'200': {description: ok}}",
    ]);
    let template = load_ok(&path, &text);
    let route = &template.apis[0].routes[0];
    assert_eq!(route.key.to_string(), "POST /fn");
    assert_eq!(route.operation_id.as_deref(), Some("callFn"));
    assert_eq!(
        route.pointer,
        "/Resources/Api/Properties/DefinitionBody/paths/~1fn/post"
    );
    assert_eq!(
        route.integration.lambda_function_arn(),
        Some("arn:aws:lambda:us-east-1:123456789012:function:Fn")
    );
}
