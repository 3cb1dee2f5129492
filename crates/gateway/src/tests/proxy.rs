//! HTTP_PROXY and HTTP integrations against a real upstream.

use std::time::Duration;

use http::Request;
use http_body_util::BodyExt;
use turnpike_model::{ApiKind, IntegrationType};

use super::*;
use crate::test_support::{api, integration, integration_response, proxy_route, route};

fn rest_proxy_api(up: SocketAddr) -> Api {
    let mut slow = proxy_route("GET", "/slow", &format!("http://{up}/slow/2000"));
    slow.integration.timeout = Duration::from_millis(200);
    api(
        "Proxy",
        ApiKind::Rest,
        vec![
            proxy_route(
                "ANY",
                "/pets/{petId}",
                &format!("http://{up}/backend/pets/{{petId}}"),
            ),
            proxy_route("ANY", "/{proxy+}", &format!("http://{up}/{{proxy}}")),
            proxy_route("GET", "/sv", "http://${stageVariables.backend}/from-stage"),
            slow,
        ],
    )
}

#[tokio::test]
async fn rest_proxy_forwards_path_query_headers_and_body() {
    let up = upstream().await;
    let gw = start(
        vec![rest_proxy_api(up.addr)],
        &[stage("dev", &[])],
        Limits::default(),
    )
    .await;
    let request = Request::post(gw.url("/dev/pets/a%20b?x=1&y=2"))
        .header("content-type", "text/plain")
        .header("x-forwarded-for", "203.0.113.9")
        .header("user-agent", "test-agent")
        .header("connection", "keep-alive")
        .body(full("hello"))
        .unwrap();
    let answer = send(&client(), request).await;
    assert_eq!(answer.status, 200);
    let echo = answer.json();
    assert_eq!(echo["method"], "POST");
    assert_eq!(echo["path"], "/backend/pets/a%20b");
    assert_eq!(echo["query"], "x=1&y=2");
    assert_eq!(echo["body"], "hello");
    let headers = &echo["headers"];
    assert_eq!(headers["host"], up.addr.to_string());
    assert_eq!(headers["x-forwarded-for"], "203.0.113.9, 127.0.0.1");
    assert_eq!(headers["x-forwarded-proto"], "http");
    assert_eq!(headers["x-forwarded-port"], gw.addr.port().to_string());
    assert_eq!(
        headers["x-amzn-apigateway-api-id"],
        turnpike_model::api_id_from_title("Proxy")
    );
    assert_eq!(headers["user-agent"], "test-agent");
    assert_eq!(headers["content-type"], "text/plain");
    assert!(headers["x-amzn-trace-id"]
        .as_str()
        .unwrap()
        .starts_with("Root=1-"));

    assert!(crate::ids::is_uuid(
        answer.header("x-amzn-requestid").unwrap()
    ));
    assert_eq!(answer.header("x-amz-apigw-id").unwrap().len(), 16);
    assert_eq!(
        answer.header("x-amzn-remapped-server"),
        Some("upstream-test")
    );
    assert_eq!(
        answer.header("x-amzn-remapped-content-length"),
        Some(answer.body.len().to_string().as_str())
    );
    assert_eq!(
        answer.header("content-length"),
        Some(answer.body.len().to_string().as_str())
    );
    assert_eq!(answer.header("x-upstream"), Some("yes"));
    assert_eq!(answer.header("server"), None);

    let greedy = send(&client(), get(&gw.url("/dev/deep/a/b%2Fc?q"))).await;
    assert_eq!(greedy.json()["path"], "/deep/a/b%2Fc");
    assert_eq!(greedy.json()["query"], "q");
}

#[tokio::test]
async fn stage_variables_choose_the_back_end() {
    let up = upstream().await;
    let backend = up.addr.to_string();
    let gw = start(
        vec![rest_proxy_api(up.addr)],
        &[stage("dev", &[("backend", &backend)]), stage("prod", &[])],
        Limits::default(),
    )
    .await;
    let answer = send(&client(), get(&gw.url("/dev/sv"))).await;
    assert_eq!(answer.json()["path"], "/from-stage");
    // prod has no `backend` variable: the URI has no host, an invalid endpoint address.
    let answer = send(&client(), get(&gw.url("/prod/sv"))).await;
    assert_eq!(answer.status, 500);
    assert_eq!(answer.body, r#"{"message": "Internal server error"}"#);
}

#[tokio::test]
async fn http_api_proxy_decodes_parameters_and_sends_forwarded() {
    let up = upstream().await;
    let http = api(
        "Items",
        ApiKind::Http,
        vec![proxy_route(
            "GET",
            "/items/{id}",
            &format!("http://{up}/items/{{id}}", up = up.addr),
        )],
    );
    let gw = start(vec![http], &[stage("$default", &[])], Limits::default()).await;
    let answer = send(&client(), get(&gw.url("/items/a%20b%C3%A9"))).await;
    assert_eq!(answer.status, 200);
    let echo = answer.json();
    assert_eq!(echo["path"], "/items/a%20b%C3%A9");
    let forwarded = echo["headers"]["forwarded"].as_str().unwrap();
    assert_eq!(
        forwarded,
        "by=127.0.0.1;for=127.0.0.1;host=127.0.0.1;proto=http"
    );
    assert!(echo["headers"].get("x-forwarded-for").is_none());
    assert_eq!(answer.header("apigw-requestid").unwrap().len(), 16);
    assert_eq!(answer.header("x-amzn-requestid"), None);
    assert_eq!(answer.header("server"), Some("upstream-test"));
}

#[tokio::test]
async fn timeouts_answer_504_on_rest_and_503_on_http_apis() {
    let up = upstream().await;
    let mut slow = proxy_route("GET", "/slow", &format!("http://{}/slow/2000", up.addr));
    slow.integration.timeout = Duration::from_millis(200);
    let http = api("Slow HTTP", ApiKind::Http, vec![slow]);
    let gw = start(
        vec![rest_proxy_api(up.addr), http],
        &[stage("dev", &[]), stage("$default", &[])],
        Limits::default(),
    )
    .await;
    let answer = send(&client(), get(&gw.url("/dev/slow"))).await;
    assert_eq!(answer.status, 504);
    assert_eq!(answer.body, r#"{"message": "Endpoint request timed out"}"#);
    assert_eq!(
        answer.header("x-amzn-errortype"),
        Some("InternalServerErrorException")
    );
    assert_eq!(answer.header("content-type"), Some("application/json"));

    let answer = send(&client(), get(&gw.url("/slow"))).await;
    assert_eq!(answer.status, 503);
    assert_eq!(answer.body, r#"{"message":"Service Unavailable"}"#);
    assert!(answer.header("apigw-requestid").is_some());
}

#[tokio::test]
async fn an_unreachable_back_end_is_a_500() {
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap()
    };
    let uri = format!("http://{closed}/x");
    let rest = api("Down", ApiKind::Rest, vec![proxy_route("GET", "/x", &uri)]);
    let http = api(
        "Down HTTP",
        ApiKind::Http,
        vec![proxy_route("GET", "/y", &uri)],
    );
    let gw = start(
        vec![rest, http],
        &[stage("dev", &[]), stage("$default", &[])],
        Limits::default(),
    )
    .await;
    let answer = send(&client(), get(&gw.url("/dev/x"))).await;
    assert_eq!(answer.status, 500);
    assert_eq!(answer.body, r#"{"message": "Internal server error"}"#);
    assert_eq!(
        answer.header("x-amzn-errortype"),
        Some("InternalServerErrorException")
    );
    let answer = send(&client(), get(&gw.url("/y"))).await;
    assert_eq!(answer.status, 500);
    assert_eq!(answer.body, r#"{"message":"Internal Server Error"}"#);
}

#[tokio::test]
async fn bodies_stream_both_ways() {
    let up = upstream().await;
    let gw = start(
        vec![rest_proxy_api(up.addr)],
        &[stage("dev", &[])],
        Limits::default(),
    )
    .await;

    let request = Request::post(gw.url("/dev/upload"))
        .body(chunked(&["one,", "two,", "three"]))
        .unwrap();
    let answer = send(&client(), request).await;
    let echo = answer.json();
    assert_eq!(echo["body"], "one,two,three");
    assert_eq!(echo["headers"]["transfer-encoding"], "chunked");

    // The first chunk arrives while the upstream still holds the second.
    let response = client().request(get(&gw.url("/dev/stream"))).await.unwrap();
    assert_eq!(response.status(), 200);
    let mut body = response.into_body();
    let first = tokio::time::timeout(Duration::from_secs(5), body.frame())
        .await
        .expect("the first chunk is streamed before the body ends")
        .unwrap()
        .unwrap();
    assert_eq!(first.into_data().unwrap(), "first;");
    up.release.notify_one();
    let rest = body.collect().await.unwrap().to_bytes();
    assert_eq!(&rest[..], b"second");
}

#[tokio::test]
async fn bodies_over_the_limit_are_refused() {
    let up = upstream().await;
    let limits = Limits {
        max_body_bytes: 16,
        ..Limits::default()
    };
    let gw = start(vec![rest_proxy_api(up.addr)], &[stage("dev", &[])], limits).await;
    let declared = Request::post(gw.url("/dev/upload"))
        .body(full("x".repeat(17)))
        .unwrap();
    let answer = send(&client(), declared).await;
    assert_eq!(answer.status, 413);
    assert_eq!(answer.body, r#"{"message":"Request Too Long"}"#);
    assert_eq!(
        answer.header("x-amzn-errortype"),
        Some("RequestTooLargeException")
    );

    let streamed = Request::post(gw.url("/dev/upload"))
        .body(chunked(&["0123456789", "0123456789"]))
        .unwrap();
    let answer = send(&client(), streamed).await;
    assert_eq!(answer.status, 413);

    let fits = Request::post(gw.url("/dev/upload"))
        .body(full("x".repeat(16)))
        .unwrap();
    assert_eq!(send(&client(), fits).await.status, 200);
}

#[tokio::test]
async fn http_integrations_select_responses_by_status() {
    let up = upstream().await;
    let mut http = integration(IntegrationType::Http);
    http.uri = Some(format!("http://{}/status/{{code}}", up.addr));
    http.http_method = Some(turnpike_model::HttpMethod::Get);
    http.request_parameters.insert(
        "integration.request.path.code".into(),
        "method.request.path.code".into(),
    );
    http.responses = vec![
        integration_response(
            "2\\d{2}",
            200,
            &[],
            &[(
                "application/json",
                r#"{"ok":true,"stage":"$context.stage"}"#,
            )],
        ),
        integration_response(
            "4\\d{2}",
            400,
            &[(
                "method.response.header.X-Upstream-Status",
                "integration.response.header.x-status-header",
            )],
            &[],
        ),
        integration_response("default", 500, &[], &[]),
    ];
    let mut echo = integration(IntegrationType::Http);
    echo.uri = Some(format!("http://{}/echo", up.addr));
    echo.request_parameters.insert(
        "integration.request.querystring.who".into(),
        "method.request.header.X-Who".into(),
    );
    echo.responses = vec![integration_response("default", 200, &[], &[])];
    let rest = api(
        "Http",
        ApiKind::Rest,
        vec![
            route("GET", "/status/{code}", http),
            route("POST", "/echo", echo),
        ],
    );
    let gw = start(vec![rest], &[stage("dev", &[])], Limits::default()).await;

    let answer = send(&client(), get(&gw.url("/dev/status/201"))).await;
    assert_eq!(
        (answer.status, answer.body.as_str()),
        (200, r#"{"ok":true,"stage":"dev"}"#)
    );
    assert_eq!(answer.header("content-type"), Some("application/json"));
    assert!(answer.header("x-amzn-trace-id").is_some());

    let answer = send(&client(), get(&gw.url("/dev/status/404"))).await;
    assert_eq!((answer.status, answer.body.as_str()), (400, "status 404"));
    assert_eq!(answer.header("x-upstream-status"), Some("404"));

    let answer = send(&client(), get(&gw.url("/dev/status/503"))).await;
    assert_eq!((answer.status, answer.body.as_str()), (500, "status 503"));

    // Non-proxy: only mapped parameters reach the back end, the body passes through.
    let request = Request::post(gw.url("/dev/echo?dropped=1"))
        .header("x-who", "me")
        .header("x-not-forwarded", "1")
        .header("content-type", "text/plain")
        .body(full("payload"))
        .unwrap();
    let echo = send(&client(), request).await.json();
    assert_eq!(echo["query"], "who=me");
    assert_eq!(echo["body"], "payload");
    assert_eq!(echo["headers"]["content-type"], "text/plain");
    assert_eq!(
        echo["headers"]["user-agent"],
        format!(
            "AmazonAPIGateway_{}",
            turnpike_model::api_id_from_title("Http")
        )
    );
    assert!(echo["headers"].get("x-not-forwarded").is_none());
}

#[tokio::test]
async fn static_uris_send_the_back_ends_host_unless_a_parameter_maps_one() {
    let up = upstream().await;
    let plain = proxy_route(
        "GET",
        "/plain",
        &format!("http://{up}/fixed/path", up = up.addr),
    );
    let mut mapped = proxy_route("GET", "/mapped", &format!("http://{}/fixed", up.addr));
    mapped.integration.request_parameters.insert(
        "integration.request.header.Host".into(),
        "'pets.example'".into(),
    );
    let rest = api("Static", ApiKind::Rest, vec![plain, mapped]);
    let gw = start(vec![rest], &[stage("dev", &[])], Limits::default()).await;

    for (url, query) in [("/dev/plain", ""), ("/dev/plain?a=1&b", "a=1&b")] {
        let echo = send(&client(), get(&gw.url(url))).await.json();
        assert_eq!(echo["path"], "/fixed/path", "{url}");
        assert_eq!(echo["query"], query, "{url}");
        assert_eq!(echo["headers"]["host"], up.addr.to_string(), "{url}");
    }
    let echo = send(&client(), get(&gw.url("/dev/mapped"))).await.json();
    assert_eq!(echo["path"], "/fixed");
    assert_eq!(echo["headers"]["host"], "pets.example");
}
