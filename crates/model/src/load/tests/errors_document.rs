//! Error classes about the document as a whole.

use super::*;

#[test]
fn yaml_syntax_error() {
    let text = "openapi: 3.0.1\ninfo:\n  title: t\n   version: 1\n";
    assert_eq!(
        load_errors("api.yaml", text),
        [e(
            4,
            11,
            "",
            "mapping values are not allowed in this context"
        )]
    );
}

#[test]
fn json_syntax_error() {
    let text = "{\n  \"openapi\": \"3.0.1\",\n  \"info\": {\"title\": \"t\"}\n  \"paths\": {}\n}\n";
    assert_eq!(
        load_errors("api.json", text),
        [e(4, 3, "", "expected ',' or '}' after an object member")]
    );
}

#[test]
fn duplicate_key() {
    let text = "openapi: 3.0.1\ninfo: {title: t}\npaths:\n  /a: {}\n  /a: {}\n";
    assert_eq!(
        load_errors("api.yaml", text),
        [e(5, 3, "", "duplicate key \"/a\" (first defined at line 4 column 3); each key may appear once in a mapping")]
    );
}

#[test]
fn document_is_not_a_mapping() {
    assert_eq!(
        load_errors("api.yaml", "- openapi: 3.0.1\n"),
        [e(
            1,
            1,
            "",
            "the document must be a mapping (an OpenAPI 3 or Swagger 2 object); found a sequence"
        )]
    );
    assert_eq!(
        load_errors("api.yaml", "just text\n"),
        [e(
            1,
            1,
            "",
            "the document must be a mapping (an OpenAPI 3 or Swagger 2 object); found a string"
        )]
    );
}

#[test]
fn missing_version() {
    assert_eq!(
        load_errors("api.yaml", "info: {title: t}\npaths: {}\n"),
        [e(1, 1, "", "missing version: expected openapi: 3.0.x or 3.1.x, or swagger: \"2.0\", at the top of the document")]
    );
}

#[test]
fn unsupported_versions() {
    assert_eq!(
        load_errors("api.yaml", "openapi: 3.2.0\ninfo: {title: t}\n"),
        [e(1, 10, "/openapi", "unsupported OpenAPI version \"3.2.0\"; Turnpike reads OpenAPI 3.0.x and 3.1.x, and Swagger 2.0")]
    );
    assert_eq!(
        load_errors("api.yaml", "openapi: 3.0\ninfo: {title: t}\n"),
        [e(
            1,
            10,
            "/openapi",
            "openapi (the version, such as \"3.0.1\") must be a string; found a number"
        )]
    );
    assert_eq!(
        load_errors("api.yaml", "swagger: '1.2'\ninfo: {title: t}\n"),
        [e(
            1,
            10,
            "/swagger",
            "unsupported Swagger version \"1.2\"; expected \"2.0\" (or openapi: 3.0.x / 3.1.x)"
        )]
    );
    assert_eq!(
        load_errors("api.yaml", "openapi: 3.1.0\nswagger: '2.0'\ninfo: {title: t}\n"),
        [e(2, 1, "/swagger", "a document has either openapi or swagger, not both; keep the one that matches its format")]
    );
}

#[test]
fn swagger_2_0_may_be_an_unquoted_number() {
    let api = load_ok("api.yaml", "swagger: 2.0\ninfo: {title: t}\npaths: {}\n");
    assert!(api.routes.is_empty());
}

#[test]
fn missing_info_title() {
    assert_eq!(
        load_errors("api.yaml", "openapi: 3.0.1\ninfo:\n  version: '1'\npaths: {}\n"),
        [e(2, 1, "/info", "missing info.title; API Gateway names the API after it, so give info: {title: ...} a non-empty string")]
    );
    assert_eq!(
        load_errors("api.yaml", "openapi: 3.0.1\npaths: {}\n"),
        [e(1, 1, "", "missing info.title; API Gateway names the API after it, so give info: {title: ...} a non-empty string")]
    );
    assert_eq!(
        load_errors("api.yaml", "openapi: 3.0.1\ninfo: {title: ''}\n"),
        [e(
            2,
            15,
            "/info/title",
            "info.title must not be empty; API Gateway names the API after it"
        )]
    );
    assert_eq!(
        load_errors("api.yaml", "openapi: 3.0.1\ninfo: {title: [a]}\n"),
        [e(
            2,
            15,
            "/info/title",
            "info.title must be a string; found a sequence"
        )]
    );
}

#[test]
fn paths_not_a_mapping() {
    assert_eq!(
        load_errors(
            "api.yaml",
            "openapi: 3.0.1\ninfo: {title: t}\npaths:\n  - /pets\n"
        ),
        [e(
            4,
            3,
            "/paths",
            "paths must be a mapping; found a sequence"
        )]
    );
}

#[test]
fn binary_media_types_must_be_media_types() {
    let text = "openapi: 3.0.1\ninfo: {title: t}\nx-amazon-apigateway-binary-media-types: [image/png, png, 3]\n";
    assert_eq!(
        load_errors("api.yaml", text),
        [
            e(3, 53, "/x-amazon-apigateway-binary-media-types/1", "\"png\" is not a media type; expected type/subtype such as \"image/png\" or \"*/*\""),
            e(3, 58, "/x-amazon-apigateway-binary-media-types/2", "each entry of x-amazon-apigateway-binary-media-types must be a string; found a number"),
        ]
    );
}

#[test]
fn importexport_version_must_be_1_0() {
    let text =
        "openapi: 3.0.1\ninfo: {title: t}\nx-amazon-apigateway-importexport-version: '2.0'\n";
    assert_eq!(
        load_errors("api.yaml", text),
        [e(3, 43, "/x-amazon-apigateway-importexport-version", "unsupported x-amazon-apigateway-importexport-version \"2.0\"; expected \"1.0\", the only version AWS defines")]
    );
}

#[test]
fn rest_only_extensions_in_an_http_api() {
    let text = "openapi: 3.0.1\ninfo: {title: t}\nx-amazon-apigateway-importexport-version: '1.0'\nx-amazon-apigateway-gateway-responses: {}\nx-amazon-apigateway-binary-media-types: []\n";
    assert_eq!(
        load_errors("api.yaml", text),
        [
            e(4, 1, "/x-amazon-apigateway-gateway-responses", "x-amazon-apigateway-gateway-responses is a REST API feature that HTTP APIs do not have; remove it, or load the document as a REST API (--kind rest)"),
            e(5, 1, "/x-amazon-apigateway-binary-media-types", "x-amazon-apigateway-binary-media-types is a REST API feature that HTTP APIs do not have; remove it, or load the document as a REST API (--kind rest)"),
        ]
    );
}

#[test]
fn every_error_is_collected_in_document_order() {
    let text = r#"openapi: 3.0.1
info: {version: '1'}
paths:
  pets:
    get:
      x-amazon-apigateway-integration: {type: HTTP_PROX}
  /pets/{id}:
    gett: {}
x-amazon-apigateway-policy: {}
"#;
    assert_eq!(
        load_errors("api.yaml", text),
        [
            e(2, 1, "/info", "missing info.title; API Gateway names the API after it, so give info: {title: ...} a non-empty string"),
            e(4, 3, "/paths/pets", "path \"pets\" must start with \"/\", as in \"/pets\""),
            e(6, 47, "/paths/pets/get/x-amazon-apigateway-integration/type", "unknown integration type \"HTTP_PROX\"; expected one of HTTP, HTTP_PROXY, MOCK, AWS, AWS_PROXY"),
            e(8, 5, "/paths/~1pets~1{id}/gett", "unknown operation \"gett\" in path item \"/pets/{id}\"; expected one of get, put, post, delete, options, head, patch, x-amazon-apigateway-any-method (parameters, summary, description, servers and x-* extensions are also allowed here)"),
            e(9, 29, "/x-amazon-apigateway-policy", "x-amazon-apigateway-policy: Statement must be a statement or a list of them"),
        ]
    );
}

#[test]
fn display_names_file_line_column_and_pointer() {
    let errors = load_str(
        Path::new("dir/api.yaml"),
        "openapi: 3.0.1\ninfo: {title: t}\npaths:\n  /a/{b:\n    get: {}\n",
        &LoadOptions::default(),
    )
    .unwrap_err();
    assert_eq!(
        errors.to_string(),
        "dir/api.yaml:4:3: /paths/~1a~1{b: unbalanced braces in segment \"{b\" of \"/a/{b\"; a parameter is written {name}\ndir/api.yaml:5:5: /paths/~1a~1{b/get: GET /a/{b has no x-amazon-apigateway-integration; AWS refuses to deploy a REST API method without an integration (add one, for example type: mock)"
    );
}
