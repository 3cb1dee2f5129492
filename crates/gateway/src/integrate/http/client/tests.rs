use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};

use http_body_util::{BodyExt, Full};
use hyper::service::service_fn;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use super::*;

fn client() -> UpstreamClient {
    let tls = crate::integrate::http::tls_config(Vec::new()).unwrap();
    UpstreamClient::new(tls)
}

fn get(url: &str) -> Request<UpstreamBody> {
    let mut request = Request::new(UpstreamBody::full(Bytes::new()));
    *request.uri_mut() = url.parse().unwrap();
    request
}

/// A hyper HTTP/1.1 server answering `{path} on {connection number}`; counts connections.
async fn counting_server() -> (SocketAddr, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let accepted = Arc::new(AtomicUsize::new(0));
    let count = accepted.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let n = count.fetch_add(1, Ordering::SeqCst) + 1;
            tokio::spawn(async move {
                let service = service_fn(move |request: Request<Incoming>| async move {
                    let host = request.headers()[HOST].to_str().unwrap().to_owned();
                    let text = format!("{} on {n} for {host}", request.uri());
                    Ok::<_, Infallible>(Response::new(Full::new(Bytes::from(text))))
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    (addr, accepted)
}

async fn text(response: Response<PooledBody>) -> String {
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    String::from_utf8(bytes.to_vec()).unwrap()
}

#[tokio::test]
async fn reuses_a_connection_once_its_body_was_read() {
    let (addr, accepted) = counting_server().await;
    let client = client();
    for path in ["/a?x=1", "/b", "/"] {
        let response = client
            .request(get(&format!("http://{addr}{path}")))
            .await
            .unwrap();
        assert_eq!(text(response).await, format!("{path} on 1 for {addr}"));
    }
    assert_eq!(accepted.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_body_dropped_unread_closes_its_connection() {
    let (addr, accepted) = counting_server().await;
    let client = client();
    let unread = client
        .request(get(&format!("http://{addr}/a")))
        .await
        .unwrap();
    let response = client
        .request(get(&format!("http://{addr}/b")))
        .await
        .unwrap();
    assert_eq!(text(response).await, format!("/b on 2 for {addr}"));
    drop(unread);
    let response = client
        .request(get(&format!("http://{addr}/c")))
        .await
        .unwrap();
    assert_eq!(text(response).await, format!("/c on 2 for {addr}"));
    assert_eq!(accepted.load(Ordering::SeqCst), 2);
}

/// A back end that answers one request per connection and then closes it without saying so.
async fn one_shot_server() -> (SocketAddr, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let accepted = Arc::new(AtomicUsize::new(0));
    let count = accepted.clone();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let n = count.fetch_add(1, Ordering::SeqCst) + 1;
            let mut head = [0u8; 1024];
            let _ = stream.read(&mut head).await;
            let body = format!("answer {n}");
            let reply = format!(
                "HTTP/1.1 200 OK\r\ncontent-length: {}\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(reply.as_bytes()).await;
            drop(stream);
        }
    });
    (addr, accepted)
}

#[tokio::test]
async fn a_connection_the_back_end_closed_is_not_reused() {
    let (addr, accepted) = one_shot_server().await;
    let client = client();
    for n in 1..=3 {
        let response = client
            .request(get(&format!("http://{addr}/")))
            .await
            .unwrap();
        assert_eq!(text(response).await, format!("answer {n}"));
    }
    assert_eq!(accepted.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn failures_to_connect_are_connect_errors() {
    let closed = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = closed.local_addr().unwrap();
    drop(closed);
    let client = client();
    for url in [
        format!("http://{addr}/"),
        format!("ftp://{addr}/"),
        "http://host.invalid./".to_string(),
    ] {
        match client.request(get(&url)).await {
            Err(error) => assert!(error.is_connect(), "{url}: {error:?}"),
            Ok(response) => panic!("{url}: answered {}", response.status()),
        }
    }
}

#[test]
fn host_headers_leave_out_default_ports() {
    let host = |uri: &str| host_header(&uri.parse().unwrap()).unwrap();
    assert_eq!(host("http://b:8080/x"), "b:8080");
    assert_eq!(host("http://b:80/x"), "b");
    assert_eq!(host("http://b:443/x"), "b:443");
    assert_eq!(host("https://b:443/x"), "b");
    assert_eq!(host("https://b/x"), "b");
    assert_eq!(host("http://[::1]:9000/"), "[::1]:9000");
}

#[test]
fn request_lines_carry_the_path_and_query() {
    let target = |method: Method, uri: &str| request_target(&method, &uri.parse().unwrap());
    assert_eq!(target(Method::GET, "http://b:81/p/q?x=1&y"), "/p/q?x=1&y");
    assert_eq!(target(Method::POST, "http://b"), "/");
    assert_eq!(target(Method::GET, "https://b/"), "/");
    assert_eq!(target(Method::CONNECT, "http://b:81/p"), "b:81");
}
