//! The bundled SAM example loads, with the routes its README promises.

use std::collections::BTreeMap;

use crate::api::{ApiKind, PayloadFormatVersion};
use crate::id::api_id_from_title;
use crate::load::sam::{load_template_file, TemplateOptions};

#[test]
fn the_sam_example_loads() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/sam/template.yaml");
    let template = load_template_file(&path, &TemplateOptions::default()).unwrap();
    // The stack is named after the template's directory.
    let id = |logical: &str| api_id_from_title(&format!("sam/{logical}"));
    let functions: Vec<(&str, &str, Option<&str>)> = template
        .functions
        .iter()
        .map(|f| {
            (
                f.function_name.as_str(),
                f.runtime.as_str(),
                f.handler.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        functions,
        [
            ("HelloFunction", "python3.12", Some("app.lambda_handler")),
            ("GreetFunction", "python3.12", Some("app.greet_handler")),
        ]
    );
    for function in &template.functions {
        assert!(function.code_dir.join("app.py").is_file());
        assert_eq!(
            function.environment,
            BTreeMap::from([("GREETING".to_owned(), "Hello".to_owned())])
        );
    }
    let apis: Vec<(String, ApiKind, String, PayloadFormatVersion)> = template
        .apis
        .iter()
        .flat_map(|a| {
            a.routes.iter().map(move |r| {
                (
                    a.id.clone(),
                    a.kind,
                    r.key.to_string(),
                    r.integration.payload_format_version,
                )
            })
        })
        .collect();
    assert_eq!(
        apis,
        [
            (
                id("ServerlessRestApi"),
                ApiKind::Rest,
                "GET /hello".into(),
                PayloadFormatVersion::V1
            ),
            (
                id("ServerlessHttpApi"),
                ApiKind::Http,
                "GET /hello/{name}".into(),
                PayloadFormatVersion::V2
            ),
        ]
    );
    let stages: Vec<&str> = template
        .stages
        .iter()
        .map(|(_, s)| s.name.as_str())
        .collect();
    assert_eq!(stages, ["Prod", "$default"]);
    assert!(template.ignored.is_empty());
    assert!(template.warnings.is_empty());
}

#[test]
fn load_any_reads_templates_and_openapi_documents() {
    use crate::load::sam::load_any_file;
    use crate::load::LoadOptions;

    let examples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let options = (LoadOptions::default(), TemplateOptions::default());
    let template =
        load_any_file(&examples.join("sam/template.yaml"), &options.0, &options.1).unwrap();
    assert_eq!(template.functions.len(), 2);
    assert_eq!(template.apis.len(), 2);

    let openapi = load_any_file(&examples.join("petstore.yaml"), &options.0, &options.1).unwrap();
    assert_eq!(openapi.apis.len(), 1);
    assert_eq!(openapi.apis[0].name, "Pet Store");
    assert!(openapi.functions.is_empty());
    assert!(openapi.stages.is_empty());
    assert!(openapi.ignored.is_empty());

    // An OpenAPI document may use Lambda integrations; it declares no function of its own.
    let text = "openapi: 3.0.1\ninfo: {title: T}\npaths:\n  /x:\n    get:\n      x-amazon-apigateway-integration: {type: aws_proxy, httpMethod: POST, uri: 'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:F/invocations'}\n";
    let loaded = crate::load::sam::load_any(
        std::path::Path::new("api.yaml"),
        text,
        &options.0,
        &options.1,
    )
    .unwrap();
    assert!(loaded.functions.is_empty());
    assert_eq!(
        loaded.apis[0].routes[0].integration.lambda_function_arn(),
        Some("arn:aws:lambda:us-east-1:123456789012:function:F")
    );
}
