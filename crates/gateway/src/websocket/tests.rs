//! A real gateway on 127.0.0.1:0 serving WebSocket APIs built in code, driven by a real
//! WebSocket client (tokio-tungstenite) and a real HTTP client; Lambda routes run real Python
//! handlers on a functions host.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use futures_util::{SinkExt as _, StreamExt as _};
use http::Request;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_tungstenite::WebSocketStream;
use turnpike_model::{
    ApiKeySource, Deployment, Integration, IntegrationType, RouteAuth, RouteSelection, Stage,
    WebSocketApi, WebSocketRoute,
};

use crate::test_support::{integration_response, keys};
use crate::tests::{client, full, send, start_deployment, Running};
use crate::{AccessLog, Gateway, GatewayConfig};

type Client = WebSocketStream<TcpStream>;

async fn serve(apis: Vec<WebSocketApi>, config: GatewayConfig) -> Running {
    serve_draining(apis, config, Duration::from_secs(1)).await
}

async fn serve_draining(
    apis: Vec<WebSocketApi>,
    mut config: GatewayConfig,
    drain: Duration,
) -> Running {
    config.drain_timeout = drain;
    let mut deployment = Deployment::new(Vec::new(), vec![Stage::new("prod")]);
    deployment.websocket_apis = apis.into_iter().map(Arc::new).collect();
    start_deployment(deployment, config).await
}

async fn start(apis: Vec<WebSocketApi>) -> Running {
    serve(apis, GatewayConfig::new("127.0.0.1:0".parse().unwrap())).await
}

fn ws_api(name: &str, routes: Vec<WebSocketRoute>) -> WebSocketApi {
    WebSocketApi {
        id: turnpike_model::api_id_from_title(name),
        name: name.into(),
        source: format!("{name}.yaml").into(),
        route_selection: RouteSelection::action(),
        api_key_source: ApiKeySource::Header,
        routes,
        authorizers: BTreeMap::new(),
        stage_throttles: BTreeMap::new(),
    }
}

fn ws_route(key: &str, integration: Integration, two_way: bool) -> WebSocketRoute {
    WebSocketRoute {
        key: key.into(),
        pointer: format!("/Resources/{key}"),
        integration,
        auth: RouteAuth::None,
        api_key_required: false,
        template_selection: None,
        two_way,
    }
}

/// A MOCK integration whose request template selects `status`, answering `body`.
fn mock(status: u16, body: &str) -> Integration {
    let mut mock = Integration::new(IntegrationType::Mock);
    mock.request_templates
        .insert("$default".into(), format!("{{\"statusCode\": {status}}}"));
    mock.responses.push(integration_response(
        "default",
        200,
        &[],
        &[("$default", body)],
    ));
    if status != 200 {
        mock.responses.push(integration_response(
            &status.to_string(),
            status,
            &[],
            &[("$default", body)],
        ));
    }
    mock
}

async fn connect(addr: SocketAddr, path: &str) -> Result<Client, WsError> {
    let request = format!("ws://{addr}{path}").into_client_request().unwrap();
    let stream = TcpStream::connect(addr).await.unwrap();
    tokio_tungstenite::client_async(request, stream)
        .await
        .map(|(socket, _)| socket)
}

/// The next data message, within 10 s.
async fn next_message(socket: &mut Client) -> Message {
    loop {
        let message = tokio::time::timeout(Duration::from_secs(10), socket.next())
            .await
            .expect("a message in time")
            .expect("the socket is open")
            .expect("no socket error");
        if !matches!(message, Message::Ping(_) | Message::Pong(_)) {
            return message;
        }
    }
}

async fn next_text(socket: &mut Client) -> String {
    match next_message(socket).await {
        Message::Text(text) => text.as_str().to_owned(),
        other => panic!("expected text, got {other:?}"),
    }
}

/// `{"message": "...", "connectionId":"...", "requestId":"..."}` → (message, requestId).
fn error_frame(text: &str, connection_id: &str) -> (String, String) {
    let prefix = "{\"message\": \"";
    let rest = text
        .strip_prefix(prefix)
        .unwrap_or_else(|| panic!("{text}"));
    let (message, rest) = rest.split_once('"').unwrap();
    let expected = format!(", \"connectionId\":\"{connection_id}\", \"requestId\":\"");
    let rest = rest
        .strip_prefix(&expected)
        .unwrap_or_else(|| panic!("{text}"));
    let request_id = rest.strip_suffix("\"}").unwrap_or_else(|| panic!("{text}"));
    assert_eq!(request_id.len(), 16, "{text}");
    (message.to_owned(), request_id.to_owned())
}

fn chat_api() -> WebSocketApi {
    ws_api(
        "Chat",
        vec![
            ws_route("echo", mock(200, "echo answer"), true),
            ws_route("quiet", mock(200, "never sent"), false),
            ws_route("$default", mock(200, "default answer"), true),
        ],
    )
}

#[tokio::test]
async fn mock_routes_answer_by_route_key_and_fall_back_to_default() {
    let gateway = start(vec![chat_api()]).await;
    let mut socket = connect(gateway.addr, "/prod").await.unwrap();
    socket
        .send(Message::text(r#"{"action":"echo","x":1}"#))
        .await
        .unwrap();
    assert_eq!(next_text(&mut socket).await, "echo answer");
    // One-way: nothing comes back, so the next answer is the next message's.
    socket
        .send(Message::text(r#"{"action":"quiet"}"#))
        .await
        .unwrap();
    socket
        .send(Message::text(r#"{"action":"unknown"}"#))
        .await
        .unwrap();
    assert_eq!(next_text(&mut socket).await, "default answer");
    socket.send(Message::text("not json")).await.unwrap();
    assert_eq!(next_text(&mut socket).await, "default answer");
    socket.close(None).await.unwrap();
}

#[tokio::test]
async fn a_message_no_route_takes_gets_the_forbidden_frame() {
    let api = ws_api("No default", vec![ws_route("echo", mock(200, "e"), true)]);
    let gateway = start(vec![api]).await;
    let mut socket = connect(gateway.addr, "/prod").await.unwrap();
    let connection_id = connection_id(&mut socket).await;
    assert_eq!(connection_id.len(), 16);
    // The connection id is the one the management API knows.
    let answer = send(
        &client(),
        Request::get(gateway.url(&format!("/prod/@connections/{connection_id}")))
            .body(full(""))
            .unwrap(),
    )
    .await;
    assert_eq!(answer.status, 200);
}

#[tokio::test]
async fn the_management_api_posts_reads_and_deletes_connections() {
    let api = ws_api("Managed", vec![ws_route("echo", mock(200, "x"), true)]);
    let gateway = start(vec![api]).await;
    let mut socket = connect(gateway.addr, "/prod").await.unwrap();
    let id = connection_id(&mut socket).await;
    let url = |id: &str| gateway.url(&format!("/prod/@connections/{}", id.replace('=', "%3D")));
    let http = client();

    let posted = send(&http, Request::post(url(&id)).body(full("hello")).unwrap()).await;
    assert_eq!((posted.status, posted.body.as_str()), (200, ""));
    assert_eq!(next_text(&mut socket).await, "hello");
    let binary = send(
        &http,
        Request::post(url(&id))
            .body(full(vec![0xff_u8, 0x00, 0x01]))
            .unwrap(),
    )
    .await;
    assert_eq!(binary.status, 200);
    assert_eq!(
        next_message(&mut socket).await,
        Message::binary(vec![0xff_u8, 0x00, 0x01])
    );

    let got = send(&http, Request::get(url(&id)).body(full("")).unwrap()).await;
    assert_eq!(got.status, 200);
    assert_eq!(got.header("content-type"), Some("application/json"));
    let json = got.json();
    assert_eq!(keys(&json), ["connectedAt", "identity", "lastActiveAt"]);
    assert_eq!(
        json["identity"],
        serde_json::json!({"sourceIp": "127.0.0.1", "userAgent": null})
    );
    let connected = json["connectedAt"].as_str().unwrap();
    assert_eq!(
        connected.len(),
        "2026-11-26T05:40:01.234Z".len(),
        "{connected}"
    );
    assert!(connected.ends_with('Z') && connected.as_bytes()[10] == b'T');
    assert!(json["lastActiveAt"].as_str().unwrap() >= connected);

    let deleted = send(&http, Request::delete(url(&id)).body(full("")).unwrap()).await;
    assert_eq!((deleted.status, deleted.body.as_str()), (204, ""));
    // Gone at once, before the socket has closed.
    let right_after = send(&http, Request::get(url(&id)).body(full("")).unwrap()).await;
    assert_eq!(right_after.status, 410);
    match next_message(&mut socket).await {
        Message::Close(Some(frame)) => assert_eq!(frame.code, CloseCode::Normal),
        other => panic!("expected a close frame, got {other:?}"),
    }
    // Gone once the socket is: every operation answers 410 GoneException without a body.
    let mut gone = None;
    for _ in 0..50 {
        let answer = send(&http, Request::get(url(&id)).body(full("")).unwrap()).await;
        if answer.status == 410 {
            gone = Some(answer);
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let gone = gone.expect("410 after DELETE");
    assert_eq!(gone.header("x-amzn-errortype"), Some("GoneException"));
    assert_eq!(gone.body, "");
    let post = send(&http, Request::post(url(&id)).body(full("x")).unwrap()).await;
    assert_eq!(
        (post.status, post.header("x-amzn-errortype")),
        (410, Some("GoneException"))
    );
    let never = send(
        &http,
        Request::delete(url("AAAAAAAAAAAAAAA="))
            .body(full(""))
            .unwrap(),
    )
    .await;
    assert_eq!(never.status, 410);
}

/// The connection's id, from the Forbidden frame of a message no route takes.
async fn connection_id(socket: &mut Client) -> String {
    socket
        .send(Message::text(r#"{"action":"who am I"}"#))
        .await
        .unwrap();
    let frame = next_text(socket).await;
    let id = frame
        .split("\"connectionId\":\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| panic!("{frame}"))
        .to_owned();
    assert_eq!(error_frame(&frame, &id).0, "Forbidden");
    id
}

#[tokio::test]
async fn connect_can_refuse_the_handshake_with_its_status() {
    let api = ws_api(
        "Picky",
        vec![ws_route(
            "$connect",
            mock(403, "{\"message\":\"nope\"}"),
            false,
        )],
    );
    let gateway = start(vec![api]).await;
    match connect(gateway.addr, "/prod").await {
        Err(WsError::Http(response)) => {
            assert_eq!(response.status().as_u16(), 403);
            assert_eq!(
                response.body().as_deref(),
                Some(&b"{\"message\":\"nope\"}"[..])
            );
        }
        other => panic!("expected a refusal, got {:?}", other.map(|_| ())),
    }
}

#[tokio::test]
async fn connect_can_require_an_api_key_from_the_state() {
    use turnpike_state::{EmbeddedConfig, NewApiKey, State};
    let dir = turnpike_state::test_support::TempDir::new("ws-keys");
    let state = State::embedded(&EmbeddedConfig::new(dir.path())).unwrap();
    let value = "ws-client-key-0123456789abcdef";
    state
        .create_api_key(NewApiKey {
            name: "client".into(),
            value: Some(value.into()),
            enabled: true,
        })
        .await
        .unwrap();
    let mut connect_route = ws_route("$connect", mock(200, ""), false);
    connect_route.api_key_required = true;
    let api = ws_api(
        "Keyed",
        vec![connect_route, ws_route("$default", mock(200, "in"), true)],
    );
    let mut config = GatewayConfig::new("127.0.0.1:0".parse().unwrap());
    config.state = Some(state);
    let gateway = serve(vec![api], config).await;
    let with_key = |key: &str| {
        let mut request = format!("ws://{}/prod", gateway.addr)
            .into_client_request()
            .unwrap();
        request
            .headers_mut()
            .insert("x-api-key", key.parse().unwrap());
        request
    };
    for refused in [
        connect(gateway.addr, "/prod").await,
        tokio_tungstenite::client_async(
            with_key("not-a-key-0123456789abcdefgh"),
            TcpStream::connect(gateway.addr).await.unwrap(),
        )
        .await
        .map(|(socket, _)| socket),
    ] {
        match refused {
            Err(WsError::Http(response)) => {
                assert_eq!(response.status().as_u16(), 403);
                assert_eq!(
                    response.body().as_deref(),
                    Some(&br#"{"message":"Forbidden"}"#[..])
                );
            }
            other => panic!("expected a refusal, got {:?}", other.map(|_| ())),
        }
    }
    let stream = TcpStream::connect(gateway.addr).await.unwrap();
    let (mut socket, _) = tokio_tungstenite::client_async(with_key(value), stream)
        .await
        .unwrap();
    socket.send(Message::text("hi")).await.unwrap();
    assert_eq!(next_text(&mut socket).await, "in");
}

#[tokio::test]
async fn plain_requests_and_unknown_paths_are_answered_without_upgrading() {
    let gateway = start(vec![chat_api()]).await;
    let http = client();
    let plain = send(
        &http,
        Request::get(gateway.url("/prod")).body(full("")).unwrap(),
    )
    .await;
    assert_eq!(plain.status, 426);
    assert_eq!(plain.header("upgrade"), Some("websocket"));
    assert_eq!(plain.body, r#"{"message":"Upgrade Required"}"#);
    // Selected by Host: a path that is neither the URL nor @connections.
    let api_id = turnpike_model::api_id_from_title("Chat");
    let other = send(
        &http,
        Request::get(gateway.url("/prod/elsewhere"))
            .header("host", format!("{api_id}.execute-api.localhost"))
            .body(full(""))
            .unwrap(),
    )
    .await;
    assert_eq!(
        (other.status, other.body.as_str()),
        (403, r#"{"message":"Forbidden"}"#)
    );
    // Selected by Host, the handshake works too; an unknown stage does not.
    let by_host = format!("ws://{}/prod", gateway.addr);
    let mut request = by_host.into_client_request().unwrap();
    request.headers_mut().insert(
        "host",
        format!("{api_id}.execute-api.localhost").parse().unwrap(),
    );
    let stream = TcpStream::connect(gateway.addr).await.unwrap();
    let (mut socket, response) = tokio_tungstenite::client_async(request, stream)
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 101);
    socket.send(Message::text("hi")).await.unwrap();
    assert_eq!(next_text(&mut socket).await, "default answer");
    match connect(gateway.addr, "/nostage").await {
        Err(WsError::Http(response)) => assert_eq!(response.status().as_u16(), 403),
        other => panic!("expected a refusal, got {:?}", other.map(|_| ())),
    }
}

#[tokio::test]
async fn a_message_over_128_kb_closes_the_connection_with_1009() {
    let gateway = start(vec![chat_api()]).await;
    let mut socket = connect(gateway.addr, "/prod").await.unwrap();
    // A frame over 32 KB is over AWS's frame quota as well.
    socket
        .send(Message::text("x".repeat(40 * 1024)))
        .await
        .unwrap();
    match next_message(&mut socket).await {
        Message::Close(Some(frame)) => {
            assert_eq!(frame.code, CloseCode::Size);
            assert_eq!(frame.reason.as_str(), "Message too big");
        }
        other => panic!("expected a close frame, got {other:?}"),
    }
}

/// Lambda proxy routes on real Python handlers: the exact events of `$connect`, a message and
/// `$disconnect`, and the management API called back through boto3 from inside a handler.
mod lambda {
    use serde_json::{json, Value};
    use turnpike_functions::{FunctionConfig, FunctionHost, HostConfig, Runtime};
    use turnpike_testkit::TempDir;

    use super::*;

    /// `$connect` and `$disconnect` write their event to `{dir}/{eventType}.json`; `callback`
    /// posts to its own connection with boto3 and answers what GetConnection says; anything
    /// else answers the event itself.
    const HANDLER: &str = r#"
import json, os

def handler(event, context):
    ctx = event["requestContext"]
    kind = ctx["eventType"]
    if kind != "MESSAGE":
        with open(os.path.join(OUT, kind + ".json"), "w") as f:
            json.dump(event, f)
        if (event.get("queryStringParameters") or {}).get("reject") == "yes":
            return {"statusCode": 401, "body": "not you"}
        return {"statusCode": 200}
    if ctx["routeKey"] == "callback":
        import boto3
        os.environ["AWS_ACCESS_KEY_ID"] = "AKIDEXAMPLE"
        os.environ["AWS_SECRET_ACCESS_KEY"] = "secret"
        api = boto3.client("apigatewaymanagementapi", region_name="us-east-1",
                           endpoint_url="http://%s/%s" % (ctx["domainName"], ctx["stage"]))
        api.post_to_connection(ConnectionId=ctx["connectionId"], Data=b"called back")
        info = api.get_connection(ConnectionId=ctx["connectionId"])
        try:
            api.get_connection(ConnectionId="AAAAAAAAAAAAAAA=")
            gone = "no error"
        except api.exceptions.GoneException as e:
            gone = e.response["Error"]["Code"]
        return {"statusCode": 200, "body": json.dumps({
            "identity": info["Identity"], "connectedAtYear": info["ConnectedAt"].year,
            "gone": gone})}
    return {"statusCode": 200, "body": json.dumps(event)}
"#;

    fn venv_python() -> std::path::PathBuf {
        let python =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.venv/bin/python");
        assert!(
            python.exists(),
            "{} is missing: .ci/run creates the .venv with boto3",
            python.display()
        );
        python
    }

    async fn host(dir: &TempDir) -> Arc<FunctionHost> {
        let code = dir.path().join("code");
        std::fs::create_dir_all(&code).unwrap();
        let out = dir.path().join("out");
        std::fs::create_dir_all(&out).unwrap();
        let source = format!("OUT = {:?}\n{HANDLER}", out.display().to_string());
        std::fs::write(code.join("app.py"), source).unwrap();
        let host = FunctionHost::new(HostConfig {
            cache_dir: dir.path().join("cache"),
            ..HostConfig::default()
        })
        .unwrap();
        let mut config = FunctionConfig::new(
            "ws",
            Runtime::Python("3.11".into()),
            "app.handler",
            code.clone(),
        );
        config.timeout = Duration::from_secs(20);
        config.interpreter = Some(venv_python());
        let mut authorizer = config.clone();
        authorizer.name = "auth".into();
        authorizer.handler = "auth.handler".into();
        let auth = format!("OUT = {:?}\n{AUTHORIZER}", out.display().to_string());
        std::fs::write(code.join("auth.py"), auth).unwrap();
        host.add_function(config).await.unwrap();
        host.add_function(authorizer).await.unwrap();
        Arc::new(host)
    }

    /// A REQUEST authorizer: `?token=letmein` is allowed, any other token denied, with the
    /// event's type and method ARN as context; it writes its event to `{dir}/AUTHORIZER.json`.
    const AUTHORIZER: &str = r#"
import json, os

def handler(event, context):
    with open(os.path.join(OUT, "AUTHORIZER.json"), "w") as f:
        json.dump(event, f)
    token = event["queryStringParameters"]["token"]
    effect = "Allow" if token == "letmein" else "Deny"
    return {"principalId": "user-1",
            "policyDocument": {"Version": "2012-10-17", "Statement": [
                {"Action": "execute-api:Invoke", "Effect": effect, "Resource": event["methodArn"]}]},
            "context": {"team": "blue", "type": event["type"], "arn": event["methodArn"]}}
"#;

    fn lambda(function: &str) -> Integration {
        let mut integration = Integration::new(IntegrationType::AwsProxy);
        integration.uri = Some(format!(
            "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/\
             arn:aws:lambda:us-east-1:123456789012:function:{function}/invocations"
        ));
        integration.timeout = Duration::from_secs(25);
        integration
    }

    fn read_event(dir: &TempDir, kind: &str) -> Option<Value> {
        let text =
            std::fs::read_to_string(dir.path().join("out").join(format!("{kind}.json"))).ok()?;
        serde_json::from_str(&text).ok()
    }

    /// The `requestContext` every event shares, with this event's own ids and times.
    fn context(
        event: &Value,
        route_key: &str,
        event_type: &str,
        api_id: &str,
        domain: &str,
        connection_id: &str,
    ) -> Value {
        let ctx = &event["requestContext"];
        let request_id = ctx["requestId"].as_str().unwrap();
        assert_eq!(request_id.len(), 16);
        assert_eq!(ctx["extendedRequestId"], ctx["requestId"]);
        let time = ctx["requestTime"].as_str().unwrap();
        assert_eq!(time.len(), "25/Nov/2026:17:36:42 +0000".len(), "{time}");
        assert!(time.ends_with(" +0000"));
        assert!(ctx["requestTimeEpoch"].as_u64().unwrap() >= ctx["connectedAt"].as_u64().unwrap());
        json!({
            "routeKey": route_key,
            "eventType": event_type,
            "extendedRequestId": request_id,
            "requestTime": time,
            "messageDirection": "IN",
            "stage": "prod",
            "connectedAt": ctx["connectedAt"],
            "requestTimeEpoch": ctx["requestTimeEpoch"],
            "identity": {"userAgent": "ws-test/1.0", "sourceIp": "127.0.0.1"},
            "requestId": request_id,
            "domainName": domain,
            "connectionId": connection_id,
            "apiId": api_id,
        })
    }

    #[tokio::test]
    async fn lambda_routes_receive_aws_events_and_can_call_back() {
        let dir = TempDir::new();
        let host = host(&dir).await;
        let api = ws_api(
            "Lambda chat",
            vec![
                ws_route("$connect", lambda("ws"), false),
                ws_route("$disconnect", lambda("ws"), false),
                ws_route("callback", lambda("ws"), true),
                ws_route("$default", lambda("ws"), true),
                ws_route("broken", lambda("Missing"), true),
            ],
        );
        let api_id = api.id.clone();
        let mut config = GatewayConfig::new("127.0.0.1:0".parse().unwrap());
        config.functions = Some(host.clone());
        let gateway = serve(vec![api], config).await;
        let domain = gateway.addr.to_string();

        let url = format!("ws://{domain}/prod?room=a&room=b&x=1");
        let mut request = url.as_str().into_client_request().unwrap();
        request
            .headers_mut()
            .insert("user-agent", "ws-test/1.0".parse().unwrap());
        let stream = TcpStream::connect(gateway.addr).await.unwrap();
        let (mut socket, _) = tokio_tungstenite::client_async(request, stream)
            .await
            .unwrap();

        // CONNECT.
        let connect = read_event(&dir, "CONNECT").expect("$connect ran before the upgrade");
        let connection_id = connect["requestContext"]["connectionId"]
            .as_str()
            .unwrap()
            .to_owned();
        assert_eq!(connection_id.len(), 16);
        assert_eq!(
            keys(&connect),
            [
                "headers",
                "multiValueHeaders",
                "queryStringParameters",
                "multiValueQueryStringParameters",
                "requestContext",
                "isBase64Encoded"
            ]
        );
        assert_eq!(
            connect["requestContext"],
            context(
                &connect,
                "$connect",
                "CONNECT",
                &api_id,
                &domain,
                &connection_id
            )
        );
        // Named as the client spelled them (tungstenite writes `Host` and `Sec-WebSocket-*`,
        // `user-agent` as given), the ones API Gateway adds as AWS does; sorted as AWS sorts
        // them, regardless of case.
        assert_eq!(
            keys(&connect["headers"]),
            [
                "Host",
                "Sec-WebSocket-Key",
                "Sec-WebSocket-Version",
                "user-agent",
                "X-Amzn-Trace-Id",
                "X-Forwarded-For",
                "X-Forwarded-Port",
                "X-Forwarded-Proto"
            ]
        );
        assert_eq!(
            keys(&connect["multiValueHeaders"]),
            keys(&connect["headers"])
        );
        assert_eq!(connect["headers"]["Host"], domain.as_str());
        assert_eq!(connect["headers"]["X-Forwarded-For"], "127.0.0.1");
        assert_eq!(
            connect["multiValueHeaders"]["user-agent"],
            json!(["ws-test/1.0"])
        );
        assert_eq!(
            connect["queryStringParameters"],
            json!({"room": "b", "x": "1"})
        );
        assert_eq!(
            connect["multiValueQueryStringParameters"],
            json!({"room": ["a", "b"], "x": ["1"]})
        );
        assert_eq!(connect["isBase64Encoded"], false);

        // MESSAGE, answered with the event itself (a two-way route).
        socket.send(Message::text("hello there")).await.unwrap();
        let message: Value = serde_json::from_str(&next_text(&mut socket).await).unwrap();
        assert_eq!(
            keys(&message),
            ["requestContext", "body", "isBase64Encoded"]
        );
        let message_id = message["requestContext"]["messageId"].as_str().unwrap();
        assert_eq!(message_id.len(), 16);
        let mut expected = context(
            &message,
            "$default",
            "MESSAGE",
            &api_id,
            &domain,
            &connection_id,
        );
        let mut ordered = serde_json::Map::new();
        for (key, value) in expected.as_object_mut().unwrap().iter() {
            ordered.insert(key.clone(), value.clone());
            if key == "routeKey" {
                ordered.insert("messageId".into(), message_id.into());
            }
        }
        assert_eq!(message["requestContext"], Value::Object(ordered.clone()));
        assert_eq!(
            keys(&message["requestContext"]),
            ordered.keys().map(String::as_str).collect::<Vec<_>>()
        );
        assert_eq!(message["body"], "hello there");
        assert_eq!(message["isBase64Encoded"], false);
        assert_eq!(
            message["requestContext"]["connectedAt"],
            connect["requestContext"]["connectedAt"]
        );

        // The management API, from inside a function, through boto3.
        socket
            .send(Message::text(r#"{"action":"callback"}"#))
            .await
            .unwrap();
        assert_eq!(next_text(&mut socket).await, "called back");
        let answer: Value = serde_json::from_str(&next_text(&mut socket).await).unwrap();
        assert_eq!(
            answer,
            json!({
                "identity": {"SourceIp": "127.0.0.1", "UserAgent": "ws-test/1.0"},
                "connectedAtYear": connect["requestContext"]["requestTime"].as_str().unwrap()[7..11].parse::<u64>().unwrap(),
                "gone": "GoneException",
            })
        );

        // A route whose function does not exist: API Gateway's error frame.
        socket
            .send(Message::text(r#"{"action":"broken"}"#))
            .await
            .unwrap();
        let frame = next_text(&mut socket).await;
        assert_eq!(
            error_frame(&frame, &connection_id).0,
            "Internal server error"
        );

        // DISCONNECT, after the socket is gone.
        socket
            .close(Some(tokio_tungstenite::tungstenite::protocol::CloseFrame {
                code: CloseCode::Normal,
                reason: "bye".into(),
            }))
            .await
            .unwrap();
        let mut disconnect = None;
        for _ in 0..200 {
            if let Some(event) = read_event(&dir, "DISCONNECT") {
                disconnect = Some(event);
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let disconnect = disconnect.expect("$disconnect ran");
        assert_eq!(
            keys(&disconnect),
            [
                "headers",
                "multiValueHeaders",
                "requestContext",
                "isBase64Encoded"
            ]
        );
        assert_eq!(
            disconnect["headers"],
            json!({"Host": domain, "x-api-key": "", "X-Forwarded-For": "", "x-restapi": ""})
        );
        let ctx = &disconnect["requestContext"];
        assert_eq!(
            keys(ctx),
            [
                "routeKey",
                "disconnectStatusCode",
                "eventType",
                "extendedRequestId",
                "requestTime",
                "messageDirection",
                "disconnectReason",
                "stage",
                "connectedAt",
                "requestTimeEpoch",
                "identity",
                "requestId",
                "domainName",
                "connectionId",
                "apiId"
            ]
        );
        assert_eq!(
            (
                ctx["routeKey"].as_str(),
                ctx["disconnectStatusCode"].as_u64(),
                ctx["disconnectReason"].as_str()
            ),
            (Some("$disconnect"), Some(1000), Some("bye"))
        );
        assert_eq!(ctx["connectionId"], connection_id.as_str());

        // A `$connect` answering 401 refuses the handshake with it.
        match connect_to(gateway.addr, "/prod?reject=yes").await {
            Err(WsError::Http(response)) => {
                assert_eq!(response.status().as_u16(), 401);
                assert_eq!(response.body().as_deref(), Some(&b"not you"[..]));
            }
            other => panic!("expected a refusal, got {:?}", other.map(|_| ())),
        }
    }

    #[tokio::test]
    async fn a_request_authorizer_admits_or_refuses_the_handshake() {
        let dir = TempDir::new();
        let host = host(&dir).await;
        let mut api = ws_api(
            "Guarded chat",
            vec![
                ws_route("$connect", mock(200, ""), false),
                ws_route("$default", lambda("ws"), true),
            ],
        );
        let mut authorizer =
            turnpike_model::Authorizer::new("ConnectAuth", turnpike_model::AuthorizerKind::Request);
        authorizer.function_arn =
            Some("arn:aws:lambda:us-east-1:123456789012:function:auth".into());
        authorizer.identity_sources =
            vec![turnpike_model::IdentitySource::QueryString("token".into())];
        authorizer.result_ttl = Duration::ZERO;
        api.authorizers.insert("ConnectAuth".into(), authorizer);
        api.routes[0].auth = RouteAuth::Authorizer {
            name: "ConnectAuth".into(),
            scopes: Vec::new(),
        };
        let api_id = api.id.clone();
        let mut config = GatewayConfig::new("127.0.0.1:0".parse().unwrap());
        config.functions = Some(host.clone());
        let gateway = serve(vec![api], config).await;

        let refused = |result: Result<Client, WsError>| match result {
            Err(WsError::Http(response)) => (
                response.status().as_u16(),
                String::from_utf8(response.body().clone().unwrap_or_default()).unwrap(),
            ),
            other => panic!("expected a refusal, got {:?}", other.map(|_| ())),
        };
        // No identity source: 401 before the function runs; a denying policy: 403.
        assert_eq!(
            refused(connect_to(gateway.addr, "/prod").await),
            (401, r#"{"message":"Unauthorized"}"#.into())
        );
        assert_eq!(
            refused(connect_to(gateway.addr, "/prod?token=nope").await),
            (
                403,
                // REST's explicit-deny gateway response, which the authorize stage renders.
                r#"{"Message":"User is not authorized to access this resource with an explicit deny in an identity-based policy"}"#
                    .into()
            )
        );
        // Allowed: every event of the connection carries what the authorizer established.
        let mut socket = connect_to(gateway.addr, "/prod?token=letmein")
            .await
            .unwrap();
        socket.send(Message::text("who")).await.unwrap();
        let event: Value = serde_json::from_str(&next_text(&mut socket).await).unwrap();
        let authorizer = &event["requestContext"]["authorizer"];
        assert_eq!(authorizer["principalId"], "user-1");
        assert_eq!(authorizer["team"], "blue");
        assert_eq!(authorizer["type"], "REQUEST");
        assert_eq!(
            authorizer["arn"],
            format!("arn:aws:execute-api:us-east-1:123456789012:{api_id}/prod/$connect").as_str()
        );
        assert!(authorizer["integrationLatency"].is_u64());

        // The authorizer's event, in AWS's WebSocket REQUEST shape, for this very connection.
        let auth_event = read_event(&dir, "AUTHORIZER").expect("the authorizer ran");
        assert_eq!(
            keys(&auth_event),
            [
                "type",
                "methodArn",
                "headers",
                "multiValueHeaders",
                "queryStringParameters",
                "multiValueQueryStringParameters",
                "stageVariables",
                "requestContext"
            ]
        );
        assert_eq!(auth_event["type"], "REQUEST");
        assert_eq!(
            auth_event["methodArn"],
            format!("arn:aws:execute-api:us-east-1:123456789012:{api_id}/prod/$connect").as_str()
        );
        let domain = gateway.addr.to_string();
        assert_eq!(
            keys(&auth_event["headers"]),
            [
                "Connection",
                "Host",
                "Sec-WebSocket-Key",
                "Sec-WebSocket-Version",
                "Upgrade",
                "X-Amzn-Trace-Id",
                "X-Forwarded-For",
                "X-Forwarded-Port",
                "X-Forwarded-Proto"
            ]
        );
        assert_eq!(
            (
                &auth_event["headers"]["Connection"],
                &auth_event["headers"]["Upgrade"],
                &auth_event["headers"]["Host"],
                &auth_event["multiValueHeaders"]["Host"],
            ),
            (
                &json!("Upgrade"),
                &json!("websocket"),
                &json!(domain),
                &json!([domain])
            )
        );
        assert_eq!(
            auth_event["queryStringParameters"],
            json!({"token": "letmein"})
        );
        assert_eq!(
            auth_event["multiValueQueryStringParameters"],
            json!({"token": ["letmein"]})
        );
        assert_eq!(auth_event["stageVariables"], json!({}));
        let ctx = &auth_event["requestContext"];
        let connection_id = event["requestContext"]["connectionId"].as_str().unwrap();
        let request_id = ctx["requestId"].as_str().unwrap();
        assert_eq!(request_id.len(), 16);
        assert_eq!(
            ctx,
            &json!({
                "routeKey": "$connect",
                "eventType": "CONNECT",
                "extendedRequestId": request_id,
                "requestTime": ctx["requestTime"],
                "messageDirection": "IN",
                "stage": "prod",
                "connectedAt": event["requestContext"]["connectedAt"],
                "requestTimeEpoch": ctx["requestTimeEpoch"],
                "identity": {"sourceIp": "127.0.0.1"},
                "requestId": request_id,
                "domainName": domain,
                "connectionId": connection_id,
                "apiId": api_id,
            })
        );
        assert_eq!(
            keys(ctx),
            [
                "routeKey",
                "eventType",
                "extendedRequestId",
                "requestTime",
                "messageDirection",
                "stage",
                "connectedAt",
                "requestTimeEpoch",
                "identity",
                "requestId",
                "domainName",
                "connectionId",
                "apiId"
            ]
        );
    }

    #[tokio::test]
    async fn a_shutdown_closes_sockets_going_away_and_runs_disconnect_within_the_drain() {
        let dir = TempDir::new();
        let host = host(&dir).await;
        let api = ws_api(
            "Shutting down",
            vec![
                ws_route("$disconnect", lambda("ws"), false),
                ws_route("$default", mock(200, "up"), true),
            ],
        );
        let mut config = GatewayConfig::new("127.0.0.1:0".parse().unwrap());
        config.functions = Some(host.clone());
        let gateway = serve_draining(vec![api], config, Duration::from_secs(20)).await;
        let mut socket = connect_to(gateway.addr, "/prod").await.unwrap();
        socket.send(Message::text("hi")).await.unwrap();
        assert_eq!(next_text(&mut socket).await, "up");
        let client = tokio::spawn(async move {
            let frame = match next_message(&mut socket).await {
                Message::Close(Some(frame)) => (u16::from(frame.code), frame.reason.to_string()),
                other => panic!("expected a close frame, got {other:?}"),
            };
            // Reading on sends tungstenite's reply to the close frame.
            while let Some(Ok(_)) = socket.next().await {}
            frame
        });
        let started = std::time::Instant::now();
        gateway.stop().await.unwrap();
        // The drain waited for `$disconnect`: its event is there as soon as the gateway stopped.
        let disconnect = read_event(&dir, "DISCONNECT").expect("$disconnect ran in the drain");
        assert!(started.elapsed() < Duration::from_secs(20));
        assert_eq!(client.await.unwrap(), (1001, "Going away".to_owned()));
        let ctx = &disconnect["requestContext"];
        assert_eq!(
            (
                ctx["eventType"].as_str(),
                ctx["disconnectStatusCode"].as_u64(),
                ctx["disconnectReason"].as_str()
            ),
            (Some("DISCONNECT"), Some(1001), Some("Going away"))
        );
    }

    async fn connect_to(addr: SocketAddr, path: &str) -> Result<Client, WsError> {
        super::connect(addr, path).await
    }
}

/// The gateway's own closes, on an in-memory socket with short limits: idle and total.
mod timeouts {
    use tokio::task::JoinHandle;
    use tokio_tungstenite::tungstenite::protocol::Role;

    use super::*;
    use crate::websocket::connection::{serve, Session, Timeouts};

    /// Serves one in-memory connection of the first WebSocket API with `timeouts`; returns the
    /// client's end and the task that ends with the `$disconnect` status and reason.
    async fn open(
        timeouts: Timeouts,
    ) -> (
        WebSocketStream<tokio::io::DuplexStream>,
        turnpike_state::OutboundSender,
        JoinHandle<(u16, String)>,
    ) {
        let mut deployment = Deployment::new(Vec::new(), vec![Stage::new("prod")]);
        deployment.websocket_apis = vec![Arc::new(chat_api())];
        let mut config = GatewayConfig::new("127.0.0.1:0".parse().unwrap());
        config.access_log = AccessLog::off();
        let gateway = Gateway::bind(config, deployment).await.unwrap();
        let shared = gateway.shared().unwrap();
        let api = shared.snapshot.load().websocket_apis[0].clone();
        let session = Arc::new(Session {
            stage: api.stages[0].clone(),
            api,
            connection_id: "AAAAAAAAAAAAAAA=".into(),
            connected_at_ms: 0,
            domain_name: "localhost".into(),
            source_ip: "127.0.0.1".into(),
            user_agent: None,
            authorizer: None,
            authorizer_context: None,
            client: crate::context::ClientConnection {
                peer: "127.0.0.1:1".parse().unwrap(),
                local: "127.0.0.1:2".parse().unwrap(),
                tls: false,
            },
            path: "/prod".into(),
        });
        let (client_io, server_io) = tokio::io::duplex(256 * 1024);
        let (sender, mut outbound) = turnpike_state::outbound_channel();
        let posts = sender.clone();
        let task = tokio::spawn(async move {
            let socket = WebSocketStream::from_raw_socket(server_io, Role::Server, None).await;
            let (_stop, stop) = tokio::sync::watch::channel(false);
            let ending = serve(
                &shared,
                &session,
                socket,
                &sender,
                &mut outbound,
                timeouts,
                stop,
            )
            .await;
            (ending.status, ending.reason)
        });
        let client = WebSocketStream::from_raw_socket(client_io, Role::Client, None).await;
        (client, posts, task)
    }

    async fn close_frame(client: &mut WebSocketStream<tokio::io::DuplexStream>) -> (u16, String) {
        loop {
            match client.next().await {
                Some(Ok(Message::Close(Some(frame)))) => {
                    return (u16::from(frame.code), frame.reason.as_str().to_owned())
                }
                Some(Ok(_)) => continue,
                other => panic!("expected a close frame, got {other:?}"),
            }
        }
    }

    #[tokio::test]
    async fn an_idle_connection_is_closed_going_away() {
        let timeouts = Timeouts {
            idle: Duration::from_millis(300),
            max: Duration::from_secs(60),
        };
        let (mut client, _posts, task) = open(timeouts).await;
        // Activity keeps it open past one idle period.
        tokio::time::sleep(Duration::from_millis(150)).await;
        client.send(Message::text("hi")).await.unwrap();
        assert_eq!(next_text_of(&mut client).await, "default answer");
        tokio::time::sleep(Duration::from_millis(200)).await;
        client.send(Message::text("again")).await.unwrap();
        assert_eq!(next_text_of(&mut client).await, "default answer");
        let started = std::time::Instant::now();
        assert_eq!(close_frame(&mut client).await, (1001, "Going away".into()));
        assert!(started.elapsed() >= Duration::from_millis(250));
        drop(client);
        assert_eq!(task.await.unwrap(), (1001, "Going away".into()));
    }

    #[tokio::test]
    async fn a_connection_ends_at_its_maximum_duration_even_when_busy() {
        let timeouts = Timeouts {
            idle: Duration::from_secs(60),
            max: Duration::from_millis(400),
        };
        let (mut client, _posts, task) = open(timeouts).await;
        let started = std::time::Instant::now();
        for _ in 0..3 {
            client.send(Message::text("busy")).await.unwrap();
            assert_eq!(next_text_of(&mut client).await, "default answer");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert_eq!(close_frame(&mut client).await, (1001, "Going away".into()));
        assert!(started.elapsed() >= Duration::from_millis(350));
        drop(client);
        assert_eq!(task.await.unwrap(), (1001, "Going away".into()));
    }

    #[tokio::test]
    async fn a_client_that_does_not_read_still_ends_at_its_maximum_duration() {
        let timeouts = Timeouts {
            idle: Duration::from_secs(60),
            max: Duration::from_millis(400),
        };
        let (client, posts, task) = open(timeouts).await;
        // 100 KB each: three fill the in-memory socket's 256 KB, the rest wait in the queue.
        let data = bytes::Bytes::from(vec![b'x'; 100 * 1024]);
        for _ in 0..turnpike_state::OUTBOUND_CAPACITY {
            posts
                .offer(turnpike_state::Outbound::Binary(data.clone()))
                .unwrap();
        }
        let started = std::time::Instant::now();
        let ending = tokio::time::timeout(Duration::from_secs(10), task)
            .await
            .expect("the connection ends though its send is blocked")
            .unwrap();
        assert_eq!(ending, (1001, "Going away".into()));
        assert!(started.elapsed() >= Duration::from_millis(300));
        assert_eq!(
            posts.offer(turnpike_state::Outbound::Text("late".into())),
            Err(turnpike_state::ConnectionError::Gone)
        );
        drop(client);
    }

    async fn next_text_of(client: &mut WebSocketStream<tokio::io::DuplexStream>) -> String {
        match client.next().await {
            Some(Ok(Message::Text(text))) => text.as_str().to_owned(),
            other => panic!("expected text, got {other:?}"),
        }
    }
}

/// `$context` and `$input` in WebSocket mapping templates, and the template selection
/// expression.
mod templates {
    use serde_json::{json, Value};

    use super::*;
    use crate::tests::upstream;

    /// An HTTP integration POSTing the request template's output to the echo upstream; its
    /// integration response template wraps what the upstream received.
    fn echo(url: &str, request_template: &str) -> Integration {
        let mut http = Integration::new(IntegrationType::Http);
        http.uri = Some(url.to_owned());
        http.http_method = Some(turnpike_model::HttpMethod::Post);
        http.request_templates
            .insert("\\$default".into(), request_template.to_owned());
        http.responses.push(integration_response(
            "default",
            200,
            &[],
            &[(
                "$default",
                r#"{"received": $input.json('$.body'), "responseSaw": "$context.eventType $context.routeKey $context.connectionId"}"#,
            )],
        ));
        http
    }

    const CONTEXT_TEMPLATE: &str = r#"{"connectionId": "$context.connectionId", "routeKey": "$context.routeKey", "eventType": "$context.eventType", "messageId": "$context.messageId", "connectedAt": "$context.connectedAt", "requestTimeEpoch": "$context.requestTimeEpoch", "messageDirection": "$context.messageDirection", "domainName": "$context.domainName", "stage": "$context.stage", "apiId": "$context.apiId", "requestId": "$context.requestId", "extendedRequestId": "$context.extendedRequestId", "sourceIp": "$context.identity.sourceIp", "message": $input.json('$'), "x": $input.json('$.x'), "body": "$util.escapeJavaScript($input.body)"}"#;

    #[tokio::test]
    async fn request_and_response_templates_see_the_websocket_context_and_the_message() {
        let upstream = upstream().await;
        let url = format!("http://{}/echo", upstream.addr);
        let api = ws_api(
            "Templated",
            vec![ws_route("ctx", echo(&url, CONTEXT_TEMPLATE), true)],
        );
        let api_id = api.id.clone();
        let gateway = start(vec![api]).await;
        let mut socket = connect(gateway.addr, "/prod").await.unwrap();
        let connection_id = connection_id(&mut socket).await;

        let message = r#"{"action":"ctx","x":{"deep":[1,"two"]}}"#;
        let mut seen = Vec::new();
        for _ in 0..2 {
            socket.send(Message::text(message)).await.unwrap();
            let answer: Value = serde_json::from_str(&next_text(&mut socket).await).unwrap();
            assert_eq!(
                answer["responseSaw"],
                format!("MESSAGE ctx {connection_id}").as_str()
            );
            let received: Value =
                serde_json::from_str(answer["received"].as_str().unwrap()).unwrap();
            seen.push(received);
        }
        let first = &seen[0];
        let id = |name: &str| first[name].as_str().unwrap().to_owned();
        let (message_id, request_id) = (id("messageId"), id("requestId"));
        assert_eq!((message_id.len(), request_id.len()), (16, 16));
        assert_ne!(message_id, request_id);
        let connected_at: u64 = id("connectedAt").parse().unwrap();
        let epoch: u64 = id("requestTimeEpoch").parse().unwrap();
        assert!(connected_at <= epoch && epoch - connected_at < 60_000);
        assert_eq!(
            first,
            &json!({
                "connectionId": connection_id,
                "routeKey": "ctx",
                "eventType": "MESSAGE",
                "messageId": message_id,
                "connectedAt": connected_at.to_string(),
                "requestTimeEpoch": epoch.to_string(),
                "messageDirection": "IN",
                "domainName": gateway.addr.to_string(),
                "stage": "prod",
                "apiId": api_id,
                "requestId": request_id,
                "extendedRequestId": request_id,
                "sourceIp": "127.0.0.1",
                "message": {"action": "ctx", "x": {"deep": [1, "two"]}},
                "x": {"deep": [1, "two"]},
                // `$util.escapeJavaScript`'s escapes read back as the message itself.
                "body": message,
            })
        );
        // Each message has its own ids; the connection's stay.
        let second = &seen[1];
        assert_ne!(second["messageId"], first["messageId"]);
        assert_ne!(second["requestId"], first["requestId"]);
        assert_eq!(second["connectedAt"], first["connectedAt"]);
    }

    #[tokio::test]
    async fn connect_templates_see_the_handshake_and_the_connect_event() {
        let upstream = upstream().await;
        let url = format!("http://{}/echo", upstream.addr);
        let template = r#"{"eventType": "$context.eventType", "routeKey": "$context.routeKey", "connectionId": "$context.connectionId", "messageId": "$context.messageId", "room": "$input.params('room')", "agent": "$input.params('user-agent')"}"#;
        let connect_route = ws_route("$connect", echo(&url, template), false);
        let mut echo_route = ws_route("$default", echo(&url, template), true);
        echo_route.integration.request_templates.insert(
            "\\$default".into(),
            r#"{"eventType": "$context.eventType", "connectedAt": "$context.connectedAt"}"#.into(),
        );
        let gateway = start(vec![ws_api("Handshake", vec![connect_route, echo_route])]).await;
        let mut request = format!("ws://{}/prod?room=blue", gateway.addr)
            .into_client_request()
            .unwrap();
        request
            .headers_mut()
            .insert("user-agent", "ws-test/2.0".parse().unwrap());
        let stream = TcpStream::connect(gateway.addr).await.unwrap();
        let (mut socket, response) = tokio_tungstenite::client_async(request, stream)
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 101);
        socket.send(Message::text("hello")).await.unwrap();
        let answer: Value = serde_json::from_str(&next_text(&mut socket).await).unwrap();
        let received: Value = serde_json::from_str(answer["received"].as_str().unwrap()).unwrap();
        assert_eq!(received["eventType"], "MESSAGE");
        assert!(received["connectedAt"]
            .as_str()
            .unwrap()
            .parse::<u64>()
            .is_ok());
        // What `$connect`'s template rendered is checked through a MOCK whose status it
        // decides: 200 admits the connection, 403 refuses it.
        let mut picky = mock(200, "");
        picky.request_templates.insert(
            "$default".into(),
            r#"#if($input.params('room') == "blue" && $context.eventType == "CONNECT" && $context.routeKey == "$connect" && $context.connectionId.length() == 16 && "$!context.messageId" == "")
{"statusCode": 200}
#else
{"statusCode": 403}
#end"#
                .into(),
        );
        picky.responses.push(integration_response(
            "403",
            403,
            &[],
            &[("$default", "refused")],
        ));
        let gateway = start(vec![ws_api(
            "Picky handshake",
            vec![ws_route("$connect", picky, false)],
        )])
        .await;
        assert!(connect(gateway.addr, "/prod?room=blue").await.is_ok());
        match connect(gateway.addr, "/prod?room=red").await {
            Err(WsError::Http(response)) => {
                assert_eq!(response.status().as_u16(), 403);
                assert_eq!(response.body().as_deref(), Some(&b"refused"[..]));
            }
            other => panic!("expected a refusal, got {:?}", other.map(|_| ())),
        }
    }

    /// MOCK integrations answering "default template" or, when the `teapot` template was
    /// selected, "teapot template".
    fn picking() -> Integration {
        let mut mock = mock(200, "default template");
        mock.request_templates.insert(
            "teapot".into(),
            r#"{"statusCode": $input.json('$.code')}"#.into(),
        );
        mock.responses.push(integration_response(
            "201",
            201,
            &[],
            &[("$default", "teapot template")],
        ));
        mock
    }

    #[tokio::test]
    async fn the_template_selection_expression_picks_the_request_template() {
        let route = |key: &str, selection: Option<&str>| {
            let mut route = ws_route(key, picking(), true);
            route.template_selection = selection.map(str::to_owned);
            route
        };
        let api = ws_api(
            "Selecting",
            vec![
                route("pick", Some("$request.body.kind")),
                route("braced", Some("${request.body.kind}")),
                route("static", None),
                route("escaped", Some("\\$default")),
                route("fixed", Some("teapot")),
            ],
        );
        let gateway = start(vec![api]).await;
        let mut socket = connect(gateway.addr, "/prod").await.unwrap();
        for (message, expected) in [
            (
                r#"{"action":"pick","kind":"teapot","code":201}"#,
                "teapot template",
            ),
            (
                r#"{"action":"braced","kind":"teapot","code":201}"#,
                "teapot template",
            ),
            // No template has the key, or the expression finds nothing: `$default`.
            (
                r#"{"action":"pick","kind":"kettle","code":201}"#,
                "default template",
            ),
            (r#"{"action":"pick","code":201}"#, "default template"),
            (
                r#"{"action":"pick","kind":{"teapot":1},"code":201}"#,
                "default template",
            ),
            // `\$default` (the default) ignores the message.
            (
                r#"{"action":"static","kind":"teapot","code":201}"#,
                "default template",
            ),
            (
                r#"{"action":"escaped","kind":"teapot","code":201}"#,
                "default template",
            ),
            // A static key selects its template whatever the message says.
            (
                r#"{"action":"fixed","kind":"kettle","code":201}"#,
                "teapot template",
            ),
        ] {
            socket.send(Message::text(message)).await.unwrap();
            assert_eq!(next_text(&mut socket).await, expected, "{message}");
        }
    }
}

/// AWS service integrations on WebSocket routes, against a real moto server: the serverless
/// chat pattern without Lambda (connections kept in DynamoDB by `$connect` and `$disconnect`).
mod aws_service {
    use serde_json::{json, Value};
    use turnpike_model::{ServiceApi, ServiceTarget};
    use turnpike_testkit::moto::Moto;

    use super::*;

    fn dynamodb(action: &str, template: &str) -> Integration {
        let mut aws = Integration::new(IntegrationType::Aws);
        aws.uri = Some(format!(
            "arn:aws:apigateway:us-east-1:dynamodb:action/{action}"
        ));
        aws.http_method = Some(turnpike_model::HttpMethod::Post);
        aws.service_target = Some(ServiceTarget {
            region: "us-east-1".into(),
            service: "dynamodb".into(),
            subdomain: None,
            api: ServiceApi::Action(action.into()),
        });
        aws.request_templates
            .insert("\\$default".into(), template.to_owned());
        aws.responses
            .push(integration_response("default", 200, &[], &[]));
        aws
    }

    fn scan(moto: &Moto) -> Value {
        moto.boto3(
            "items = ddb.scan(TableName='conns')['Items']\n\
             print(json.dumps(sorted(items, key=lambda i: i['id']['S'])))",
        )
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn connect_and_disconnect_keep_connections_in_dynamodb() {
        // moto checks no signature; the gateway signs with the standard chain's credentials.
        if std::env::var_os("AWS_ACCESS_KEY_ID").is_none() {
            std::env::set_var("AWS_ACCESS_KEY_ID", "testing");
            std::env::set_var("AWS_SECRET_ACCESS_KEY", "testing");
        }
        let moto = Moto::start();
        moto.boto3(
            "ddb.create_table(TableName='conns', KeySchema=[{'AttributeName': 'id', 'KeyType': 'HASH'}], \
             AttributeDefinitions=[{'AttributeName': 'id', 'AttributeType': 'S'}], BillingMode='PAY_PER_REQUEST')\n\
             print(json.dumps('ok'))",
        );
        let api = ws_api(
            "Serverless chat",
            vec![
                ws_route(
                    "$connect",
                    dynamodb(
                        "PutItem",
                        r#"{"TableName": "conns", "Item": {"id": {"S": "$context.connectionId"}, "room": {"S": "$input.params('room')"}, "event": {"S": "$context.eventType $context.routeKey"}, "at": {"N": "$context.connectedAt"}}}"#,
                    ),
                    false,
                ),
                ws_route(
                    "$disconnect",
                    dynamodb(
                        "DeleteItem",
                        r#"{"TableName": "conns", "Key": {"id": {"S": "$context.connectionId"}}}"#,
                    ),
                    false,
                ),
                ws_route(
                    "rename",
                    dynamodb(
                        "UpdateItem",
                        r#"{"TableName": "conns", "Key": {"id": {"S": "$context.connectionId"}}, "UpdateExpression": "SET nick = :n", "ExpressionAttributeValues": {":n": {"S": $input.json('$.nick')}}, "ReturnValues": "ALL_NEW"}"#,
                    ),
                    true,
                ),
            ],
        );
        let mut config = GatewayConfig::new("127.0.0.1:0".parse().unwrap());
        config.aws_endpoint_url = Some(moto.url.clone());
        let gateway = serve(vec![api], config).await;
        let mut socket = connect(gateway.addr, "/prod?room=blue").await.unwrap();
        let connection_id = connection_id(&mut socket).await;
        let stored = scan(&moto);
        let at = stored[0]["at"]["N"].as_str().unwrap().to_owned();
        assert!(at.parse::<u64>().is_ok(), "{at}");
        assert_eq!(
            stored,
            json!([{
                "id": {"S": connection_id},
                "room": {"S": "blue"},
                "event": {"S": "CONNECT $connect"},
                "at": {"N": at},
            }])
        );
        // A two-way route answers with what DynamoDB answered.
        socket
            .send(Message::text(
                r#"{"action":"rename","nick":"Ada \"the first\""}"#,
            ))
            .await
            .unwrap();
        let answer: Value = serde_json::from_str(&next_text(&mut socket).await).unwrap();
        assert_eq!(
            answer["Attributes"]["nick"],
            json!({"S": "Ada \"the first\""})
        );
        assert_eq!(answer["Attributes"]["id"], json!({"S": connection_id}));
        socket.close(None).await.unwrap();
        let mut left = scan(&moto);
        for _ in 0..100 {
            if left == json!([]) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
            left = scan(&moto);
        }
        assert_eq!(left, json!([]));
    }
}

/// CloudWatch's WebSocket metrics on the metrics listener, and the access-log line of an event.
mod observability {
    use super::*;
    use crate::websocket::connection::Session;
    use crate::websocket::context::WsContext;

    #[tokio::test]
    async fn websocket_metrics_are_exported_per_api_and_stage() {
        let mut no_function = Integration::new(IntegrationType::AwsProxy);
        no_function.uri = Some(
            "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/\
             arn:aws:lambda:us-east-1:123456789012:function:Missing/invocations"
                .into(),
        );
        let api = ws_api(
            "Metered",
            vec![
                ws_route("$connect", mock(200, ""), false),
                ws_route("echo", mock(200, "echo"), true),
                ws_route("fails", mock(500, "bad"), true),
                ws_route("broken", no_function, true),
            ],
        );
        let api_id = api.id.clone();
        let mut config = GatewayConfig::new("127.0.0.1:0".parse().unwrap());
        config.metrics_listen = Some("127.0.0.1:0".parse().unwrap());
        let gateway = serve(vec![api], config).await;
        let mut socket = connect(gateway.addr, "/prod").await.unwrap();
        for (message, expected) in [
            (r#"{"action":"echo"}"#, "echo"),
            // The integration's 500: IntegrationError; its answer still goes back.
            (r#"{"action":"fails"}"#, "bad"),
        ] {
            socket.send(Message::text(message)).await.unwrap();
            assert_eq!(next_text(&mut socket).await, expected);
        }
        // No function to call: ExecutionError.
        socket
            .send(Message::text(r#"{"action":"broken"}"#))
            .await
            .unwrap();
        let frame = next_text(&mut socket).await;
        assert!(
            frame.starts_with("{\"message\": \"Internal server error\""),
            "{frame}"
        );
        // No route: ClientError.
        let connection_id = connection_id(&mut socket).await;
        assert_eq!(connection_id.len(), 16);

        let metrics = gateway.metrics.unwrap();
        let scrape = send(
            &client(),
            Request::get(format!("http://{metrics}/metrics"))
                .body(full(""))
                .unwrap(),
        )
        .await;
        assert_eq!(scrape.status, 200);
        let series = |name: &str, value: u64| {
            format!(
                "# HELP {name} {}\n# TYPE {name} counter\n{name}{{api_id=\"{api_id}\",api_name=\"Metered\",stage=\"prod\"}} {value}\n",
                crate::websocket::metrics::FAMILIES
                    .iter()
                    .find(|(n, _, _)| *n == name)
                    .unwrap()
                    .1
            )
        };
        let websocket = [
            series("turnpike_websocket_connect_count_total", 1),
            // Four messages in, four answers out.
            series("turnpike_websocket_message_count_total", 8),
            series("turnpike_websocket_integration_error_total", 1),
            series("turnpike_websocket_client_error_total", 1),
            series("turnpike_websocket_execution_error_total", 1),
        ]
        .concat();
        let expected = format!(
            "# HELP turnpike_cache_hit_count_total Requests served from the stage's response cache (API Gateway CacheHitCount).\n\
             # TYPE turnpike_cache_hit_count_total counter\n\
             # HELP turnpike_cache_miss_count_total Requests to a cached method served from the integration (API Gateway CacheMissCount).\n\
             # TYPE turnpike_cache_miss_count_total counter\n\
             {websocket}"
        );
        assert_eq!(scrape.body, expected);
        assert!(websocket.contains(
            "# HELP turnpike_websocket_connect_count_total Calls of the $connect route's integration (API Gateway ConnectCount).\n"
        ));
    }

    #[tokio::test]
    async fn each_message_has_an_access_log_line_in_the_stage_format() {
        let mut deployment = Deployment::new(Vec::new(), vec![Stage::new("prod")]);
        deployment.websocket_apis = vec![Arc::new(chat_api())];
        let gateway = Gateway::bind(
            GatewayConfig::new("127.0.0.1:0".parse().unwrap()),
            deployment,
        )
        .await
        .unwrap();
        let shared = gateway.shared().unwrap();
        let api = shared.snapshot.load().websocket_apis[0].clone();
        let session = Session {
            stage: api.stages[0].clone(),
            api,
            connection_id: "L0gL1neC0nnId0=".into(),
            connected_at_ms: 1_795_000_000_000,
            domain_name: "chat.example:8080".into(),
            source_ip: "10.1.2.3".into(),
            user_agent: Some("ws-test/3.0".into()),
            authorizer: None,
            authorizer_context: None,
            client: crate::context::ClientConnection {
                peer: "10.1.2.3:40000".parse().unwrap(),
                local: "127.0.0.1:8080".parse().unwrap(),
                tls: false,
            },
            path: "/prod".into(),
        };
        let ids = crate::websocket::event::EventIds::now();
        let kind = crate::websocket::event::EventKind::Message {
            body: b"{}",
            binary: false,
            message_id: "M3ss4geId000000=",
        };
        let ws = WsContext::new(&session, "echo", &kind, &ids);
        let ctx = crate::websocket::connection::event_context(&session, ws, 200, 7);
        let format = AccessLog::parse(
            "$context.eventType $context.routeKey $context.connectionId $context.messageId \
             $context.requestId $context.status $context.identity.sourceIp $context.stage \
             $context.connectedAt $context.domainName $context.identity.userAgent",
        )
        .unwrap();
        assert_eq!(
            format.line(&ctx).unwrap(),
            format!(
                "MESSAGE echo L0gL1neC0nnId0= M3ss4geId000000= {} 200 10.1.2.3 prod \
                 1795000000000 chat.example:8080 ws-test/3.0\n",
                ids.request_id
            )
        );
        let kind = crate::websocket::event::EventKind::Disconnect {
            status: 1001,
            reason: "Going away",
        };
        let ws = WsContext::new(&session, "$disconnect", &kind, &ids);
        let ctx = crate::websocket::connection::event_context(&session, ws, 200, 3);
        let format = AccessLog::parse(
            "$context.eventType $context.routeKey $context.messageId $context.extendedRequestId",
        )
        .unwrap();
        assert_eq!(
            format.line(&ctx).unwrap(),
            format!("DISCONNECT $disconnect - {}\n", ids.request_id)
        );
    }
}

/// A gateway with an embedded state (token buckets live there) serving `apis`.
async fn start_with_state(
    apis: Vec<WebSocketApi>,
    name: &str,
) -> (Running, turnpike_state::test_support::TempDir) {
    use turnpike_state::{EmbeddedConfig, State};
    let dir = turnpike_state::test_support::TempDir::new(name);
    let state = State::embedded(&EmbeddedConfig::new(dir.path())).unwrap();
    let mut config = GatewayConfig::new("127.0.0.1:0".parse().unwrap());
    config.state = Some(state);
    (serve(apis, config).await, dir)
}

/// `{"message": "...", "connectionId":"ID", ...}` → its connection id.
fn frame_connection_id(frame: &str) -> String {
    frame
        .split("\"connectionId\":\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| panic!("{frame}"))
        .to_owned()
}

#[tokio::test]
async fn stage_throttling_refuses_handshakes_and_messages_over_their_route_limits() {
    use turnpike_model::{RouteThrottle, StageThrottle};
    let mut api = ws_api(
        "Throttled",
        vec![
            ws_route("$connect", mock(200, ""), false),
            ws_route("send", mock(200, "sent"), true),
            ws_route("$default", mock(200, "default answer"), true),
        ],
    );
    // No refill: a burst of 2 handshakes and 2 `send` messages, shared by every client.
    let none = RouteThrottle {
        rate_limit: Some(0.0),
        burst_limit: Some(2),
    };
    let throttle = StageThrottle {
        default: RouteThrottle::default(),
        routes: BTreeMap::from([("$connect".to_owned(), none), ("send".to_owned(), none)]),
    };
    api.stage_throttles.insert("prod".into(), throttle);
    let (gateway, _dir) = start_with_state(vec![api], "ws-throttle").await;

    let mut first = connect(gateway.addr, "/prod").await.unwrap();
    let mut second = connect(gateway.addr, "/prod").await.unwrap();
    match connect(gateway.addr, "/prod").await {
        Err(WsError::Http(response)) => {
            assert_eq!(response.status().as_u16(), 429);
            assert_eq!(
                response.body().as_deref(),
                Some(&br#"{"message":"Too Many Requests"}"#[..])
            );
        }
        other => panic!("expected a refusal, got {:?}", other.map(|_| ())),
    }

    let send_message = Message::text(r#"{"action":"send"}"#);
    first.send(send_message.clone()).await.unwrap();
    assert_eq!(next_text(&mut first).await, "sent");
    second.send(send_message.clone()).await.unwrap();
    assert_eq!(next_text(&mut second).await, "sent");
    // The route's bucket is empty for every connection; other routes are not throttled.
    for socket in [&mut first, &mut second] {
        socket.send(send_message.clone()).await.unwrap();
        let frame = next_text(socket).await;
        let id = frame_connection_id(&frame);
        assert_eq!(id.len(), 16, "{frame}");
        assert_eq!(error_frame(&frame, &id).0, "Too Many Requests");
        socket.send(Message::text("hello")).await.unwrap();
        assert_eq!(next_text(socket).await, "default answer");
    }
}

#[tokio::test]
async fn without_stage_limits_messages_are_not_throttled() {
    let api = ws_api(
        "Unthrottled",
        vec![
            ws_route("$connect", mock(200, ""), false),
            ws_route("send", mock(200, "sent"), true),
        ],
    );
    let (gateway, _dir) = start_with_state(vec![api], "ws-unthrottled").await;
    let mut socket = connect(gateway.addr, "/prod").await.unwrap();
    for _ in 0..20 {
        socket
            .send(Message::text(r#"{"action":"send"}"#))
            .await
            .unwrap();
        assert_eq!(next_text(&mut socket).await, "sent");
    }
}

/// A post of 100 KB numbered `n`.
fn numbered(n: usize) -> String {
    format!("{n:06}{}", "m".repeat(100 * 1024))
}

/// Posts numbered messages to `url` while `socket`'s client does not read (its TCP buffers fill
/// first, then the connection's queue) until one is refused, which must be 429
/// `LimitExceededException` without a body; then the client reads: every accepted message
/// arrives, in order.
async fn fill_and_drain(http: &crate::tests::TestClient, url: &str, socket: &mut Client) {
    let mut posted = 0;
    let refused = loop {
        assert!(posted < 2_000, "no 429 after {posted} posts");
        let answer = send(
            http,
            Request::post(url).body(full(numbered(posted))).unwrap(),
        )
        .await;
        if answer.status != 200 {
            break answer;
        }
        posted += 1;
    };
    assert_eq!(refused.status, 429);
    assert_eq!(
        refused.header("x-amzn-errortype"),
        Some("LimitExceededException")
    );
    assert_eq!(refused.body, "");
    assert!(posted > turnpike_state::OUTBOUND_CAPACITY, "{posted}");
    for n in 0..posted {
        match next_message(socket).await {
            Message::Text(text) => assert_eq!(text.as_str(), numbered(n), "message {n}"),
            other => panic!("expected text, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn posts_to_a_client_that_does_not_read_get_429_once_its_buffer_is_full() {
    let api = ws_api("Slow", vec![ws_route("echo", mock(200, "x"), true)]);
    let gateway = start(vec![api]).await;
    let mut socket = connect(gateway.addr, "/prod").await.unwrap();
    let id = connection_id(&mut socket).await;
    let url = gateway.url(&format!("/prod/@connections/{id}"));
    let http = client();
    fill_and_drain(&http, &url, &mut socket).await;
    let again = send(&http, Request::post(&url).body(full("again")).unwrap()).await;
    assert_eq!((again.status, again.body.as_str()), (200, ""));
    assert_eq!(next_text(&mut socket).await, "again");
}

/// Two gateways on one Redis: their token buckets and their connections are shared.
mod on_redis {
    use super::*;
    use turnpike_model::{RouteThrottle, StageThrottle};
    use turnpike_state::test_support::RedisServer;
    use turnpike_state::{RedisConfig, State};

    async fn node(redis: &RedisServer, api: WebSocketApi) -> Running {
        let mut config = RedisConfig::new(redis.url());
        // Generous: a loaded test machine must not turn a slow answer into a failure.
        config.op_timeout = Duration::from_secs(5);
        let mut gateway = GatewayConfig::new("127.0.0.1:0".parse().unwrap());
        gateway.state = Some(State::redis(&config).await.unwrap());
        serve(vec![api], gateway).await
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn buckets_and_full_buffers_are_seen_from_every_node() {
        let redis = RedisServer::start();
        let mut api = ws_api(
            "Shared",
            vec![
                ws_route("$connect", mock(200, ""), false),
                ws_route("echo", mock(200, "x"), true),
            ],
        );
        let one = RouteThrottle {
            rate_limit: Some(0.0),
            burst_limit: Some(1),
        };
        let throttle = StageThrottle {
            default: RouteThrottle::default(),
            routes: BTreeMap::from([("$connect".to_owned(), one)]),
        };
        api.stage_throttles.insert("prod".into(), throttle);
        let a = node(&redis, api.clone()).await;
        let b = node(&redis, api).await;

        // One handshake in all: A takes it, B finds the shared bucket empty.
        let mut socket = connect(a.addr, "/prod").await.unwrap();
        match connect(b.addr, "/prod").await {
            Err(WsError::Http(response)) => {
                assert_eq!(response.status().as_u16(), 429);
                assert_eq!(
                    response.body().as_deref(),
                    Some(&br#"{"message":"Too Many Requests"}"#[..])
                );
            }
            other => panic!("expected a refusal, got {:?}", other.map(|_| ())),
        }

        // Posts through B to A's client, which does not read, until its buffer is full.
        let id = connection_id(&mut socket).await;
        let url = b.url(&format!("/prod/@connections/{id}"));
        let http = client();
        fill_and_drain(&http, &url, &mut socket).await;
        let again = send(&http, Request::post(&url).body(full("again")).unwrap()).await;
        assert_eq!((again.status, again.body.as_str()), (200, ""));
        assert_eq!(next_text(&mut socket).await, "again");
    }
}
