//! Which function an AWS_PROXY integration invokes.
//!
//! The integration uri names it: `arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/
//! {functionArn}/invocations`, or the bare function ARN HTTP APIs also accept. The ARN may hold
//! `${stageVariables.name}` placeholders (AWS's way to point stages at different functions or
//! aliases), so it is compiled once and resolved per request. The function is the `{name}` of
//! `arn:aws:lambda:{region}:{account}:function:{name}[:{qualifier}]`; the qualifier (a version
//! or alias) is kept in the invoked ARN the function sees but does not select anything, because
//! the local host runs one version of each function.

use std::collections::BTreeMap;

use crate::integrate::uri::UriTemplate;

/// A compiled function ARN.
#[derive(Debug)]
pub(crate) struct FunctionTarget {
    arn: UriTemplate,
}

/// A function ARN resolved for one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ResolvedFunction {
    /// The ARN as invoked, qualifier included: the function's `invoked_function_arn`.
    pub(crate) arn: String,
    /// The function name, without qualifier.
    pub(crate) name: String,
}

impl FunctionTarget {
    /// The function of `integration`, or `None` (reported in `problems`) when its uri names none.
    pub(crate) fn compile(
        integration: &turnpike_model::Integration,
        problems: &mut Vec<String>,
    ) -> Option<FunctionTarget> {
        match integration.lambda_function_arn() {
            Some(arn) => Some(FunctionTarget {
                arn: UriTemplate::parse(arn, &[]),
            }),
            None => {
                problems.push(format!(
                    "AWS_PROXY integration uri {:?} names no Lambda function; expected \
                     arn:aws:apigateway:{{region}}:lambda:path/2015-03-31/functions/{{functionArn}}/invocations",
                    integration.uri.as_deref().unwrap_or_default()
                ));
                None
            }
        }
    }

    /// The ARN with the stage's variables filled in; `Err` carries the unusable ARN (a stage
    /// variable that is missing or makes it something other than a function ARN).
    pub(crate) fn resolve(
        &self,
        stage_variables: Option<&BTreeMap<String, String>>,
    ) -> Result<ResolvedFunction, String> {
        let mut arn = String::new();
        self.arn.render(|_| None, false, stage_variables, &mut arn);
        match function_name(&arn) {
            Some(name) => Ok(ResolvedFunction {
                name: name.to_owned(),
                arn,
            }),
            None => Err(arn),
        }
    }
}

/// The `{name}` of `arn:{partition}:lambda:{region}:{account}:function:{name}[:{qualifier}]`.
fn function_name(arn: &str) -> Option<&str> {
    let mut parts = arn.split(':');
    let fixed = [
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
    ];
    let name = parts.next()?;
    let qualifier_ok = match (parts.next(), parts.next()) {
        (None, _) => true,
        (Some(q), None) => !q.is_empty(),
        _ => false,
    };
    let valid = matches!(fixed, ["arn", partition, "lambda", _, _, "function"] if !partition.is_empty())
        && qualifier_ok
        && !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    valid.then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use turnpike_model::{Integration, IntegrationType};

    fn target(uri: &str) -> (Option<FunctionTarget>, Vec<String>) {
        let mut integration = Integration::new(IntegrationType::AwsProxy);
        integration.uri = Some(uri.into());
        let mut problems = Vec::new();
        (
            FunctionTarget::compile(&integration, &mut problems),
            problems,
        )
    }

    fn invocation(arn: &str) -> String {
        format!("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{arn}/invocations")
    }

    #[test]
    fn names_come_from_the_function_arn_with_or_without_a_qualifier() {
        let (found, problems) = target(&invocation(
            "arn:aws:lambda:us-east-1:123456789012:function:Hello",
        ));
        assert!(problems.is_empty());
        assert_eq!(
            found.unwrap().resolve(None),
            Ok(ResolvedFunction {
                arn: "arn:aws:lambda:us-east-1:123456789012:function:Hello".into(),
                name: "Hello".into(),
            })
        );
        let (found, _) = target(&invocation(
            "arn:aws:lambda:eu-west-1:210987654321:function:Hello:live",
        ));
        let resolved = found.unwrap().resolve(None).unwrap();
        assert_eq!(resolved.name, "Hello");
        assert_eq!(
            resolved.arn,
            "arn:aws:lambda:eu-west-1:210987654321:function:Hello:live"
        );
        // HTTP APIs accept the function ARN itself as the uri.
        let (found, _) = target("arn:aws:lambda:us-east-1:123456789012:function:Bare");
        assert_eq!(found.unwrap().resolve(None).unwrap().name, "Bare");
    }

    #[test]
    fn stage_variables_resolve_per_request() {
        let (found, _) = target(&invocation(
            "arn:aws:lambda:us-east-1:123456789012:function:${stageVariables.fn}",
        ));
        let found = found.unwrap();
        let vars: BTreeMap<String, String> = [("fn".to_string(), "Pets:beta".to_string())].into();
        let resolved = found.resolve(Some(&vars)).unwrap();
        assert_eq!(resolved.name, "Pets");
        assert_eq!(
            resolved.arn,
            "arn:aws:lambda:us-east-1:123456789012:function:Pets:beta"
        );
        // Without the variable the ARN names no function.
        assert_eq!(
            found.resolve(None),
            Err("arn:aws:lambda:us-east-1:123456789012:function:".into())
        );
        let bad: BTreeMap<String, String> = [("fn".to_string(), "a/b".to_string())].into();
        assert!(found.resolve(Some(&bad)).is_err());
    }

    #[test]
    fn a_uri_without_a_function_is_a_problem() {
        let (found, problems) = target("http://example.com/pets");
        assert!(found.is_none());
        assert_eq!(problems.len(), 1);
        assert!(problems[0].starts_with("AWS_PROXY integration uri \"http://example.com/pets\""));
    }

    #[test]
    fn function_arns_are_checked() {
        assert_eq!(
            function_name("arn:aws:lambda:us-east-1:1:function:f"),
            Some("f")
        );
        assert_eq!(
            function_name("arn:aws:lambda:us-east-1:1:function:f:"),
            None
        );
        assert_eq!(
            function_name("arn:aws:lambda:us-east-1:1:function:f:1:2"),
            None
        );
        assert_eq!(function_name("arn:aws:sqs:us-east-1:1:function:f"), None);
        assert_eq!(function_name("arn::lambda:us-east-1:1:function:f"), None);
        assert_eq!(function_name("arn:aws:lambda:us-east-1:1:layer:f"), None);
    }
}
