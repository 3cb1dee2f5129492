//! What Turnpike does not serve yet is an error, never silently ignored.

use super::*;

const MOCK: &str = "{type: mock, requestTemplates: {application/json: '{\"statusCode\": 200}'}, responses: {default: {statusCode: '200'}}}";

#[test]
fn unsupported_extensions_anywhere() {
    let text = format!(
        r#"openapi: 3.0.1
info: {{title: t}}
x-amazon-apigateway-api-key-source: HEADER
x-amazon-apigateway-endpoint-configuration: {{types: [REGIONAL]}}
x-amazon-apigateway-minimum-compression-size: 1024
x-amazon-apigateway-request-validators: {{all: {{validateRequestBody: true}}}}
x-amazon-apigateway-documentation: {{version: '1'}}
tags:
  - name: pets
    x-amazon-apigateway-tag-value: v
paths:
  /pets:
    get:
      x-amazon-apigateway-request-validator: all
      x-amazon-apigateway-integration: {MOCK}
components:
  securitySchemes:
    lambda:
      type: apiKey
      name: Authorization
      in: header
      x-amazon-apigateway-authtype: custom
      x-amazon-apigateway-authorizer: {{type: token}}
"#
    );
    let not_yet = |line, column, pointer: &str| {
        let name = pointer.rsplit('/').next().unwrap_or_default();
        e(
            line,
            column,
            pointer,
            &format!("{name} is not supported yet by Turnpike"),
        )
    };
    assert_eq!(
        load_errors("api.yaml", &text),
        [
            not_yet(4, 1, "/x-amazon-apigateway-endpoint-configuration"),
            not_yet(5, 1, "/x-amazon-apigateway-minimum-compression-size"),
            not_yet(7, 1, "/x-amazon-apigateway-documentation"),
            not_yet(10, 5, "/tags/0/x-amazon-apigateway-tag-value"),
            // Authorizers are supported; this one lacks its function.
            e(
                23,
                7,
                "/components/securitySchemes/lambda/x-amazon-apigateway-authorizer",
                "a Lambda authorizer needs authorizerUri, arn:aws:apigateway:REGION:lambda:path/2015-03-31/functions/FUNCTION_ARN/invocations"
            ),
        ]
    );
}

#[test]
fn http_api_auth_extension() {
    let text = "openapi: 3.0.1\ninfo: {title: t}\nx-amazon-apigateway-importexport-version: '1.0'\nx-amazon-apigateway-cors: {allowOrigins: ['*']}\npaths:\n  /a:\n    get:\n      x-amazon-apigateway-auth: {type: AWS_IAM}\n      x-amazon-apigateway-integration: {type: http_proxy, uri: 'http://h/a'}\n";
    assert_eq!(
        load_errors("api.yaml", text),
        [e(
            8,
            7,
            "/paths/~1a/get/x-amazon-apigateway-auth",
            "x-amazon-apigateway-auth is not supported yet by Turnpike"
        ),]
    );
}

#[test]
fn a_known_extension_in_the_wrong_place() {
    let text = format!("openapi: 3.0.1\ninfo: {{title: t}}\npaths:\n  /a:\n    x-amazon-apigateway-integration: {MOCK}\n    get:\n      x-amazon-apigateway-integration: {MOCK}\n      x-amazon-apigateway-gateway-responses: {{}}\n");
    assert_eq!(
        load_errors("api.yaml", &text),
        [
            e(5, 5, "/paths/~1a/x-amazon-apigateway-integration", "x-amazon-apigateway-integration has no effect here; it belongs in an operation (a method under a path)"),
            e(8, 7, "/paths/~1a/get/x-amazon-apigateway-gateway-responses", "x-amazon-apigateway-gateway-responses has no effect here; it belongs in the top level of the document"),
        ]
    );
}

/// A REST GET /a whose integration has `members`, starting on line 6, column 9.
fn rest_integration(members: &[&str]) -> String {
    let body: String = members.iter().map(|m| format!("        {m}\n")).collect();
    format!("openapi: 3.0.1\ninfo: {{title: t}}\npaths:\n  /a:\n    get:\n      x-amazon-apigateway-integration:\n{body}")
}

const PTR: &str = "/paths/~1a/get/x-amazon-apigateway-integration";

#[test]
fn lambda_integrations_need_a_function_arn_and_no_credentials() {
    for kind in ["aws", "AWS_PROXY"] {
        let text = rest_integration(&[
            &format!("type: {kind}"),
            "httpMethod: POST",
            "uri: arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/f/invocations",
            "credentials: arn:aws:iam::123456789012:role/r",
        ]);
        assert_eq!(
            load_errors("api.yaml", &text),
            [
                e(9, 14, &format!("{PTR}/uri"), "uri \"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/f/invocations\" is not a Lambda function; expected a Lambda invocation ARN, arn:aws:apigateway:REGION:lambda:path/2015-03-31/functions/FUNCTION_ARN/invocations"),
                e(10, 9, &format!("{PTR}/credentials"), "credentials is not supported yet by Turnpike (integration credentials come with AWS integrations)"),
            ]
        );
    }
}

#[test]
fn integration_properties_not_served_yet() {
    let text = rest_integration(&[
        "type: http_proxy",
        "uri: http://h/a",
        "httpMethod: GET",
        "credentials: arn:aws:iam::123456789012:role/r",
        "connectionType: VPC_LINK",
        "connectionId: abc123",
        "tlsConfig: {insecureSkipVerification: true}",
        "cacheKeyParameters: [integration.request.path.id]",
    ]);
    assert_eq!(
        load_errors("api.yaml", &text),
        [
            e(10, 9, &format!("{PTR}/credentials"), "credentials is not supported yet by Turnpike (integration credentials come with AWS integrations)"),
            e(11, 25, &format!("{PTR}/connectionType"), "connectionType VPC_LINK is not supported yet by Turnpike (private integrations through VPC links); use INTERNET"),
            e(12, 9, &format!("{PTR}/connectionId"), "connectionId is not supported yet by Turnpike (private integrations through VPC links)"),
            e(13, 9, &format!("{PTR}/tlsConfig"), "tlsConfig is not supported yet by Turnpike"),
            e(14, 30, &format!("{PTR}/cacheKeyParameters/0"), "cacheKeyParameters entry \"integration.request.path.id\" is not a method request parameter; use method.request.<place>.<name> with place one of path, querystring, multivaluequerystring, header, multivalueheader"),
        ]
    );
    let empty_cache = rest_integration(&[
        "type: http_proxy",
        "uri: http://h/a",
        "httpMethod: GET",
        "cacheNamespace: ns1",
        "cacheKeyParameters: []",
        "connectionType: INTERNET",
    ]);
    // cacheNamespace is served: the route keeps it for its cache keys.
    let api = load_ok("api.yaml", &empty_cache);
    assert_eq!(api.routes.len(), 1);
    assert_eq!(api.routes[0].cache_namespace.as_deref(), Some("ns1"));
}

#[test]
fn http_api_parameter_mapping() {
    let text = "openapi: 3.0.1\ninfo: {title: t}\nx-amazon-apigateway-importexport-version: '1.0'\npaths:\n  /a:\n    get:\n      x-amazon-apigateway-integration:\n        type: http_proxy\n        uri: http://h/a\n        requestParameters: {append:header.x: $request.header.y}\n        responseParameters: {}\n";
    // Served now (load/http_mapping.rs has the details).
    let api = load_ok("api.yaml", text);
    assert!(api.routes[0].integration.parameter_mapping.is_some());
}

#[test]
fn gateway_responses() {
    let text = "openapi: 3.0.1\ninfo: {title: t}\nx-amazon-apigateway-gateway-responses:\n  MISSING_AUTH:\n    statusCode: '403'\n  DEFAULT_5XX:\n    statusCode: '5000'\n    responseParameters: {method.response.header.X: \"'y'\"}\n    body: x\n  THROTTLED: []\n";
    let ptr = "/x-amazon-apigateway-gateway-responses";
    assert_eq!(
        load_errors("api.yaml", text),
        [
            e(4, 3, &format!("{ptr}/MISSING_AUTH"), "unknown gateway response type \"MISSING_AUTH\"; expected one of ACCESS_DENIED, API_CONFIGURATION_ERROR, AUTHORIZER_CONFIGURATION_ERROR, AUTHORIZER_FAILURE, BAD_REQUEST_PARAMETERS, BAD_REQUEST_BODY, DEFAULT_4XX, DEFAULT_5XX, EXPIRED_TOKEN, INTEGRATION_FAILURE, INTEGRATION_TIMEOUT, INVALID_API_KEY, INVALID_SIGNATURE, MISSING_AUTHENTICATION_TOKEN, QUOTA_EXCEEDED, REQUEST_TOO_LARGE, RESOURCE_NOT_FOUND, THROTTLED, UNAUTHORIZED, UNSUPPORTED_MEDIA_TYPE, WAF_FILTERED"),
            e(7, 17, &format!("{ptr}/DEFAULT_5XX/statusCode"), "invalid statusCode \"5000\"; expected a three-digit HTTP status from 100 to 599"),
            e(8, 26, &format!("{ptr}/DEFAULT_5XX/responseParameters/method.response.header.X"), "responseParameters key \"method.response.header.X\" must have the form gatewayresponse.header.NAME"),
            e(9, 5, &format!("{ptr}/DEFAULT_5XX/body"), "unknown property \"body\" in a gateway response; expected one of statusCode, responseParameters, responseTemplates"),
            e(10, 14, &format!("{ptr}/THROTTLED"), "a gateway response must be a mapping; found a sequence"),
        ]
    );
}
