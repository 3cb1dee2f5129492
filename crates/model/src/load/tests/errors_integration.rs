//! Error classes about `x-amazon-apigateway-integration`.

use super::*;

const PTR: &str = "/paths/~1pets~1{id}/get/x-amazon-apigateway-integration";

/// A REST API whose GET /pets/{id} integration has `lines` as its members, from line 7, column 9.
fn rest(lines: &[&str]) -> String {
    document("", lines)
}

/// The same in an HTTP API: the members start on line 8.
fn http(lines: &[&str]) -> String {
    document("x-amazon-apigateway-importexport-version: '1.0'\n", lines)
}

fn document(marker: &str, lines: &[&str]) -> String {
    let body: String = lines.iter().map(|l| format!("        {l}\n")).collect();
    format!("openapi: 3.0.1\ninfo: {{title: t}}\n{marker}paths:\n  /pets/{{id}}:\n    get:\n      x-amazon-apigateway-integration:\n{body}")
}

fn at(member: &str) -> String {
    format!("{PTR}{member}")
}

#[test]
fn unknown_and_missing_type() {
    assert_eq!(
        load_errors("api.yaml", &rest(&["type: HTTP_PROX", "uri: http://h/x"])),
        [e(7, 15, &at("/type"), "unknown integration type \"HTTP_PROX\"; expected one of HTTP, HTTP_PROXY, MOCK, AWS, AWS_PROXY")]
    );
    assert_eq!(
        load_errors("api.yaml", &rest(&["uri: http://h/x"])),
        [e(6, 7, PTR, "x-amazon-apigateway-integration has no type; expected one of HTTP, HTTP_PROXY, MOCK, AWS, AWS_PROXY")]
    );
}

#[test]
fn type_is_case_insensitive() {
    let api = load_ok(
        "api.yaml",
        &rest(&["type: Http_Proxy", "uri: http://h/{id}", "httpMethod: get"]),
    );
    assert_eq!(
        api.routes[0].integration.kind,
        crate::api::IntegrationType::HttpProxy
    );
}

#[test]
fn uri_missing_or_not_absolute() {
    assert_eq!(
        load_errors("api.yaml", &rest(&["type: http_proxy", "httpMethod: GET"])),
        [e(6, 7, PTR, "uri is required for HTTP_PROXY integrations; expected an absolute http:// or https:// URL")]
    );
    assert_eq!(
        load_errors("api.yaml", &rest(&["type: http", "httpMethod: GET", "uri: example.com/pets"])),
        [e(9, 14, &at("/uri"), "uri \"example.com/pets\" must be an absolute http:// or https:// URL (it may contain {param} and ${stageVariables.name})")]
    );
    assert_eq!(
        load_errors("api.yaml", &rest(&["type: http", "httpMethod: GET", "uri: 'http://h/${stage.x}'"])),
        [e(9, 14, &at("/uri"), "unknown placeholder \"${stage.x}\" in uri; expected ${stageVariables.name} (letters, digits and _) or {param}")]
    );
}

#[test]
fn uri_param_that_is_neither_a_path_parameter_nor_mapped() {
    assert_eq!(
        load_errors("api.yaml", &rest(&["type: http_proxy", "httpMethod: GET", "uri: 'http://h/pets/{petId}'"])),
        [e(9, 14, &at("/uri"), "uri placeholder {petId} is neither a path parameter of GET /pets/{id} nor mapped by requestParameters (integration.request.path.petId); its path parameters are id")]
    );
    let mapped = rest(&[
        "type: http_proxy",
        "httpMethod: GET",
        "uri: 'http://h/pets/{petId}'",
        "requestParameters: {integration.request.path.petId: method.request.path.id}",
    ]);
    assert_eq!(load_ok("api.yaml", &mapped).routes.len(), 1);
    assert_eq!(
        load_errors("api.yaml", &http(&["type: http_proxy", "uri: 'http://h/pets/{petId}'"])),
        [e(9, 14, &at("/uri"), "uri placeholder {petId} is not a path parameter of GET /pets/{id}; its path parameters are id")]
    );
}

#[test]
fn rest_http_integrations_need_an_http_method() {
    assert_eq!(
        load_errors("api.yaml", &rest(&["type: http_proxy", "uri: http://h/x"])),
        [e(6, 7, PTR, "httpMethod is required for HTTP_PROXY integrations in REST APIs; expected GET, POST, ... or ANY to use the request's method")]
    );
    assert_eq!(
        load_errors("api.yaml", &rest(&["type: http_proxy", "uri: http://h/x", "httpMethod: FETCH"])),
        [e(9, 21, &at("/httpMethod"), "unknown httpMethod \"FETCH\"; expected one of GET, PUT, POST, DELETE, OPTIONS, HEAD, PATCH, ANY")]
    );
}

#[test]
fn timeout_out_of_range() {
    let base = ["type: http_proxy", "uri: http://h/x", "httpMethod: GET"];
    assert_eq!(
        load_errors("api.yaml", &rest(&[&base[..], &["timeoutInMillis: 29001"]].concat())),
        [e(10, 26, &at("/timeoutInMillis"), "timeoutInMillis 29001 is out of range; REST APIs allow a whole number of milliseconds from 50 to 29000")]
    );
    assert_eq!(
        load_errors("api.yaml", &rest(&[&base[..], &["timeoutInMillis: 49"]].concat())),
        [e(10, 26, &at("/timeoutInMillis"), "timeoutInMillis 49 is out of range; REST APIs allow a whole number of milliseconds from 50 to 29000")]
    );
    assert_eq!(
        load_errors("api.yaml", &http(&[&base[..], &["timeoutInMillis: 30001"]].concat())),
        [e(11, 26, &at("/timeoutInMillis"), "timeoutInMillis 30001 is out of range; HTTP APIs allow a whole number of milliseconds from 50 to 30000")]
    );
    assert_eq!(
        load_errors(
            "api.yaml",
            &rest(&[&base[..], &["timeoutInMillis: '5000'"]].concat())
        ),
        [e(
            10,
            26,
            &at("/timeoutInMillis"),
            "timeoutInMillis must be a number; found a string"
        )]
    );
    let api = load_ok(
        "api.yaml",
        &http(&[&base[..], &["timeoutInMillis: 30000"]].concat()),
    );
    assert_eq!(api.routes[0].integration.timeout.as_millis(), 30_000);
}

#[test]
fn bad_status_codes() {
    let text = rest(&[
        "type: mock",
        "responses:",
        "  default: {statusCode: '20x'}",
        "  '4\\d{2}': {statusCode: 600}",
        "  '5\\d{2}': {responseTemplates: {}}",
        "  '3\\d{2}': {statusCode: [302]}",
    ]);
    assert_eq!(
        load_errors("api.yaml", &text),
        [
            e(9, 33, &at("/responses/default/statusCode"), "invalid statusCode \"20x\"; expected a three-digit HTTP status from 100 to 599"),
            e(10, 34, &at("/responses/4\\d{2}/statusCode"), "invalid statusCode \"600\"; expected a three-digit HTTP status from 100 to 599"),
            e(11, 11, &at("/responses/5\\d{2}"), "integration response \"5\\d{2}\" has no statusCode; expected the HTTP status to answer with, such as \"200\""),
            e(12, 34, &at("/responses/3\\d{2}/statusCode"), "statusCode must be a string such as \"200\"; found a sequence"),
        ]
    );
}

#[test]
fn invalid_selection_regex() {
    let text = rest(&[
        "type: mock",
        "responses:",
        "  '2(\\d{2}': {statusCode: '200'}",
    ]);
    assert_eq!(
        load_errors("api.yaml", &text),
        [e(9, 11, &at("/responses/2(\\d{2}"), "invalid selection pattern \"2(\\d{2}\": unclosed group; the key of an integration response is \"default\" or a regular expression matched against the whole status code")]
    );
}

#[test]
fn wrong_json_types() {
    let text = rest(&[
        "type: mock",
        "requestTemplates: '{\"statusCode\": 200}'",
        "responses:",
        "  default:",
        "    statusCode: '200'",
        "    responseTemplates: {application/json: [1]}",
        "    responseParameters: {method.response.header.X: true}",
    ]);
    assert_eq!(
        load_errors("api.yaml", &text),
        [
            e(8, 27, &at("/requestTemplates"), "requestTemplates must be a mapping; found a string"),
            e(12, 51, &at("/responses/default/responseTemplates/application~1json"), "the value of \"application/json\" in responseTemplates must be a string; found a sequence"),
            e(13, 60, &at("/responses/default/responseParameters/method.response.header.X"), "the value of \"method.response.header.X\" in responseParameters must be a string; found a boolean"),
        ]
    );
    assert_eq!(
        load_errors("api.yaml", &rest(&["- type: mock"])),
        [e(
            7,
            9,
            PTR,
            "x-amazon-apigateway-integration must be a mapping; found a sequence"
        )]
    );
}

#[test]
fn unknown_enumerations_and_properties() {
    let text = rest(&[
        "type: mock",
        "passthroughBehavior: always",
        "contentHandling: CONVERT_TO_JSON",
        "timeoutInMilis: 100",
        "requestParameters: {integration.request.body.x: method.request.body}",
    ]);
    assert_eq!(
        load_errors("api.yaml", &text),
        [
            e(8, 30, &at("/passthroughBehavior"), "unknown passthroughBehavior \"always\"; expected one of WHEN_NO_MATCH, WHEN_NO_TEMPLATES, NEVER"),
            e(9, 26, &at("/contentHandling"), "unknown contentHandling \"CONVERT_TO_JSON\"; expected one of CONVERT_TO_TEXT, CONVERT_TO_BINARY"),
            e(10, 9, &at("/timeoutInMilis"), "unknown property \"timeoutInMilis\" in x-amazon-apigateway-integration; expected one of type, uri, httpMethod, requestParameters, requestTemplates, passthroughBehavior, contentHandling, responses, timeoutInMillis, payloadFormatVersion, connectionType, connectionId, credentials, cacheKeyParameters, cacheNamespace, tlsConfig"),
            e(11, 29, &at("/requestParameters/integration.request.body.x"), "requestParameters key \"integration.request.body.x\" must have one of the forms integration.request.header.NAME, integration.request.querystring.NAME, integration.request.path.NAME"),
        ]
    );
}

#[test]
fn http_apis_support_only_proxy_integrations() {
    assert_eq!(
        load_errors("api.yaml", &http(&["type: mock"])),
        [e(8, 15, &at("/type"), "integration type MOCK is not available in HTTP APIs; HTTP APIs support HTTP_PROXY and AWS_PROXY")]
    );
    assert_eq!(
        load_errors("api.yaml", &http(&["type: http", "uri: http://h/x"])),
        [e(8, 15, &at("/type"), "integration type HTTP is not available in HTTP APIs; HTTP APIs support HTTP_PROXY and AWS_PROXY")]
    );
    assert_eq!(
        load_errors(
            "api.yaml",
            &http(&[
                "type: http_proxy",
                "uri: http://h/x",
                "requestTemplates: {}",
                "responses: {}"
            ])
        ),
        [
            e(
                10,
                9,
                &at("/requestTemplates"),
                "requestTemplates is a REST API integration property; HTTP APIs do not have it"
            ),
            e(
                11,
                9,
                &at("/responses"),
                "responses is a REST API integration property; HTTP APIs do not have it"
            ),
        ]
    );
    assert_eq!(
        load_errors(
            "api.yaml",
            &rest(&["type: mock", "integrationSubtype: SQS-SendMessage"])
        ),
        [e(
            8,
            9,
            &at("/integrationSubtype"),
            "integrationSubtype is an HTTP API integration property; REST APIs do not have it"
        )]
    );
}

#[test]
fn payload_format_version() {
    let proxy = ["type: http_proxy", "uri: http://h/x", "httpMethod: GET"];
    assert_eq!(
        load_errors("api.yaml", &rest(&[&proxy[..], &["payloadFormatVersion: '2.0'"]].concat())),
        [e(10, 31, &at("/payloadFormatVersion"), "payloadFormatVersion 2.0 exists only for Lambda proxy integrations of HTTP APIs; REST APIs use 1.0")]
    );
    assert_eq!(
        load_errors("api.yaml", &http(&[&proxy[..], &["payloadFormatVersion: 2.0"]].concat())),
        [e(11, 31, &at("/payloadFormatVersion"), "payloadFormatVersion 2.0 exists only for Lambda (AWS_PROXY) integrations; HTTP_PROXY integrations use 1.0")]
    );
    assert_eq!(
        load_errors(
            "api.yaml",
            &http(&[&proxy[..], &["payloadFormatVersion: '3.0'"]].concat())
        ),
        [e(
            11,
            31,
            &at("/payloadFormatVersion"),
            "unknown payloadFormatVersion \"3.0\"; expected \"1.0\" or \"2.0\""
        )]
    );
}

#[test]
fn shared_integration_reference() {
    let text = "openapi: 3.0.1\ninfo: {title: t}\nx-amazon-apigateway-importexport-version: '1.0'\npaths:\n  /a:\n    get:\n      x-amazon-apigateway-integration: {$ref: '#/components/x-amazon-apigateway-integrations/missing'}\n";
    assert_eq!(
        load_errors("api.yaml", text),
        [e(7, 47, "/paths/~1a/get/x-amazon-apigateway-integration/$ref", "$ref \"#/components/x-amazon-apigateway-integrations/missing\" does not resolve: nothing at that pointer in this document")]
    );
}

#[test]
fn cache_namespace_is_a_rest_string_and_empty_means_the_resource() {
    let namespace = |lines: &[&str]| {
        load_ok("api.yaml", &rest(lines)).routes[0]
            .cache_namespace
            .clone()
    };
    assert_eq!(
        namespace(&["type: mock", "cacheNamespace: pets"]),
        Some("pets".to_owned())
    );
    // AWS's own exports write "" for "the resource's own", as they do when none was set.
    assert_eq!(namespace(&["type: mock", "cacheNamespace: ''"]), None);
    assert_eq!(namespace(&["type: mock"]), None);
    assert_eq!(
        load_errors("api.yaml", &rest(&["type: mock", "cacheNamespace: [pets]"])),
        [e(
            8,
            25,
            &at("/cacheNamespace"),
            "cacheNamespace must be a string; found a sequence"
        )]
    );
    assert_eq!(
        load_errors(
            "api.yaml",
            &http(&[
                "type: http_proxy",
                "uri: http://h/x",
                "cacheNamespace: pets"
            ])
        ),
        [e(
            10,
            9,
            &at("/cacheNamespace"),
            "cacheNamespace is a REST API integration property; HTTP APIs do not have it"
        )]
    );
}

#[test]
fn aws_service_integrations_load_in_path_action_and_subdomain_forms() {
    for uri in [
        "arn:aws:apigateway:us-east-1:sqs:path/123456789012/orders",
        "arn:aws:apigateway:eu-west-1:sqs:path/{account}/q-{id}",
        "arn:aws:apigateway:us-east-1:dynamodb:action/PutItem",
        "arn:aws:apigateway:us-east-1:my-bucket.s3:path/{id}",
    ] {
        let api = load_ok(
            "api.yaml",
            &rest(&[
                "type: aws",
                "httpMethod: GET",
                &format!("uri: {uri}"),
                "credentials: arn:aws:iam::123456789012:role/apigateway",
                "requestParameters: {integration.request.path.account: \"'123456789012'\"}",
            ]),
        );
        let integration = &api.routes[0].integration;
        assert_eq!(integration.kind, crate::api::IntegrationType::Aws);
        assert_eq!(integration.uri.as_deref(), Some(uri));
    }
    // The caller's own credentials are a valid `credentials` too.
    load_ok(
        "api.yaml",
        &rest(&[
            "type: AWS",
            "httpMethod: POST",
            "uri: arn:aws:apigateway:us-east-1:sqs:action/SendMessage",
            "credentials: arn:aws:iam::*:user/*",
        ]),
    );
}

#[test]
fn aws_service_arn_errors() {
    let expected = "arn:aws:apigateway:REGION:SERVICE:path/PATH or arn:aws:apigateway:REGION:SERVICE:action/ACTION (SERVICE may be SUBDOMAIN.SERVICE)";
    let errors = |uri: &str| {
        load_errors(
            "api.yaml",
            &rest(&["type: aws", "httpMethod: POST", &format!("uri: '{uri}'")]),
        )
    };
    assert_eq!(
        errors("arn:aws:apigateway:us-east-1:sqs:queue/orders"),
        [e(9, 14, &at("/uri"), &format!("uri \"arn:aws:apigateway:us-east-1:sqs:queue/orders\" must call the service by path/ or action/ after \"sqs:\"; expected {expected}"))]
    );
    assert_eq!(
        errors("arn:aws:apigateway:us-east-1:sqs"),
        [e(9, 14, &at("/uri"), &format!("uri \"arn:aws:apigateway:us-east-1:sqs\" is not an AWS service integration ARN; expected {expected}"))]
    );
    assert_eq!(
        errors("arn:aws:apigateway::sqs:path/1/q"),
        [e(9, 14, &at("/uri"), &format!("uri \"arn:aws:apigateway::sqs:path/1/q\" has no valid region (found \"\"); expected {expected}"))]
    );
    assert_eq!(
        errors("arn:aws:apigateway:us-east-1:Dynamo_DB:action/PutItem"),
        [e(9, 14, &at("/uri"), "uri \"arn:aws:apigateway:us-east-1:Dynamo_DB:action/PutItem\" names the AWS service \"Dynamo_DB\", which is not a service name (lower-case letters, digits and -, optionally SUBDOMAIN.SERVICE)")]
    );
    assert_eq!(
        errors("arn:aws:apigateway:us-east-1:dynamodb:action/Put/Item"),
        [e(9, 14, &at("/uri"), "uri \"arn:aws:apigateway:us-east-1:dynamodb:action/Put/Item\" names the action \"Put/Item\", which is not an action name (letters and digits, as SendMessage or PutItem)")]
    );
    assert_eq!(
        errors("arn:aws:apigateway:us-east-1:sqs:path/"),
        [e(9, 14, &at("/uri"), &format!("uri \"arn:aws:apigateway:us-east-1:sqs:path/\" has an empty path after path/; expected {expected}"))]
    );
    assert_eq!(
        errors("arn:aws:apigateway:us-east-1:sqs:path/123456789012/{queue}"),
        [e(9, 14, &at("/uri"), "uri placeholder {queue} is neither a path parameter of GET /pets/{id} nor mapped by requestParameters (integration.request.path.queue); its path parameters are id")]
    );
}

#[test]
fn aws_integrations_need_a_uri() {
    assert_eq!(
        load_errors("api.yaml", &rest(&["type: aws", "httpMethod: POST"])),
        [e(6, 7, PTR, "uri is required for AWS integrations; expected a Lambda invocation ARN, arn:aws:apigateway:REGION:lambda:path/2015-03-31/functions/FUNCTION_ARN/invocations, or an AWS service ARN, arn:aws:apigateway:REGION:SERVICE:path/PATH or arn:aws:apigateway:REGION:SERVICE:action/ACTION (SERVICE may be SUBDOMAIN.SERVICE)")]
    );
}

#[test]
fn aws_service_credentials_must_be_a_role_arn() {
    assert_eq!(
        load_errors(
            "api.yaml",
            &rest(&[
                "type: aws",
                "httpMethod: POST",
                "uri: arn:aws:apigateway:us-east-1:sqs:action/SendMessage",
                "credentials: my-role",
            ])
        ),
        [e(10, 22, &at("/credentials"), "credentials \"my-role\" is not an IAM role ARN; expected arn:aws:iam::ACCOUNT_ID:role/NAME, or arn:aws:iam::*:user/* for the caller's credentials")]
    );
    // Lambda integrations still refuse them (see errors_unsupported.rs).
}
