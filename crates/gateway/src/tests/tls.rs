//! HTTPS with ALPN: HTTP/2 and HTTP/1.1 over rustls.

use std::path::PathBuf;

use http::Request;
use rustls::pki_types::{CertificateDer, ServerName};
use tokio_rustls::TlsConnector;
use turnpike_model::ApiKind;

use super::*;
use crate::test_support::{api, mock_route};
use crate::TlsConfig;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("src/tests/fixtures")
        .join(name)
}

fn connector(alpn: &[u8]) -> TlsConnector {
    let pem = std::fs::read(fixture("localhost-cert.pem")).unwrap();
    let mut roots = rustls::RootCertStore::empty();
    for cert in rustls_pemfile::certs(&mut &pem[..]) {
        let cert: CertificateDer<'static> = cert.unwrap();
        roots.add(cert).unwrap();
    }
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![alpn.to_vec()];
    TlsConnector::from(std::sync::Arc::new(config))
}

async fn https_get(addr: SocketAddr, alpn: &[u8], path: &str) -> (Vec<u8>, u16, http::Version) {
    let tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    let tls = connector(alpn)
        .connect(ServerName::try_from("localhost").unwrap(), tcp)
        .await
        .unwrap();
    let negotiated = tls.get_ref().1.alpn_protocol().unwrap().to_vec();
    let io = TokioIo::new(tls);
    let request = Request::get(format!("https://localhost{path}"))
        .header("host", "localhost")
        .body(full(""))
        .unwrap();
    let response = if negotiated == b"h2" {
        let (mut sender, conn) = hyper::client::conn::http2::handshake(TokioExecutor::new(), io)
            .await
            .unwrap();
        tokio::spawn(conn);
        sender.send_request(request).await.unwrap()
    } else {
        let (mut sender, conn) = hyper::client::conn::http1::handshake(io).await.unwrap();
        tokio::spawn(conn);
        sender.send_request(request).await.unwrap()
    };
    (negotiated, response.status().as_u16(), response.version())
}

#[tokio::test]
async fn https_offers_http_2_and_http_1_1() {
    let mut config = GatewayConfig::new("127.0.0.1:0".parse().unwrap());
    config.tls = Some(TlsConfig {
        cert: fixture("localhost-cert.pem"),
        key: fixture("localhost-key.pem"),
    });
    let pets = api(
        "Tls",
        ApiKind::Rest,
        vec![mock_route("GET", "/pets", 200, "[]")],
    );
    let gw = start_with(vec![pets], &[stage("dev", &[])], config).await;

    let (alpn, status, version) = https_get(gw.addr, b"h2", "/dev/pets").await;
    assert_eq!(
        (alpn.as_slice(), status, version),
        (&b"h2"[..], 200, http::Version::HTTP_2)
    );

    let (alpn, status, version) = https_get(gw.addr, b"http/1.1", "/dev/pets").await;
    assert_eq!(
        (alpn.as_slice(), status, version),
        (&b"http/1.1"[..], 200, http::Version::HTTP_11)
    );
}

/// An HTTPS upstream with the fixture certificate, answering like [`upstream`].
async fn tls_upstream() -> (SocketAddr, JoinHandle<()>) {
    let acceptor = crate::tls::acceptor(&TlsConfig {
        cert: fixture("localhost-cert.pem"),
        key: fixture("localhost-key.pem"),
    })
    .unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let task = tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(stream) = acceptor.accept(stream).await else {
                    return;
                };
                let release = Arc::new(Notify::new());
                let service = service_fn(move |req| super::upstream_answer(req, release.clone()));
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    (addr, task)
}

#[tokio::test]
async fn https_back_ends_are_verified() {
    let (addr, upstream) = tls_upstream().await;
    let uri = format!("https://localhost:{}/secure", addr.port());
    let apis = || {
        vec![api(
            "Secure",
            ApiKind::Rest,
            vec![crate::test_support::proxy_route("GET", "/secure", &uri)],
        )]
    };

    let mut config = GatewayConfig::new("127.0.0.1:0".parse().unwrap());
    config.upstream_ca = Some(fixture("localhost-cert.pem"));
    let trusting = start_with(apis(), &[stage("dev", &[])], config).await;
    let answer = send(&client(), get(&trusting.url("/dev/secure"))).await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.json()["path"], "/secure");

    // Without the CA the certificate is rejected: a configuration error, as AWS reports it.
    let config = GatewayConfig::new("127.0.0.1:0".parse().unwrap());
    let distrusting = start_with(apis(), &[stage("dev", &[])], config).await;
    let answer = send(&client(), get(&distrusting.url("/dev/secure"))).await;
    assert_eq!(answer.status, 500);
    assert_eq!(answer.body, r#"{"message": "Internal server error"}"#);
    upstream.abort();
}
