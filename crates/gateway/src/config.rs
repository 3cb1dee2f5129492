//! How a [`Gateway`](crate::Gateway) serves: address, TLS, access log, limits, functions.

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use turnpike_functions::FunctionHost;

use crate::access_log::AccessLog;

/// Everything [`Gateway::bind`](crate::Gateway::bind) needs besides the deployment.
///
/// ```
/// let mut config = turnpike_gateway::GatewayConfig::new("127.0.0.1:0".parse().unwrap());
/// config.access_log = turnpike_gateway::AccessLog::json();
/// assert_eq!(config.limits.max_body_bytes, 10 * 1024 * 1024);
/// ```
///
/// AWS_PROXY (Lambda proxy) integrations invoke the functions of a
/// [`FunctionHost`](turnpike_functions::FunctionHost) by the name in their function ARN:
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use std::sync::Arc;
/// use turnpike_functions::{FunctionConfig, FunctionHost, HostConfig, Runtime};
///
/// let host = Arc::new(FunctionHost::new(HostConfig::default())?);
/// host.add_function(FunctionConfig::new("Hello", Runtime::Python("3.12".into()), "app.handler", "./hello"))
///     .await?;
/// let mut config = turnpike_gateway::GatewayConfig::new("127.0.0.1:8080".parse()?);
/// config.functions = Some(host);
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
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
    /// The functions AWS_PROXY integrations invoke. Without it (or when it lacks the function an
    /// integration names) such requests answer 500, as AWS does for a function it cannot invoke.
    pub functions: Option<Arc<FunctionHost>>,
    /// Threads serving connections, each with its own event loop and back-end connection pool
    /// (thread per core: a request never changes thread). 0, the default, means one per core.
    pub workers: usize,
}

impl fmt::Debug for GatewayConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GatewayConfig")
            .field("listen", &self.listen)
            .field("tls", &self.tls)
            .field("upstream_ca", &self.upstream_ca)
            .field("access_log", &self.access_log)
            .field("limits", &self.limits)
            .field("drain_timeout", &self.drain_timeout)
            .field("workers", &self.workers)
            .field(
                "functions",
                &self.functions.as_ref().map(|host| host.function_names()),
            )
            .finish()
    }
}

impl GatewayConfig {
    /// No TLS, the CLF access log, AWS's limits, a 30 s drain, no functions, one worker per core.
    pub fn new(listen: SocketAddr) -> GatewayConfig {
        GatewayConfig {
            listen,
            tls: None,
            upstream_ca: None,
            access_log: AccessLog::clf(),
            limits: Limits::default(),
            drain_timeout: Duration::from_secs(30),
            functions: None,
            workers: 0,
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
