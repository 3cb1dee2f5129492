//! The back-end URI of an integration: for HTTP and HTTP_PROXY an absolute http(s) URL that may
//! hold `{param}` and `${stageVariables.name}` placeholders; for AWS a Lambda invocation ARN or
//! an AWS service ARN, `arn:aws:apigateway:{region}:{subdomain.service|service}:path|action/
//! {service_api}` (PutIntegration's `uri`).

use std::collections::BTreeMap;

use super::context::{At, Ctx, Node};
use super::integration::Route;
use crate::api::{ApiKind, IntegrationCredentials, IntegrationType, ServiceApi, ServiceTarget};

/// Checks `uri`, reporting every problem; `mapped` are the integration's `requestParameters`.
pub(crate) fn check(
    ctx: &mut Ctx<'_>,
    node: &Node<'_>,
    uri: &str,
    route: &Route<'_>,
    mapped: &BTreeMap<String, String>,
) {
    if !is_absolute_http(uri) {
        let message = format!("uri \"{uri}\" must be an absolute http:// or https:// URL (it may contain {{param}} and ${{stageVariables.name}})");
        ctx.error(&node.ptr, At::Value, message);
        return;
    }
    let placeholders = match placeholders(uri) {
        Ok(p) => p,
        Err(message) => {
            ctx.error(&node.ptr, At::Value, message);
            return;
        }
    };
    for placeholder in placeholders {
        if let Some(message) = check_placeholder(ctx.kind, &placeholder, route, mapped) {
            ctx.error(&node.ptr, At::Value, message);
        }
    }
}

/// The message for a missing uri.
pub(crate) fn missing(kind: IntegrationType) -> String {
    let expected = match kind {
        IntegrationType::Aws => format!("{LAMBDA_URI}, or an AWS service ARN, {SERVICE_URI}"),
        IntegrationType::AwsProxy => LAMBDA_URI.to_owned(),
        _ => "an absolute http:// or https:// URL".to_owned(),
    };
    format!(
        "uri is required for {} integrations; expected {expected}",
        kind.as_str()
    )
}

const LAMBDA_URI: &str = "a Lambda invocation ARN, arn:aws:apigateway:REGION:lambda:path/2015-03-31/functions/FUNCTION_ARN/invocations";

/// Checks the uri of an AWS_PROXY integration, or of an AWS one that is no AWS service ARN: a
/// Lambda function.
pub(crate) fn check_lambda(ctx: &mut Ctx<'_>, node: &Node<'_>, uri: &str) {
    if let Some(function) = crate::api::lambda_function_arn_of(uri) {
        if function == uri && ctx.kind == ApiKind::Rest {
            let message = format!("uri \"{uri}\" is a function ARN, which only HTTP APIs take; REST APIs expect {LAMBDA_URI}");
            ctx.error(&node.ptr, At::Value, message);
        } else if let Err(message) = placeholders(uri) {
            ctx.error(&node.ptr, At::Value, message);
        }
        return;
    }
    // AWS service ARNs (`is_service_uri`) are checked by `check_service`.
    let message = format!("uri \"{uri}\" is not a Lambda function; expected {LAMBDA_URI}");
    ctx.error(&node.ptr, At::Value, message);
}

const SERVICE_URI: &str = "arn:aws:apigateway:REGION:SERVICE:path/PATH or arn:aws:apigateway:REGION:SERVICE:action/ACTION (SERVICE may be SUBDOMAIN.SERVICE)";

/// Whether `uri` names an AWS service other than Lambda through API Gateway
/// (`arn:{partition}:apigateway:{region}:{service}:...`), the uri of an AWS service integration.
pub(crate) fn is_service_uri(uri: &str) -> bool {
    let mut parts = uri.splitn(6, ':');
    let (arn, _partition, apigateway, _region, service) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    );
    arn == Some("arn")
        && apigateway == Some("apigateway")
        && service.is_some_and(|s| !s.is_empty() && s != "lambda")
}

/// Checks the uri of an AWS service integration (see [`is_service_uri`]): region, service,
/// `path/` or `action/`, and the path's `{param}` placeholders, which must be path parameters
/// or mapped as for HTTP integrations. Returns the parsed target when the uri is one (even when
/// a placeholder was reported).
pub(crate) fn check_service(
    ctx: &mut Ctx<'_>,
    node: &Node<'_>,
    uri: &str,
    route: &Route<'_>,
    mapped: &BTreeMap<String, String>,
) -> Option<ServiceTarget> {
    match service_target(uri) {
        Ok(target) => {
            if matches!(target.api, ServiceApi::Path(_)) {
                check_service_path(ctx, node, uri, route, mapped);
            }
            Some(target)
        }
        Err(message) => {
            ctx.error(&node.ptr, At::Value, message);
            None
        }
    }
}

/// Parses an AWS service ARN into its target; `Err` is the message for its first problem.
fn service_target(uri: &str) -> Result<ServiceTarget, String> {
    let parts: Vec<&str> = uri.splitn(6, ':').collect();
    let (region, service, api) = match parts.as_slice() {
        [_, partition, _, region, service, api] if !partition.is_empty() => {
            (*region, *service, *api)
        }
        _ => {
            return Err(format!(
                "uri \"{uri}\" is not an AWS service integration ARN; expected {SERVICE_URI}"
            ));
        }
    };
    let is_name = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    };
    if !is_name(region) {
        return Err(format!(
            "uri \"{uri}\" has no valid region (found \"{region}\"); expected {SERVICE_URI}"
        ));
    }
    if !service.split('.').all(is_name) || service.split('.').count() > 2 {
        return Err(format!("uri \"{uri}\" names the AWS service \"{service}\", which is not a service name (lower-case letters, digits and -, optionally SUBDOMAIN.SERVICE)"));
    }
    let api = if let Some(path) = api.strip_prefix("path/") {
        if path.is_empty() {
            return Err(format!(
                "uri \"{uri}\" has an empty path after path/; expected {SERVICE_URI}"
            ));
        }
        ServiceApi::Path(path.to_owned())
    } else if let Some(action) = api.strip_prefix("action/") {
        if action.is_empty() || !action.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(format!("uri \"{uri}\" names the action \"{action}\", which is not an action name (letters and digits, as SendMessage or PutItem)"));
        }
        ServiceApi::Action(action.to_owned())
    } else {
        return Err(format!("uri \"{uri}\" must call the service by path/ or action/ after \"{service}:\"; expected {SERVICE_URI}"));
    };
    let (subdomain, service) = match service.split_once('.') {
        Some((subdomain, service)) => (Some(subdomain.to_owned()), service),
        None => (None, service),
    };
    Ok(ServiceTarget {
        region: region.to_owned(),
        service: service.to_owned(),
        subdomain,
        api,
    })
}

fn check_service_path(
    ctx: &mut Ctx<'_>,
    node: &Node<'_>,
    uri: &str,
    route: &Route<'_>,
    mapped: &BTreeMap<String, String>,
) {
    match placeholders(uri) {
        Ok(found) => {
            for placeholder in found {
                if let Some(message) = check_placeholder(ctx.kind, &placeholder, route, mapped) {
                    ctx.error(&node.ptr, At::Value, message);
                }
            }
        }
        Err(message) => ctx.error(&node.ptr, At::Value, message),
    }
}

/// `credentials` of an AWS service integration: the IAM role API Gateway assumes
/// (`arn:aws:iam::ACCOUNT:role/NAME`), or `arn:aws:iam::*:user/*` for the caller's own
/// credentials; `None` when absent or reported.
pub(crate) fn check_credentials(
    ctx: &mut Ctx<'_>,
    node: &Node<'_>,
) -> Option<IntegrationCredentials> {
    let text = ctx.string(node, "credentials")?;
    let parts: Vec<&str> = text.splitn(6, ':').collect();
    let parsed = match parts.as_slice() {
        ["arn", partition, "iam", "", account, resource] if !partition.is_empty() => {
            if *text == *"arn:aws:iam::*:user/*" {
                Some(IntegrationCredentials::Caller)
            } else if account.len() == 12
                && account.chars().all(|c| c.is_ascii_digit())
                && resource
                    .strip_prefix("role/")
                    .is_some_and(|r| !r.is_empty())
            {
                Some(IntegrationCredentials::Role(text.to_owned()))
            } else {
                None
            }
        }
        _ => None,
    };
    if parsed.is_none() {
        let message = format!("credentials \"{text}\" is not an IAM role ARN; expected arn:aws:iam::ACCOUNT_ID:role/NAME, or arn:aws:iam::*:user/* for the caller's credentials");
        ctx.error(&node.ptr, At::Value, message);
    }
    parsed
}

fn is_absolute_http(uri: &str) -> bool {
    let lower = uri.get(..8).unwrap_or(uri).to_ascii_lowercase();
    let scheme_len = if lower.starts_with("https://") {
        8
    } else if lower.starts_with("http://") {
        7
    } else {
        return false;
    };
    let rest = uri.get(scheme_len..).unwrap_or_default();
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    !authority.is_empty()
}

#[derive(Debug, PartialEq, Eq)]
enum Placeholder {
    Param(String),
    StageVariable(String),
}

fn placeholders(uri: &str) -> Result<Vec<Placeholder>, String> {
    let mut found = Vec::new();
    let mut rest = uri;
    while let Some(open) = rest.find(['{', '}']) {
        let stage = rest.get(..open).is_some_and(|before| before.ends_with('$'));
        let after = rest.get(open..).unwrap_or_default();
        if after.starts_with('}') {
            return Err(format!("unbalanced \"}}\" in uri \"{uri}\""));
        }
        let Some(close) = after.find('}') else {
            return Err(format!("unbalanced \"{{\" in uri \"{uri}\""));
        };
        let inner = after.get(1..close).unwrap_or_default();
        if inner.contains('{') {
            return Err(format!("unbalanced \"{{\" in uri \"{uri}\""));
        }
        found.push(if stage {
            stage_variable(inner)?
        } else {
            Placeholder::Param(inner.to_owned())
        });
        rest = after.get(close + 1..).unwrap_or_default();
    }
    Ok(found)
}

fn stage_variable(inner: &str) -> Result<Placeholder, String> {
    let name = inner
        .strip_prefix("stageVariables.")
        .filter(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
    match name {
        Some(name) => Ok(Placeholder::StageVariable(name.to_owned())),
        None => Err(format!("unknown placeholder \"${{{inner}}}\" in uri; expected ${{stageVariables.name}} (letters, digits and _) or {{param}}")),
    }
}

fn check_placeholder(
    kind: ApiKind,
    placeholder: &Placeholder,
    route: &Route<'_>,
    mapped: &BTreeMap<String, String>,
) -> Option<String> {
    let Placeholder::Param(name) = placeholder else {
        return None;
    };
    // An unparseable route path was reported already; its parameters are unknown.
    let params = route.params?;
    if params.contains(name) {
        return None;
    }
    let have = if params.is_empty() {
        "this route has no path parameters".to_owned()
    } else {
        format!("its path parameters are {}", params.join(", "))
    };
    match kind {
        ApiKind::Rest if mapped.contains_key(&format!("integration.request.path.{name}")) => None,
        ApiKind::Rest => Some(format!("uri placeholder {{{name}}} is neither a path parameter of {} nor mapped by requestParameters (integration.request.path.{name}); {have}", route.key)),
        ApiKind::Http => Some(format!(
            "uri placeholder {{{name}}} is not a path parameter of {}; {have}",
            route.key
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absolute_http_urls() {
        assert!(is_absolute_http("http://example.com"));
        assert!(is_absolute_http("HTTPS://example.com/pets/{id}"));
        assert!(is_absolute_http("http://${stageVariables.host}/x"));
        assert!(!is_absolute_http("example.com/pets"));
        assert!(!is_absolute_http("http:///pets"));
        assert!(!is_absolute_http("ftp://example.com"));
        assert!(!is_absolute_http("${stageVariables.url}"));
    }

    #[test]
    fn finds_params_and_stage_variables() {
        let found = placeholders("http://${stageVariables.host}:8080/pets/{id}/{proxy}").unwrap();
        assert_eq!(
            found,
            vec![
                Placeholder::StageVariable("host".into()),
                Placeholder::Param("id".into()),
                Placeholder::Param("proxy".into()),
            ]
        );
        assert_eq!(
            placeholders("http://h/{id").unwrap_err(),
            "unbalanced \"{\" in uri \"http://h/{id\""
        );
        assert_eq!(
            placeholders("http://h/id}").unwrap_err(),
            "unbalanced \"}\" in uri \"http://h/id}\""
        );
        assert_eq!(
            placeholders("http://${stage.x}/").unwrap_err(),
            "unknown placeholder \"${stage.x}\" in uri; expected ${stageVariables.name} (letters, digits and _) or {param}"
        );
    }

    #[test]
    fn service_targets_from_path_action_and_subdomain_arns() {
        let target = |region: &str, service: &str, subdomain: Option<&str>, api| ServiceTarget {
            region: region.into(),
            service: service.into(),
            subdomain: subdomain.map(str::to_owned),
            api,
        };
        assert_eq!(
            service_target("arn:aws:apigateway:eu-west-1:sqs:path/123456789012/q-{id}"),
            Ok(target(
                "eu-west-1",
                "sqs",
                None,
                ServiceApi::Path("123456789012/q-{id}".into())
            ))
        );
        assert_eq!(
            service_target("arn:aws:apigateway:us-east-1:sqs:path/${stageVariables.queue}"),
            Ok(target(
                "us-east-1",
                "sqs",
                None,
                ServiceApi::Path("${stageVariables.queue}".into())
            ))
        );
        assert_eq!(
            service_target("arn:aws:apigateway:us-east-1:dynamodb:action/PutItem"),
            Ok(target(
                "us-east-1",
                "dynamodb",
                None,
                ServiceApi::Action("PutItem".into())
            ))
        );
        assert_eq!(
            service_target("arn:aws:apigateway:us-east-1:my-bucket.s3:path/a/b:c"),
            Ok(target(
                "us-east-1",
                "s3",
                Some("my-bucket"),
                ServiceApi::Path("a/b:c".into())
            ))
        );
        let expected = "arn:aws:apigateway:REGION:SERVICE:path/PATH or arn:aws:apigateway:REGION:SERVICE:action/ACTION (SERVICE may be SUBDOMAIN.SERVICE)";
        assert_eq!(
            service_target("arn:aws:apigateway:us-east-1:sqs:queue/x"),
            Err(format!("uri \"arn:aws:apigateway:us-east-1:sqs:queue/x\" must call the service by path/ or action/ after \"sqs:\"; expected {expected}"))
        );
        assert_eq!(
            service_target("arn:aws:apigateway:US:sqs:action/SendMessage"),
            Err(format!("uri \"arn:aws:apigateway:US:sqs:action/SendMessage\" has no valid region (found \"US\"); expected {expected}"))
        );
    }

    #[test]
    fn loaded_integrations_carry_their_target_and_credentials() {
        let rest = |lines: &[&str]| {
            let body: String = lines.iter().map(|l| format!("        {l}\n")).collect();
            format!("openapi: 3.0.1\ninfo: {{title: t}}\npaths:\n  /pets/{{id}}:\n    post:\n      x-amazon-apigateway-integration:\n{body}")
        };
        let load = |text: &str| {
            let api = crate::load::load_str(
                std::path::Path::new("api.yaml"),
                text,
                &crate::load::LoadOptions::default(),
            )
            .unwrap();
            api.routes[0].integration.clone()
        };
        let integration = load(&rest(&[
            "type: aws",
            "httpMethod: POST",
            "uri: arn:aws:apigateway:us-east-1:sqs:path/123456789012/{id}",
            "credentials: arn:aws:iam::123456789012:role/apigw",
        ]));
        assert_eq!(
            integration.service_target,
            Some(ServiceTarget {
                region: "us-east-1".into(),
                service: "sqs".into(),
                subdomain: None,
                api: ServiceApi::Path("123456789012/{id}".into()),
            })
        );
        assert_eq!(
            integration.credentials,
            Some(IntegrationCredentials::Role(
                "arn:aws:iam::123456789012:role/apigw".into()
            ))
        );
        let integration = load(&rest(&[
            "type: aws",
            "httpMethod: POST",
            "uri: arn:aws:apigateway:us-east-1:sqs:action/SendMessage",
            "credentials: arn:aws:iam::*:user/*",
        ]));
        assert_eq!(
            integration.service_target.map(|t| t.api),
            Some(ServiceApi::Action("SendMessage".into()))
        );
        assert_eq!(
            integration.credentials,
            Some(IntegrationCredentials::Caller)
        );
        // Lambda and HTTP integrations have no service target.
        let integration = load(&rest(&[
            "type: http",
            "httpMethod: POST",
            "uri: http://h/x",
        ]));
        assert_eq!(
            (integration.service_target, integration.credentials),
            (None, None)
        );
    }
}
