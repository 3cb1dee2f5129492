//! HTTP API AWS service integrations (`type: AWS_PROXY` with an `integrationSubtype`, AWS's
//! "first-class integrations") through `turnpike serve --aws-endpoint-url` against a real local
//! AWS server (moto, from the repository's `.venv`). boto3 creates the queue and the stream and
//! reads back what Turnpike sent. Proves, with exact values:
//! - SQS-SendMessage with `MessageBody` from `$request.body.message`: the message lands in the
//!   queue as sent, and the client gets SQS's answer (status, content type, `MessageId`);
//! - SQS-ReceiveMessage returns it, with its body and receipt handle, and SQS-DeleteMessage with
//!   `ReceiptHandle` from `$request.body.handle` removes it;
//! - EventBridge-PutEvents (Detail from `$request.body`, DetailType from a header) and
//!   Kinesis-PutRecord (Data from the body, PartitionKey from `$context.httpMethod`): moto's
//!   answers, exactly;
//! - StepFunctions-StartExecution with `Name` from a header and `Input` the body: the execution
//!   moto starts; SQS-PurgeQueue with `Region` from a header, and a header that is no region → 500;
//! - SendMessage to a queue that does not exist: SQS's 400 error passed through;
//! - no endpoint listening → HTTP APIs' 500 `Internal Server Error`, and a service slower than
//!   `timeoutInMillis` → 503 `Service Unavailable`.

mod support;

use std::process::Command;

use serde_json::{json, Value};
use support::fixture::TempDir;
use support::moto::{venv, Moto};
use support::{Req, Turnpike};

const ACCOUNT: &str = "123456789012";

/// Runs `script` with boto3 against `moto` (clients `sqs`, `kinesis`, `sfn`); returns its
/// stdout parsed as JSON.
fn boto3(moto: &Moto, script: &str) -> Value {
    let prelude = format!(
        "import boto3, json, base64\n\
         kw = dict(endpoint_url='{}', region_name='us-east-1', aws_access_key_id='testing', aws_secret_access_key='testing')\n\
         sqs = boto3.client('sqs', **kw)\n\
         kinesis = boto3.client('kinesis', **kw)\n\
         sfn = boto3.client('stepfunctions', **kw)\n",
        moto.url
    );
    let output = Command::new(venv("python"))
        .arg("-c")
        .arg(format!("{prelude}{script}"))
        .output()
        .expect("run python");
    assert!(
        output.status.success(),
        "boto3 script failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("boto3 script prints JSON")
}

fn api(queue_url: &str) -> String {
    format!(
        r#"openapi: 3.0.1
info: {{title: first-class}}
x-amazon-apigateway-importexport-version: "1.0"
paths:
  /orders:
    post:
      x-amazon-apigateway-integration:
        type: aws_proxy
        integrationSubtype: SQS-SendMessage
        credentials: arn:aws:iam::{ACCOUNT}:role/apigateway-sqs
        payloadFormatVersion: "1.0"
        requestParameters:
          QueueUrl: {queue_url}
          MessageBody: $request.body.message
  /orders/next:
    get:
      x-amazon-apigateway-integration:
        type: aws_proxy
        integrationSubtype: SQS-ReceiveMessage
        payloadFormatVersion: "1.0"
        requestParameters:
          QueueUrl: {queue_url}
          MaxNumberOfMessages: "10"
          WaitTimeSeconds: "1"
  /orders/done:
    post:
      x-amazon-apigateway-integration:
        type: aws_proxy
        integrationSubtype: SQS-DeleteMessage
        payloadFormatVersion: "1.0"
        requestParameters:
          QueueUrl: {queue_url}
          ReceiptHandle: $request.body.handle
  /lost:
    post:
      x-amazon-apigateway-integration:
        type: aws_proxy
        integrationSubtype: SQS-SendMessage
        payloadFormatVersion: "1.0"
        requestParameters:
          QueueUrl: {queue_url}-that-does-not-exist
          MessageBody: $request.body
  /events:
    post:
      x-amazon-apigateway-integration:
        type: aws_proxy
        integrationSubtype: EventBridge-PutEvents
        payloadFormatVersion: "1.0"
        requestParameters:
          Detail: $request.body
          DetailType: $request.header.x-detail-type
          Source: turnpike.shop
  /checkout:
    post:
      x-amazon-apigateway-integration:
        type: aws_proxy
        integrationSubtype: StepFunctions-StartExecution
        payloadFormatVersion: "1.0"
        requestParameters:
          StateMachineArn: arn:aws:states:us-east-1:{ACCOUNT}:stateMachine:checkout
          Name: $request.header.x-order
          Input: $request.body
  /regional:
    post:
      x-amazon-apigateway-integration:
        type: aws_proxy
        integrationSubtype: SQS-PurgeQueue
        payloadFormatVersion: "1.0"
        requestParameters:
          QueueUrl: {queue_url}
          Region: $request.header.x-region
  /clicks:
    post:
      x-amazon-apigateway-integration:
        type: aws_proxy
        integrationSubtype: Kinesis-PutRecord
        payloadFormatVersion: "1.0"
        requestParameters:
          StreamName: clicks
          Data: $request.body
          PartitionKey: $context.httpMethod
"#
    )
}

fn set_credentials() {
    std::env::set_var("AWS_ACCESS_KEY_ID", "testing");
    std::env::set_var("AWS_SECRET_ACCESS_KEY", "testing");
    std::env::remove_var("AWS_SESSION_TOKEN");
    std::env::remove_var("AWS_ENDPOINT_URL");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqs_eventbridge_and_kinesis_subtypes_call_moto() {
    set_credentials();
    let moto = Moto::start();
    let created = boto3(
        &moto,
        "q = sqs.create_queue(QueueName='orders')['QueueUrl']\n\
         kinesis.create_stream(StreamName='clicks', ShardCount=1)\n\
         sfn.create_state_machine(name='checkout', roleArn='arn:aws:iam::123456789012:role/sfn', \
         definition=json.dumps({'StartAt': 'Done', 'States': {'Done': {'Type': 'Succeed'}}}))\n\
         print(json.dumps({'queue': q}))",
    );
    let queue_url = created["queue"].as_str().unwrap().to_owned();
    let dir = TempDir::new();
    let doc = dir.write("first-class.yaml", &api(&queue_url));
    let tp = Turnpike::serve_args(&[doc.to_str().unwrap(), "--aws-endpoint-url", &moto.url]);

    // SQS-SendMessage: MessageBody from $request.body.message.
    let message = "two bags of kibble & a ball";
    let reply = Req::new("POST", "/orders")
        .json(json!({"message": message}).to_string())
        .send(tp.addr)
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    let sent = reply.json();
    let peeked = boto3(
        &moto,
        &format!(
            "m = sqs.receive_message(QueueUrl='{queue_url}', MaxNumberOfMessages=10, VisibilityTimeout=0)\n\
             print(json.dumps([[x['MessageId'], x['Body']] for x in m.get('Messages', [])]))"
        ),
    );
    assert_eq!(peeked, json!([[sent["MessageId"], message]]));
    // SQS's answer as SQS gave it: its JSON protocol's content type and body.
    assert_eq!(
        reply.header("content-type"),
        Some("application/x-amz-json-1.0")
    );
    assert_eq!(
        sent,
        json!({"MD5OfMessageBody": md5_of(message), "MessageId": sent["MessageId"]})
    );

    // SQS-ReceiveMessage returns it; SQS-DeleteMessage removes it.
    let reply = Req::get("/orders/next").send(tp.addr).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    let received = reply.json();
    assert_eq!(received["Messages"][0]["Body"], message, "{received}");
    assert_eq!(received["Messages"][0]["MessageId"], sent["MessageId"]);
    assert_eq!(received["Messages"].as_array().map(Vec::len), Some(1));
    let handle = received["Messages"][0]["ReceiptHandle"].as_str().unwrap();
    let reply = Req::new("POST", "/orders/done")
        .json(json!({"handle": handle}).to_string())
        .send(tp.addr)
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.json(), json!({}));
    let left = boto3(
        &moto,
        &format!(
            "a = sqs.get_queue_attributes(QueueUrl='{queue_url}', AttributeNames=['All'])['Attributes']\n\
             print(json.dumps([a['ApproximateNumberOfMessages'], a['ApproximateNumberOfMessagesNotVisible']]))"
        ),
    );
    assert_eq!(left, json!(["0", "0"]));

    // A queue that does not exist: SQS's error, passed through.
    let reply = Req::new("POST", "/lost").json("{}").send(tp.addr).await;
    assert_eq!(reply.status, 400, "{reply:?}");
    assert_eq!(
        reply.header("content-type"),
        Some("application/x-amz-json-1.0")
    );
    assert_eq!(
        reply.json(),
        json!({
            "__type": "com.amazonaws.sqs#QueueDoesNotExist",
            "message": "The specified queue does not exist.",
            "Message": "The specified queue does not exist.",
        })
    );

    // EventBridge-PutEvents on the default bus.
    let reply = Req::new("POST", "/events")
        .header("x-detail-type", "OrderPlaced")
        .json(r#"{"order": 7}"#)
        .send(tp.addr)
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    let answer = reply.json();
    let event_id = answer["Entries"][0]["EventId"].as_str().unwrap_or_default();
    assert!(!event_id.is_empty(), "{answer}");
    assert_eq!(
        answer,
        json!({"FailedEntryCount": 0, "Entries": [{"EventId": event_id}]})
    );

    // Kinesis-PutRecord: the body as the record's data.
    let reply = Req::new("POST", "/clicks")
        .json(r#"{"button": "buy"}"#)
        .send(tp.addr)
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(
        reply.header("content-type"),
        Some("application/x-amz-json-1.1")
    );
    assert_eq!(
        reply.json(),
        json!({"ShardId": "shardId-000000000000", "SequenceNumber": "1"})
    );
    let records = boto3(
        &moto,
        "it = kinesis.get_shard_iterator(StreamName='clicks', ShardId='shardId-000000000000', ShardIteratorType='TRIM_HORIZON')['ShardIterator']\n\
         r = kinesis.get_records(ShardIterator=it)['Records']\n\
         print(json.dumps([[x['Data'].decode(), x['PartitionKey']] for x in r]))",
    );
    assert_eq!(records, json!([[r#"{"button": "buy"}"#, "POST"]]));

    // StepFunctions-StartExecution: Name from a header, Input the body.
    let reply = Req::new("POST", "/checkout")
        .header("x-order", "order-7")
        .json(r#"{"order": 7}"#)
        .send(tp.addr)
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    let started = reply.json();
    assert_eq!(
        started["executionArn"],
        format!("arn:aws:states:us-east-1:{ACCOUNT}:execution:checkout:order-7"),
        "{started}"
    );
    let input = boto3(
        &moto,
        &format!(
            "print(sfn.describe_execution(executionArn='{}')['input'])",
            started["executionArn"].as_str().unwrap_or_default()
        ),
    );
    assert_eq!(input, json!({"order": 7}));

    // A mapped Region that is no region: no call, a 500.
    let reply = Req::new("POST", "/regional")
        .header("x-region", "evil.example/x")
        .send(tp.addr)
        .await;
    assert_eq!(reply.status, 500, "{reply:?}");
    assert_eq!(reply.text(), r#"{"message":"Internal Server Error"}"#);
    // SQS-PurgeQueue in the region given: moto's empty answer.
    let reply = Req::new("POST", "/regional")
        .header("x-region", "us-east-1")
        .send(tp.addr)
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.json(), json!({}));
}

/// The MD5 digest of `text`, as SQS reports `MD5OfMessageBody` (computed by Python's hashlib).
fn md5_of(text: &str) -> String {
    let output = Command::new(venv("python"))
        .arg("-c")
        .arg("import hashlib, sys; print(hashlib.md5(sys.argv[1].encode()).hexdigest(), end='')")
        .arg(text)
        .output()
        .expect("run python");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// An HTTP API with one SQS-SendMessage route, `extra` added to its integration.
fn one_route(extra: &str) -> String {
    format!(
        r#"openapi: 3.0.1
info: {{title: first-class}}
x-amazon-apigateway-importexport-version: "1.0"
paths:
  /orders:
    post:
      x-amazon-apigateway-integration:
        type: aws_proxy
        integrationSubtype: SQS-SendMessage
        payloadFormatVersion: "1.0"
        requestParameters:
          QueueUrl: https://sqs.us-east-1.amazonaws.com/{ACCOUNT}/orders
          MessageBody: $request.body
{extra}"#
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_service_slower_than_timeout_in_millis_is_a_503() {
    set_credentials();
    // Connections complete in the kernel's backlog; nothing ever answers.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", silent.local_addr().unwrap());
    let dir = TempDir::new();
    let doc = dir.write("slow.yaml", &one_route("        timeoutInMillis: 200\n"));
    let tp = Turnpike::serve_args(&[doc.to_str().unwrap(), "--aws-endpoint-url", &endpoint]);
    let reply = Req::new("POST", "/orders").json("{}").send(tp.addr).await;
    assert_eq!(reply.status, 503, "{reply:?}");
    assert_eq!(reply.text(), r#"{"message":"Service Unavailable"}"#);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_endpoint_that_does_not_answer_is_a_500() {
    set_credentials();
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", listener.local_addr().unwrap())
    };
    let dir = TempDir::new();
    let doc = dir.write("closed.yaml", &one_route(""));
    let tp = Turnpike::serve_args(&[doc.to_str().unwrap(), "--aws-endpoint-url", &closed]);
    let reply = Req::new("POST", "/orders").json("{}").send(tp.addr).await;
    assert_eq!(reply.status, 500, "{reply:?}");
    assert_eq!(reply.text(), r#"{"message":"Internal Server Error"}"#);
}
