//! Protocols: HTTP/1.1, h2c (prior knowledge), TLS with ALPN (h2 and http/1.1), and the graceful
//! drain on SIGTERM/SIGINT.

use crate::support;

use std::time::Duration;

use http::Version;
use support::fixture::{document, serve_document};
use support::tls::self_signed;
use support::{Conn, Req, TempDir, Turnpike, Upstream};

const API: &str = r#"
openapi: 3.0.1
info: { title: Protocols, version: "1" }
paths:
  /hello:
    get:
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates: { application/json: '{"statusCode": 200}' }
        responses:
          default: { statusCode: "200", responseTemplates: { application/json: '{"hello": "world"}' } }
  /proxy/{proxy+}:
    x-amazon-apigateway-any-method:
      x-amazon-apigateway-integration:
        type: http_proxy
        httpMethod: ANY
        uri: "http://UPSTREAM/{proxy}"
        requestParameters: { integration.request.path.proxy: method.request.path.proxy }
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn h2c_prior_knowledge() {
    let up = Upstream::start().await;
    let (_dir, tp) = serve_document("api.yaml", &up.fill(API), &[]);

    let mut conn = Conn::h2c(tp.addr).await;
    let reply = conn.send(Req::get("/dev/hello")).await;
    assert_eq!(reply.version, Version::HTTP_2);
    assert_eq!(reply.status, 200);
    assert_eq!(reply.text(), r#"{"hello": "world"}"#);
    support::assert_request_id(&reply);

    // Several streams on one connection, through the proxy to an HTTP/1.1 back end.
    let echo = conn
        .send(Req::new("POST", "/dev/proxy/echo/h2").body("over h2"))
        .await
        .echo();
    assert_eq!(echo.path(), "/echo/h2");
    assert_eq!(echo.body(), "over h2");
    let reply = conn.send(Req::get("/dev/nope")).await;
    assert_eq!(reply.status, 403);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_with_alpn() {
    let up = Upstream::start().await;
    let dir = TempDir::new();
    let file = dir.write("api.yaml", &up.fill(API));
    let cert = self_signed(&dir);
    let tp = Turnpike::serve_args(&[
        file.to_str().unwrap(),
        "--tls-cert",
        cert.cert_pem.to_str().unwrap(),
        "--tls-key",
        cert.key_pem.to_str().unwrap(),
    ]);
    assert_eq!(tp.scheme, "https");

    let (mut conn, alpn) = Conn::tls(tp.addr, &cert.cert_der, &[b"h2", b"http/1.1"]).await;
    assert_eq!(alpn.as_deref(), Some(&b"h2"[..]));
    let reply = conn.send(Req::get("/dev/hello")).await;
    assert_eq!(reply.version, Version::HTTP_2);
    assert_eq!(reply.text(), r#"{"hello": "world"}"#);

    let (mut conn, alpn) = Conn::tls(tp.addr, &cert.cert_der, &[b"http/1.1"]).await;
    assert_eq!(alpn.as_deref(), Some(&b"http/1.1"[..]));
    let reply = conn.send(Req::get("/dev/hello")).await;
    assert_eq!(reply.version, Version::HTTP_11);
    assert_eq!(reply.status, 200);
    let echo = conn.send(Req::get("/dev/proxy/echo/tls")).await.echo();
    assert_eq!(echo.path(), "/echo/tls");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_tls_files_fail_at_start() {
    let dir = TempDir::new();
    let (_d, file) = document("api.yaml", API);
    let missing = dir.path().join("missing.pem");
    let output = Turnpike::try_serve(&[
        file.to_str().unwrap(),
        "--tls-cert",
        missing.to_str().unwrap(),
        "--tls-key",
        missing.to_str().unwrap(),
    ])
    .err()
    .expect("started without a certificate");
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("missing.pem"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_drains_in_flight_requests_then_exits_zero() {
    let up = Upstream::start().await;
    let (_dir, mut tp) = serve_document("api.yaml", &up.fill(API), &[]);

    let addr = tp.addr;
    let in_flight = tokio::spawn(async move { Req::get("/dev/proxy/slow/1500").send(addr).await });
    // Wait until the request is at the back end, then ask Turnpike to stop.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while up.requests() == 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "request never reached the back end"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    tp.signal("TERM");

    let reply = in_flight.await.unwrap();
    assert_eq!(reply.status, 200);
    assert_eq!(reply.text(), "slow 1500");
    let status = tp
        .wait_exit(Duration::from_secs(10))
        .expect("did not exit after draining");
    assert_eq!(status.code(), Some(0), "stderr: {}", tp.stderr());
    // Nothing listens any more.
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigint_when_idle_exits_zero() {
    let (_dir, mut tp) = serve_document("api.yaml", API, &[]);
    assert_eq!(Req::get("/dev/hello").send(tp.addr).await.status, 200);
    tp.signal("INT");
    let status = tp.wait_exit(Duration::from_secs(10)).expect("did not exit");
    assert_eq!(status.code(), Some(0));
}
