use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};

use http::header::HOST;
use http::{HeaderValue, StatusCode};
use http_body_util::BodyExt;
use tokio::io::AsyncReadExt;
use tokio::net::TcpListener;

use super::*;

/// What the scripted back end does with one request.
enum Reply {
    /// Writes these bytes and keeps the connection.
    Send(Vec<u8>),
    /// Writes these bytes and closes.
    SendAndClose(Vec<u8>),
    /// Closes without a word.
    Close,
}

/// Every request a scripted back end received: (connection number from 1, the request's bytes).
type Seen = Arc<Mutex<Vec<(usize, String)>>>;

/// A raw TCP back end: `script(connection, request number on it, request)` decides each reply.
async fn backend<F>(script: F) -> (SocketAddr, Seen)
where
    F: Fn(usize, usize, &str) -> Reply + Send + Sync + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let seen: Seen = Arc::default();
    let log = seen.clone();
    let script = Arc::new(script);
    let connections = Arc::new(AtomicUsize::new(0));
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let n = connections.fetch_add(1, Ordering::SeqCst) + 1;
            let (script, log) = (script.clone(), log.clone());
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut index = 0;
                loop {
                    let request = loop {
                        if let Some(request) = take_request(&mut buf) {
                            break request;
                        }
                        let mut chunk = [0u8; 4096];
                        match stream.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(read) => buf.extend_from_slice(&chunk[..read]),
                        }
                    };
                    index += 1;
                    log.lock().unwrap().push((n, request.clone()));
                    match script(n, index, &request) {
                        Reply::Send(bytes) => {
                            if stream.write_all(&bytes).await.is_err() {
                                return;
                            }
                        }
                        Reply::SendAndClose(bytes) => {
                            let _ = stream.write_all(&bytes).await;
                            return;
                        }
                        Reply::Close => return,
                    }
                }
            });
        }
    });
    (addr, seen)
}

/// One whole request (head and Content-Length body) off the front of `buf`.
fn take_request(buf: &mut Vec<u8>) -> Option<String> {
    let text = String::from_utf8_lossy(buf).into_owned();
    let head_end = text.find("\r\n\r\n")? + 4;
    let length = text[..head_end]
        .lines()
        .find_map(|l| l.strip_prefix("content-length: "))
        .map_or(0, |n| n.trim().parse::<usize>().unwrap());
    if buf.len() < head_end + length {
        return None;
    }
    let request = String::from_utf8_lossy(&buf[..head_end + length]).into_owned();
    buf.drain(..head_end + length);
    Some(request)
}

fn ok(body: &str) -> Reply {
    Reply::Send(
        format!(
            "HTTP/1.1 200 OK\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        )
        .into_bytes(),
    )
}

async fn call(
    pool: &Arc<Pool>,
    method: Method,
    addr: SocketAddr,
    path: &str,
    body: &[u8],
) -> Result<Response<ProxyBody>, ProxyError> {
    let uri: Uri = format!("http://{addr}{path}").parse().unwrap();
    let mut headers = HeaderMap::new();
    headers.insert(HOST, HeaderValue::from_str(&addr.to_string()).unwrap());
    pool.send(Outgoing {
        method: &method,
        uri: &uri,
        headers: &headers,
        body,
        response_headers: None,
    })
    .await
}

async fn text(response: Response<ProxyBody>) -> Result<String, ProxyError> {
    let bytes = response.into_body().collect().await?.to_bytes();
    Ok(String::from_utf8(bytes.to_vec()).unwrap())
}

async fn get_text(pool: &Arc<Pool>, addr: SocketAddr, path: &str) -> String {
    text(call(pool, Method::GET, addr, path, b"").await.unwrap())
        .await
        .unwrap()
}

fn connections(seen: &Seen) -> Vec<usize> {
    seen.lock().unwrap().iter().map(|(n, _)| *n).collect()
}

#[tokio::test]
async fn sends_one_request_and_reuses_the_connection_after_the_body() {
    let (addr, seen) = backend(|n, i, _| ok(&format!("{n}.{i}"))).await;
    let pool = Arc::new(Pool::default());
    for expected in ["1.1", "1.2", "1.3"] {
        assert_eq!(get_text(&pool, addr, "/a?b=c").await, expected);
    }
    let response = call(&pool, Method::POST, addr, "/in", b"payload")
        .await
        .unwrap();
    assert_eq!(text(response).await.unwrap(), "1.4");
    let seen = seen.lock().unwrap();
    assert_eq!(
        seen[0].1,
        format!("GET /a?b=c HTTP/1.1\r\nhost: {addr}\r\n\r\n")
    );
    assert_eq!(
        seen[3].1,
        format!("POST /in HTTP/1.1\r\nhost: {addr}\r\ncontent-length: 7\r\n\r\npayload")
    );
}

#[tokio::test]
async fn connection_close_and_unframed_bodies_are_not_reused() {
    let (addr, seen) = backend(|n, _, request| {
        if request.starts_with("GET /close") {
            Reply::Send(
                format!("HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-length: 1\r\n\r\n{n}")
                    .into_bytes(),
            )
        } else {
            Reply::SendAndClose(format!("HTTP/1.1 200 OK\r\n\r\nuntil close {n}").into_bytes())
        }
    })
    .await;
    let pool = Arc::new(Pool::default());
    assert_eq!(get_text(&pool, addr, "/close").await, "1");
    assert_eq!(get_text(&pool, addr, "/close").await, "2");
    assert_eq!(get_text(&pool, addr, "/eof").await, "until close 3");
    assert_eq!(get_text(&pool, addr, "/close").await, "4");
    assert_eq!(connections(&seen), [1, 2, 3, 4]);
}

#[tokio::test]
async fn decodes_chunked_bodies_and_reuses_the_connection() {
    let (addr, seen) = backend(|n, _, _| {
        Reply::Send(
            format!("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n2\r\n {n}\r\n0\r\nx-trailer: t\r\n\r\n")
                .into_bytes(),
        )
    })
    .await;
    let pool = Arc::new(Pool::default());
    let response = call(&pool, Method::GET, addr, "/", b"").await.unwrap();
    assert_eq!(response.headers()["transfer-encoding"], "chunked");
    assert_eq!(response.body().size_hint().exact(), None);
    assert_eq!(text(response).await.unwrap(), "hello 1");
    assert_eq!(get_text(&pool, addr, "/").await, "hello 1");
    assert_eq!(connections(&seen), [1, 1]);
}

#[tokio::test]
async fn bytes_after_the_response_spend_the_connection() {
    let (addr, seen) = backend(|_, i, _| {
        Reply::Send(
            format!("HTTP/1.1 200 OK\r\ncontent-length: 1\r\n\r\n{i}HTTP/1.1 200 OK\r\n")
                .into_bytes(),
        )
    })
    .await;
    let pool = Arc::new(Pool::default());
    assert_eq!(get_text(&pool, addr, "/").await, "1");
    assert_eq!(get_text(&pool, addr, "/").await, "1");
    assert_eq!(connections(&seen), [1, 2]);
}

#[tokio::test]
async fn a_body_cut_short_is_an_error_and_the_connection_is_dropped() {
    let (addr, seen) = backend(|n, _, request| {
        if request.starts_with("GET /cut") {
            Reply::SendAndClose(b"HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nfour".to_vec())
        } else if request.starts_with("GET /chunks") {
            Reply::SendAndClose(
                b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n4\r\nfour\r\n".to_vec(),
            )
        } else {
            ok(&n.to_string())
        }
    })
    .await;
    let pool = Arc::new(Pool::default());
    let response = call(&pool, Method::GET, addr, "/cut", b"").await.unwrap();
    assert_eq!(response.body().size_hint().exact(), Some(10));
    assert!(matches!(text(response).await, Err(ProxyError::Closed)));
    let response = call(&pool, Method::GET, addr, "/chunks", b"")
        .await
        .unwrap();
    assert!(matches!(text(response).await, Err(ProxyError::Closed)));
    // A body dropped unread closes its connection too.
    let unread = call(&pool, Method::GET, addr, "/x", b"").await.unwrap();
    drop(unread);
    assert_eq!(get_text(&pool, addr, "/x").await, "4");
    assert_eq!(connections(&seen), [1, 2, 3, 4]);
}

#[tokio::test]
async fn interim_responses_are_skipped() {
    let (addr, _) = backend(|_, _, _| {
        Reply::Send(
            b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nlink: </a>\r\n\r\nHTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\nbody".to_vec(),
        )
    })
    .await;
    let pool = Arc::new(Pool::default());
    let response = call(&pool, Method::POST, addr, "/", b"x").await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers().get("link"), None);
    assert_eq!(text(response).await.unwrap(), "body");
}

#[tokio::test]
async fn head_204_and_304_have_no_body_and_keep_the_connection() {
    let (addr, seen) = backend(|_, _, request| {
        let status = if request.starts_with("GET /204") {
            "204 No Content"
        } else if request.starts_with("GET /304") {
            "304 Not Modified"
        } else {
            "200 OK"
        };
        Reply::Send(format!("HTTP/1.1 {status}\r\ncontent-length: 5\r\n\r\n").into_bytes())
    })
    .await;
    let pool = Arc::new(Pool::default());
    for (method, path, status) in [
        (Method::HEAD, "/", 200),
        (Method::GET, "/204", 204),
        (Method::GET, "/304", 304),
    ] {
        let response = call(&pool, method, addr, path, b"").await.unwrap();
        assert_eq!(response.status().as_u16(), status);
        assert!(response.body().is_end_stream());
        assert_eq!(response.headers()["content-length"], "5");
        assert_eq!(text(response).await.unwrap(), "");
    }
    assert_eq!(connections(&seen), [1, 1, 1]);
}

#[tokio::test]
async fn an_oversized_or_broken_head_is_a_protocol_error() {
    let (addr, _) = backend(|_, _, request| {
        if request.starts_with("GET /big") {
            let mut head = b"HTTP/1.1 200 OK\r\n".to_vec();
            head.extend_from_slice(b"set-cookie: ");
            head.resize(codec::MAX_HEAD_BYTES + 10, b'a');
            head.extend_from_slice(b"\r\n\r\n");
            Reply::Send(head)
        } else {
            Reply::Send(b"HTTP/1.1 abc\r\n\r\n".to_vec())
        }
    })
    .await;
    let pool = Arc::new(Pool::default());
    assert!(matches!(
        call(&pool, Method::GET, addr, "/big", b"").await,
        Err(ProxyError::Protocol(CodecError::HeadTooLarge))
    ));
    assert!(matches!(
        call(&pool, Method::GET, addr, "/bad", b"").await,
        Err(ProxyError::Protocol(CodecError::InvalidHead(_)))
    ));
}

#[tokio::test]
async fn a_pooled_connection_that_dies_silently_is_retried_for_idempotent_methods_only() {
    // The first connection answers once, then takes the next request and closes without a word,
    // as a back end whose idle timeout struck just then.
    let (addr, seen) = backend(|n, i, _| {
        if (n == 1 || n == 3) && i == 2 {
            Reply::Close
        } else {
            ok(&format!("{n}.{i}"))
        }
    })
    .await;
    let pool = Arc::new(Pool::default());
    assert_eq!(get_text(&pool, addr, "/").await, "1.1");
    assert_eq!(get_text(&pool, addr, "/").await, "2.1");
    assert_eq!(connections(&seen), [1, 1, 2]);

    // A POST may have been acted on: not repeated.
    let pool = Arc::new(Pool::default());
    assert_eq!(get_text(&pool, addr, "/").await, "3.1");
    assert!(matches!(
        call(&pool, Method::POST, addr, "/", b"once").await,
        Err(ProxyError::Closed)
    ));
    assert_eq!(connections(&seen), [1, 1, 2, 3, 3]);
}

#[tokio::test]
async fn a_pooled_connection_closed_while_idle_is_not_used() {
    let (addr, seen) = backend(|n, _, _| {
        Reply::SendAndClose(format!("HTTP/1.1 200 OK\r\ncontent-length: 1\r\n\r\n{n}").into_bytes())
    })
    .await;
    let pool = Arc::new(Pool::default());
    assert_eq!(get_text(&pool, addr, "/").await, "1");
    // Let the event loop see the close before the next checkout.
    tokio::time::sleep(Duration::from_millis(50)).await;
    let response = call(&pool, Method::POST, addr, "/", b"x").await.unwrap();
    assert_eq!(text(response).await.unwrap(), "2");
    assert_eq!(connections(&seen), [1, 2]);
}

#[tokio::test]
async fn a_refused_connection_is_a_connect_error() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let pool = Arc::new(Pool::default());
    let error = call(&pool, Method::GET, addr, "/", b"").await.unwrap_err();
    assert!(error.is_connect(), "{error:?}");
}

#[test]
fn only_small_in_memory_bodies_to_http_take_this_client() {
    let http: Uri = "http://h/p".parse().unwrap();
    let https: Uri = "https://h/p".parse().unwrap();
    let small = UpstreamBody::full(Bytes::from_static(b"abc"));
    let empty = UpstreamBody::full(Bytes::new());
    let large = UpstreamBody::full(vec![0u8; MAX_INLINE_BODY + 1]);
    assert_eq!(inline_body(&Method::POST, &http, &small), Some(&b"abc"[..]));
    assert_eq!(inline_body(&Method::GET, &http, &empty), Some(&b""[..]));
    assert_eq!(inline_body(&Method::POST, &http, &large), None);
    assert_eq!(inline_body(&Method::GET, &https, &empty), None);
    assert_eq!(inline_body(&Method::CONNECT, &http, &empty), None);
}

#[tokio::test]
async fn an_http_1_0_back_end_and_a_uri_without_a_path() {
    let (addr, seen) = backend(|_, _, _| {
        Reply::SendAndClose(b"HTTP/1.0 200 OK\r\ncontent-length: 2\r\n\r\nok".to_vec())
    })
    .await;
    let pool = Arc::new(Pool::default());
    let response = call(&pool, Method::GET, addr, "?x=1", b"").await.unwrap();
    // The version is the back end's hop's; the client's answer stays HTTP/1.1.
    assert_eq!(response.version(), http::Version::HTTP_11);
    assert_eq!(text(response).await.unwrap(), "ok");
    assert_eq!(
        seen.lock().unwrap()[0].1,
        format!("GET /?x=1 HTTP/1.1\r\nhost: {addr}\r\n\r\n")
    );
}
