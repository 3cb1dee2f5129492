//! HTTP API AWS service integrations ("first-class integrations"): `type: AWS_PROXY` with an
//! `integrationSubtype` and `requestParameters` mapping the subtype's parameters →
//! [`ServiceIntegration`].
//!
//! The subtypes and their parameters are AWS's "Integration subtype reference" for HTTP APIs
//! (<https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-aws-services-reference.html>).
//! Every subtype also takes `Region` (optional). A parameter's value is written in the HTTP API
//! parameter-mapping syntax: static text, `$request.header.NAME`, `$request.body.PATH`,
//! `$context.NAME`, `$stageVariables.NAME`, or text with `${...}` interpolated.

use std::collections::BTreeMap;

use super::context::{one_of, At, Ctx, Node};
use super::http_mapping;
use crate::api::ServiceIntegration;

/// One subtype: its name and its parameters (name, required), in AWS's order.
pub(crate) struct Subtype {
    pub name: &'static str,
    pub parameters: &'static [(&'static str, bool)],
}

/// The subtypes Turnpike serves, with the parameters AWS lists for them.
pub(crate) const SUBTYPES: &[Subtype] = &[
    Subtype {
        name: "EventBridge-PutEvents",
        parameters: &[
            ("Detail", true),
            ("DetailType", true),
            ("Source", true),
            ("Time", false),
            ("EventBusName", false),
            ("Resources", false),
            ("Region", false),
            ("TraceHeader", false),
        ],
    },
    Subtype {
        name: "SQS-SendMessage",
        parameters: &[
            ("QueueUrl", true),
            ("MessageBody", true),
            ("DelaySeconds", false),
            ("MessageAttributes", false),
            ("MessageDeduplicationId", false),
            ("MessageGroupId", false),
            ("MessageSystemAttributes", false),
            ("Region", false),
        ],
    },
    Subtype {
        name: "SQS-ReceiveMessage",
        parameters: &[
            ("QueueUrl", true),
            ("AttributeNames", false),
            ("MaxNumberOfMessages", false),
            ("MessageAttributeNames", false),
            ("ReceiveRequestAttemptId", false),
            ("VisibilityTimeout", false),
            ("WaitTimeSeconds", false),
            ("Region", false),
        ],
    },
    Subtype {
        name: "SQS-DeleteMessage",
        parameters: &[
            ("ReceiptHandle", true),
            ("QueueUrl", true),
            ("Region", false),
        ],
    },
    Subtype {
        name: "SQS-PurgeQueue",
        parameters: &[("QueueUrl", true), ("Region", false)],
    },
    Subtype {
        name: "Kinesis-PutRecord",
        parameters: &[
            ("StreamName", true),
            ("Data", true),
            ("PartitionKey", true),
            ("SequenceNumberForOrdering", false),
            ("ExplicitHashKey", false),
            ("Region", false),
        ],
    },
    Subtype {
        name: "StepFunctions-StartExecution",
        parameters: &[
            ("StateMachineArn", true),
            ("Name", false),
            ("Input", false),
            ("Region", false),
        ],
    },
    Subtype {
        name: "StepFunctions-StartSyncExecution",
        parameters: &[
            ("StateMachineArn", true),
            ("Name", false),
            ("Input", false),
            ("Region", false),
            ("TraceHeader", false),
        ],
    },
    Subtype {
        name: "StepFunctions-StopExecution",
        parameters: &[
            ("ExecutionArn", true),
            ("Cause", false),
            ("Error", false),
            ("Region", false),
        ],
    },
];

/// Subtypes AWS has that Turnpike does not serve yet.
const NOT_YET: &[(&str, &str)] = &[(
    "AppConfig-GetConfiguration",
    " (AWS AppConfig's GetConfiguration, a REST-JSON API AWS has deprecated)",
)];

/// The subtype named `name`, if Turnpike serves it.
pub(crate) fn subtype(name: &str) -> Option<&'static Subtype> {
    SUBTYPES.iter().find(|s| s.name == name)
}

/// Resolves the service integration of the HTTP API integration `node`, whose
/// `integrationSubtype` is `subtype_node`; `None` after reporting its problems.
pub(crate) fn resolve<'d>(
    ctx: &mut Ctx<'d>,
    node: &Node<'d>,
    subtype_node: &Node<'d>,
) -> Option<ServiceIntegration> {
    let before = ctx.error_count();
    let name = ctx.string(subtype_node, "integrationSubtype")?;
    let Some(subtype) = subtype(name) else {
        let message = match NOT_YET.iter().find(|(n, _)| *n == name) {
            Some((_, why)) => {
                format!("integrationSubtype {name} is not supported yet by Turnpike{why}")
            }
            None => {
                let names: Vec<&str> = SUBTYPES.iter().map(|s| s.name).collect();
                let all = [
                    names.as_slice(),
                    &NOT_YET.iter().map(|(n, _)| *n).collect::<Vec<_>>(),
                ]
                .concat();
                format!(
                    "unknown integrationSubtype \"{name}\"; expected one of {}",
                    one_of(&all)
                )
            }
        };
        ctx.error(&subtype_node.ptr, At::Value, message);
        return None;
    };
    if let Some(type_node) = node.get("type") {
        let is_proxy = type_node
            .value
            .as_str()
            .is_some_and(|t| t.eq_ignore_ascii_case("AWS_PROXY"));
        if !is_proxy {
            let message = format!(
                "integrationSubtype {name} needs type AWS_PROXY (an AWS service integration of an HTTP API); found {}",
                type_node.value
            );
            ctx.error(&type_node.ptr, At::Value, message);
        }
    }
    if let Some(uri_node) = node.get("uri") {
        let message = format!("uri has no effect in an AWS service integration (integrationSubtype {name} names the service and action); remove it");
        ctx.error(&uri_node.ptr, At::Key, message);
    }
    let parameters = parameters(ctx, node, subtype_node, subtype);
    let credentials = node
        .get("credentials")
        .and_then(|n| n.value.as_str().map(str::to_owned));
    (ctx.error_count() == before).then(|| ServiceIntegration {
        subtype: subtype.name.to_owned(),
        parameters,
        credentials,
    })
}

fn parameters<'d>(
    ctx: &mut Ctx<'d>,
    node: &Node<'d>,
    subtype_node: &Node<'d>,
    subtype: &Subtype,
) -> BTreeMap<String, crate::http_mapping::MappingValue> {
    let mut out = BTreeMap::new();
    let names: Vec<&str> = subtype.parameters.iter().map(|(n, _)| *n).collect();
    let member = node.get("requestParameters").filter(|n| !n.value.is_null());
    if let Some(member) = &member {
        if ctx.object(member, "requestParameters").is_some() {
            for (key, value_node) in member.entries() {
                if !names.contains(&key) {
                    let message = format!(
                        "unknown parameter \"{key}\" in requestParameters of integrationSubtype {}; expected one of {}",
                        subtype.name,
                        one_of(&names)
                    );
                    ctx.error(&value_node.ptr, At::Key, message);
                    continue;
                }
                let described = format!("the value of \"{key}\" in requestParameters");
                let Some(text) = ctx.string(&value_node, &described) else {
                    continue;
                };
                if let Some(value) = http_mapping::request_value(ctx, &value_node, &described, text)
                {
                    out.insert(key.to_owned(), value);
                }
            }
        }
    }
    let missing: Vec<&str> = subtype
        .parameters
        .iter()
        .filter(|(name, required)| {
            *required
                && member
                    .as_ref()
                    .is_none_or(|m| m.get(name).is_none() && m.value.is_object())
        })
        .map(|(name, _)| *name)
        .collect();
    if !missing.is_empty() {
        let plural = if missing.len() == 1 { "" } else { "s" };
        let message = format!(
            "integrationSubtype {} needs the parameter{plural} {} in requestParameters",
            subtype.name,
            one_of(&missing)
        );
        match &member {
            Some(m) => ctx.error(&m.ptr, At::Key, message),
            None => ctx.error(&subtype_node.ptr, At::Key, message),
        }
    }
    out
}
