//! HTTP API AWS service integrations (`type: AWS_PROXY` with an `integrationSubtype`, AWS's
//! "first-class integrations") through `turnpike serve --aws-endpoint-url` against a real local
//! AWS server (moto, from the repository's `.venv`). boto3 creates the queue and the stream and
//! reads back what Turnpike sent. Proves, with exact values:
//! - SQS subtypes call SQS with its query protocol, as API Gateway does, and the client gets SQS's
//!   XML answer as it came (status, `text/xml`, body):
//! - SQS-SendMessage with `MessageBody` from `$request.body.message`: the message lands in the
//!   queue as sent, and the client gets SQS's `<SendMessageResponse>` (`MessageId`,
//!   `MD5OfMessageBody`);
//! - SQS-SendMessage with `MessageAttributes` (a JSON object, one value from a header): boto3 reads
//!   back each attribute's exact `DataType` and `StringValue`;
//! - SQS-ReceiveMessage returns the message (`<Body>`, `<ReceiptHandle>`), and SQS-DeleteMessage
//!   with `ReceiptHandle` from `$request.body.handle` removes it;
//! - EventBridge-PutEvents (Detail from `$request.body`, DetailType from a header) and
//!   Kinesis-PutRecord (Data from the body, PartitionKey from `$context.httpMethod`): moto's
//!   answers, exactly;
//! - StepFunctions-StartExecution with `Name` from a header and `Input` the body: the execution
//!   moto starts; SQS-PurgeQueue with `Region` from a header, and a header that is no region → 500;
//! - SendMessage to a queue that does not exist: SQS's 400 `<ErrorResponse>` passed through;
//! - no endpoint listening → HTTP APIs' 500 `Internal Server Error`, and a service slower than
//!   `timeoutInMillis` → 503 `Service Unavailable`.

use crate::support;

use std::process::Command;

use serde_json::json;
use support::fixture::serve_document;
use support::moto::{create_other_accounts_jobs_queue, other_accounts_jobs, venv, Moto};
use support::upstream::{closed_url, silent_url};
use support::{Reply, Req};

const ACCOUNT: &str = "123456789012";

fn api(queue_url: &str, tagged_url: &str) -> String {
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
  /tagged:
    post:
      x-amazon-apigateway-integration:
        type: aws_proxy
        integrationSubtype: SQS-SendMessage
        payloadFormatVersion: "1.0"
        requestParameters:
          QueueUrl: {tagged_url}
          MessageBody: $request.body
          MessageAttributes: '{{"color": {{"DataType": "String", "StringValue": "${{request.header.x-color}}"}}, "weight": {{"DataType": "Number", "StringValue": "230.5"}}, "note": {{"DataType": "String.custom", "StringValue": "a & b = c"}}}}'
  /tagged/next:
    get:
      x-amazon-apigateway-integration:
        type: aws_proxy
        integrationSubtype: SQS-ReceiveMessage
        payloadFormatVersion: "1.0"
        requestParameters:
          QueueUrl: {tagged_url}
          MessageAttributeNames: color, weight
          AttributeNames: '["SentTimestamp"]'
          VisibilityTimeout: "0"
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqs_eventbridge_and_kinesis_subtypes_call_moto() {
    let moto = Moto::start();
    let created = moto.boto3(
        "q = sqs.create_queue(QueueName='orders')['QueueUrl']\n\
         t = sqs.create_queue(QueueName='tagged')['QueueUrl']\n\
         kinesis.create_stream(StreamName='clicks', ShardCount=1)\n\
         sfn.create_state_machine(name='checkout', roleArn='arn:aws:iam::123456789012:role/sfn', \
         definition=json.dumps({'StartAt': 'Done', 'States': {'Done': {'Type': 'Succeed'}}}))\n\
         print(json.dumps({'queue': q, 'tagged': t}))",
    );
    let queue_url = created["queue"].as_str().unwrap().to_owned();
    let tagged_url = created["tagged"].as_str().unwrap().to_owned();
    let (_dir, tp) = serve_document(
        "first-class.yaml",
        &api(&queue_url, &tagged_url),
        &["--aws-endpoint-url", &moto.url],
    );

    // SQS-SendMessage: MessageBody from $request.body.message; SQS's XML answer as it came.
    let message = "two bags of kibble & a ball";
    let reply = Req::new("POST", "/orders")
        .json(json!({"message": message}).to_string())
        .send(tp.addr)
        .await;
    let sent = sqs_answer(&reply, 200, "SendMessageResponse", "<SendMessageResult>");
    let message_id = xml_text(&sent, "MessageId");
    assert_eq!(message_id.len(), 36, "{sent}");
    assert_eq!(xml_text(&sent, "MD5OfMessageBody"), md5_of(message));
    let peeked = moto.boto3(&format!(
            "m = sqs.receive_message(QueueUrl='{queue_url}', MaxNumberOfMessages=10, VisibilityTimeout=0)\n\
             print(json.dumps([[x['MessageId'], x['Body']] for x in m.get('Messages', [])]))"
        ),
    );
    assert_eq!(peeked, json!([[message_id, message]]));

    // SQS-ReceiveMessage returns it; SQS-DeleteMessage removes it.
    let reply = Req::get("/orders/next").send(tp.addr).await;
    let received = sqs_answer(
        &reply,
        200,
        "ReceiveMessageResponse",
        "<ReceiveMessageResult><Message>",
    );
    assert_eq!(xml_all(&received, "Message").len(), 1, "{received}");
    assert_eq!(xml_text(&received, "Body"), message);
    assert_eq!(xml_text(&received, "MessageId"), message_id);
    let handle = xml_text(&received, "ReceiptHandle");
    assert!(!handle.is_empty(), "{received}");
    let reply = Req::new("POST", "/orders/done")
        .json(json!({"handle": handle}).to_string())
        .send(tp.addr)
        .await;
    sqs_answer(
        &reply,
        200,
        "DeleteMessageResponse",
        "<ResponseMetadata><RequestId>",
    );
    let left = moto.boto3(&format!(
            "a = sqs.get_queue_attributes(QueueUrl='{queue_url}', AttributeNames=['All'])['Attributes']\n\
             print(json.dumps([a['ApproximateNumberOfMessages'], a['ApproximateNumberOfMessagesNotVisible']]))"
        ),
    );
    assert_eq!(left, json!(["0", "0"]));

    // A queue that does not exist: SQS's error, passed through.
    let reply = Req::new("POST", "/lost").json("{}").send(tp.addr).await;
    let error = sqs_answer(&reply, 400, "ErrorResponse", "<Error>");
    assert_eq!(xml_text(&error, "Type"), "Sender");
    assert_eq!(
        xml_text(&error, "Code"),
        "AWS.SimpleQueueService.NonExistentQueue"
    );
    assert_eq!(
        xml_text(&error, "Message"),
        "The specified queue does not exist for this wsdl version."
    );

    // SQS-SendMessage with MessageAttributes: boto3 reads back each one exactly.
    let reply = Req::new("POST", "/tagged")
        .header("x-color", "red")
        .json("tagged message")
        .send(tp.addr)
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.header("content-type"), Some("text/xml"));
    let sent = reply.text();
    let tagged_id = xml_text(&sent, "MessageId");
    let read = moto.boto3(&format!(
            "m = sqs.receive_message(QueueUrl='{tagged_url}', MessageAttributeNames=['All'], VisibilityTimeout=0)['Messages']\n\
             print(json.dumps([[x['MessageId'], x['Body'], x['MessageAttributes'], x['MD5OfMessageAttributes']] for x in m]))"
        ),
    );
    let attributes = json!({
        "color": {"DataType": "String", "StringValue": "red"},
        "weight": {"DataType": "Number", "StringValue": "230.5"},
        "note": {"DataType": "String.custom", "StringValue": "a & b = c"},
    });
    assert_eq!(
        read,
        json!([[
            tagged_id,
            "tagged message",
            attributes,
            xml_text(&sent, "MD5OfMessageAttributes")
        ]])
    );
    // SQS-ReceiveMessage with MessageAttributeNames and AttributeNames: the named ones, in XML.
    let reply = Req::get("/tagged/next").send(tp.addr).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    let received = reply.text();
    assert_eq!(xml_text(&received, "Body"), "tagged message");
    assert_eq!(
        xml_all(&received, "MessageAttribute"),
        [
            "<Name>color</Name><Value><StringValue>red</StringValue><DataType>String</DataType></Value>",
            "<Name>weight</Name><Value><StringValue>230.5</StringValue><DataType>Number</DataType></Value>",
        ],
        "{received}"
    );
    let names: Vec<String> = xml_all(&received, "Attribute")
        .iter()
        .map(|a| xml_text(a, "Name"))
        .collect();
    assert_eq!(names, ["SentTimestamp"], "{received}");

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
    let records = moto.boto3("it = kinesis.get_shard_iterator(StreamName='clicks', ShardId='shardId-000000000000', ShardIteratorType='TRIM_HORIZON')['ShardIterator']\n\
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
    let input = moto.boto3(&format!(
        "print(sfn.describe_execution(executionArn='{}')['input'])",
        started["executionArn"].as_str().unwrap_or_default()
    ));
    assert_eq!(input, json!({"order": 7}));

    // A mapped Region that is no region: no call, a 500.
    let reply = Req::new("POST", "/regional")
        .header("x-region", "evil.example/x")
        .send(tp.addr)
        .await;
    assert_eq!(reply.status, 500, "{reply:?}");
    assert_eq!(reply.text(), r#"{"message":"Internal Server Error"}"#);
    // SQS-PurgeQueue in the region given: SQS's XML answer.
    let reply = Req::new("POST", "/regional")
        .header("x-region", "us-east-1")
        .send(tp.addr)
        .await;
    sqs_answer(
        &reply,
        200,
        "PurgeQueueResponse",
        "<ResponseMetadata><RequestId>",
    );
}

/// SQS's XML answer as it came through: `status`, `text/xml`, and a body starting with its `root`
/// element in SQS's namespace followed by `then`; returns the body.
fn sqs_answer(reply: &Reply, status: u16, root: &str, then: &str) -> String {
    assert_eq!(reply.status, status, "{reply:?}");
    assert_eq!(reply.header("content-type"), Some("text/xml"));
    let body = reply.text();
    let start = format!("<{root} xmlns=\"http://queue.amazonaws.com/doc/2012-11-05/\">{then}");
    assert!(body.starts_with(&start), "{body}");
    body
}

/// The raw inner XML of every `<tag>` element in `xml` (no attributes on it, as in SQS's answers).
fn xml_all(xml: &str, tag: &str) -> Vec<String> {
    let (open, close) = (format!("<{tag}>"), format!("</{tag}>"));
    let mut out = Vec::new();
    let mut rest = xml;
    while let Some(start) = rest.find(&open) {
        let inner = &rest[start + open.len()..];
        let Some(end) = inner.find(&close) else { break };
        out.push(inner[..end].to_owned());
        rest = &inner[end + close.len()..];
    }
    out
}

/// The text of the first `<tag>` element in `xml`, its XML entities decoded; panics if none.
fn xml_text(xml: &str, tag: &str) -> String {
    let raw = xml_all(xml, tag)
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("no <{tag}> in {xml}"));
    raw.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
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

/// An HTTP API whose one route, `POST /{queue}`, sends the body to the SQS queue `queue` of
/// `account` (SQS-SendMessage), `extra` added to its integration.
fn one_route(account: &str, queue: &str, extra: &str) -> String {
    format!(
        r#"openapi: 3.0.1
info: {{title: first-class}}
x-amazon-apigateway-importexport-version: "1.0"
paths:
  /{queue}:
    post:
      x-amazon-apigateway-integration:
        type: aws_proxy
        integrationSubtype: SQS-SendMessage
        payloadFormatVersion: "1.0"
        requestParameters:
          QueueUrl: https://sqs.us-east-1.amazonaws.com/{account}/{queue}
          MessageBody: $request.body
{extra}"#
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_service_slower_than_timeout_in_millis_is_a_503() {
    let (_silent, endpoint) = silent_url();
    let slow = one_route(ACCOUNT, "orders", "        timeoutInMillis: 200\n");
    let (_dir, tp) = serve_document("slow.yaml", &slow, &["--aws-endpoint-url", &endpoint]);
    let reply = Req::new("POST", "/orders").json("{}").send(tp.addr).await;
    assert_eq!(reply.status, 503, "{reply:?}");
    assert_eq!(reply.text(), r#"{"message":"Service Unavailable"}"#);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_endpoint_that_does_not_answer_is_a_500() {
    let doc = one_route(ACCOUNT, "orders", "");
    let (_dir, tp) = serve_document("closed.yaml", &doc, &["--aws-endpoint-url", &closed_url()]);
    let reply = Req::new("POST", "/orders").json("{}").send(tp.addr).await;
    assert_eq!(reply.status, 500, "{reply:?}");
    assert_eq!(reply.text(), r#"{"message":"Internal Server Error"}"#);
}

/// [`one_route`] to the queue `jobs` of account 111122223333, with that account's role as its
/// `credentials`.
fn sqs_with_role() -> String {
    let credentials = "        credentials: arn:aws:iam::111122223333:role/apigw\n";
    one_route("111122223333", "jobs", credentials)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_credentials_role_is_assumed_and_its_accounts_queue_gets_the_message() {
    // moto keeps each account's queues apart, by the access key a request is signed with: only
    // the role's temporary keys reach account 111122223333.
    let moto = Moto::start();
    create_other_accounts_jobs_queue(&moto);
    let (_dir, tp) = serve_document(
        "roles.yaml",
        &sqs_with_role(),
        &["--aws-endpoint-url", &moto.url],
    );
    let reply = Req::new("POST", "/jobs")
        .json(r#"{"job": "far"}"#)
        .send(tp.addr)
        .await;
    sqs_answer(&reply, 200, "SendMessageResponse", "");
    let seen = other_accounts_jobs(&moto);
    assert_eq!(seen, json!({"theirs": [r#"{"job": "far"}"#], "ours": []}));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_role_that_cannot_be_assumed_is_a_500() {
    let (_dir, tp) = serve_document(
        "roles.yaml",
        &sqs_with_role(),
        &["--aws-endpoint-url", &closed_url()],
    );
    let reply = Req::new("POST", "/jobs").json("{}").send(tp.addr).await;
    assert_eq!(reply.status, 500, "{reply:?}");
    assert_eq!(reply.text(), r#"{"message":"Internal Server Error"}"#);
    let line = "Execution failed due to configuration error: API Gateway does not have permission to assume the provided role arn:aws:iam::111122223333:role/apigw";
    tp.wait_for_stderr(line);
    assert!(tp.stderr().contains(line), "{}", tp.stderr());
}
