//! Limits and hostile input: 10 MB bodies (Content-Length and chunked), long URIs, huge headers,
//! malformed request bytes. None may panic the server, and it keeps serving afterwards.

use crate::support;

use std::time::Duration;

use support::client::{parse_raw, raw, raw_status};
use support::fixture::serve_document;
use support::{Req, Turnpike};

const API: &str = r#"
openapi: 3.0.1
info: { title: Limits, version: "1" }
paths:
  /upload:
    post:
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates: { application/json: '{"statusCode": 200}' }
        responses:
          default: { statusCode: "200", responseTemplates: { application/json: '{"stored": true}' } }
"#;

const LIMIT: usize = 10 * 1024 * 1024;

fn serve() -> (support::TempDir, Turnpike) {
    serve_document("limits.yaml", API, &[])
}

async fn still_serving(tp: &mut Turnpike) {
    assert!(tp.is_running(), "turnpike exited: {}", tp.stderr());
    let reply = Req::new("POST", "/dev/upload")
        .json("{}")
        .send(tp.addr)
        .await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.text(), r#"{"stored": true}"#);
    assert!(!tp.stderr().contains("panicked"), "{}", tp.stderr());
}

fn post_head(tp: &Turnpike, framing: &str) -> Vec<u8> {
    format!(
        "POST /dev/upload HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\n{framing}\
         Connection: close\r\n\r\n",
        tp.addr
    )
    .into_bytes()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn body_at_the_limit_is_accepted_and_over_it_is_413() {
    let (_dir, mut tp) = serve();

    let mut request = post_head(&tp, &format!("Content-Length: {LIMIT}\r\n"));
    request.extend(vec![b' '; LIMIT]);
    let reply = parse_raw(&raw(tp.addr, &request, Duration::from_secs(20)).await);
    assert_eq!(reply.status, 200, "{reply:?}");

    let mut request = post_head(&tp, &format!("Content-Length: {}\r\n", LIMIT + 1));
    request.extend(vec![b' '; LIMIT + 1]);
    let reply = parse_raw(&raw(tp.addr, &request, Duration::from_secs(20)).await);
    assert_eq!(reply.status, 413, "{reply:?}");
    assert_eq!(reply.body, r#"{"message":"Request Too Long"}"#);

    still_serving(&mut tp).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chunked_body_over_the_limit_is_413() {
    let (_dir, mut tp) = serve();

    let mut request = post_head(&tp, "Transfer-Encoding: chunked\r\n");
    let chunk = vec![b' '; 64 * 1024];
    for _ in 0..(LIMIT / chunk.len() + 2) {
        request.extend(format!("{:x}\r\n", chunk.len()).into_bytes());
        request.extend(&chunk);
        request.extend(b"\r\n");
    }
    request.extend(b"0\r\n\r\n");
    let reply = parse_raw(&raw(tp.addr, &request, Duration::from_secs(20)).await);
    assert_eq!(reply.status, 413, "{reply:?}");
    assert_eq!(reply.body, r#"{"message":"Request Too Long"}"#);

    still_serving(&mut tp).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn long_uri_is_414() {
    let (_dir, mut tp) = serve();

    let path = format!("/dev/{}", "a".repeat(16 * 1024));
    let request = format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    let output = raw(tp.addr, request.as_bytes(), Duration::from_secs(10)).await;
    assert_eq!(raw_status(&output), Some(414), "{output}");

    still_serving(&mut tp).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn huge_header_is_431() {
    let (_dir, mut tp) = serve();

    let request = format!(
        "GET /dev/upload HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\nConnection: close\r\n\r\n",
        "b".repeat(64 * 1024)
    );
    let output = raw(tp.addr, request.as_bytes(), Duration::from_secs(10)).await;
    assert_eq!(raw_status(&output), Some(431), "{output}");

    let many: String = (0..2000).map(|i| format!("X-H{i}: v\r\n")).collect();
    let request = format!("GET /dev/upload HTTP/1.1\r\nHost: x\r\n{many}Connection: close\r\n\r\n");
    let output = raw(tp.addr, request.as_bytes(), Duration::from_secs(10)).await;
    assert_eq!(raw_status(&output), Some(431), "{output}");

    still_serving(&mut tp).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_requests_get_400_or_a_closed_connection_never_a_panic() {
    let (_dir, mut tp) = serve();

    let cases: &[&[u8]] = &[
        b"GARBAGE\r\n\r\n",
        b"\x00\x01\x02\x03\xff\xfe\r\n\r\n",
        b"GET /dev/upload HTTP/9.9\r\nHost: x\r\n\r\n",
        b"GET /dev/upload HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
        b"POST /dev/upload HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\nhello",
        b"POST /dev/upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n",
        b"GET /dev/upload HTTP/1.1\r\nHost: x\r\nBad Header Name: v\r\n\r\n",
        b"GET /dev/upload HTTP/1.1\r\nHost: x\r\nX-Ctl: a\x01b\r\n\r\n",
        b"GET /dev/%zz%%/upload HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        b"GET http://[::1 HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET /dev/upload HTTP/1.1\r\n",
        b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\ngarbage-after-preface",
        b"\r\n\r\n\r\n",
    ];
    for case in cases {
        let output = raw(tp.addr, case, Duration::from_secs(3)).await;
        if let Some(status) = raw_status(&output) {
            assert!(
                (400..500).contains(&status),
                "{:?} got {status}: {output}",
                String::from_utf8_lossy(case)
            );
        }
        assert!(
            tp.is_running(),
            "died on {:?}",
            String::from_utf8_lossy(case)
        );
    }
    // Both framings: RFC 9112 §6.1 lets a server reject or follow Transfer-Encoding alone; hyper
    // follows it and drops Content-Length, so nothing downstream can read the body differently.
    let both = b"POST /dev/upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\nConnection: close\r\n\r\n3\r\nabc\r\n0\r\n\r\n";
    let output = raw(tp.addr, both, Duration::from_secs(3)).await;
    assert_eq!(raw_status(&output), Some(200), "{output}");
    still_serving(&mut tp).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_that_stops_mid_body_does_not_hurt() {
    let (_dir, mut tp) = serve();

    for _ in 0..20 {
        let mut request = post_head(&tp, "Content-Length: 100000\r\n");
        request.extend(vec![b'a'; 1000]);
        let _ = raw(tp.addr, &request, Duration::from_millis(50)).await;
    }
    still_serving(&mut tp).await;
}
