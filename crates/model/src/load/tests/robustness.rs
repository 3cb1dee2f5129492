//! Malformed input never panics: every truncation of the realistic documents loads or reports
//! errors, and every error has a position inside the text.

use super::*;

fn check_every_prefix(name: &str, text: &str) {
    let lines = text.lines().count();
    for (end, _) in text.char_indices() {
        let prefix = &text[..end];
        if let Err(errors) = load_str(Path::new(name), prefix, &LoadOptions::default()) {
            assert!(
                !errors.0.is_empty(),
                "empty error list for a prefix of {end} bytes"
            );
            for error in errors.0 {
                assert!(
                    error.line >= 1 && error.line <= lines + 1,
                    "{error} (prefix {end})"
                );
                assert!(error.column >= 1, "{error} (prefix {end})");
            }
        }
    }
}

#[test]
fn truncated_yaml_never_panics() {
    check_every_prefix("petstore.yaml", documents::PETSTORE_OAS3);
}

#[test]
fn truncated_json_never_panics() {
    check_every_prefix("pets.json", documents_json::SWAGGER2_JSON);
    check_every_prefix("orders.json", documents_json::HTTP_API_EXPORT);
}

#[test]
fn garbage_never_panics() {
    let samples = [
        "\u{feff}", "{", "}", "[[[", "- - -", ":", "? ", "&a *a", "*nope", "!!binary x", "\t{\"a\":\t1}",
        "{\"\\ud800\": 1}", "\"unterminated", "a: |\n  x\n b", "%YAML 1.2\n---\n", "{\"a\":1e999}",
        "openapi: 3.0.1\ninfo: {title: t}\npaths: {'/a': {get: {x-amazon-apigateway-integration: {responses: {'[': {statusCode: 1e3}}}}}}",
    ];
    for sample in samples {
        let result = load_str(Path::new("g.yaml"), sample, &LoadOptions::default());
        assert!(result.is_err(), "{sample:?} should not load");
    }
}
