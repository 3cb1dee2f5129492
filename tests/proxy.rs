//! HTTP_PROXY integrations end to end against a real upstream: URI substitution (`{param}`,
//! `${stageVariables.x}`), requestParameters, X-Forwarded-For, hop-by-hop headers both ways,
//! streaming both ways, keep-alive reuse, back end down, timeouts.

use crate::support;

use std::time::{Duration, Instant};

use bytes::Bytes;
use support::client::{channel, next_chunk};
use support::fixture::serve_document;
use support::{Conn, Req, Turnpike, Upstream};

const REST: &str = r#"
openapi: 3.0.1
info: { title: Proxy REST, version: "1" }
paths:
  /items/{id}:
    parameters:
      - { name: id, in: path, required: true, schema: { type: string } }
    x-amazon-apigateway-any-method:
      x-amazon-apigateway-integration:
        type: http_proxy
        httpMethod: ANY
        uri: "http://UPSTREAM/echo/${stageVariables.tenant}/items/{id}"
        requestParameters:
          integration.request.path.id: method.request.path.id
          integration.request.header.X-Tenant: stageVariables.tenant
          integration.request.header.X-Literal: "'fixed value'"
          integration.request.header.X-From-Query: method.request.querystring.token
          integration.request.header.X-From-Header: method.request.header.X-In
          integration.request.querystring.src: "'turnpike'"
  /any/{proxy+}:
    x-amazon-apigateway-any-method:
      x-amazon-apigateway-integration:
        type: http_proxy
        httpMethod: ANY
        uri: "http://UPSTREAM/{proxy}"
        requestParameters: { integration.request.path.proxy: method.request.path.proxy }
  /as-post:
    get:
      x-amazon-apigateway-integration: { type: http_proxy, httpMethod: POST, uri: "http://UPSTREAM/echo/as-post" }
  /slow:
    get:
      x-amazon-apigateway-integration: { type: http_proxy, httpMethod: GET, uri: "http://UPSTREAM/slow/3000", timeoutInMillis: 300 }
  /down:
    get:
      x-amazon-apigateway-integration: { type: http_proxy, httpMethod: GET, uri: "http://127.0.0.1:CLOSED/" }
"#;

const HTTP: &str = r#"
openapi: 3.0.1
info: { title: Proxy HTTP, version: "1" }
x-amazon-apigateway-importexport-version: "1.0"
paths:
  /items/{id}:
    get:
      x-amazon-apigateway-integration: { type: http_proxy, httpMethod: GET, uri: "http://UPSTREAM/echo/${stageVariables.tenant}/items/{id}", payloadFormatVersion: "1.0" }
  /slow:
    get:
      x-amazon-apigateway-integration: { type: http_proxy, httpMethod: GET, uri: "http://UPSTREAM/slow/3000", payloadFormatVersion: "1.0", timeoutInMillis: 300 }
  /down:
    get:
      x-amazon-apigateway-integration: { type: http_proxy, httpMethod: GET, uri: "http://127.0.0.1:CLOSED/", payloadFormatVersion: "1.0" }
"#;

fn serve(template: &str, up: &Upstream, extra: &[&str]) -> (support::TempDir, Turnpike) {
    let text = up
        .fill(template)
        .replace("CLOSED", &support::upstream::closed_port().to_string());
    serve_document("api.yaml", &text, extra)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uri_substitution_query_method_and_body() {
    let up = Upstream::start().await;
    let (_dir, tp) = serve(REST, &up, &["--stage-var", "tenant=acme"]);

    let reply = Req::new("PUT", "/dev/items/42?token=t0k&x=1")
        .json(r#"{"name":"rex"}"#)
        .send(tp.addr)
        .await;
    let echo = reply.echo();
    assert_eq!(echo.method(), "PUT");
    assert_eq!(echo.path(), "/echo/acme/items/42");
    let mut query: Vec<&str> = echo.query().unwrap_or_default().split('&').collect();
    query.sort();
    assert_eq!(query, ["src=turnpike", "token=t0k", "x=1"]);
    assert_eq!(echo.body(), r#"{"name":"rex"}"#);
    assert_eq!(
        echo.header("content-type").as_deref(),
        Some("application/json")
    );
    // The integration's httpMethod replaces the client's.
    let echo = Req::get("/dev/as-post").send(tp.addr).await.echo();
    assert_eq!(echo.method(), "POST");
    assert_eq!(echo.path(), "/echo/as-post");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_parameters_map_headers_and_query() {
    let up = Upstream::start().await;
    let (_dir, tp) = serve(REST, &up, &["--stage-var", "tenant=acme"]);

    let echo = Req::get("/dev/items/7?token=abc")
        .header("x-in", "from-client")
        .send(tp.addr)
        .await
        .echo();
    assert_eq!(echo.header("x-tenant").as_deref(), Some("acme"));
    assert_eq!(echo.header("x-literal").as_deref(), Some("fixed value"));
    assert_eq!(echo.header("x-from-query").as_deref(), Some("abc"));
    assert_eq!(echo.header("x-from-header").as_deref(), Some("from-client"));
    // The client's own headers still reach the back end in a proxy integration.
    assert_eq!(echo.header("x-in").as_deref(), Some("from-client"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forwarded_for_and_host() {
    let up = Upstream::start().await;
    let (_dir, tp) = serve(REST, &up, &["--stage-var", "tenant=t"]);

    let echo = Req::get("/dev/any/echo/a").send(tp.addr).await.echo();
    assert_eq!(echo.path(), "/echo/a");
    assert_eq!(echo.header("x-forwarded-for").as_deref(), Some("127.0.0.1"));
    assert_eq!(echo.header("host"), Some(up.addr.to_string()));

    let echo = Req::get("/dev/any/echo/b")
        .header("x-forwarded-for", "203.0.113.9")
        .send(tp.addr)
        .await
        .echo();
    assert_eq!(
        echo.header("x-forwarded-for").as_deref(),
        Some("203.0.113.9, 127.0.0.1")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hop_by_hop_headers_are_dropped_both_ways() {
    let up = Upstream::start().await;
    let (_dir, tp) = serve(REST, &up, &["--stage-var", "tenant=t"]);

    let echo = Req::get("/dev/any/echo/hop")
        .header("connection", "x-client-hop")
        .header("x-client-hop", "secret")
        .header("keep-alive", "timeout=5")
        .header("proxy-connection", "keep-alive")
        .header("te", "trailers")
        .header("x-end-to-end", "kept")
        .send(tp.addr)
        .await
        .echo();
    for dropped in ["x-client-hop", "keep-alive", "proxy-connection", "te"] {
        assert_eq!(
            echo.headers(dropped),
            Vec::<String>::new(),
            "{dropped} reached the back end"
        );
    }
    for value in echo.headers("connection") {
        assert!(!value.contains("x-client-hop"), "connection: {value}");
    }
    assert_eq!(echo.header("x-end-to-end").as_deref(), Some("kept"));

    let reply = Req::get("/dev/any/hop").send(tp.addr).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.text(), "hop");
    for dropped in ["x-hop-secret", "keep-alive", "proxy-connection"] {
        assert_eq!(
            reply.header(dropped),
            None,
            "{dropped} reached the client: {reply:?}"
        );
    }
    assert_eq!(reply.header("x-end"), Some("kept"));
    assert_eq!(reply.headers_all("set-cookie"), ["a=1", "b=2"]);
    support::assert_request_id(&reply);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_codes_and_bodies_pass_through() {
    let up = Upstream::start().await;
    let (_dir, tp) = serve(REST, &up, &["--stage-var", "tenant=t"]);

    for code in [201u16, 302, 404, 418, 500, 503] {
        let reply = Req::get(&format!("/dev/any/status/{code}"))
            .send(tp.addr)
            .await;
        assert_eq!(reply.status, code);
        assert_eq!(reply.text(), format!("status {code}"));
        assert_eq!(
            reply.header("x-upstream-status"),
            Some(code.to_string().as_str())
        );
        assert_eq!(
            reply.header(support::ERROR_TYPE),
            None,
            "a back end's error is not ours"
        );
    }
    let size = 3 * 1024 * 1024 + 7;
    let reply = Req::get(&format!("/dev/any/big/{size}"))
        .send(tp.addr)
        .await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body.len(), size);
    assert!(reply.body.iter().all(|b| *b == b'x'));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn response_streams_chunk_by_chunk() {
    let up = Upstream::start().await;
    let (_dir, tp) = serve(REST, &up, &["--stage-var", "tenant=t"]);

    let mut conn = Conn::http1(tp.addr).await;
    let response = conn.open(Req::get("/dev/any/stream/gated")).await;
    assert_eq!(response.status(), 200);
    let mut body = response.into_body();
    // The upstream holds its second chunk until released: the first must arrive on its own.
    let first = tokio::time::timeout(Duration::from_secs(5), next_chunk(&mut body))
        .await
        .expect("first chunk was buffered instead of streamed");
    assert_eq!(first.as_deref(), Some(&b"first\n"[..]));
    up.release();
    let mut rest = Vec::new();
    while let Some(chunk) = next_chunk(&mut body).await {
        rest.extend_from_slice(&chunk);
    }
    assert_eq!(rest, b"second\n");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_body_streams_to_the_back_end() {
    let up = Upstream::start().await;
    let (_dir, tp) = serve(REST, &up, &["--stage-var", "tenant=t"]);

    let (tx, body) = channel();
    let mut conn = Conn::http1(tp.addr).await;
    let request = Req::new("POST", "/dev/any/upload").stream(body);
    let pending = tokio::spawn(async move { conn.send(request).await });
    tx.send(Bytes::from_static(b"one")).await.unwrap();
    // The back end sees the first chunk while the client still holds the second.
    let event = up.wait_event("first chunk: ").await;
    assert_eq!(event.as_deref(), Some("first chunk: one"));
    tx.send(Bytes::from_static(b"two")).await.unwrap();
    drop(tx);
    let reply = pending.await.unwrap();
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.json()["body"], "onetwo");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upstream_connections_are_kept_alive_and_reused() {
    let up = Upstream::start().await;
    // Each worker thread keeps its own pool (as each nginx worker does); with one worker every
    // request must find the same upstream connection.
    let (_dir, tp) = serve(REST, &up, &["--stage-var", "tenant=t", "--workers", "1"]);

    let mut connections = Vec::new();
    for i in 0..5 {
        // A new client connection each time: reuse must be on the upstream side.
        let echo = Req::get(&format!("/dev/any/echo/{i}"))
            .send(tp.addr)
            .await
            .echo();
        connections.push(echo.connection());
    }
    assert_eq!(connections, [1, 1, 1, 1, 1]);
    assert_eq!(up.connections(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rest_timeout_is_504_endpoint_request_timed_out() {
    let up = Upstream::start().await;
    let (_dir, tp) = serve(REST, &up, &["--stage-var", "tenant=t"]);

    let started = Instant::now();
    let reply = Req::get("/dev/slow").send(tp.addr).await;
    let elapsed = started.elapsed();
    assert_eq!(reply.status, 504);
    assert_eq!(reply.text(), r#"{"message": "Endpoint request timed out"}"#);
    support::assert_request_id(&reply);
    assert!(
        elapsed >= Duration::from_millis(300) && elapsed < Duration::from_millis(2500),
        "timeoutInMillis 300 answered after {elapsed:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_api_timeout_is_503() {
    let up = Upstream::start().await;
    let (_dir, tp) = serve(HTTP, &up, &["--stage-var", "tenant=t"]);

    let started = Instant::now();
    let reply = Req::get("/slow").send(tp.addr).await;
    assert_eq!(reply.status, 503);
    assert_eq!(reply.text(), r#"{"message":"Service Unavailable"}"#);
    assert!(started.elapsed() < Duration::from_millis(2500));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_api_substitution() {
    let up = Upstream::start().await;
    let (_dir, tp) = serve(HTTP, &up, &["--stage-var", "tenant=beta"]);

    let echo = Req::get("/items/9?a=1").send(tp.addr).await.echo();
    assert_eq!(echo.path(), "/echo/beta/items/9");
    assert_eq!(echo.query(), Some("a=1"));
    assert_eq!(echo.header("host"), Some(up.addr.to_string()));
}

/// HTTP APIs tell the back end about the client with RFC 7239 `Forwarded`, folding in an incoming
/// `X-Forwarded-For`, as AWS does (`for=client,for=...;by=gateway;host=...;proto=https`); `host`
/// is `$context.domainName`, the Host header without its port.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_api_forwarded_header() {
    let up = Upstream::start().await;
    let (_dir, tp) = serve(HTTP, &up, &["--stage-var", "tenant=beta"]);

    let echo = Req::get("/items/1").send(tp.addr).await.echo();
    let forwarded = echo.header("forwarded").unwrap_or_default();
    assert_eq!(
        forwarded,
        "by=127.0.0.1;for=127.0.0.1;host=127.0.0.1;proto=http"
    );

    let echo = Req::get("/items/2")
        .header("x-forwarded-for", "203.0.113.9")
        .send(tp.addr)
        .await
        .echo();
    assert_eq!(
        echo.header("forwarded").unwrap_or_default(),
        "for=203.0.113.9, by=127.0.0.1;for=127.0.0.1;host=127.0.0.1;proto=http"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn back_end_down_is_a_server_error_and_the_gateway_keeps_serving() {
    let up = Upstream::start().await;
    let (_dir, tp) = serve(REST, &up, &["--stage-var", "tenant=t"]);
    let reply = Req::get("/dev/down").send(tp.addr).await;
    assert_eq!(reply.status, 500, "{reply:?}");
    assert_eq!(reply.text(), r#"{"message": "Internal server error"}"#);
    support::assert_request_id(&reply);
    assert_eq!(Req::get("/dev/any/echo/x").send(tp.addr).await.status, 200);

    let (_dir2, http) = serve(HTTP, &up, &["--stage-var", "tenant=t"]);
    let reply = Req::get("/down").send(http.addr).await;
    assert_eq!(reply.status, 500, "{reply:?}");
    assert_eq!(reply.text(), r#"{"message":"Internal Server Error"}"#);
}
