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
use support::fixture::serve_document;
use support::moto::{create_other_accounts_jobs_queue, other_accounts_jobs, Moto};
use support::upstream::{closed_url, silent_url};
use support::{assert_gateway_response, assert_internal_server_error, Req};

const ACCOUNT: &str = "123456789012";

/// The path item `/{queue}` of a REST API whose `POST` sends the JSON body to the SQS queue
/// `queue` of `account` (SendMessage, path style) with `credentials` `role`, answering
/// `{"queued": true}`.
fn send_message(account: &str, queue: &str, role: &str) -> String {
    format!(
        r#"  /{queue}:
    post:
      responses:
        '200': {{description: queued}}
      x-amazon-apigateway-integration:
        type: aws
        httpMethod: POST
        uri: arn:aws:apigateway:us-east-1:sqs:path/{account}/{queue}
        credentials: {role}
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
"#
    )
}

fn api() -> String {
    let orders = send_message(
        ACCOUNT,
        "orders",
        &format!("arn:aws:iam::{ACCOUNT}:role/apigateway-sqs"),
    );
    format!(
        r#"openapi: 3.0.1
info: {{title: services}}
paths:
{orders}  /pets/{{id}}:
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
    let (_dir, tp) = serve_document("services.yaml", &api(), &["--aws-endpoint-url", &moto.url]);

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
    let (_silent, endpoint) = silent_url();
    let text = api().replace(
        "uri: arn:aws:apigateway:us-east-1:dynamodb:action/GetItem\n",
        "uri: arn:aws:apigateway:us-east-1:dynamodb:action/GetItem\n        timeoutInMillis: 200\n",
    );
    let (_dir, tp) = serve_document("services.yaml", &text, &["--aws-endpoint-url", &endpoint]);
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
    let (_dir, tp) = serve_document(
        "services.yaml",
        &api(),
        &["--aws-endpoint-url", &closed_url()],
    );
    let reply = Req::get("/dev/pets/rex").send(tp.addr).await;
    assert_internal_server_error(&reply);
}

/// A REST API whose `POST /jobs` sends to the SQS queue `jobs` of `account` as `role`.
fn sqs_with_role(account: &str, role: &str) -> String {
    let jobs = send_message(account, "jobs", role);
    format!("openapi: 3.0.1\ninfo: {{title: roles}}\npaths:\n{jobs}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_credentials_role_is_assumed_and_signs_the_sqs_call() {
    let moto = Moto::start();
    let role_used = "iam = boto3.client('iam', **kw)\n\
         print(json.dumps('LastUsedDate' in iam.get_role(RoleName='apigw')['Role'].get('RoleLastUsed', {})))";
    moto.boto3(
        "iam = boto3.client('iam', **kw)\n\
         iam.create_role(RoleName='apigw', AssumeRolePolicyDocument=json.dumps({'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Principal': {'Service': 'apigateway.amazonaws.com'}, 'Action': 'sts:AssumeRole'}]}))\n\
         sqs.create_queue(QueueName='jobs')\n\
         print(json.dumps(None))",
    );
    assert_eq!(moto.boto3(role_used), json!(false));
    let roles = sqs_with_role(ACCOUNT, "arn:aws:iam::123456789012:role/apigw");
    let (_dir, tp) = serve_document("roles.yaml", &roles, &["--aws-endpoint-url", &moto.url]);
    for job in [r#"{"job": 1}"#, r#"{"job": 2}"#] {
        let reply = Req::new("POST", "/dev/jobs").json(job).send(tp.addr).await;
        assert_eq!(reply.status, 200, "{reply:?}");
        assert_eq!(reply.json(), json!({"queued": true}));
    }
    let received = moto.boto3(
        "q = sqs.get_queue_url(QueueName='jobs')['QueueUrl']\n\
         m = sqs.receive_message(QueueUrl=q, MaxNumberOfMessages=10, WaitTimeSeconds=1).get('Messages', [])\n\
         print(json.dumps(sorted(x['Body'] for x in m)))",
    );
    assert_eq!(received, json!([r#"{"job": 1}"#, r#"{"job": 2}"#]));
    // moto marks a role used when a request signed with its temporary keys arrives: the SQS
    // call, not the gateway's own AssumeRole (signed with the gateway's keys).
    assert_eq!(moto.boto3(role_used), json!(true));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_role_of_another_account_sends_to_that_accounts_queue() {
    let moto = Moto::start();
    create_other_accounts_jobs_queue(&moto);
    let roles = sqs_with_role("111122223333", "arn:aws:iam::111122223333:role/apigw");
    let (_dir, tp) = serve_document("roles.yaml", &roles, &["--aws-endpoint-url", &moto.url]);
    let reply = Req::new("POST", "/dev/jobs")
        .json(r#"{"job": "far"}"#)
        .send(tp.addr)
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    let seen = other_accounts_jobs(&moto);
    assert_eq!(seen, json!({"theirs": [r#"{"job": "far"}"#], "ours": []}));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_role_that_cannot_be_assumed_is_a_500_with_the_execution_log_line() {
    let roles = sqs_with_role(ACCOUNT, "arn:aws:iam::123456789012:role/apigw");
    let (_dir, tp) = serve_document("roles.yaml", &roles, &["--aws-endpoint-url", &closed_url()]);
    let reply = Req::new("POST", "/dev/jobs")
        .json(r#"{"job": 1}"#)
        .send(tp.addr)
        .await;
    assert_internal_server_error(&reply);
    let line = "Execution failed due to configuration error: API Gateway does not have permission to assume the provided role arn:aws:iam::123456789012:role/apigw";
    tp.wait_for_stderr(line);
    assert!(tp.stderr().contains(line), "{}", tp.stderr());
}
