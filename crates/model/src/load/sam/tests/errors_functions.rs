//! Error classes about functions and their events.

use super::*;

/// A template whose function `Fn` has `props` as its properties, from line 6, column 7.
fn function(props: &[&str]) -> String {
    let body: String = props.iter().map(|l| format!("      {l}\n")).collect();
    format!("Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n{body}")
}

const PROPS: &str = "/Resources/Fn/Properties";

fn at(member: &str) -> String {
    format!("{PROPS}/{member}")
}

#[test]
fn missing_code_uri_handler_and_runtime() {
    let path = fixture("missing_properties", &["hello"]);
    assert_eq!(
        load_errors(&path, &function(&["Handler: app.handler"])),
        [
            e(5, 5, PROPS, "Fn has no CodeUri; Turnpike runs a function from a local directory, so give CodeUri as its path (here or in Globals.Function)"),
            e(5, 5, PROPS, "Fn has no Runtime; expected one such as python3.12, nodejs20.x or provided.al2023"),
        ]
    );
    assert_eq!(
        load_errors(&path, &function(&["CodeUri: hello", "Runtime: nodejs20.x"])),
        [e(
            5,
            5,
            PROPS,
            "Fn has no Handler; a nodejs20.x function needs one, such as app.lambda_handler"
        )]
    );
    // A custom runtime runs its bootstrap and needs no handler.
    let template = load_ok(
        &path,
        &function(&["CodeUri: hello", "Runtime: provided.al2023"]),
    );
    assert_eq!(template.functions[0].handler, None);
    // Without Properties, the resource itself is pointed at.
    let bare = "Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n";
    assert_eq!(
        load_errors(&path, bare)[0],
        e(3, 3, "/Resources/Fn", "Fn has no CodeUri; Turnpike runs a function from a local directory, so give CodeUri as its path (here or in Globals.Function)")
    );
}

#[test]
fn images_inline_code_and_code_in_s3_are_not_run() {
    let path = fixture("packaging", &["hello"]);
    std::fs::write(path.with_file_name("code.zip"), b"PK").unwrap();
    let base = ["Runtime: python3.12", "Handler: app.handler"];
    let with = |extra: &[&str]| function(&[&base[..], extra].concat());
    assert_eq!(
        load_errors(&path, &with(&["PackageType: Image", "ImageUri: repo/image:latest"])),
        [
            e(8, 20, &at("PackageType"), "PackageType Image is not supported by Turnpike: it runs functions from a local code directory (PackageType Zip)"),
            e(9, 7, &at("ImageUri"), "ImageUri belongs to container image functions, which Turnpike does not run; give the code directory as CodeUri instead"),
        ]
    );
    assert_eq!(
        load_errors(&path, &with(&["InlineCode: 'def handler(e, c): return 1'"])),
        [e(8, 7, &at("InlineCode"), "InlineCode is not supported by Turnpike; put the code in a directory and give its path as CodeUri")]
    );
    assert_eq!(
        load_errors(&path, &with(&["CodeUri: s3://bucket/code.zip"])),
        [e(8, 16, &at("CodeUri"), "CodeUri \"s3://bucket/code.zip\" is in S3, which Turnpike does not read: give the path of the code's local directory (as before sam package)")]
    );
    assert_eq!(
        load_errors(&path, &with(&["CodeUri: {Bucket: b, Key: k}"])),
        [e(8, 16, &at("CodeUri"), "CodeUri in S3 is not supported by Turnpike: it runs local code, so give CodeUri as the path of the code's directory (as before sam package)")]
    );
    assert_eq!(
        load_errors(&path, &with(&["CodeUri: code.zip"])),
        [e(8, 16, &at("CodeUri"), "CodeUri \"code.zip\" is a file; Turnpike runs a function from the directory that holds its code, so unpack it or point CodeUri at the source directory")]
    );
    let missing = path.with_file_name("nowhere");
    assert_eq!(
        load_errors(&path, &with(&["CodeUri: nowhere"])),
        [e(
            8,
            16,
            &at("CodeUri"),
            &format!(
                "CodeUri \"nowhere\": there is no directory at {}",
                missing.display()
            )
        )]
    );
}

#[test]
fn numbers_names_architectures_and_environment() {
    let path = fixture("values", &["hello"]);
    let base = [
        "CodeUri: hello",
        "Runtime: python3.12",
        "Handler: app.handler",
    ];
    let with = |extra: &[&str]| function(&[&base[..], extra].concat());
    assert_eq!(
        load_errors(&path, &with(&["Timeout: 901", "MemorySize: lots", "ReservedConcurrentExecutions: -1"])),
        [
            e(9, 16, &at("Timeout"), "Timeout (seconds) must be a whole number from 1 to 900; found 901"),
            e(10, 19, &at("MemorySize"), "MemorySize (MB) must be a whole number from 128 to 10240; found lots"),
            e(11, 37, &at("ReservedConcurrentExecutions"), "ReservedConcurrentExecutions must be a whole number from 0 to 4294967295; found -1"),
        ]
    );
    assert_eq!(
        load_errors(&path, &with(&["Architectures: [x86_64, arm64]"])),
        [e(
            9,
            22,
            &at("Architectures"),
            "Architectures must list exactly one architecture (x86_64 or arm64); found 2"
        )]
    );
    assert_eq!(
        load_errors(&path, &with(&["Architectures: [ARM64]"])),
        [e(
            9,
            23,
            &at("Architectures/0"),
            "unknown architecture \"ARM64\"; expected x86_64 or arm64"
        )]
    );
    assert_eq!(
        load_errors(&path, &with(&["FunctionName: my.function"])),
        [e(9, 21, &at("FunctionName"), "FunctionName \"my.function\" is not a valid Lambda function name; use 1 to 64 letters, digits, hyphens and underscores")]
    );
    assert_eq!(
        load_errors(&path, &with(&["Environment:", "  Vars: {}", "  Variables:", "    AWS_REGION: eu-west-1", "    9LIVES: x", "    NESTED: {a: b}"])),
        [
            e(10, 9, &at("Environment/Vars"), "unknown property \"Vars\" in Environment; expected one of Variables"),
            e(12, 11, &at("Environment/Variables/AWS_REGION"), "environment variable AWS_REGION is reserved: Lambda sets it for every function and refuses it in the configuration"),
            e(13, 11, &at("Environment/Variables/9LIVES"), "environment variable name \"9LIVES\" is not valid in Lambda; names start with a letter and have at least two letters, digits and underscores"),
            e(14, 19, &at("Environment/Variables/NESTED"), "Environment.Variables.NESTED must be a string; found a mapping"),
        ]
    );
    assert_eq!(
        load_errors(&path, &with(&["Runtim: python3.13"]))[0].3,
        format!(
            "unknown property \"Runtim\" in AWS::Serverless::Function Fn; expected one of {}",
            super::super::function::SERVERLESS_PROPERTIES.join(", ")
        )
    );
}

#[test]
fn lambda_functions_take_a_local_code_path() {
    let path = fixture("lambda_function", &["src"]);
    let lambda = |code: &str| {
        format!("Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n      FunctionName: worker\n      Runtime: python3.12\n      Handler: app.handler\n{code}")
    };
    let template = load_ok(&path, &lambda("      Code: src\n"));
    assert_eq!(template.functions[0].function_name, "worker");
    assert_eq!(template.functions[0].code_dir, path.with_file_name("src"));
    assert_eq!(
        load_errors(&path, &lambda("      Code: {ZipFile: 'def handler(e, c): pass'}\n")),
        [e(8, 13, "/Resources/Fn/Properties/Code", "Code.ZipFile (inline code) is not supported by Turnpike; put the code in a directory and give its path as Code")]
    );
    assert_eq!(
        load_errors(&path, &lambda("")),
        [e(4, 5, "/Resources/Fn/Properties", "Fn has no Code; Turnpike runs a function from a local directory, so give Code as its path")]
    );
}

/// `Fn` with code, runtime and handler, and `events` from line 10, column 9.
fn with_events(events: &[&str], rest: &str) -> String {
    let mut props = vec![
        "CodeUri: hello",
        "Runtime: python3.12",
        "Handler: app.handler",
        "Events:",
    ];
    let events: Vec<String> = events.iter().map(|l| format!("  {l}")).collect();
    props.extend(events.iter().map(String::as_str));
    format!("{}{rest}", function(&props))
}

const EVENTS: &str = "/Resources/Fn/Properties/Events";

#[test]
fn api_ids_must_refer_to_an_api_of_the_right_kind() {
    let path = fixture("api_ids", &["hello"]);
    let http_api = "  Http:\n    Type: AWS::Serverless::HttpApi\n";
    let event = |api_id: &str| {
        with_events(
            &[
                "E:",
                "  Type: Api",
                "  Properties:",
                "    Path: /x",
                "    Method: get",
                &format!("    RestApiId: {api_id}"),
            ],
            http_api,
        )
    };
    assert_eq!(
        load_errors(&path, &event("!Ref Http")),
        [e(15, 29, &format!("{EVENTS}/E/Properties/RestApiId"), "RestApiId refers to Http, which is a AWS::Serverless::HttpApi; this event needs an AWS::Serverless::Api")]
    );
    assert_eq!(
        load_errors(&path, &event("abcdef1234")),
        [e(15, 24, &format!("{EVENTS}/E/Properties/RestApiId"), "RestApiId must be a Ref to an AWS::Serverless::Api of this template (such as !Ref MyApi); Turnpike serves only the APIs the template defines")]
    );
    assert_eq!(
        load_errors(&path, &event("!Ref Fn")),
        [e(15, 29, &format!("{EVENTS}/E/Properties/RestApiId"), "RestApiId refers to Fn, which is a AWS::Serverless::Function; this event needs an AWS::Serverless::Api")]
    );
    assert_eq!(
        load_errors(&path, &event("!Ref Nope")),
        [e(
            15,
            29,
            &format!("{EVENTS}/E/Properties/RestApiId/Ref"),
            "Ref refers to \"Nope\", which is neither a parameter nor a resource of this template"
        )]
    );
}

#[test]
fn event_types_paths_and_methods() {
    let path = fixture("event_shapes", &["hello"]);
    let template = load_ok(
        &path,
        &with_events(
            &[
                "Nightly:",
                "  Type: Schedule",
                "  Properties: {Schedule: rate(1 day), Input: !GetAtt Missing.Arn}",
            ],
            "",
        ),
    );
    assert_eq!(
        template.ignored,
        [("Fn.Events.Nightly".to_owned(), "Schedule".to_owned())]
    );
    let warnings = located_all(&path, template.warnings);
    assert_eq!(warnings, [e(11, 17, &format!("{EVENTS}/Nightly/Type"), "event Nightly of type Schedule does not come through API Gateway; Turnpike serves HTTP only and ignores it")]);
    assert_eq!(
        load_errors(&path, &with_events(&["E:", "  Type: Websocket"], "")),
        [e(11, 17, &format!("{EVENTS}/E/Type"), "unknown event Type \"Websocket\"; expected one of Api, HttpApi, AlexaSkill, CloudWatchEvent, CloudWatchLogs, Cognito, DocumentDB, DynamoDB, EventBridgeRule, IoTRule, Kinesis, MQ, MSK, S3, Schedule, ScheduleV2, SelfManagedKafka, SNS, SQS")]
    );
    assert_eq!(
        load_errors(
            &path,
            &with_events(&["E:", "  Type: Api", "  Properties: {Path: /x}"], "")
        ),
        [e(
            10,
            9,
            &format!("{EVENTS}/E"),
            "this Api event has no Method; Api events need both Path and Method"
        )]
    );
    assert_eq!(
        load_errors(&path, &with_events(&["E:", "  Type: HttpApi", "  Properties: {Method: get}"], "")),
        [e(10, 9, &format!("{EVENTS}/E"), "this HttpApi event has no Path; give both Path and Method, or neither for the $default route")]
    );
    assert_eq!(
        load_errors(
            &path,
            &with_events(
                &[
                    "E:",
                    "  Type: Api",
                    "  Properties: {Path: x, Method: fetch}"
                ],
                ""
            )
        ),
        [e(
            12,
            30,
            &format!("{EVENTS}/E/Properties/Path"),
            "Path \"x\" must start with /"
        )]
    );
    assert_eq!(
        load_errors(&path, &with_events(&["E:", "  Type: Api", "  Properties: {Path: /x, Method: fetch}"], "")),
        [e(12, 42, &format!("{EVENTS}/E/Properties/Method"), "unknown Method \"fetch\"; expected one of get, post, put, delete, patch, head, options, any")]
    );
    assert_eq!(
        load_errors(&path, &with_events(&["E:", "  Type: HttpApi", "  Properties: {PayloadFormatVersion: '3.0', Auth: {Authorizer: Jwt}, Timeout: 5}"], "")),
        [
            e(12, 46, &format!("{EVENTS}/E/Properties/PayloadFormatVersion"), "unknown PayloadFormatVersion \"3.0\"; expected \"1.0\" or \"2.0\""),
            e(12, 72, &format!("{EVENTS}/E/Properties/Auth/Authorizer"), "Authorizer \"Jwt\" is not one of the API's Auth.Authorizers (or NONE, AWS_IAM)"),
            e(12, 78, &format!("{EVENTS}/E/Properties/Timeout"), "unknown property \"Timeout\" in the Properties of HttpApi event E; expected one of Path, Method, ApiId, Auth, PayloadFormatVersion, RouteSettings, TimeoutInMillis"),
        ]
    );
}

#[test]
fn a_path_and_method_served_twice() {
    let path = fixture("duplicate_route", &["hello"]);
    let text = with_events(
        &[
            "A:",
            "  Type: Api",
            "  Properties: {Path: /x, Method: GET}",
            "B:",
            "  Type: Api",
            "  Properties: {Path: /x, Method: get}",
        ],
        "",
    );
    assert_eq!(
        load_errors(&path, &text),
        [e(15, 42, &format!("{EVENTS}/B/Properties/Method"), "API method \"get\" is defined more than once for path \"/x\"; each path and method may have one integration")]
    );
    // Path parameters that differ only in name are the same HTTP API route: the OpenAPI loader's
    // check, pointed back at the event.
    let text = with_events(
        &[
            "A:",
            "  Type: HttpApi",
            "  Properties: {Path: '/x/{a}', Method: GET}",
            "B:",
            "  Type: HttpApi",
            "  Properties: {Path: '/x/{b}', Method: get}",
        ],
        "",
    );
    assert_eq!(
        load_errors(&path, &text),
        [e(13, 9, &format!("{EVENTS}/B"), "route GET /x/{b} duplicates GET /x/{a}: routes that differ only in path parameter names are the same route in API Gateway")]
    );
}

/// `cdk synth` output: code in the CDK's asset bucket, and the local copy it was made from named
/// by `Metadata` `aws:asset:path` (relative to the template, in `cdk.out`), as SAM CLI reads it.
#[test]
fn code_in_s3_runs_from_the_cdk_asset_path() {
    let path = fixture("cdk_asset", &["asset.4f2a"]);
    let template = |asset: &str| {
        format!(
            "Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n      \
             Code: {{S3Bucket: cdk-hnb659fds-assets, S3Key: 4f2a.zip}}\n      \
             Handler: index.handler\n      Runtime: python3.12\n      \
             Role: arn:aws:iam::123456789012:role/r\n    Metadata:\n      \
             aws:asset:path: {asset}\n      aws:asset:property: Code\n"
        )
    };
    let loaded = load_ok(&path, &template("asset.4f2a"));
    assert_eq!(
        loaded.functions[0].code_dir,
        path.with_file_name("asset.4f2a")
    );
    let missing = path.with_file_name("asset.gone");
    assert_eq!(
        load_errors(&path, &template("asset.gone")),
        [e(10, 23, "/Resources/Fn/Metadata/aws:asset:path", &format!("aws:asset:path \"asset.gone\": there is no directory at {}; run cdk synth again, or give Code as the path of the code's directory", missing.display()))]
    );
    // Without the metadata, code in S3 is still refused.
    let bare = template("x").replace(
        "    Metadata:\n      aws:asset:path: x\n      aws:asset:property: Code\n",
        "",
    );
    assert_eq!(
        load_errors(&path, &bare),
        [e(5, 13, "/Resources/Fn/Properties/Code", "Code in S3 is not supported by Turnpike: it runs local code, so give Code as the path of the code's directory (as before sam package)")]
    );
}
