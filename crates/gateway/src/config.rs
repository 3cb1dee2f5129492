//! How a [`Gateway`](crate::Gateway) serves: address, TLS, access log, limits.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use crate::access_log::AccessLog;

/// Everything [`Gateway::bind`](crate::Gateway::bind) needs besides the deployment.
///
/// ```
/// let mut config = turnpike_gateway::GatewayConfig::new("127.0.0.1:0".parse().unwrap());
/// config.access_log = turnpike_gateway::AccessLog::json();
/// assert_eq!(config.limits.max_body_bytes, 10 * 1024 * 1024);
/// ```
#[derive(Debug, Clone)]
pub struct GatewayConfig {
    pub listen: SocketAddr,
    /// Serve HTTPS (HTTP/1.1 and HTTP/2 by ALPN) instead of cleartext HTTP/1.1 and h2c.
    pub tls: Option<TlsConfig>,
    /// A PEM bundle of CA certificates trusted for `https` integration endpoints, in addition to
    /// the system's root certificates (for back ends with private or self-signed certificates).
    pub upstream_ca: Option<PathBuf>,
    pub access_log: AccessLog,
    pub limits: Limits,
    /// How long [`Gateway::serve`](crate::Gateway::serve) waits for in-flight requests after the
    /// shutdown signal before closing what remains.
    pub drain_timeout: Duration,
}

impl GatewayConfig {
    /// No TLS, the CLF access log, AWS's limits, a 30 s drain.
    pub fn new(listen: SocketAddr) -> GatewayConfig {
        GatewayConfig {
            listen,
            tls: None,
            upstream_ca: None,
            access_log: AccessLog::clf(),
            limits: Limits::default(),
            drain_timeout: Duration::from_secs(30),
        }
    }
}

/// A certificate chain and its private key, both PEM files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsConfig {
    pub cert: PathBuf,
    pub key: PathBuf,
}

/// Bounds on what a client may send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Request payload; AWS's is 10 MB for REST and HTTP APIs. Larger → 413.
    pub max_body_bytes: u64,
    /// Path and query string. Longer → 414.
    pub max_uri_bytes: usize,
    /// All request header lines together; AWS allows 10 KB of headers. More → 431.
    pub max_header_bytes: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_body_bytes: 10 * 1024 * 1024,
            max_uri_bytes: 8 * 1024,
            max_header_bytes: 10 * 1024,
        }
    }
}
