//! REST AWS service integrations (`type: aws`, `arn:aws:apigateway:{region}:{service}:...`)
//! through `turnpike serve --aws-endpoint-url` against a real local AWS server (moto, from the
//! repository's `.venv`). boto3 creates the queue and the table and reads back what Turnpike
//! wrote. Proves, with exact values:
//! - SQS SendMessage, path style (`sqs:path/{account}/{queue}`): the request template renders the
//!   form body, a mapped `Content-Type` header goes with it, the message lands in the queue;
//! - DynamoDB PutItem then GetItem, action style (`dynamodb:action/PutItem`, `X-Amz-Target`):
//!   request templates build the calls from path and body, a response template reshapes the item;
//! - a service error (GetItem on a missing table, DynamoDB's 400) selected by the integration
//!   response `4\d{2}` and mapped to a 400 with a body made from the error;
//! - no endpoint listening → REST's 500 `Internal server error`, and a service slower than
//!   `timeoutInMillis` → 504 `Endpoint request timed out`, as for HTTP integrations.

use crate::support;

use serde_json::json;
use support::fixture::TempDir;
use support::moto::Moto;
use support::{assert_gateway_response, assert_internal_server_error, Req, Turnpike};

const ACCOUNT: &str = "123456789012";

fn api() -> String {
    format!(
        r#"openapi: 3.0.1
info: {{title: services}}
paths:
  /orders:
    post:
      responses:
        '200': {{description: queued}}
      x-amazon-apigateway-integration:
        type: aws
        httpMethod: POST
        uri: arn:aws:apigateway:us-east-1:sqs:path/{ACCOUNT}/orders
        credentials: arn:aws:iam::{ACCOUNT}:role/apigateway-sqs
        requestParameters:
          integration.request.header.Content-Type: "'application/x-www-form-urlencoded'"
        requestTemplates:
          application/json: Action=SendMessage&MessageBody=$util.urlEncode($input.body)
        passthroughBehavior: NEVER
        responses:
          default:
            statusCode: '200'
            responseTemplates:
              application/json: '{{"queued": true}}'
  /pets/{{id}}:
    put:
      responses:
        '200': {{description: stored}}
      x-amazon-apigateway-integration:
        type: aws
        httpMethod: POST
        uri: arn:aws:apigateway:us-east-1:dynamodb:action/PutItem
        credentials: arn:aws:iam::{ACCOUNT}:role/apigateway-dynamodb
        requestTemplates:
          application/json: |-
            {{"TableName": "pets", "Item": {{"id": {{"S": "$input.params('id')"}}, "name": {{"S": "$input.path('$.name')"}}, "age": {{"N": "$input.path('$.age')"}}}}}}
        responses:
          default:
            statusCode: '200'
            responseTemplates:
              application/json: '{{"stored": "$input.params(''id'')", "answer": $input.json(''$'')}}'
    get:
      responses:
        '200': {{description: the pet}}
      x-amazon-apigateway-integration:
        type: aws
        httpMethod: POST
        uri: arn:aws:apigateway:us-east-1:dynamodb:action/GetItem
        requestTemplates:
          application/json: '{{"TableName": "pets", "Key": {{"id": {{"S": "$input.params(''id'')"}}}}}}'
        responses:
          default:
            statusCode: '200'
            responseTemplates:
              application/json: |-
                #set($item = $input.path('$.Item'))
                {{"id": "$item.id.S", "name": "$item.name.S", "age": $item.age.N}}
  /missing/{{id}}:
    get:
      responses:
        '200': {{description: the pet}}
        '400': {{description: refused}}
      x-amazon-apigateway-integration:
        type: aws
        httpMethod: POST
        uri: arn:aws:apigateway:us-east-1:dynamodb:action/GetItem
        requestTemplates:
          application/json: '{{"TableName": "no-such-table", "Key": {{"id": {{"S": "$input.params(''id'')"}}}}}}'
        responses:
          default:
            statusCode: '200'
          4\d{{2}}:
            statusCode: '400'
            responseTemplates:
              application/json: '{{"error": "$input.path(''$.__type'')", "message": "$input.path(''$.message'')"}}'
"#
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqs_and_dynamodb_integrations_call_moto_and_map_its_answers() {
    let moto = Moto::start();
    let created = moto.boto3("q = sqs.create_queue(QueueName='orders')['QueueUrl']\n\
         ddb.create_table(TableName='pets', KeySchema=[{'AttributeName': 'id', 'KeyType': 'HASH'}], \
         AttributeDefinitions=[{'AttributeName': 'id', 'AttributeType': 'S'}], BillingMode='PAY_PER_REQUEST')\n\
         print(json.dumps({'queue': q}))",
    );
    assert!(
        created["queue"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/{ACCOUNT}/orders")),
        "{created}"
    );
    let dir = TempDir::new();
    let doc = dir.write("services.yaml", &api());
    let tp = Turnpike::serve_args(&[doc.to_str().unwrap(), "--aws-endpoint-url", &moto.url]);

    // SQS SendMessage: the template's form body, the message in the queue as sent.
    let order = r#"{"item": "kibble & treats", "qty": 2}"#;
    let reply = Req::new("POST", "/dev/orders")
        .json(order)
        .send(tp.addr)
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.json(), json!({"queued": true}));
    let received = moto.boto3("q = sqs.get_queue_url(QueueName='orders')['QueueUrl']\n\
         m = sqs.receive_message(QueueUrl=q, MaxNumberOfMessages=10, WaitTimeSeconds=1).get('Messages', [])\n\
         print(json.dumps([x['Body'] for x in m]))",
    );
    assert_eq!(received, json!([order]));

    // DynamoDB PutItem, then GetItem through another route; the response template reshapes it.
    let reply = Req::new("PUT", "/dev/pets/rex")
        .json(r#"{"name": "Rex", "age": 3}"#)
        .send(tp.addr)
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.json(), json!({"stored": "rex", "answer": {}}));
    let stored = moto.boto3(
        "print(json.dumps(ddb.get_item(TableName='pets', Key={'id': {'S': 'rex'}})['Item']))",
    );
    assert_eq!(
        stored,
        json!({"id": {"S": "rex"}, "name": {"S": "Rex"}, "age": {"N": "3"}})
    );
    let reply = Req::get("/dev/pets/rex").send(tp.addr).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.json(), json!({"id": "rex", "name": "Rex", "age": 3}));

    // A service error: DynamoDB's 400 for a missing table, selected by 4\d{2}.
    let reply = Req::get("/dev/missing/rex").send(tp.addr).await;
    assert_eq!(reply.status, 400, "{reply:?}");
    assert_eq!(
        reply.json(),
        json!({
            "error": "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException",
            "message": "Requested resource not found",
        })
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_service_slower_than_timeout_in_millis_is_a_504() {
    // Connections complete in the kernel's backlog; nothing ever answers.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", silent.local_addr().unwrap());
    let text = api().replace(
        "uri: arn:aws:apigateway:us-east-1:dynamodb:action/GetItem\n",
        "uri: arn:aws:apigateway:us-east-1:dynamodb:action/GetItem\n        timeoutInMillis: 200\n",
    );
    let dir = TempDir::new();
    let doc = dir.write("services.yaml", &text);
    let tp = Turnpike::serve_args(&[doc.to_str().unwrap(), "--aws-endpoint-url", &endpoint]);
    let reply = Req::get("/dev/pets/rex").send(tp.addr).await;
    assert_gateway_response(
        &reply,
        504,
        r#"{"message": "Endpoint request timed out"}"#,
        Some("InternalServerErrorException"),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_endpoint_that_does_not_answer_is_a_500() {
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", listener.local_addr().unwrap())
    };
    let dir = TempDir::new();
    let doc = dir.write("services.yaml", &api());
    let tp = Turnpike::serve_args(&[doc.to_str().unwrap(), "--aws-endpoint-url", &closed]);
    let reply = Req::get("/dev/pets/rex").send(tp.addr).await;
    assert_internal_server_error(&reply);
}
