//! How a [`Gateway`](crate::Gateway) serves: address, TLS, access log, limits, functions.

use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use turnpike_functions::FunctionHost;

use crate::access_log::AccessLog;
use crate::authorize::sigv4::{Credentials, CredentialsError};

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
    /// The credentials AWS_IAM routes verify SigV4 signatures against. Without them every
    /// AWS_IAM request is refused with 403, as AWS refuses an unknown access key.
    pub credentials: Option<AwsCredentials>,
    /// JWKS URLs used instead of an issuer's own (offline work), by issuer as the JWT or Cognito
    /// authorizer names it.
    pub jwks_urls: BTreeMap<String, String>,
    /// Shared state (API keys, usage plans, quotas, token buckets). Without it API keys are
    /// checked against an empty set (every apiKeyRequired method answers 403) and nothing is
    /// throttled.
    pub state: Option<turnpike_state::State>,
    /// The account-level token bucket every request of this gateway draws from (AWS's default:
    /// 10,000 requests per second, burst 5,000).
    pub account_throttle: turnpike_state::Throttle,
    /// Where to serve `GET /metrics` (Prometheus text format) on a listener of its own; `None`,
    /// the default, serves no metrics.
    pub metrics_listen: Option<SocketAddr>,
    /// The endpoint of every AWS service integration (`--aws-endpoint-url`, a local server such
    /// as moto or LocalStack). Without it, `AWS_ENDPOINT_URL_{SERVICE}` and then
    /// `AWS_ENDPOINT_URL` apply as in the AWS SDKs, else `https://{service}.{region}.amazonaws.com`.
    pub aws_endpoint_url: Option<String>,
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
            .field("state", &self.state.is_some())
            .field("account_throttle", &self.account_throttle)
            .field("metrics_listen", &self.metrics_listen)
            .field("aws_endpoint_url", &self.aws_endpoint_url)
            .field("credentials", &self.credentials)
            .field("jwks_urls", &self.jwks_urls)
            .field(
                "functions",
                &self.functions.as_ref().map(|host| host.function_names()),
            )
            .finish()
    }
}

impl GatewayConfig {
    /// No TLS, the CLF access log, AWS's limits, a 30 s drain, no functions, one worker per core,
    /// no IAM credentials, no JWKS overrides.
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
            credentials: None,
            jwks_urls: BTreeMap::new(),
            state: None,
            account_throttle: ACCOUNT_THROTTLE,
            metrics_listen: None,
            aws_endpoint_url: None,
        }
    }
}

/// AWS credentials read from a file in the format of `~/.aws/credentials`: every profile with an
/// `aws_access_key_id` and `aws_secret_access_key` (optionally `aws_session_token`, and
/// `aws_account_id` for `$context.identity.accountId`, default `000000000000`).
#[derive(Clone)]
pub struct AwsCredentials(pub(crate) Credentials);

impl AwsCredentials {
    /// Reads the credentials file at `path`.
    pub fn load(path: &Path) -> Result<AwsCredentials, CredentialsError> {
        Credentials::load(path).map(AwsCredentials)
    }

    /// Parses credentials file text; `name` names it in errors.
    pub fn parse(name: &str, text: &str) -> Result<AwsCredentials, CredentialsError> {
        Credentials::parse(name, text).map(AwsCredentials)
    }

    /// How many profiles have credentials.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether no profile has credentials.
    pub fn is_empty(&self) -> bool {
        self.0.len() == 0
    }
}

impl fmt::Debug for AwsCredentials {
    // Never the secrets.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AwsCredentials({} profiles)", self.0.len())
    }
}

/// AWS's default account-level throttle: 10,000 requests per second, burst 5,000.
pub const ACCOUNT_THROTTLE: turnpike_state::Throttle = turnpike_state::Throttle {
    rate_limit: 10_000.0,
    burst_limit: 5_000,
};

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
