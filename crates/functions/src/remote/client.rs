//! HTTP/1.1 exchanges with the Invoke API endpoint, over TCP or TLS (rustls with the system's
//! root certificates), on keep-alive connections pooled per endpoint: a remote call costs a
//! network round trip, and a new connection (a TLS handshake to AWS) would add two or three more.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{Request, Response, Uri};
use http_body_util::{BodyExt, Full, Limited};
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

/// Bound on the Invoke API's answer: Lambda's 6 MB response plus headroom for error documents.
const MAX_RESPONSE_BYTES: usize = 7 * 1024 * 1024;
/// Bound on establishing the connection (and TLS).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long an idle connection is kept: under the idle timeouts of AWS's front ends and of
/// common proxies, so a kept connection is rarely one the server is closing.
const IDLE_TIMEOUT: Duration = Duration::from_secs(50);
/// Idle connections kept per endpoint; more are closed when they come back.
const MAX_IDLE_PER_ENDPOINT: usize = 32;

/// Where requests go.
#[derive(Debug, Clone)]
pub(crate) struct Endpoint {
    pub(crate) https: bool,
    pub(crate) host: String,
    pub(crate) port: u16,
    /// `host` or `host:port` as the `Host` header carries it.
    pub(crate) authority: String,
    /// A path prefix of the endpoint URL, without the trailing slash.
    pub(crate) base_path: String,
}

impl Endpoint {
    /// Parses `http://host[:port][/prefix]` or `https://...`.
    pub(crate) fn parse(url: &str) -> Result<Endpoint, String> {
        let uri: Uri = url
            .parse()
            .map_err(|e| format!("{url:?} is not a URL: {e}"))?;
        let https = match uri.scheme_str() {
            Some("https") => true,
            Some("http") => false,
            _ => return Err(format!("{url:?} is not an http:// or https:// URL")),
        };
        let authority = uri
            .authority()
            .ok_or_else(|| format!("{url:?} has no host"))?;
        let host = authority
            .host()
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_string();
        let port = authority.port_u16().unwrap_or(if https { 443 } else { 80 });
        Ok(Endpoint {
            https,
            host,
            port,
            authority: authority.as_str().to_string(),
            base_path: uri.path().trim_end_matches('/').to_string(),
        })
    }
}

/// Why an exchange failed.
#[derive(Debug)]
pub(crate) enum ExchangeError {
    /// No connection (refused, unresolvable, TLS handshake).
    Connect(String),
    /// The exchange broke after connecting.
    Broken(String),
}

/// A kept connection and since when it is idle.
type IdleConnection = (SendRequest<Full<Bytes>>, Instant);

/// Idle keep-alive connections by endpoint (`http(s)://authority`), most recently used last.
#[derive(Default)]
pub(crate) struct Pool {
    idle: Mutex<HashMap<String, Vec<IdleConnection>>>,
}

impl Pool {
    /// The most recently used idle connection to `key` that is still open.
    fn take(&self, key: &str) -> Option<SendRequest<Full<Bytes>>> {
        let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        let connections = idle.get_mut(key)?;
        while let Some((sender, since)) = connections.pop() {
            if since.elapsed() < IDLE_TIMEOUT && sender.is_ready() {
                return Some(sender);
            }
        }
        None
    }

    fn put(&self, key: &str, sender: SendRequest<Full<Bytes>>) {
        let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        let connections = idle.entry(key.to_string()).or_default();
        connections.retain(|(sender, since)| since.elapsed() < IDLE_TIMEOUT && !sender.is_closed());
        if connections.len() < MAX_IDLE_PER_ENDPOINT {
            connections.push((sender, Instant::now()));
        }
    }
}

/// Sends `request` to `endpoint` on an idle pooled connection or a new one, reads the whole
/// answer and keeps the connection for the next exchange.
pub(crate) async fn exchange(
    pool: &Pool,
    endpoint: &Endpoint,
    tls: &TlsConnector,
    request: Request<Full<Bytes>>,
) -> Result<Response<Bytes>, ExchangeError> {
    let broken = |e: &dyn std::fmt::Display| ExchangeError::Broken(e.to_string());
    let key = format!(
        "{}://{}",
        if endpoint.https { "https" } else { "http" },
        endpoint.authority
    );
    let mut request = request;
    let (mut sender, response) = loop {
        let (mut sender, pooled) = match pool.take(&key) {
            Some(sender) => (sender, true),
            None => (connect(endpoint, tls).await?, false),
        };
        match sender.try_send_request(request).await {
            Ok(response) => break (sender, response),
            Err(mut error) => match error.take_message() {
                // The server closed the idle connection before our request went out on it: the
                // request was not sent, so sending it on another connection is safe.
                Some(unsent) if pooled => request = unsent,
                _ => return Err(broken(&error.into_error())),
            },
        }
    };
    let (parts, body) = response.into_parts();
    let body = Limited::new(body, MAX_RESPONSE_BYTES)
        .collect()
        .await
        .map_err(|e| broken(&e))?
        .to_bytes();
    // Ready once the connection has finished the exchange and may carry another (not when the
    // server asked to close it).
    if sender.ready().await.is_ok() {
        pool.put(&key, sender);
    }
    Ok(Response::from_parts(parts, body))
}

/// Opens a connection to `endpoint` and starts its HTTP/1.1 connection task.
async fn connect(
    endpoint: &Endpoint,
    tls: &TlsConnector,
) -> Result<SendRequest<Full<Bytes>>, ExchangeError> {
    let connect = async {
        let tcp = TcpStream::connect((endpoint.host.as_str(), endpoint.port))
            .await
            .map_err(|e| ExchangeError::Connect(e.to_string()))?;
        let _ = tcp.set_nodelay(true);
        Ok::<_, ExchangeError>(tcp)
    };
    let tcp = tokio::time::timeout(CONNECT_TIMEOUT, connect)
        .await
        .map_err(|_| ExchangeError::Connect("connect timed out".into()))??;
    if endpoint.https {
        let name = rustls::pki_types::ServerName::try_from(endpoint.host.clone())
            .map_err(|e| ExchangeError::Connect(e.to_string()))?;
        let stream = tokio::time::timeout(CONNECT_TIMEOUT, tls.connect(name, tcp))
            .await
            .map_err(|_| ExchangeError::Connect("TLS handshake timed out".into()))?
            .map_err(|e| ExchangeError::Connect(e.to_string()))?;
        handshake(TokioIo::new(stream)).await
    } else {
        handshake(TokioIo::new(tcp)).await
    }
}

async fn handshake<T>(io: T) -> Result<SendRequest<Full<Bytes>>, ExchangeError>
where
    T: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let (sender, connection) = hyper::client::conn::http1::handshake(io)
        .await
        .map_err(|e| ExchangeError::Connect(e.to_string()))?;
    tokio::spawn(async move {
        let _ = connection.await;
    });
    Ok(sender)
}

/// TLS towards the endpoint: the system's root certificates.
pub(crate) fn tls_connector() -> Result<TlsConnector, String> {
    let mut roots = rustls::RootCertStore::empty();
    let native = rustls_native_certs::load_native_certs();
    roots.add_parsable_certificates(native.certs);
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(TlsConnector::from(Arc::new(config)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_parse() {
        let e = Endpoint::parse("https://lambda.eu-west-1.amazonaws.com").unwrap();
        assert!(e.https);
        assert_eq!(
            (
                e.host.as_str(),
                e.port,
                e.authority.as_str(),
                e.base_path.as_str()
            ),
            (
                "lambda.eu-west-1.amazonaws.com",
                443,
                "lambda.eu-west-1.amazonaws.com",
                ""
            )
        );
        let e = Endpoint::parse("http://localhost:4566/").unwrap();
        assert_eq!(
            (e.port, e.authority.as_str(), e.base_path.as_str()),
            (4566, "localhost:4566", "")
        );
        assert_eq!(
            Endpoint::parse("ftp://x").unwrap_err(),
            "\"ftp://x\" is not an http:// or https:// URL"
        );
    }
}
