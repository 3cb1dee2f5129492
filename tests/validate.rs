//! `turnpike validate`: each class of load error reported as `file:line:col: /pointer: message`
//! with exit code 1; valid files say `ok` and exit 0; usage errors exit 2.

use crate::support;

use std::path::Path;

use support::turnpike::run_exit;
use support::TempDir;

/// 1-based line and column of the first occurrence of `marker` in `text`.
fn at(text: &str, marker: &str) -> (usize, usize) {
    let offset = text
        .find(marker)
        .unwrap_or_else(|| panic!("{marker:?} not in fixture"));
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = offset - before.rfind('\n').map_or(0, |i| i + 1) + 1;
    (line, column)
}

/// Validates one document; asserts exit 1 and an error line `file:L:C: pointer: ...fragment...`
/// where L:C is the position of `marker`.
#[track_caller]
fn assert_error(name: &str, text: &str, marker: &str, pointer: &str, fragment: &str) {
    let dir = TempDir::new();
    let file = dir.write(name, text);
    let (stdout, stderr) = run_exit(&["validate", file.to_str().unwrap()], 1);
    assert!(stdout.is_empty(), "{name}: stdout {stdout:?}");
    let (line, column) = at(text, marker);
    let prefix = format!("{}:{line}:{column}: {pointer}: ", file.display());
    let found = stderr
        .lines()
        .find(|l| l.starts_with(&prefix))
        .unwrap_or_else(|| panic!("{name}: no line starting {prefix:?} in:\n{stderr}"));
    assert!(
        found.contains(fragment),
        "{name}: {found:?} does not say {fragment:?}"
    );
}

fn rest(paths: &str) -> String {
    format!("openapi: 3.0.1\ninfo:\n  title: Fixture\n  version: \"1\"\npaths:\n{paths}")
}

const MOCK_GET: &str = "      x-amazon-apigateway-integration:
        type: mock
        requestTemplates:
          application/json: '{\"statusCode\": 200}'
        responses:
          default:
            statusCode: \"200\"
";

#[test]
fn valid_files_are_ok() {
    let dir = TempDir::new();
    let yaml = dir.write(
        "valid.yaml",
        &rest(&format!(
            "  /pets:\n    get:\n{MOCK_GET}    post:\n{MOCK_GET}"
        )),
    );
    let json = dir.write(
        "swagger.json",
        r#"{"swagger": "2.0", "info": {"title": "Swagger One", "version": "1"},
            "paths": {"/a": {"get": {"x-amazon-apigateway-integration": {
              "type": "http_proxy", "httpMethod": "GET", "uri": "http://127.0.0.1:9/a"}}}}}"#,
    );
    let (stdout, stderr) = run_exit(
        &["validate", yaml.to_str().unwrap(), json.to_str().unwrap()],
        0,
    );
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    let id = |title: &str| {
        let banner = lines.iter().find(|l| l.contains(title)).unwrap();
        support::turnpike::line_api_id(banner)
    };
    assert_eq!(
        lines[0],
        format!(
            "{}: ok (2 routes, REST API \"Fixture\", id {})",
            yaml.display(),
            id("Fixture")
        )
    );
    assert_eq!(
        lines[1],
        format!(
            "{}: ok (1 route, REST API \"Swagger One\", id {})",
            json.display(),
            id("Swagger One")
        )
    );
    assert!(stderr.is_empty());
}

#[test]
fn http_api_is_recognised() {
    let dir = TempDir::new();
    let text = "openapi: 3.0.1
info: { title: Http Kind, version: \"1\" }
x-amazon-apigateway-importexport-version: \"1.0\"
paths:
  /a:
    get:
      x-amazon-apigateway-integration: { type: http_proxy, httpMethod: GET, uri: \"http://127.0.0.1:9/a\", payloadFormatVersion: \"1.0\" }
";
    let file = dir.write("http.yaml", text);
    let (stdout, _) = run_exit(&["validate", file.to_str().unwrap()], 0);
    assert!(stdout.contains(": ok (1 route, HTTP API \"Http Kind\", id "));
}

#[test]
fn yaml_syntax_error() {
    let text = "openapi: 3.0.1\ninfo:\n  title: Broken\n  version: \"1\"\npaths:\n  /pets: [unclosed, \n    get: {}\n";
    let dir = TempDir::new();
    let file = dir.write("broken.yaml", text);
    let (_, stderr) = run_exit(&["validate", file.to_str().unwrap()], 1);
    let prefix = format!("{}:", file.display());
    let line = stderr.lines().next().unwrap_or_default();
    assert!(line.starts_with(&prefix), "{stderr}");
    // file:LINE:COL: (document): ... with a real position inside the document.
    let position: Vec<&str> = line[prefix.len()..].splitn(3, ':').collect();
    let line_no: usize = position[0].parse().unwrap_or_else(|_| panic!("{stderr}"));
    assert!((6..=8).contains(&line_no), "{stderr}");
    assert!(position[2].starts_with(" (document): "), "{stderr}");
}

#[test]
fn json_syntax_error() {
    let text = "{\n  \"openapi\": \"3.0.1\",\n  \"info\": {\"title\": \"x\",}\n}\n";
    let dir = TempDir::new();
    let file = dir.write("broken.json", text);
    let (_, stderr) = run_exit(&["validate", file.to_str().unwrap()], 1);
    assert!(
        stderr.starts_with(&format!("{}:3:", file.display())),
        "the error is on line 3: {stderr}"
    );
}

#[test]
fn not_an_openapi_document() {
    let text = "info:\n  title: What\n  version: \"1\"\npaths: {}\n";
    let dir = TempDir::new();
    let file = dir.write("what.yaml", text);
    let (_, stderr) = run_exit(&["validate", file.to_str().unwrap()], 1);
    assert!(stderr.contains("openapi"), "{stderr}");
    assert!(stderr.contains("swagger"), "says what is allowed: {stderr}");
}

#[test]
fn aws_service_integration_uri_errors() {
    // AWS service integrations call a service by path/ or action/.
    let text = rest(
        "  /pets:
    get:
      x-amazon-apigateway-integration:
        type: aws
        httpMethod: POST
        uri: arn:aws:apigateway:us-east-1:sqs:queue/123456789012/pets
",
    );
    assert_error(
        "sqs.yaml",
        &text,
        "arn:aws:apigateway:us-east-1:sqs",
        "/paths/~1pets/get/x-amazon-apigateway-integration/uri",
        "must call the service by path/ or action/ after \"sqs:\"",
    );
}

#[test]
fn unknown_integration_type() {
    let text =
        rest("  /pets:\n    get:\n      x-amazon-apigateway-integration:\n        type: bogus\n");
    assert_error(
        "bogus.yaml",
        &text,
        "bogus",
        "/paths/~1pets/get/x-amazon-apigateway-integration/type",
        "HTTP_PROXY",
    );
}

#[test]
fn unknown_extension_is_an_error() {
    let text = format!(
        "{}x-amazon-apigateway-frobnicate: true\n",
        rest(&format!("  /pets:\n    get:\n{MOCK_GET}"))
    );
    assert_error(
        "extension.yaml",
        &text,
        "x-amazon-apigateway-frobnicate",
        "/x-amazon-apigateway-frobnicate",
        "x-amazon-apigateway-frobnicate",
    );
}

#[test]
fn unsupported_feature_says_so() {
    let text = format!(
        "{}x-amazon-apigateway-minimum-compression-size: 1024\n",
        rest(&format!("  /pets:\n    get:\n{MOCK_GET}"))
    );
    assert_error(
        "compression.yaml",
        &text,
        "x-amazon-apigateway-minimum-compression-size",
        "/x-amazon-apigateway-minimum-compression-size",
        "not supported yet",
    );
}

#[test]
fn an_authorizer_without_a_function_is_located() {
    let text = format!(
        "{}components:
  securitySchemes:
    lambda:
      type: apiKey
      name: Authorization
      in: header
      x-amazon-apigateway-authtype: custom
      x-amazon-apigateway-authorizer:
        type: token
        authorizerUri: arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/f/invocations
",
        rest(&format!("  /pets:\n    get:\n{MOCK_GET}"))
    );
    assert_error(
        "authorizer.yaml",
        &text,
        "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/f/invocations",
        "/components/securitySchemes/lambda/x-amazon-apigateway-authorizer/authorizerUri",
        "is not a Lambda function",
    );
}

#[test]
fn missing_uri() {
    let text = rest("  /pets:\n    get:\n      x-amazon-apigateway-integration:\n        type: http_proxy\n        httpMethod: GET\n");
    assert_error(
        "nouri.yaml",
        &text,
        "x-amazon-apigateway-integration",
        "/paths/~1pets/get/x-amazon-apigateway-integration",
        "uri",
    );
}

#[test]
fn timeout_out_of_range() {
    let text = rest("  /pets:\n    get:\n      x-amazon-apigateway-integration:\n        type: http_proxy\n        httpMethod: GET\n        uri: http://127.0.0.1:9/\n        timeoutInMillis: 30000\n");
    assert_error(
        "timeout.yaml",
        &text,
        "30000",
        "/paths/~1pets/get/x-amazon-apigateway-integration/timeoutInMillis",
        "29000",
    );
}

#[test]
fn malformed_path_template() {
    let text = rest(&format!("  /pets/{{id:\n    get:\n{MOCK_GET}"));
    assert_error(
        "path.yaml",
        &text,
        "/pets/{id",
        "/paths/~1pets~1{id",
        "/pets/{id",
    );
}

#[test]
fn greedy_parameter_not_last() {
    let text = rest(&format!("  /{{proxy+}}/more:\n    get:\n{MOCK_GET}"));
    assert_error(
        "greedy.yaml",
        &text,
        "/{proxy+}/more",
        "/paths/~1{proxy+}~1more",
        "last",
    );
}

#[test]
fn unknown_gateway_response_type() {
    let text = format!(
        "{}x-amazon-apigateway-gateway-responses:\n  NOT_A_TYPE:\n    statusCode: 400\n",
        rest(&format!("  /pets:\n    get:\n{MOCK_GET}"))
    );
    assert_error(
        "responses.yaml",
        &text,
        "NOT_A_TYPE",
        "/x-amazon-apigateway-gateway-responses/NOT_A_TYPE",
        "MISSING_AUTHENTICATION_TOKEN",
    );
}

#[test]
fn invalid_selection_pattern() {
    let text = rest(
        "  /pets:
    get:
      x-amazon-apigateway-integration:
        type: http
        httpMethod: GET
        uri: http://127.0.0.1:9/
        responses:
          \"([\":
            statusCode: \"400\"
",
    );
    assert_error(
        "pattern.yaml",
        &text,
        "\"([\"",
        "/paths/~1pets/get/x-amazon-apigateway-integration/responses/([",
        "selection",
    );
}

#[test]
fn every_error_of_every_file_is_reported() {
    let dir = TempDir::new();
    let first = dir.write(
        "first.yaml",
        &rest("  /a:\n    get:\n      x-amazon-apigateway-integration:\n        type: bogus\n  /b:\n    get:\n      x-amazon-apigateway-integration:\n        type: aws\n"),
    );
    let second = dir.write(
        "second.yaml",
        &rest("  /c:\n    get:\n      x-amazon-apigateway-integration:\n        type: nonsense\n"),
    );
    let valid = dir.write(
        "valid.yaml",
        &rest(&format!("  /pets:\n    get:\n{MOCK_GET}")),
    );
    let (stdout, stderr) = run_exit(
        &[
            "validate",
            first.to_str().unwrap(),
            valid.to_str().unwrap(),
            second.to_str().unwrap(),
        ],
        1,
    );
    let count = |file: &Path| {
        stderr
            .lines()
            .filter(|l| l.starts_with(&format!("{}:", file.display())))
            .count()
    };
    // `type: aws` without uri and httpMethod is two errors.
    assert_eq!(count(&first), 3, "{stderr}");
    assert_eq!(count(&second), 1, "{stderr}");
    assert!(stderr.ends_with("turnpike: 4 errors\n"), "{stderr}");
    assert!(
        stdout.starts_with(&format!("{}: ok (1 route, ", valid.display())),
        "{stdout}"
    );
}

#[test]
fn missing_file() {
    let dir = TempDir::new();
    let missing = dir.path().join("nope.yaml");
    let (_, stderr) = run_exit(&["validate", missing.to_str().unwrap()], 1);
    assert!(
        stderr.starts_with(&format!(
            "{}: (document): cannot read file: ",
            missing.display()
        )),
        "{stderr}"
    );
}

#[test]
fn usage_errors_exit_2() {
    run_exit(&["validate"], 2);
    run_exit(&["validate", "--kind", "soap", "x.yaml"], 2);
}
