//! The server: MOCK routes, gateway responses, protocols, limits, reload and drain.

use std::time::Duration;

use http::Request;
use turnpike_model::{ApiKind, GatewayResponse, GatewayResponseType};

use super::*;
use crate::test_support::{api, mock_route, proxy_route};

fn pets() -> Api {
    let mut pets = api(
        "Pets",
        ApiKind::Rest,
        vec![
            mock_route("GET", "/pets", 200, r#"[{"id":1}]"#),
            mock_route(
                "POST",
                "/pets",
                201,
                r#"{"requestId":"$context.requestId","stage":"$context.stage"}"#,
            ),
        ],
    );
    pets.gateway_responses.insert(
        GatewayResponseType::MissingAuthenticationToken,
        GatewayResponse {
            status_code: Some(404),
            response_parameters: [(
                "gatewayresponse.header.Access-Control-Allow-Origin".to_string(),
                "'*'".to_string(),
            )]
            .into(),
            response_templates: [(
                "application/json".to_string(),
                r#"{"message":"no route for $context.httpMethod $context.path"}"#.to_string(),
            )]
            .into(),
        },
    );
    pets
}

#[tokio::test]
async fn mock_routes_and_gateway_responses() {
    let plain = api(
        "Plain",
        ApiKind::Rest,
        vec![mock_route("GET", "/ok", 200, "ok")],
    );
    let http = api(
        "Plain HTTP",
        ApiKind::Http,
        vec![mock_route("GET", "/h", 200, "h")],
    );
    let gw = start(
        vec![pets(), plain, http],
        &[stage("dev", &[]), stage("$default", &[])],
        Limits::default(),
    )
    .await;
    let c = client();

    let answer = send(&c, get(&gw.url("/dev/pets"))).await;
    assert_eq!(
        (answer.status, answer.body.as_str()),
        (200, r#"[{"id":1}]"#)
    );
    assert_eq!(answer.header("content-type"), Some("application/json"));

    let answer = send(
        &c,
        Request::post(gw.url("/dev/pets")).body(full("")).unwrap(),
    )
    .await;
    assert_eq!(answer.status, 201);
    let id = answer.header("x-amzn-requestid").unwrap().to_owned();
    assert_eq!(
        answer.body,
        format!(r#"{{"requestId":"{id}","stage":"dev"}}"#)
    );

    // The first API with the stage answers a miss, with its customisation.
    let answer = send(&c, get(&gw.url("/dev/nope"))).await;
    assert_eq!(answer.status, 404);
    assert_eq!(answer.body, r#"{"message":"no route for GET /dev/nope"}"#);
    assert_eq!(answer.header("access-control-allow-origin"), Some("*"));
    assert_eq!(
        answer.header("x-amzn-errortype"),
        Some("MissingAuthenticationTokenException")
    );

    // The plain REST API, selected by Host: AWS's default.
    let host = format!(
        "{}.execute-api.localhost:{}",
        turnpike_model::api_id_from_title("Plain"),
        gw.addr.port()
    );
    let request = Request::get(gw.url("/dev/nope"))
        .header("host", host.as_str())
        .body(full(""))
        .unwrap();
    let answer = send(&c, request).await;
    assert_eq!(answer.status, 403);
    assert_eq!(answer.body, r#"{"message":"Missing Authentication Token"}"#);
    let request = Request::get(gw.url("/dev/ok"))
        .header("host", host.as_str())
        .body(full(""))
        .unwrap();
    assert_eq!(send(&c, request).await.body, "ok");

    // No REST stage "nope": the HTTP API's $default answers 404.
    let answer = send(&c, get(&gw.url("/nope"))).await;
    assert_eq!(answer.status, 404);
    assert_eq!(answer.body, r#"{"message":"Not Found"}"#);
    assert!(answer.header("apigw-requestid").is_some());
    assert_eq!(send(&c, get(&gw.url("/h"))).await.body, "h");
}

#[tokio::test]
async fn http2_cleartext_is_served() {
    let gw = start(vec![pets()], &[stage("dev", &[])], Limits::default()).await;
    let request = Request::get(gw.url("/dev/pets")).body(full("")).unwrap();
    let response = h2c_client().request(request).await.unwrap();
    assert_eq!(response.version(), http::Version::HTTP_2);
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn uri_and_header_limits_answer_414_and_431() {
    let limits = Limits {
        max_uri_bytes: 64,
        max_header_bytes: 256,
        ..Limits::default()
    };
    let gw = start(vec![pets()], &[stage("dev", &[])], limits).await;
    let c = client();
    let long = format!("/dev/pets?{}", "q".repeat(60));
    let answer = send(&c, get(&gw.url(&long))).await;
    assert_eq!(answer.status, 414);
    assert_eq!(answer.body, r#"{"message":"Request-URI Too Long"}"#);

    let request = Request::get(gw.url("/dev/pets"))
        .header("x-big", "v".repeat(300))
        .body(full(""))
        .unwrap();
    let answer = send(&c, request).await;
    assert_eq!(answer.status, 431);
    assert_eq!(
        answer.body,
        r#"{"message":"Request Header Fields Too Large"}"#
    );

    // Far over the limit, hyper itself refuses the head with a clean 431 (not a reset).
    let request = Request::get(gw.url("/dev/pets"))
        .header("x-huge", "v".repeat(200 * 1024))
        .body(full(""))
        .unwrap();
    let response = c.request(request).await.unwrap();
    assert_eq!(response.status(), 431);
}

#[tokio::test]
async fn reload_swaps_the_deployment() {
    let gw = start(vec![pets()], &[stage("dev", &[])], Limits::default()).await;
    assert_eq!(send(&client(), get(&gw.url("/dev/new"))).await.status, 404);
    gw.reload.reload(Deployment::new(
        vec![Arc::new(api(
            "New",
            ApiKind::Rest,
            vec![mock_route("GET", "/new", 200, "new")],
        ))],
        vec![stage("dev", &[])],
    ));
    let answer = send(&client(), get(&gw.url("/dev/new"))).await;
    assert_eq!((answer.status, answer.body.as_str()), (200, "new"));
}

#[tokio::test]
async fn shutdown_drains_requests_in_flight() {
    let up = upstream().await;
    let slow = api(
        "Slow",
        ApiKind::Rest,
        vec![proxy_route(
            "GET",
            "/slow",
            &format!("http://{}/slow/400", up.addr),
        )],
    );
    let gw = start(vec![slow], &[stage("dev", &[])], Limits::default()).await;
    let url = gw.url("/dev/slow");
    let addr = gw.addr;
    let in_flight = tokio::spawn(async move { send(&client(), get(&url)).await });
    tokio::time::sleep(Duration::from_millis(100)).await;
    gw.stop().await.unwrap();
    let answer = in_flight.await.unwrap();
    assert_eq!((answer.status, answer.body.as_str()), (200, "slow"));
    // The listener is closed.
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}
