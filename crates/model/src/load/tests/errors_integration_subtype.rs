//! HTTP API AWS service integrations (`integrationSubtype`): what loads, and every error with its
//! exact location.

use super::*;
use crate::http_mapping::{MappingSource, MappingValue, ValuePart};

const PTR: &str = "/paths/~1orders/post/x-amazon-apigateway-integration";

/// An HTTP API whose POST /orders integration has `lines` as its members, from line 8, column 9.
fn http(lines: &[&str]) -> String {
    let body: String = lines.iter().map(|l| format!("        {l}\n")).collect();
    format!("openapi: 3.0.1\ninfo: {{title: t}}\nx-amazon-apigateway-importexport-version: '1.0'\npaths:\n  /orders:\n    post:\n      x-amazon-apigateway-integration:\n{body}")
}

fn at(member: &str) -> String {
    format!("{PTR}{member}")
}

#[test]
fn sqs_send_message_loads_with_its_parameters() {
    let api = load_ok(
        "api.yaml",
        &http(&[
            "type: AWS_PROXY",
            "integrationSubtype: SQS-SendMessage",
            "credentials: arn:aws:iam::123456789012:role/sqs",
            "payloadFormatVersion: '1.0'",
            "requestParameters:",
            "  QueueUrl: https://sqs.us-east-1.amazonaws.com/123456789012/q",
            "  MessageBody: $request.body.message",
            "  MessageGroupId: ${context.requestId}-g",
        ]),
    );
    let integration = &api.routes[0].integration;
    assert_eq!(integration.uri, None);
    assert_eq!(integration.parameter_mapping, None);
    let service = integration.service.as_ref().unwrap();
    assert_eq!(service.subtype, "SQS-SendMessage");
    assert_eq!(
        service.credentials.as_deref(),
        Some("arn:aws:iam::123456789012:role/sqs")
    );
    let text = |t: &str| ValuePart::Text(t.to_owned());
    assert_eq!(
        service.parameters.get("QueueUrl"),
        Some(&MappingValue {
            parts: vec![text("https://sqs.us-east-1.amazonaws.com/123456789012/q")]
        })
    );
    assert_eq!(
        service.parameters.get("MessageBody"),
        Some(&MappingValue {
            parts: vec![ValuePart::Source(MappingSource::RequestBody(Some(
                ".message".into()
            )))]
        })
    );
    assert_eq!(
        service.parameters.get("MessageGroupId"),
        Some(&MappingValue {
            parts: vec![
                ValuePart::Source(MappingSource::Context("requestId".into())),
                text("-g")
            ]
        })
    );
    assert_eq!(service.parameters.len(), 3);
}

#[test]
fn every_supported_subtype_loads_with_its_required_parameters() {
    let cases: &[(&str, &[&str])] = &[
        ("EventBridge-PutEvents", &["Detail", "DetailType", "Source"]),
        ("SQS-ReceiveMessage", &["QueueUrl"]),
        ("SQS-DeleteMessage", &["ReceiptHandle", "QueueUrl"]),
        ("SQS-PurgeQueue", &["QueueUrl"]),
        ("Kinesis-PutRecord", &["StreamName", "Data", "PartitionKey"]),
        ("StepFunctions-StartExecution", &["StateMachineArn"]),
        ("StepFunctions-StartSyncExecution", &["StateMachineArn"]),
        ("StepFunctions-StopExecution", &["ExecutionArn"]),
    ];
    for (subtype, required) in cases {
        let mut lines = vec![
            "type: aws_proxy".to_owned(),
            format!("integrationSubtype: {subtype}"),
            "requestParameters:".to_owned(),
        ];
        lines.extend(required.iter().map(|p| format!("  {p}: $request.body.{p}")));
        let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
        let api = load_ok("api.yaml", &http(&lines));
        let service = api.routes[0].integration.service.as_ref().unwrap();
        assert_eq!(service.subtype, *subtype);
        assert_eq!(service.parameters.len(), required.len(), "{subtype}");
    }
}

#[test]
fn unknown_subtype() {
    assert_eq!(
        load_errors(
            "api.yaml",
            &http(&["type: AWS_PROXY", "integrationSubtype: SQS-SendMessages"])
        ),
        [e(9, 29, &at("/integrationSubtype"), "unknown integrationSubtype \"SQS-SendMessages\"; expected one of EventBridge-PutEvents, SQS-SendMessage, SQS-ReceiveMessage, SQS-DeleteMessage, SQS-PurgeQueue, Kinesis-PutRecord, StepFunctions-StartExecution, StepFunctions-StartSyncExecution, StepFunctions-StopExecution, AppConfig-GetConfiguration")]
    );
}

#[test]
fn appconfig_is_not_supported_yet() {
    assert_eq!(
        load_errors(
            "api.yaml",
            &http(&[
                "type: AWS_PROXY",
                "integrationSubtype: AppConfig-GetConfiguration"
            ])
        ),
        [e(9, 29, &at("/integrationSubtype"), "integrationSubtype AppConfig-GetConfiguration is not supported yet by Turnpike (AWS AppConfig's GetConfiguration, a REST-JSON API AWS has deprecated)")]
    );
}

#[test]
fn missing_required_parameters() {
    assert_eq!(
        load_errors(
            "api.yaml",
            &http(&[
                "type: AWS_PROXY",
                "integrationSubtype: SQS-SendMessage",
                "requestParameters:",
                "  DelaySeconds: '5'",
            ])
        ),
        [e(10, 9, &at("/requestParameters"), "integrationSubtype SQS-SendMessage needs the parameters QueueUrl, MessageBody in requestParameters")]
    );
    // Without requestParameters at all: reported at the subtype.
    assert_eq!(
        load_errors(
            "api.yaml",
            &http(&["type: AWS_PROXY", "integrationSubtype: SQS-PurgeQueue"])
        ),
        [e(
            9,
            9,
            &at("/integrationSubtype"),
            "integrationSubtype SQS-PurgeQueue needs the parameter QueueUrl in requestParameters"
        )]
    );
}

#[test]
fn unknown_parameter_and_bad_values() {
    assert_eq!(
        load_errors(
            "api.yaml",
            &http(&[
                "type: AWS_PROXY",
                "integrationSubtype: SQS-PurgeQueue",
                "requestParameters:",
                "  QueueUrl: $request.header.x-queue",
                "  MessageBody: hello",
                "  Region: ${request.bogus}",
                "  overwrite:header.x: a",
            ])
        ),
        [
            e(12, 11, &at("/requestParameters/MessageBody"), "unknown parameter \"MessageBody\" in requestParameters of integrationSubtype SQS-PurgeQueue; expected one of QueueUrl, Region"),
            e(13, 19, &at("/requestParameters/Region"), "the value of \"Region\" in requestParameters names an unknown source $request.bogus; requestParameters read $request.header.NAME, $request.querystring.NAME, $request.body, $request.body.JSONPATH, $request.path, $request.path.NAME, $context.NAME, $stageVariables.NAME or static text"),
            e(14, 11, &at("/requestParameters/overwrite:header.x"), "unknown parameter \"overwrite:header.x\" in requestParameters of integrationSubtype SQS-PurgeQueue; expected one of QueueUrl, Region"),
        ]
    );
}

#[test]
fn subtypes_need_aws_proxy_no_uri_and_payload_1_0() {
    assert_eq!(
        load_errors(
            "api.yaml",
            &http(&[
                "type: HTTP_PROXY",
                "uri: https://example.com",
                "integrationSubtype: SQS-PurgeQueue",
                "requestParameters: {QueueUrl: q}",
            ])
        ),
        [
            e(8, 15, &at("/type"), "integrationSubtype SQS-PurgeQueue needs type AWS_PROXY (an AWS service integration of an HTTP API); found \"HTTP_PROXY\""),
            e(9, 9, &at("/uri"), "uri has no effect in an AWS service integration (integrationSubtype SQS-PurgeQueue names the service and action); remove it"),
        ]
    );
    assert_eq!(
        load_errors(
            "api.yaml",
            &http(&[
                "type: AWS_PROXY",
                "integrationSubtype: SQS-PurgeQueue",
                "payloadFormatVersion: '2.0'",
                "requestParameters: {QueueUrl: q}",
            ])
        ),
        [e(10, 31, &at("/payloadFormatVersion"), "payloadFormatVersion 2.0 exists only for Lambda integrations; AWS service integrations (integrationSubtype) use 1.0")]
    );
    assert_eq!(
        load_errors(
            "api.yaml",
            &http(&[
                "type: AWS_PROXY",
                "integrationSubtype: SQS-PurgeQueue",
                "credentials: my-role",
                "requestParameters: {QueueUrl: q}",
            ])
        ),
        [e(10, 22, &at("/credentials"), "credentials \"my-role\" is not an IAM role ARN; expected arn:aws:iam::ACCOUNT_ID:role/NAME, or arn:aws:iam::*:user/* for the caller's credentials")]
    );
}
