//! The Lambda functions host: runs users' functions as warm local processes that speak the real
//! Lambda Runtime API.
//!
//! This crate owns the Runtime API server (`/2018-06-01/runtime/...`, with AWS's status codes,
//! headers, deadlines, state machine and payload limits), the worker processes (spawned with the
//! environment Lambda sets, in their own process group, killed with the pool, on a timeout, and on
//! Turnpike's death through the parent-death signal), the per-function [`FunctionPool`] (warm reuse,
//! reserved concurrency, a bounded queue, idle expiry, min warm), the small Python and Node.js
//! runtime clients bundled into the binary, and remote invocation of functions in AWS through
//! Lambda's Invoke API (SigV4-signed). It knows nothing about API Gateway events or HTTP routes (that is
//! `turnpike-gateway`) and does not read SAM templates (that is `turnpike-model`).
//!
//! ```no_run
//! use turnpike_functions::{FunctionConfig, FunctionHost, HostConfig, InvokeContext, Runtime};
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let host = FunctionHost::new(HostConfig::default())?;
//! let config = FunctionConfig::new("hello", Runtime::Python("3.12".into()), "app.handler", "./hello");
//! let pool = host.add_function(config).await?;
//! let outcome = pool.invoke(r#"{"name":"world"}"#.into(), InvokeContext::default()).await?;
//! println!("{} answered {:?}", outcome.worker_pid, outcome.response);
//! # Ok(())
//! # }
//! ```

mod bundled;
mod config;
mod environment;
mod error;
mod host;
mod invoke;
mod limits;
mod node;
mod pool;
mod python;
mod remote;
mod runtime;
mod runtime_api;
mod watch;
mod worker;

pub use config::{ConfigError, FunctionConfig, RuntimeClient, DEFAULT_CONCURRENCY};
pub use error::{ExitReason, HostError, InvokeError};
pub use host::{FunctionHost, HostConfig};
pub use invoke::{FunctionError, InvokeContext, InvokeOutcome, InvokeResponse};
pub use limits::{MAX_REQUEST_PAYLOAD_BYTES, MAX_RESPONSE_PAYLOAD_BYTES};
pub use pool::{FunctionPool, PoolStats};
pub use remote::RemoteConfig;
pub use runtime::Runtime;

#[cfg(test)]
mod test_support;
#[cfg(test)]
mod tests;
