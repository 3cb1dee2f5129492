//! HTTP API CORS answered by the gateway: browser-style preflights that no route takes, CORS
//! headers on responses (the back end's replaced), and routes that take OPTIONS themselves.

use crate::support;

use support::fixture::serve_document;
use support::{Req, TempDir, Turnpike, Upstream};

fn api(upstream: &Upstream) -> String {
    format!(
        r#"
openapi: 3.0.1
info: {{ title: Cors pets, version: "1" }}
x-amazon-apigateway-importexport-version: "1.0"
x-amazon-apigateway-cors:
  allowOrigins: ["https://app.example.com", "http://*"]
  allowMethods: [GET, POST]
  allowHeaders: [authorization, content-type]
  exposeHeaders: [x-upstream]
  maxAge: 600
  allowCredentials: true
paths:
  /pets:
    get:
      x-amazon-apigateway-integration:
        {{ type: http_proxy, httpMethod: GET, uri: "{pets}", payloadFormatVersion: "1.0" }}
  /options-route:
    options:
      x-amazon-apigateway-integration:
        {{ type: http_proxy, httpMethod: OPTIONS, uri: "{options}", payloadFormatVersion: "1.0" }}
"#,
        pets = upstream.url("/hop"),
        options = upstream.url("/options"),
    )
}

/// Serves the CORS API in front of a new upstream.
async fn serve() -> (Upstream, TempDir, Turnpike) {
    let upstream = Upstream::start().await;
    let (dir, tp) = serve_document("cors.yaml", &api(&upstream), &[]);
    (upstream, dir, tp)
}

fn preflight(path: &str, origin: &str) -> Req {
    Req::new("OPTIONS", path)
        .header("origin", origin)
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "content-type")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_browser_preflight_is_answered_by_the_gateway() {
    let (upstream, _dir, tp) = serve().await;

    let reply = preflight("/pets", "https://app.example.com")
        .send(tp.addr)
        .await;
    assert_eq!(reply.status, 204, "{reply:?}");
    assert_eq!(reply.text(), "");
    assert_eq!(
        reply.header("access-control-allow-origin"),
        Some("https://app.example.com")
    );
    assert_eq!(
        reply.header("access-control-allow-methods"),
        Some("GET,POST")
    );
    assert_eq!(
        reply.header("access-control-allow-headers"),
        Some("authorization,content-type")
    );
    assert_eq!(reply.header("access-control-max-age"), Some("600"));
    assert_eq!(
        reply.header("access-control-allow-credentials"),
        Some("true")
    );
    assert!(reply.header("apigw-requestid").is_some());
    // Also for paths no route serves at all: the preflight never reaches routing's 404.
    let reply = preflight("/nowhere", "http://localhost:3000")
        .send(tp.addr)
        .await;
    assert_eq!(reply.status, 204);
    assert_eq!(
        reply.header("access-control-allow-origin"),
        Some("http://localhost:3000")
    );
    assert_eq!(upstream.requests(), 0, "no preflight reached the back end");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_preflight_from_another_origin_gets_no_cors_headers() {
    let (_upstream, _dir, tp) = serve().await;

    let reply = preflight("/pets", "https://evil.example.net")
        .send(tp.addr)
        .await;
    assert_eq!(reply.status, 204);
    for name in [
        "access-control-allow-origin",
        "access-control-allow-methods",
        "access-control-allow-credentials",
    ] {
        assert_eq!(reply.header(name), None, "{name}");
    }
    // An OPTIONS without the preflight headers is an ordinary request: no route, 404.
    let reply = Req::new("OPTIONS", "/pets").send(tp.addr).await;
    assert_eq!(reply.status, 404);
    assert_eq!(reply.text(), r#"{"message":"Not Found"}"#);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn responses_carry_the_configured_headers() {
    let (_upstream, _dir, tp) = serve().await;

    let reply = Req::get("/pets")
        .header("origin", "https://app.example.com")
        .send(tp.addr)
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(
        reply.header("access-control-allow-origin"),
        Some("https://app.example.com")
    );
    assert_eq!(
        reply.header("access-control-allow-credentials"),
        Some("true")
    );
    assert_eq!(
        reply.header("access-control-expose-headers"),
        Some("x-upstream")
    );
    assert_eq!(
        reply.header("access-control-allow-methods"),
        None,
        "preflight-only header"
    );

    let reply = Req::get("/pets")
        .header("origin", "https://evil.example.net")
        .send(tp.addr)
        .await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("access-control-allow-origin"), None);
    // Gateway errors are decorated too, so a browser can read them.
    let reply = Req::get("/missing")
        .header("origin", "https://app.example.com")
        .send(tp.addr)
        .await;
    assert_eq!(reply.status, 404);
    assert_eq!(
        reply.header("access-control-allow-origin"),
        Some("https://app.example.com")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_route_that_takes_options_serves_the_preflight_itself() {
    let (upstream, _dir, tp) = serve().await;

    let reply = preflight("/options-route", "https://app.example.com")
        .send(tp.addr)
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.echo().method(), "OPTIONS");
    assert_eq!(
        reply.header("access-control-allow-origin"),
        Some("https://app.example.com")
    );
    assert_eq!(upstream.requests(), 1);
}
