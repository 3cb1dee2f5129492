//! An operation's `responses` as REST method responses (status, declared headers, models), and
//! the check AWS makes when it imports integration responses against them.
//!
//! AWS creates a method response for each numeric entry of `responses` and refuses an integration
//! response whose `responseParameters` target a header its method response does not declare:
//! "Invalid mapping expression specified: Validation Result: warnings : [], errors : [Invalid
//! mapping expression parameter specified: method.response.header.X]", or, with no method
//! response of that status at all, "... errors : [No method response exists for method.]"
//! (seen in awslabs/aws-solutions-constructs#1130, amazon-archives/aws-apigateway-importer#121
//! and #209). An integration response whose status has no method response imports, but fails
//! each request it is selected for ("Output mapping refers to an invalid method response"); the
//! gateway enforces that.
//!
//! Turnpike's one leniency: an operation that declares no numeric response at all (common in
//! documents written for local use, and in SAM's generated ones) has its integration responses
//! taken as they are, where AWS would fail them.

use std::collections::BTreeMap;

use super::context::{At, Ctx, Node};
use super::reference;
use crate::api::{Integration, MethodResponse};

const INTEGRATION: &str = "x-amazon-apigateway-integration";
const HEADER: &str = "method.response.header.";

/// The numeric entries of `operation`'s `responses`, in document order.
pub(crate) fn resolve<'d>(ctx: &mut Ctx<'d>, operation: &Node<'d>) -> Vec<MethodResponse> {
    let Some(responses) = operation.get("responses") else {
        return Vec::new();
    };
    if !responses.value.is_object() {
        return Vec::new();
    }
    let produces: Vec<String> = operation
        .get("produces")
        .map(|p| {
            p.items()
                .iter()
                .filter_map(|i| i.value.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    let mut out = Vec::new();
    for (code, response) in responses.entries() {
        // `default` and OpenAPI 3's `2XX` ranges name no status AWS can create a response for.
        let Some(status_code) = code.parse::<u16>().ok().filter(|c| (100..=599).contains(c)) else {
            continue;
        };
        let Some(response) = reference::follow(ctx, response) else {
            continue;
        };
        let headers = response
            .get("headers")
            .map(|h| h.entries().into_iter().map(|(k, _)| k.to_owned()).collect())
            .unwrap_or_default();
        out.push(MethodResponse {
            status_code,
            headers,
            models: models(&response, &produces),
        });
    }
    out
}

/// Content type → model name of a response: OpenAPI 3 `content.*.schema`, Swagger 2 `schema`
/// for each `produces` type (else `application/json`).
fn models(response: &Node<'_>, produces: &[String]) -> BTreeMap<String, String> {
    let name = |schema: &Node<'_>| {
        schema
            .get("$ref")
            .and_then(|r| r.value.as_str().map(str::to_owned))
            .and_then(|r| r.rsplit('/').next().map(str::to_owned))
            .unwrap_or_else(|| "inline".to_owned())
    };
    let mut out = BTreeMap::new();
    if let Some(content) = response.get("content") {
        for (content_type, media) in content.entries() {
            if let Some(schema) = media.get("schema") {
                out.insert(content_type.to_owned(), name(&schema));
            }
        }
    } else if let Some(schema) = response.get("schema") {
        let model = name(&schema);
        if produces.is_empty() {
            out.insert("application/json".to_owned(), model);
        } else {
            for content_type in produces {
                out.insert(content_type.clone(), model.clone());
            }
        }
    }
    out
}

/// Reports each integration response `responseParameters` target that the method response of its
/// status does not declare, as AWS's import refuses it.
pub(crate) fn check_integration<'d>(
    ctx: &mut Ctx<'d>,
    operation: &Node<'d>,
    integration: &Integration,
    method_responses: &[MethodResponse],
) {
    if method_responses.is_empty() {
        return;
    }
    let Some(node) = operation.get(INTEGRATION) else {
        return;
    };
    let Some(node) = reference::follow(ctx, node) else {
        return;
    };
    let Some(responses) = node.get("responses") else {
        return;
    };
    for response in &integration.responses {
        if response.response_parameters.is_empty() {
            continue;
        }
        let params = responses
            .get(&response.selection_pattern)
            .and_then(|r| r.get("responseParameters"));
        let Some(params) = params else {
            continue;
        };
        let declared = method_responses
            .iter()
            .find(|m| m.status_code == response.status_code);
        for (target, member) in params.entries() {
            // AWS's own error, then where to fix it.
            let (aws, hint) = match declared {
                None => (
                    "No method response exists for method.".to_owned(),
                    format!(
                        "the operation's responses declare no {}",
                        response.status_code
                    ),
                ),
                Some(m) => {
                    let Some(name) = target.strip_prefix(HEADER) else {
                        continue;
                    };
                    if m.headers.iter().any(|h| h == name) {
                        continue;
                    }
                    (
                        format!("Invalid mapping expression parameter specified: {target}"),
                        format!(
                            "declare {name} under the operation's responses.{}.headers",
                            response.status_code
                        ),
                    )
                }
            };
            let message = format!(
                "Invalid mapping expression specified: Validation Result: warnings : [], errors \
                 : [{aws}] ({hint})"
            );
            ctx.error(&member.ptr, At::Key, message);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::super::{load_str, LoadOptions};
    use crate::api::MethodResponse;

    const DOC: &str = r##"
swagger: "2.0"
info: { title: Methods, version: "1" }
paths:
  /pets:
    get:
      produces: [application/json, application/xml]
      responses:
        "200":
          description: ok
          headers: { X-Kind: { type: string }, Location: { type: string } }
          schema: { $ref: "#/definitions/Pets" }
        "404": { description: missing }
        default: { description: other }
      x-amazon-apigateway-integration:
        type: mock
        responses:
          "404": { statusCode: "404" }
          default:
            statusCode: "200"
            responseParameters:
              method.response.header.X-Kind: "'pet'"
definitions:
  Pets: { type: array }
"##;

    #[test]
    fn numeric_responses_become_method_responses() {
        let api = match load_str(Path::new("m.yaml"), DOC, &LoadOptions::default()) {
            Ok(api) => api,
            Err(e) => panic!("{e}"),
        };
        let route = &api.routes[0];
        assert_eq!(
            route.method_responses,
            [
                MethodResponse {
                    status_code: 200,
                    headers: vec!["X-Kind".into(), "Location".into()],
                    models: [
                        ("application/json".to_owned(), "Pets".to_owned()),
                        ("application/xml".to_owned(), "Pets".to_owned()),
                    ]
                    .into_iter()
                    .collect(),
                },
                MethodResponse {
                    status_code: 404,
                    ..MethodResponse::default()
                },
            ]
        );
    }

    fn errors(doc: &str) -> Vec<(usize, String, String)> {
        match load_str(Path::new("m.yaml"), doc, &LoadOptions::default()) {
            Ok(_) => panic!("expected errors"),
            Err(e) => {
                e.0.into_iter()
                    .map(|e| (e.line, e.pointer, e.message))
                    .collect()
            }
        }
    }

    #[test]
    fn undeclared_headers_and_statuses_are_refused_as_aws_refuses_them() {
        let doc = DOC.replace(
            "'pet'\"",
            "'pet'\"\n              method.response.header.X-Other: \"'x'\"",
        );
        assert_eq!(
            errors(&doc),
            [(
                23,
                "/paths/~1pets/get/x-amazon-apigateway-integration/responses/default/responseParameters/method.response.header.X-Other".to_owned(),
                "Invalid mapping expression specified: Validation Result: warnings : [], errors : [Invalid mapping expression parameter specified: method.response.header.X-Other] (declare X-Other under the operation's responses.200.headers)".to_owned()
            )]
        );
        let doc = DOC.replace(
            "\"404\": { statusCode: \"404\" }",
            "\"404\": { statusCode: \"410\", responseParameters: { method.response.header.X-Kind: \"'gone'\" } }",
        );
        assert_eq!(
            errors(&doc),
            [(
                18,
                "/paths/~1pets/get/x-amazon-apigateway-integration/responses/404/responseParameters/method.response.header.X-Kind".to_owned(),
                "Invalid mapping expression specified: Validation Result: warnings : [], errors : [No method response exists for method.] (the operation's responses declare no 410)".to_owned()
            )]
        );
    }

    #[test]
    fn without_declared_responses_mappings_are_taken_as_they_are() {
        let doc = DOC.replace(
            "      responses:\n        \"200\":",
            "      x-unused:\n        \"200\":",
        );
        let api = match load_str(Path::new("m.yaml"), &doc, &LoadOptions::default()) {
            Ok(api) => api,
            Err(e) => panic!("{e}"),
        };
        assert!(api.routes[0].method_responses.is_empty());
    }
}
