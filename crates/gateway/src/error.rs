//! Why a gateway cannot start or keep serving.

use std::path::PathBuf;

/// An error from [`Gateway::bind`](crate::Gateway::bind) or
/// [`Gateway::serve`](crate::Gateway::serve).
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The listening socket could not be opened.
    #[error("cannot listen: {0}")]
    Bind(#[source] std::io::Error),
    /// The metrics listening socket could not be opened.
    #[error("cannot listen for metrics on {addr}: {source}")]
    MetricsBind {
        addr: std::net::SocketAddr,
        source: std::io::Error,
    },
    /// A worker thread or its event loop could not be started.
    #[error("cannot start a worker thread: {0}")]
    Worker(#[source] std::io::Error),
    /// The TLS client configuration for `https` integration endpoints could not be built.
    #[error("TLS towards integrations: {0}")]
    UpstreamTls(String),
    /// A TLS file could not be read or holds nothing usable.
    #[error("TLS {what} {}: {message}", path.display())]
    TlsFile {
        /// `certificate`, `private key` or `CA bundle`.
        what: &'static str,
        path: PathBuf,
        message: String,
    },
    /// The certificate and key do not make a valid TLS configuration.
    #[error("TLS certificate {} with key {}: {message}", cert.display(), key.display())]
    Tls {
        cert: PathBuf,
        key: PathBuf,
        message: String,
    },
}
