//! WebSocket APIs against the real binary: the bundled chat example (`examples/websocket-chat`,
//! `AWS::ApiGatewayV2::*` resources in a SAM template) with its Python functions run by PyPI's
//! `awslambdaric`, a real WebSocket client (tokio-tungstenite), and boto3's
//! `apigatewaymanagementapi` client calling the @connections management API, in the functions
//! and from the test.

use crate::support;

use std::time::Duration;

use futures_util::{SinkExt as _, StreamExt as _};
use serde_json::{json, Value};
use support::moto::python_json;
use support::sam::{awslambdaric_python, repo};
use support::Turnpike;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_tungstenite::WebSocketStream;

type Socket = WebSocketStream<TcpStream>;

const WAIT: Duration = Duration::from_secs(20);

/// The chat example served with awslambdaric and the repository's venv (which has boto3, as
/// Lambda's Python runtime does).
fn serve_chat() -> Turnpike {
    let template = repo().join("examples/websocket-chat/template.yaml");
    let python = awslambdaric_python();
    Turnpike::serve_args(&[
        template.to_str().unwrap(),
        "--runtime-client",
        "awslambdaric",
        "--python",
        python.to_str().unwrap(),
    ])
}

/// Opens `ws://ADDR{path}`; the handshake's HTTP status when it is refused.
async fn connect(tp: &Turnpike, path: &str) -> Result<Socket, u16> {
    let request = format!("ws://{}{path}", tp.addr)
        .into_client_request()
        .unwrap();
    let stream = TcpStream::connect(tp.addr).await.unwrap();
    match tokio::time::timeout(WAIT, tokio_tungstenite::client_async(request, stream)).await {
        Ok(Ok((socket, response))) => {
            assert_eq!(response.status(), 101);
            Ok(socket)
        }
        Ok(Err(WsError::Http(response))) => Err(response.status().as_u16()),
        Ok(Err(other)) => panic!("handshake failed: {other}"),
        Err(_) => panic!("handshake timed out"),
    }
}

/// The next data message (text or binary) as text; panics on anything else or a timeout.
async fn next_text(socket: &mut Socket) -> String {
    loop {
        let message = tokio::time::timeout(WAIT, socket.next())
            .await
            .expect("no message in time")
            .expect("socket ended")
            .expect("socket error");
        match message {
            Message::Text(text) => return text.to_string(),
            Message::Binary(bytes) => return String::from_utf8(bytes.to_vec()).unwrap(),
            Message::Ping(_) | Message::Pong(_) => continue,
            other => panic!("expected a data message, got {other:?}"),
        }
    }
}

/// Runs `script` with boto3's management API client (`api`) against this gateway's stage.
fn management(tp: &Turnpike, stage: &str, script: &str) -> Value {
    let program = format!(
        "import boto3, json, botocore, botocore.config\n\
         api = boto3.client('apigatewaymanagementapi', endpoint_url='http://{}/{stage}', \
         region_name='us-east-1', aws_access_key_id='AKIDEXAMPLE', aws_secret_access_key='x', \
         config=botocore.config.Config(retries={{'total_max_attempts': 1}}))\n\
         def error(call):\n\
         \x20   try:\n\
         \x20       call()\n\
         \x20       return None\n\
         \x20   except botocore.exceptions.ClientError as e:\n\
         \x20       return {{'code': e.response['Error']['Code'], \
         'status': e.response['ResponseMetadata']['HTTPStatusCode']}}\n\
         {script}",
        tp.addr
    );
    python_json(["-c", &program], None)
}

/// Python that tries PostToConnection, GetConnection and DeleteConnection on `connection_id`
/// and prints each one's error (see [`management`]).
fn every_operation(connection_id: &str) -> String {
    format!(
        "print(json.dumps({{\
         'post': error(lambda: api.post_to_connection(ConnectionId='{connection_id}', Data=b'x')), \
         'get': error(lambda: api.get_connection(ConnectionId='{connection_id}')), \
         'delete': error(lambda: api.delete_connection(ConnectionId='{connection_id}'))}}))"
    )
}

/// What [`every_operation`] prints for a connection that is gone.
fn gone_everywhere() -> Value {
    let gone = json!({"code": "GoneException", "status": 410});
    json!({"post": gone, "get": gone, "delete": gone})
}

/// Waits for the gateway to close `socket`: exactly one close frame, then the end of the stream.
async fn assert_closed(socket: &mut Socket) {
    let close_frames = tokio::time::timeout(WAIT, async {
        let mut close_frames = 0;
        while let Some(Ok(message)) = socket.next().await {
            if matches!(message, Message::Close(_)) {
                close_frames += 1;
            }
        }
        close_frames
    })
    .await
    .expect("the socket was not closed");
    assert_eq!(close_frames, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_chat_example_routes_messages_and_answers_through_connections() {
    let tp = serve_chat();
    let banner = tp.banner().join("\n");
    assert!(banner.contains("ChatApi"), "{banner}");

    let mut socket = connect(&tp, "/Prod").await.expect("connected");

    // `$default`, two-way: what DefaultFunction returns comes back on the socket.
    socket.send(Message::text("hello?")).await.unwrap();
    let answer: Value = serde_json::from_str(&next_text(&mut socket).await).unwrap();
    assert_eq!(answer["error"], "unknown action");
    assert_eq!(answer["received"], "hello?");
    let connection_id = answer["connectionId"].as_str().unwrap().to_owned();
    assert!(!connection_id.is_empty());

    // `sendmessage`, chosen by `$request.body.action`: SendMessage posts back through
    // @connections with boto3, from inside the function.
    socket
        .send(Message::text(
            json!({"action": "sendmessage", "data": "hi all"}).to_string(),
        ))
        .await
        .unwrap();
    let posted: Value = serde_json::from_str(&next_text(&mut socket).await).unwrap();
    assert_eq!(posted, json!({"from": connection_id, "data": "hi all"}));

    // An action no route has goes to `$default` too.
    socket
        .send(Message::text(r#"{"action": "nope"}"#))
        .await
        .unwrap();
    let answer: Value = serde_json::from_str(&next_text(&mut socket).await).unwrap();
    assert_eq!(answer["received"], r#"{"action": "nope"}"#);

    // The management API from outside: GET, POST, DELETE, then 410 Gone.
    let script = format!(
        "info = api.get_connection(ConnectionId='{connection_id}')\n\
         api.post_to_connection(ConnectionId='{connection_id}', Data=b'pushed')\n\
         print(json.dumps({{'ip': info['Identity']['SourceIp'], \
         'connected': info['ConnectedAt'].year, 'active': info['LastActiveAt'] >= info['ConnectedAt']}}))"
    );
    let info = management(&tp, "Prod", &script);
    assert_eq!(info["ip"], "127.0.0.1");
    assert!(info["connected"].as_i64().unwrap() >= 2026, "{info}");
    assert_eq!(info["active"], true);
    assert_eq!(next_text(&mut socket).await, "pushed");

    let script = format!(
        "api.delete_connection(ConnectionId='{connection_id}')\n{}",
        every_operation(&connection_id)
    );
    assert_eq!(management(&tp, "Prod", &script), gone_everywhere());
    // The deleted connection is closed by the gateway: a close frame, then the end of the stream.
    assert_closed(&mut socket).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connect_function_refuses_with_its_status() {
    let tp = serve_chat();
    assert_eq!(connect(&tp, "/Prod?reject=1").await.err(), Some(403));
    // Unknown stage: not a WebSocket endpoint of this API.
    assert_eq!(connect(&tp, "/Nope").await.err(), Some(403));
    // The same API still accepts everyone else.
    let mut socket = connect(&tp, "/Prod?reject=0").await.expect("connected");
    socket.send(Message::text("x")).await.unwrap();
    let answer: Value = serde_json::from_str(&next_text(&mut socket).await).unwrap();
    assert_eq!(answer["received"], "x");
}

/// A client that stops reading fills its connection's buffer: PostToConnection then answers
/// 429 `LimitExceededException` ("the WebSocket client side buffer is full") instead of
/// queueing without bound, and what was taken is still delivered once the client reads.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn posts_to_a_client_that_does_not_read_are_refused_once_its_buffer_is_full() {
    let tp = serve_chat();
    let mut socket = connect(&tp, "/Prod").await.expect("connected");
    socket.send(Message::text("who am I?")).await.unwrap();
    let answer: Value = serde_json::from_str(&next_text(&mut socket).await).unwrap();
    let connection_id = answer["connectionId"].as_str().unwrap().to_owned();
    // 120 KB posts until one is refused (the socket's kernel buffers take some first).
    let script = format!(
        "data = b'x' * 120000\n\
         refused = None\n\
         for n in range(1000):\n\
         \x20   refused = error(lambda: api.post_to_connection(ConnectionId='{connection_id}', Data=data))\n\
         \x20   if refused:\n\
         \x20       break\n\
         print(json.dumps({{'taken': n, 'refused': refused}}))"
    );
    let outcome = management(&tp, "Prod", &script);
    assert_eq!(
        outcome["refused"],
        json!({"code": "LimitExceededException", "status": 429})
    );
    let taken = outcome["taken"].as_u64().unwrap();
    assert!((64..1000).contains(&taken), "{outcome}");
    for _ in 0..taken {
        assert_eq!(next_text(&mut socket).await.len(), 120_000);
    }
}

/// Two gateways sharing one Redis, as behind a load balancer: a socket held by node A is read,
/// written to and closed through node B's management API, and is gone on both afterwards;
/// with Redis down, each node still serves its own sockets.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_are_shared_across_nodes_through_redis() {
    const TEMPLATE: &str = r#"Transform: AWS::Serverless-2016-10-31
Resources:
  Ws:
    Type: AWS::ApiGatewayV2::Api
    Properties: {Name: Ws, ProtocolType: WEBSOCKET, RouteSelectionExpression: $request.body.action}
  Default:
    Type: AWS::ApiGatewayV2::Route
    Properties:
      ApiId: !Ref Ws
      RouteKey: $default
      RouteResponseSelectionExpression: $default
      Target: !Sub integrations/${Mock}
  DefaultResponse:
    Type: AWS::ApiGatewayV2::RouteResponse
    Properties: {ApiId: !Ref Ws, RouteId: !Ref Default, RouteResponseKey: $default}
  Mock:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      ApiId: !Ref Ws
      IntegrationType: MOCK
      TemplateSelectionExpression: \$default
      RequestTemplates:
        $default: '{"statusCode": 200}'
  MockOk:
    Type: AWS::ApiGatewayV2::IntegrationResponse
    Properties:
      ApiId: !Ref Ws
      IntegrationId: !Ref Mock
      IntegrationResponseKey: $default
      ResponseTemplates:
        $default: '{"connectionId": "$context.connectionId"}'
  Stage:
    Type: AWS::ApiGatewayV2::Stage
    Properties: {ApiId: !Ref Ws, StageName: prod}
"#;
    let mut redis = turnpike_state::test_support::RedisServer::start();
    let (_dir, path) = support::fixture::document("ws.yaml", TEMPLATE);
    let args = [path.to_str().unwrap(), "--redis", &redis.url()];
    let (a, b) = (Turnpike::serve_args(&args), Turnpike::serve_args(&args));

    let mut socket = connect(&a, "/prod").await.expect("connected to A");
    socket.send(Message::text("hi")).await.unwrap();
    let answer: Value = serde_json::from_str(&next_text(&mut socket).await).unwrap();
    let connection_id = answer["connectionId"].as_str().unwrap().to_owned();
    assert!(!connection_id.is_empty());

    // Through B: GetConnection, PostToConnection (which reaches the socket on A), and both
    // nodes then agree on the connection, activity included.
    let script = format!(
        "api_a = boto3.client('apigatewaymanagementapi', endpoint_url='http://{a}/prod', \
         region_name='us-east-1', aws_access_key_id='AKIDEXAMPLE', aws_secret_access_key='x')\n\
         before = api.get_connection(ConnectionId='{connection_id}')\n\
         api.post_to_connection(ConnectionId='{connection_id}', Data=b'from B')\n\
         on_b = api.get_connection(ConnectionId='{connection_id}')\n\
         on_a = api_a.get_connection(ConnectionId='{connection_id}')\n\
         print(json.dumps({{'ip': before['Identity']['SourceIp'], \
         'connected': before['ConnectedAt'] == on_a['ConnectedAt'] == on_b['ConnectedAt'], \
         'posted_is_activity': on_b['LastActiveAt'] > before['LastActiveAt'], \
         'agree': on_a['LastActiveAt'] == on_b['LastActiveAt']}}))",
        a = a.addr
    );
    assert_eq!(
        management(&b, "prod", &script),
        json!({"ip": "127.0.0.1", "connected": true, "posted_is_activity": true, "agree": true})
    );
    assert_eq!(next_text(&mut socket).await, "from B");

    // DeleteConnection through B closes the socket on A.
    let script = format!(
        "api.delete_connection(ConnectionId='{connection_id}')\nprint(json.dumps('deleted'))"
    );
    assert_eq!(management(&b, "prod", &script), json!("deleted"));
    assert_closed(&mut socket).await;

    // Gone on both nodes, for every operation.
    let script = every_operation(&connection_id);
    for node in [&a, &b] {
        assert_eq!(management(node, "prod", &script), gone_everywhere());
    }

    // Redis down: A still reaches its own sockets, while B cannot tell whether A's connection
    // exists and answers 500, which SDKs retry, rather than a final 410.
    let mut socket = connect(&a, "/prod").await.expect("connected to A");
    socket.send(Message::text("again")).await.unwrap();
    let answer: Value = serde_json::from_str(&next_text(&mut socket).await).unwrap();
    let connection_id = answer["connectionId"].as_str().unwrap().to_owned();
    redis.kill();
    let post = format!(
        "print(json.dumps(error(lambda: \
         api.post_to_connection(ConnectionId='{connection_id}', Data=b'while down'))))"
    );
    assert_eq!(
        management(&b, "prod", &post),
        json!({"code": "InternalServerErrorException", "status": 500})
    );
    assert_eq!(management(&a, "prod", &post), Value::Null);
    assert_eq!(next_text(&mut socket).await, "while down");
}
