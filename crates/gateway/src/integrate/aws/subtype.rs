//! HTTP API AWS service integrations ("first-class integrations"): `type: AWS_PROXY` with an
//! `integrationSubtype` (AWS, "Integration subtype reference",
//! <https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-aws-services-reference.html>).
//!
//! Each request evaluates the subtype's mapped parameters (`QueueUrl`, `MessageBody`, ...) with
//! the HTTP API parameter-mapping sources ([`NamedValues`]) and builds the action's request:
//! - SQS subtypes use SQS's query protocol, as API Gateway does (its answer is SQS's XML): a
//!   `POST` to the queue URL with an `application/x-www-form-urlencoded` body
//!   `Action=SendMessage&Version=2012-11-05&QueueUrl=...&MessageBody=...`, structured parameters
//!   flattened as the query protocol has them (`MessageAttributes` → `MessageAttribute.N.Name`,
//!   `MessageAttribute.N.Value.DataType`, `.StringValue`/`.BinaryValue`; `MessageSystemAttributes`
//!   likewise; `AttributeNames` → `AttributeName.N`; `MessageAttributeNames` →
//!   `MessageAttributeName.N`; N from 1 in the mapped order);
//! - EventBridge, Kinesis and Step Functions use their JSON protocol (`X-Amz-Target`,
//!   `application/x-amz-json-1.x`; EventBridge's `Resources` as a list and `Time` as a
//!   timestamp, Kinesis `Data` base64, EventBridge's fields as its one entry, Step Functions'
//!   members lowerCamelCase).
//!
//! The request is signed for the service and `Region` (the parameter, else the gateway's region),
//! with the temporary credentials of the integration's `credentials` role when it names one
//! ([`super::role`]), and sent to the service's endpoint (for SQS, the queue URL's AWS host) or
//! the configured override (see [`super::AwsSettings`]). The client gets the service's answer:
//! its status, `Content-Type` and body. AWS documents no other shape for it.
//!
//! Failures are those of HTTP API integrations: no connection → 500, timeout → 503.

use std::collections::BTreeMap;
use std::time::Duration;

use ::http::header::{HeaderValue, CONTENT_TYPE};
use ::http::{HeaderMap, Method, Request, Response, Uri};
use base64::Engine;
use serde_json::{Map, Value};

use super::AwsTarget;
use crate::body::ResponseBody;
use crate::gateway_response::GatewayError;
use crate::integrate::http::exchange;
use crate::integrate::Call;
use crate::mapping::http_api::NamedValues;

/// What a subtype calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Action {
    /// Endpoint prefix: `sqs`, `sync-states`.
    host: &'static str,
    /// Signing name and endpoint-override service: `sqs`, `states`.
    service: &'static str,
    protocol: Protocol,
}

/// How the action is called.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Protocol {
    /// The JSON protocol: `X-Amz-Target` and its content type.
    Json {
        target: &'static str,
        content_type: &'static str,
    },
    /// The query protocol (SQS): `Action={action}&Version={version}` in a form body.
    Query {
        action: &'static str,
        version: &'static str,
    },
}

const JSON_10: &str = "application/x-amz-json-1.0";
const JSON_11: &str = "application/x-amz-json-1.1";
/// SQS's query API version.
const SQS_VERSION: &str = "2012-11-05";
const FORM: &str = "application/x-www-form-urlencoded";

fn action(subtype: &str) -> Option<Action> {
    let sqs = |action| Action {
        host: "sqs",
        service: "sqs",
        protocol: Protocol::Query {
            action,
            version: SQS_VERSION,
        },
    };
    let json = |host, service, target, content_type| Action {
        host,
        service,
        protocol: Protocol::Json {
            target,
            content_type,
        },
    };
    Some(match subtype {
        "SQS-SendMessage" => sqs("SendMessage"),
        "SQS-ReceiveMessage" => sqs("ReceiveMessage"),
        "SQS-DeleteMessage" => sqs("DeleteMessage"),
        "SQS-PurgeQueue" => sqs("PurgeQueue"),
        "EventBridge-PutEvents" => json("events", "events", "AWSEvents.PutEvents", JSON_11),
        "Kinesis-PutRecord" => json("kinesis", "kinesis", "Kinesis_20131202.PutRecord", JSON_11),
        "StepFunctions-StartExecution" => json(
            "states",
            "states",
            "AWSStepFunctions.StartExecution",
            JSON_10,
        ),
        "StepFunctions-StartSyncExecution" => json(
            "sync-states",
            "states",
            "AWSStepFunctions.StartSyncExecution",
            JSON_10,
        ),
        "StepFunctions-StopExecution" => json(
            "states",
            "states",
            "AWSStepFunctions.StopExecution",
            JSON_10,
        ),
        _ => return None,
    })
}

/// An HTTP API AWS service integration, compiled.
#[derive(Debug)]
pub(crate) struct SubtypeIntegration {
    subtype: String,
    action: Option<Action>,
    /// The subtype's parameters (`QueueUrl`, `MessageBody`, ...), rendered per request.
    parameters: NamedValues,
    timeout: Duration,
    /// The `credentials` role ARN, assumed for every call.
    role: Option<String>,
}

impl SubtypeIntegration {
    pub(crate) fn compile(
        integration: &turnpike_model::Integration,
        problems: &mut Vec<String>,
    ) -> SubtypeIntegration {
        let (subtype, parameters) = match &integration.service {
            Some(service) => (service.subtype.as_str(), Some(&service.parameters)),
            None => ("", None),
        };
        let action = action(subtype);
        if action.is_none() {
            problems.push(format!(
                "integrationSubtype {subtype:?} is not supported by Turnpike"
            ));
        }
        SubtypeIntegration {
            subtype: subtype.to_owned(),
            action,
            parameters: NamedValues::compile(parameters.into_iter().flatten(), problems),
            timeout: integration.timeout,
            role: super::role_of(integration),
        }
    }

    pub(crate) async fn call(
        &self,
        mut call: Call<'_>,
    ) -> Result<Response<ResponseBody>, GatewayError> {
        let Some(action) = self.action else {
            return Err(GatewayError::api_configuration_error());
        };
        let values = self
            .parameters
            .render(
                call.parts,
                call.params,
                call.ctx,
                &mut call.body,
                call.max_body_bytes,
            )
            .await?;
        let region = values
            .get("Region")
            .cloned()
            .unwrap_or_else(|| turnpike_model::REGION.to_owned());
        // A mapped Region names a region, never another host.
        let valid_region = !region.is_empty()
            && region
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !valid_region {
            tracing::warn!(
                region,
                "Execution failed due to configuration error: invalid Region"
            );
            return Err(GatewayError::api_configuration_error());
        }
        let host = format!("{}.{region}.amazonaws.com", action.host);
        let mut headers = HeaderMap::new();
        let (url, bytes, json_action) = match action.protocol {
            Protocol::Json {
                target,
                content_type,
            } => {
                let body = request_body(&self.subtype, &values);
                let bytes = bytes::Bytes::from(serde_json::to_vec(&body).unwrap_or_default());
                let json_action = (
                    HeaderValue::from_static(target),
                    HeaderValue::from_static(content_type),
                );
                (format!("https://{host}/"), bytes, Some(json_action))
            }
            Protocol::Query { action, version } => {
                let body = query_body(action, version, &values);
                headers.insert(CONTENT_TYPE, HeaderValue::from_static(FORM));
                let url = queue_endpoint(values.get("QueueUrl").map(String::as_str), &host);
                (url, bytes::Bytes::from(body), None)
            }
        };
        let uri = Uri::try_from(url).map_err(|_| {
            tracing::warn!(
                region,
                "Execution failed due to configuration error: invalid Region"
            );
            GatewayError::api_configuration_error()
        })?;
        let mut target = AwsTarget::action(region, action.service.to_owned(), json_action);
        if let Some(role_arn) = &self.role {
            let credentials =
                super::role::credentials(call.client, role_arn, &target.region, self.timeout)
                    .await?;
            target = target.signed_with(credentials);
        }
        let (uri, body) =
            target.prepare(call.client.aws(), &Method::POST, uri, &mut headers, bytes)?;
        let mut request = Request::new(body);
        *request.method_mut() = Method::POST;
        *request.uri_mut() = uri;
        *request.headers_mut() = headers;
        let response = exchange(call.client, call.ctx, self.timeout, request).await?;
        let (upstream, body) = response.into_parts();
        let mut answer = Response::new(ResponseBody::stream(body));
        *answer.status_mut() = upstream.status;
        if let Some(content_type) = upstream.headers.get(CONTENT_TYPE) {
            answer
                .headers_mut()
                .insert(CONTENT_TYPE, content_type.clone());
        }
        Ok(answer)
    }
}

/// Where a query-protocol SQS call goes: the queue URL's scheme, host and path when its host is
/// SQS's (`https://sqs.us-east-1.amazonaws.com/123456789012/orders`, `queue.amazonaws.com`), else `https://{host}/` with
/// the queue URL's path (`host`: the regional SQS endpoint). A mapped queue URL never sends the
/// gateway's signed request to a host that is not AWS's; an endpoint override replaces the host
/// in any case (keeping the path).
fn queue_endpoint(queue_url: Option<&str>, host: &str) -> String {
    let parsed = queue_url.and_then(|url| Uri::try_from(url.trim()).ok());
    let path = parsed
        .as_ref()
        .map(|uri| uri.path())
        .filter(|path| path.starts_with('/'))
        .unwrap_or("/");
    let aws = parsed.as_ref().and_then(|uri| {
        let scheme = uri.scheme_str().filter(|s| *s == "https" || *s == "http")?;
        let authority = uri.authority()?;
        let name = authority.host().to_ascii_lowercase();
        let name = name
            .strip_suffix(".amazonaws.com")
            .or_else(|| name.strip_suffix(".amazonaws.com.cn"))?;
        // `sqs.{region}`, legacy `queue` and `{region}.queue`: SQS's own hosts only.
        let sqs = name.starts_with("sqs.") || name == "queue" || name.ends_with(".queue");
        sqs.then(|| format!("{scheme}://{authority}"))
    });
    match aws {
        Some(origin) => format!("{origin}{path}"),
        None => format!("https://{host}{path}"),
    }
}

/// Parameters that are maps in SQS's API, and the flattened query-protocol name of an entry.
const QUERY_MAPS: &[(&str, &str)] = &[
    ("MessageAttributes", "MessageAttribute"),
    ("MessageSystemAttributes", "MessageSystemAttribute"),
];
/// Parameters that are lists in SQS's API, and the flattened query-protocol name of a member.
const QUERY_LISTS: &[(&str, &str)] = &[
    ("AttributeNames", "AttributeName"),
    ("MessageAttributeNames", "MessageAttributeName"),
];

/// The query-protocol form body of SQS's `action` for the rendered `values` (`Region` is where it
/// goes, not part of it): `Action`, `Version`, then the parameters, maps and lists flattened. A
/// map that is not a JSON object goes as text under its own name; SQS's answer says what it
/// makes of it.
fn query_body(action: &str, version: &str, values: &BTreeMap<String, String>) -> String {
    let mut pairs: Vec<(String, String)> = vec![
        ("Action".into(), action.into()),
        ("Version".into(), version.into()),
    ];
    for (name, text) in values {
        if name == "Region" {
            continue;
        }
        let map = QUERY_MAPS.iter().find(|(n, _)| n == name);
        let list = QUERY_LISTS.iter().find(|(n, _)| n == name);
        let object = map.and_then(|_| match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(object)) => Some(object),
            _ => None,
        });
        if let (Some((_, entry)), Some(object)) = (map, object) {
            for (i, (key, value)) in object.iter().enumerate() {
                let prefix = format!("{entry}.{}", i + 1);
                pairs.push((format!("{prefix}.Name"), key.clone()));
                flatten_value(&format!("{prefix}.Value"), value, &mut pairs);
            }
        } else if let Some((_, member)) = list {
            for (i, item) in list_items(text).into_iter().enumerate() {
                pairs.push((format!("{member}.{}", i + 1), item));
            }
        } else {
            pairs.push((name.clone(), text.clone()));
        }
    }
    // Names and values encoded as SigV4 encodes them (all but RFC 3986's unreserved characters),
    // so the body reads the same to the service as to the signature.
    let mut body = String::new();
    for (name, value) in &pairs {
        if !body.is_empty() {
            body.push('&');
        }
        turnpike_sigv4::encode_into(&mut body, name.as_bytes(), false);
        body.push('=');
        turnpike_sigv4::encode_into(&mut body, value.as_bytes(), false);
    }
    body
}

/// A `MessageAttributeValue` (`{"DataType": ..., "StringValue": ...}`) under `prefix`:
/// `{prefix}.DataType`, `{prefix}.StringValue`, `{prefix}.BinaryValue` (base64, as mapped); the
/// reserved list members as `{prefix}.StringListValue.N`/`.BinaryListValue.N`. A value that is no
/// object goes as text under `prefix`.
fn flatten_value(prefix: &str, value: &Value, pairs: &mut Vec<(String, String)>) {
    let Value::Object(members) = value else {
        pairs.push((prefix.to_owned(), scalar_text(value)));
        return;
    };
    for (member, value) in members {
        match value {
            Value::Array(items) => {
                let member = member.strip_suffix('s').unwrap_or(member);
                for (i, item) in items.iter().enumerate() {
                    pairs.push((format!("{prefix}.{member}.{}", i + 1), scalar_text(item)));
                }
            }
            other => pairs.push((format!("{prefix}.{member}"), scalar_text(other))),
        }
    }
}

/// A JSON scalar as query-protocol text: strings as they are, others as JSON.
fn scalar_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A list parameter's items: a JSON array's, or comma-separated text's.
fn list_items(text: &str) -> Vec<String> {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Array(items)) => items.iter().map(scalar_text).collect(),
        _ => text
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
    }
}

/// Parameters of the JSON-protocol subtypes that are lists of strings in the service's API
/// (EventBridge's `Resources`): a JSON array, or comma-separated text.
const LISTS: &[&str] = &["Resources"];

/// The action's JSON request for the rendered `values` (`Region` is where it goes, not part of
/// it). A value of the wrong type for its member goes as text; the service's error answers it.
fn request_body(subtype: &str, values: &BTreeMap<String, String>) -> Value {
    let mut members = Map::new();
    for (name, text) in values {
        if name == "Region" {
            continue;
        }
        let value = if LISTS.contains(&name.as_str()) {
            serde_json::from_str::<Value>(text)
                .ok()
                .filter(Value::is_array)
                .unwrap_or_else(|| {
                    Value::Array(list_items(text).into_iter().map(Value::String).collect())
                })
        } else if subtype == "Kinesis-PutRecord" && name == "Data" {
            // A blob: base64 in the JSON protocol.
            Value::String(base64::engine::general_purpose::STANDARD.encode(text))
        } else if subtype == "EventBridge-PutEvents" && name == "Time" {
            // A timestamp: epoch seconds in the JSON protocol.
            text.trim()
                .parse::<f64>()
                .ok()
                .and_then(serde_json::Number::from_f64)
                .map(Value::Number)
                .unwrap_or_else(|| Value::String(text.clone()))
        } else {
            Value::String(text.clone())
        };
        // Step Functions' members are lowerCamelCase (`stateMachineArn`, `input`).
        let member = if subtype.starts_with("StepFunctions-") {
            lower_camel(name)
        } else {
            name.clone()
        };
        members.insert(member, value);
    }
    if subtype == "EventBridge-PutEvents" {
        let mut request = Map::new();
        request.insert("Entries".into(), Value::Array(vec![Value::Object(members)]));
        return Value::Object(request);
    }
    Value::Object(members)
}

/// `StateMachineArn` → `stateMachineArn`.
fn lower_camel(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => first.to_ascii_lowercase().to_string() + chars.as_str(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn sqs_subtypes_use_the_query_protocol() {
        assert_eq!(
            action("SQS-SendMessage").map(|a| (a.host, a.service, a.protocol)),
            Some((
                "sqs",
                "sqs",
                Protocol::Query {
                    action: "SendMessage",
                    version: "2012-11-05"
                }
            ))
        );
        let send = query_body(
            "SendMessage",
            SQS_VERSION,
            &values(&[
                (
                    "QueueUrl",
                    "https://sqs.us-east-1.amazonaws.com/123456789012/orders",
                ),
                ("MessageBody", "two bags & a ball +1 ü/é"),
                ("DelaySeconds", "5"),
                (
                    "MessageAttributes",
                    r#"{"weight": {"DataType": "Number", "StringValue": "230.5"}, "color": {"DataType": "String", "StringValue": "red"}, "pic": {"DataType": "Binary", "BinaryValue": "aGk="}}"#,
                ),
                (
                    "MessageSystemAttributes",
                    r#"{"AWSTraceHeader": {"DataType": "String", "StringValue": "Root=1-5759e988-bd862e3fe1be46a994272793"}}"#,
                ),
                ("Region", "eu-west-1"),
            ]),
        );
        assert_eq!(
            send.split('&').collect::<Vec<_>>(),
            [
                "Action=SendMessage",
                "Version=2012-11-05",
                "DelaySeconds=5",
                "MessageAttribute.1.Name=weight",
                "MessageAttribute.1.Value.DataType=Number",
                "MessageAttribute.1.Value.StringValue=230.5",
                "MessageAttribute.2.Name=color",
                "MessageAttribute.2.Value.DataType=String",
                "MessageAttribute.2.Value.StringValue=red",
                "MessageAttribute.3.Name=pic",
                "MessageAttribute.3.Value.DataType=Binary",
                "MessageAttribute.3.Value.BinaryValue=aGk%3D",
                "MessageBody=two%20bags%20%26%20a%20ball%20%2B1%20%C3%BC%2F%C3%A9",
                "MessageSystemAttribute.1.Name=AWSTraceHeader",
                "MessageSystemAttribute.1.Value.DataType=String",
                "MessageSystemAttribute.1.Value.StringValue=Root%3D1-5759e988-bd862e3fe1be46a994272793",
                "QueueUrl=https%3A%2F%2Fsqs.us-east-1.amazonaws.com%2F123456789012%2Forders",
            ]
        );
        let receive = query_body(
            "ReceiveMessage",
            SQS_VERSION,
            &values(&[
                ("QueueUrl", "q"),
                ("MaxNumberOfMessages", "5"),
                ("AttributeNames", "All, SentTimestamp"),
                ("MessageAttributeNames", r#"["color", "weight"]"#),
            ]),
        );
        assert_eq!(
            receive,
            "Action=ReceiveMessage&Version=2012-11-05&AttributeName.1=All&AttributeName.2=SentTimestamp\
             &MaxNumberOfMessages=5&MessageAttributeName.1=color&MessageAttributeName.2=weight&QueueUrl=q"
        );
        // A map that is no JSON object goes as text; SQS answers it.
        assert_eq!(
            query_body(
                "SendMessage",
                SQS_VERSION,
                &values(&[("MessageAttributes", "nope")])
            ),
            "Action=SendMessage&Version=2012-11-05&MessageAttributes=nope"
        );
    }

    #[test]
    fn sqs_calls_go_to_the_queue_urls_aws_host() {
        let host = "sqs.eu-west-1.amazonaws.com";
        assert_eq!(
            queue_endpoint(
                Some("https://sqs.us-east-2.amazonaws.com/123456789012/orders"),
                host
            ),
            "https://sqs.us-east-2.amazonaws.com/123456789012/orders"
        );
        assert_eq!(
            queue_endpoint(Some("https://queue.amazonaws.com/1/q"), host),
            "https://queue.amazonaws.com/1/q"
        );
        // No AWS host: the regional endpoint, with the queue URL's path.
        assert_eq!(
            queue_endpoint(Some("http://127.0.0.1:5000/123456789012/orders"), host),
            "https://sqs.eu-west-1.amazonaws.com/123456789012/orders"
        );
        assert_eq!(
            queue_endpoint(Some("https://evil.example/amazonaws.com/q"), host),
            "https://sqs.eu-west-1.amazonaws.com/amazonaws.com/q"
        );
        assert_eq!(
            queue_endpoint(Some("https://bucket.s3.amazonaws.com/1/q"), host),
            "https://sqs.eu-west-1.amazonaws.com/1/q"
        );
        assert_eq!(
            queue_endpoint(
                Some("https://sqs.us-east-1.amazonaws.com@evil.example/1/q"),
                host
            ),
            "https://sqs.eu-west-1.amazonaws.com/1/q"
        );
        assert_eq!(
            queue_endpoint(Some("not a url"), host),
            "https://sqs.eu-west-1.amazonaws.com/"
        );
        assert_eq!(
            queue_endpoint(None, host),
            "https://sqs.eu-west-1.amazonaws.com/"
        );
    }

    #[test]
    fn builds_each_json_action_request() {
        let events = request_body(
            "EventBridge-PutEvents",
            &values(&[("Detail", "{}"), ("DetailType", "t"), ("Source", "s")]),
        );
        assert_eq!(
            events,
            serde_json::json!({"Entries": [{"Detail": "{}", "DetailType": "t", "Source": "s"}]})
        );
        let kinesis = request_body(
            "Kinesis-PutRecord",
            &values(&[("StreamName", "s"), ("Data", "hi"), ("PartitionKey", "k")]),
        );
        assert_eq!(
            kinesis,
            serde_json::json!({"StreamName": "s", "Data": "aGk=", "PartitionKey": "k"})
        );
        let start = request_body(
            "StepFunctions-StartExecution",
            &values(&[
                ("StateMachineArn", "arn:sm"),
                ("Input", "{}"),
                ("Name", "n"),
            ]),
        );
        assert_eq!(
            start,
            serde_json::json!({"stateMachineArn": "arn:sm", "input": "{}", "name": "n"})
        );
        assert_eq!(
            action("StepFunctions-StartSyncExecution").map(|a| (a.host, a.service)),
            Some(("sync-states", "states"))
        );
    }
}
