//! Error classes about paths, operations and routes.

use super::*;

/// A REST document whose `paths` mapping starts on line 4 (path keys at column 3).
fn rest(paths: &str) -> String {
    format!("openapi: 3.0.1\ninfo: {{title: t}}\npaths:\n{paths}")
}

/// The same as an HTTP API (the marker sits before `paths`, so paths still start on line 4).
fn http(paths: &str) -> String {
    format!("openapi: 3.0.1\ninfo: {{title: t}}\nx-amazon-apigateway-importexport-version: '1.0'\npaths:\n{paths}")
}

const MOCK: &str = "{type: mock, requestTemplates: {application/json: '{\"statusCode\": 200}'}, responses: {default: {statusCode: '200'}}}";

fn with_mock(path: &str) -> String {
    format!("  {path}:\n    get:\n      x-amazon-apigateway-integration: {MOCK}\n")
}

#[test]
fn path_must_start_with_a_slash() {
    assert_eq!(
        load_errors("api.yaml", &rest(&with_mock("pets"))),
        [e(
            4,
            3,
            "/paths/pets",
            "path \"pets\" must start with \"/\", as in \"/pets\""
        )]
    );
}

#[test]
fn malformed_path_templates() {
    let cases = [
        ("/pets/{id", "/paths/~1pets~1{id", "unbalanced braces in segment \"{id\" of \"/pets/{id\"; a parameter is written {name}"),
        ("/pets/{}", "/paths/~1pets~1{}", "empty parameter name \"{}\" in \"/pets/{}\"; expected {name} or {name+}"),
        ("/files/{path+}/meta", "/paths/~1files~1{path+}~1meta", "greedy parameter \"{path+}\" in \"/files/{path+}/meta\" must be the last segment"),
        ("/a/{id}/b/{id}", "/paths/~1a~1{id}~1b~1{id}", "duplicate path parameter \"id\" in \"/a/{id}/b/{id}\"; each parameter needs its own name"),
        ("/a{b}", "/paths/~1a{b}", "parameter in segment \"a{b}\" of \"/a{b}\" must be the whole segment, as in \"/a/{b}\" (API Gateway does not allow \"/a{b}\")"),
        ("/pets/", "/paths/~1pets~1", "path \"/pets/\" must not end with \"/\" (only the root path \"/\" may)"),
        ("/~tilde", "/paths/~1~0tilde", "path segment \"~tilde\" of \"/~tilde\" may only contain a-zA-Z0-9._-: in a REST API (AWS: \"Resource's path part only allow a-zA-Z0-9._- and curly braces at the beginning and the end\")"),
    ];
    for (path, pointer, message) in cases {
        let text = rest(&with_mock(&format!("'{path}'")));
        assert_eq!(
            load_errors("api.yaml", &text),
            [e(4, 3, pointer, message)],
            "{path}"
        );
    }
}

#[test]
fn path_level_members_that_are_not_operations_are_accepted() {
    let text = rest(&format!(
        "  /pets:\n    summary: Pets\n    description: All pets\n    servers: [{{url: 'https://x'}}]\n    parameters: [{{name: q, in: query}}]\n    x-internal: true\n    get:\n      x-amazon-apigateway-integration: {MOCK}\n"
    ));
    assert_eq!(load_ok("api.yaml", &text).routes.len(), 1);
}

#[test]
fn unknown_operation_key() {
    let text = rest(&format!(
        "  /pets:\n    gett:\n      x-amazon-apigateway-integration: {MOCK}\n    trace: {{}}\n"
    ));
    assert_eq!(
        load_errors("api.yaml", &text),
        [
            e(5, 5, "/paths/~1pets/gett", "unknown operation \"gett\" in path item \"/pets\"; expected one of get, put, post, delete, options, head, patch, x-amazon-apigateway-any-method (parameters, summary, description, servers and x-* extensions are also allowed here)"),
            e(7, 5, "/paths/~1pets/trace", "TRACE is not supported by API Gateway; expected one of get, put, post, delete, options, head, patch, x-amazon-apigateway-any-method"),
        ]
    );
}

#[test]
fn method_without_integration() {
    let text = rest("  /pets:\n    get:\n      operationId: listPets\n");
    assert_eq!(
        load_errors("api.yaml", &text),
        [e(5, 5, "/paths/~1pets/get", "GET /pets has no x-amazon-apigateway-integration; AWS refuses to deploy a REST API method without an integration (add one, for example type: mock)")]
    );
    let text = http("  /pets:\n    x-amazon-apigateway-any-method: {}\n");
    assert_eq!(
        load_errors("api.yaml", &text),
        [e(6, 5, "/paths/~1pets/x-amazon-apigateway-any-method", "ANY /pets has no x-amazon-apigateway-integration; a route without an integration cannot answer (add one, for example type: http_proxy)")]
    );
}

#[test]
fn operation_and_path_item_must_be_mappings() {
    let text = rest("  /pets:\n    get: [a]\n  /toys: nothing\n");
    assert_eq!(
        load_errors("api.yaml", &text),
        [
            e(
                5,
                10,
                "/paths/~1pets/get",
                "operation GET /pets must be a mapping; found a sequence"
            ),
            e(
                6,
                10,
                "/paths/~1toys",
                "path item \"/toys\" must be a mapping; found a string"
            ),
        ]
    );
}

#[test]
fn rest_sibling_variables_with_different_names_conflict() {
    let text = rest(&format!(
        "{}{}",
        with_mock("/pets/{id}"),
        with_mock("/pets/{petId}")
    ));
    assert_eq!(
        load_errors("api.yaml", &text),
        [e(7, 3, "/paths/~1pets~1{petId}", "path \"/pets/{petId}\" conflicts with \"/pets/{id}\": the REST resource \"/pets\" may have only one variable child and already has \"{id}\" (AWS: \"A sibling ({id}) of this resource already has a variable path part -- only one is allowed\"); use the same parameter name")]
    );
}

#[test]
fn http_routes_that_differ_only_in_parameter_names_are_duplicates() {
    let proxy = "{type: http_proxy, uri: 'http://h/x'}";
    let text = http(&format!("  /pets/{{id}}:\n    get:\n      x-amazon-apigateway-integration: {proxy}\n  /pets/{{petId}}:\n    get:\n      x-amazon-apigateway-integration: {proxy}\n    post:\n      x-amazon-apigateway-integration: {proxy}\n"));
    assert_eq!(
        load_errors("api.yaml", &text),
        [e(9, 5, "/paths/~1pets~1{petId}/get", "route GET /pets/{petId} duplicates GET /pets/{id}: routes that differ only in path parameter names are the same route in API Gateway")]
    );
}

#[test]
fn default_route_takes_only_any_method() {
    let proxy = "{type: http_proxy, uri: 'http://h/x'}";
    let text = http(&format!(
        "  /$default:\n    get:\n      x-amazon-apigateway-integration: {proxy}\n"
    ));
    assert_eq!(
        load_errors("api.yaml", &text),
        [e(
            6,
            5,
            "/paths/~1$default/get",
            "the $default route takes only x-amazon-apigateway-any-method; found get"
        )]
    );
}

#[test]
fn default_route_uri_has_no_path_parameters() {
    let text = http("  /$default:\n    x-amazon-apigateway-any-method:\n      x-amazon-apigateway-integration: {type: http_proxy, uri: 'http://h/{proxy}'}\n");
    assert_eq!(
        load_errors("api.yaml", &text),
        [e(7, 64, "/paths/~1$default/x-amazon-apigateway-any-method/x-amazon-apigateway-integration/uri", "uri placeholder {proxy} is not a path parameter of $default; this route has no path parameters")]
    );
}

#[test]
fn default_path_in_a_rest_api_is_an_ordinary_invalid_path() {
    assert_eq!(
        load_errors("api.yaml", &rest(&with_mock("/$default"))),
        [e(4, 3, "/paths/~1$default", "path segment \"$default\" of \"/$default\" may only contain a-zA-Z0-9._-: in a REST API (AWS: \"Resource's path part only allow a-zA-Z0-9._- and curly braces at the beginning and the end\")")]
    );
}

#[test]
fn path_item_references_are_followed() {
    let text = format!(
        "openapi: 3.0.1\ninfo: {{title: t}}\npaths:\n  /pets:\n    $ref: '#/components/pathItems/pets'\ncomponents:\n  pathItems:\n    pets:\n      get:\n        x-amazon-apigateway-integration: {MOCK}\n      gett: {{}}\n"
    );
    assert_eq!(
        load_errors("api.yaml", &text),
        [e(11, 7, "/components/pathItems/pets/gett", "unknown operation \"gett\" in path item \"/pets\"; expected one of get, put, post, delete, options, head, patch, x-amazon-apigateway-any-method (parameters, summary, description, servers and x-* extensions are also allowed here)")]
    );
}
