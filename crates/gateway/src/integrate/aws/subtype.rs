//! HTTP API AWS service integrations ("first-class integrations"): `type: AWS_PROXY` with an
//! `integrationSubtype` (AWS, "Integration subtype reference",
//! <https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-aws-services-reference.html>).
//!
//! Each request evaluates the subtype's mapped parameters (`QueueUrl`, `MessageBody`, ...) with
//! the HTTP API parameter-mapping evaluator ([`HttpApiMapping`]), builds the action's JSON-protocol
//! request (`X-Amz-Target`, `application/x-amz-json-1.x`; numbers, objects and lists typed as the
//! service's API has them, Kinesis `Data` base64, EventBridge's fields as its one entry, Step
//! Functions' members lowerCamelCase), signs it for the service and `Region`
//! (the parameter, else the gateway's region) and sends it to the service's endpoint or the
//! configured override (see [`super::AwsSettings`]). The client gets the service's answer: its
//! status, `Content-Type` and body. AWS documents no other shape for it.
//!
//! Failures are those of HTTP API integrations: no connection → 500, timeout → 503.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use ::http::header::{HeaderValue, CONTENT_TYPE};
use ::http::{HeaderMap, Method, Request, Response, Uri};
use base64::Engine;
use percent_encoding::percent_decode_str;
use serde_json::{Map, Value};
use turnpike_model::{
    HttpRequestParameter, HttpRequestTarget, MappingAction, MappingValue, ParameterMapping,
};

use super::AwsTarget;
use crate::body::ResponseBody;
use crate::gateway_response::GatewayError;
use crate::integrate::Call;
use crate::mapping::http_api::HttpApiMapping;

/// What a subtype calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Action {
    /// Endpoint prefix: `sqs`, `sync-states`.
    host: &'static str,
    /// Signing name and endpoint-override service: `sqs`, `states`.
    service: &'static str,
    /// `X-Amz-Target`.
    target: &'static str,
    content_type: &'static str,
}

const JSON_10: &str = "application/x-amz-json-1.0";
const JSON_11: &str = "application/x-amz-json-1.1";

fn action(subtype: &str) -> Option<Action> {
    let (host, service, target, content_type) = match subtype {
        "SQS-SendMessage" => ("sqs", "sqs", "AmazonSQS.SendMessage", JSON_10),
        "SQS-ReceiveMessage" => ("sqs", "sqs", "AmazonSQS.ReceiveMessage", JSON_10),
        "SQS-DeleteMessage" => ("sqs", "sqs", "AmazonSQS.DeleteMessage", JSON_10),
        "SQS-PurgeQueue" => ("sqs", "sqs", "AmazonSQS.PurgeQueue", JSON_10),
        "EventBridge-PutEvents" => ("events", "events", "AWSEvents.PutEvents", JSON_11),
        "Kinesis-PutRecord" => ("kinesis", "kinesis", "Kinesis_20131202.PutRecord", JSON_11),
        "StepFunctions-StartExecution" => (
            "states",
            "states",
            "AWSStepFunctions.StartExecution",
            JSON_10,
        ),
        "StepFunctions-StartSyncExecution" => (
            "sync-states",
            "states",
            "AWSStepFunctions.StartSyncExecution",
            JSON_10,
        ),
        "StepFunctions-StopExecution" => (
            "states",
            "states",
            "AWSStepFunctions.StopExecution",
            JSON_10,
        ),
        _ => return None,
    };
    Some(Action {
        host,
        service,
        target,
        content_type,
    })
}

/// The query-string name a parameter's value travels under through the mapping evaluator.
const PREFIX: &str = "turnpike.subtype.";

/// An HTTP API AWS service integration, compiled.
#[derive(Debug)]
pub(crate) struct SubtypeIntegration {
    subtype: String,
    action: Option<Action>,
    /// Every parameter's value as a `querystring.{PREFIX}{name}` mapping: the HTTP API mapping
    /// evaluator renders them.
    mapping: HttpApiMapping,
    names: Vec<String>,
    timeout: Duration,
}

impl SubtypeIntegration {
    pub(crate) fn compile(
        integration: &turnpike_model::Integration,
        problems: &mut Vec<String>,
    ) -> SubtypeIntegration {
        let (subtype, parameters) = match &integration.service {
            Some(service) => (service.subtype.clone(), service.parameters.clone()),
            None => (String::new(), BTreeMap::new()),
        };
        let action = action(&subtype);
        if action.is_none() {
            problems.push(format!(
                "integrationSubtype {subtype:?} is not supported by Turnpike"
            ));
        }
        let mut request = Vec::new();
        for (name, value) in &parameters {
            let target = HttpRequestTarget::QueryString(format!("{PREFIX}{name}"));
            // Removed first: a client's own query parameter of that name never stands in.
            request.push(HttpRequestParameter {
                action: MappingAction::Remove,
                target: target.clone(),
                value: MappingValue::default(),
            });
            request.push(HttpRequestParameter {
                action: MappingAction::Overwrite,
                target,
                value: value.clone(),
            });
        }
        let mapping = ParameterMapping {
            request,
            response: BTreeMap::new(),
        };
        SubtypeIntegration {
            subtype,
            action,
            mapping: HttpApiMapping::compile(&mapping, problems),
            names: parameters.into_keys().collect(),
            timeout: integration.timeout,
        }
    }

    pub(crate) async fn call(
        &self,
        mut call: Call<'_>,
    ) -> Result<Response<ResponseBody>, GatewayError> {
        let Some(action) = self.action else {
            return Err(GatewayError::api_configuration_error());
        };
        let mapped = self
            .mapping
            .map_request(
                call.parts,
                call.params,
                call.ctx,
                &mut call.body,
                call.max_body_bytes,
            )
            .await?;
        let values = mapped
            .as_ref()
            .map(|parts| self.values(parts.uri.query().unwrap_or_default()))
            .unwrap_or_default();
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
        let body = request_body(&self.subtype, &values);
        let bytes = bytes::Bytes::from(serde_json::to_vec(&body).unwrap_or_default());
        let host = format!("{}.{region}.amazonaws.com", action.host);
        let uri = Uri::try_from(format!("https://{host}/")).map_err(|_| {
            tracing::warn!(
                region,
                "Execution failed due to configuration error: invalid Region"
            );
            GatewayError::api_configuration_error()
        })?;
        let target = AwsTarget {
            region,
            service: action.service.to_owned(),
            subdomain: None,
            json_action: Some((
                HeaderValue::from_static(action.target),
                HeaderValue::from_static(action.content_type),
            )),
        };
        let mut headers = HeaderMap::new();
        let (uri, body) =
            target.prepare(call.client.aws(), &Method::POST, uri, &mut headers, bytes)?;
        let mut request = Request::new(body);
        *request.method_mut() = Method::POST;
        *request.uri_mut() = uri;
        *request.headers_mut() = headers;
        let started = Instant::now();
        let outcome = tokio::time::timeout(self.timeout, call.client.request(request)).await;
        call.ctx.integration_latency =
            Some(u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX));
        let response = match outcome {
            Err(_) => {
                tracing::warn!(
                    timeout_ms = self.timeout.as_millis() as u64,
                    "Execution failed due to a timeout error"
                );
                return Err(GatewayError::integration_timeout());
            }
            Ok(Err(error)) if error.is_connect() => {
                tracing::warn!(error = %error, "Execution failed due to configuration error");
                return Err(GatewayError::api_configuration_error());
            }
            Ok(Err(error)) => {
                tracing::warn!(error = %error, "Execution failed due to a network error communicating with endpoint");
                return Err(GatewayError::integration_failure());
            }
            Ok(Ok(response)) => response,
        };
        call.ctx.integration_status = Some(response.status().as_u16());
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

    /// The rendered parameters, read back from the mapped query string.
    fn values(&self, query: &str) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        for pair in query.split('&') {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let key = percent_decode_str(key).decode_utf8_lossy();
            let Some(name) = key.strip_prefix(PREFIX) else {
                continue;
            };
            if self.names.iter().any(|n| n == name) {
                let value = percent_decode_str(value).decode_utf8_lossy().into_owned();
                out.insert(name.to_owned(), value);
            }
        }
        out
    }
}

/// Parameters that are whole numbers in the service's API.
const INTEGERS: &[&str] = &[
    "DelaySeconds",
    "MaxNumberOfMessages",
    "VisibilityTimeout",
    "WaitTimeSeconds",
];
/// Parameters that are JSON objects (maps) in the service's API.
const OBJECTS: &[&str] = &["MessageAttributes", "MessageSystemAttributes"];
/// Parameters that are lists of strings: a JSON array, or comma-separated text.
const LISTS: &[&str] = &["AttributeNames", "MessageAttributeNames", "Resources"];

/// The action's JSON request for the rendered `values` (`Region` is where it goes, not part of
/// it). A value of the wrong type for its member goes as text; the service's error answers it.
fn request_body(subtype: &str, values: &BTreeMap<String, String>) -> Value {
    let mut members = Map::new();
    for (name, text) in values {
        if name == "Region" {
            continue;
        }
        let value = if INTEGERS.contains(&name.as_str()) {
            text.trim()
                .parse::<i64>()
                .map(Value::from)
                .unwrap_or_else(|_| Value::String(text.clone()))
        } else if OBJECTS.contains(&name.as_str()) {
            serde_json::from_str::<Value>(text)
                .ok()
                .filter(Value::is_object)
                .unwrap_or_else(|| Value::String(text.clone()))
        } else if LISTS.contains(&name.as_str()) {
            serde_json::from_str::<Value>(text)
                .ok()
                .filter(Value::is_array)
                .unwrap_or_else(|| {
                    Value::Array(
                        text.split(',')
                            .map(str::trim)
                            .filter(|s| !s.is_empty())
                            .map(|s| Value::String(s.to_owned()))
                            .collect(),
                    )
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
    fn builds_each_action_request() {
        let sqs = request_body(
            "SQS-ReceiveMessage",
            &values(&[
                ("QueueUrl", "http://q/1/q"),
                ("MaxNumberOfMessages", "5"),
                ("AttributeNames", "All, SentTimestamp"),
                ("Region", "eu-west-1"),
            ]),
        );
        assert_eq!(
            sqs,
            serde_json::json!({"QueueUrl": "http://q/1/q", "MaxNumberOfMessages": 5, "AttributeNames": ["All", "SentTimestamp"]})
        );
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
