//! The data plane: everything between a client's socket and a back end.
//!
//! This crate owns the hyper server (HTTP/1.1, h2c, TLS with ALPN, graceful drain), the compiled
//! snapshot of a deployment held behind `arc-swap`, the [`router`] that matches AWS's routing
//! rules in time proportional to a path's segments, and the request pipeline as a chain of small
//! stages, one file each: `dispatch` (which API and stage), `limits`, route, `integrate` (HTTP,
//! HTTP_PROXY, MOCK, and AWS_PROXY on the functions of a `turnpike_functions::FunctionHost`
//! given in [`GatewayConfig::functions`]), `respond`, `access_log`, and the single mapping from
//! every failure to an AWS gateway response (`gateway_response`). It reads only resolved
//! `turnpike-model` types, never raw documents, and owns no durable state.
//!
//! ```no_run
//! # async fn run(deployment: turnpike_model::Deployment) -> Result<(), turnpike_gateway::ServeError> {
//! let config = turnpike_gateway::GatewayConfig::new("127.0.0.1:8080".parse().unwrap());
//! let gateway = turnpike_gateway::Gateway::bind(config, deployment).await?;
//! println!("listening on {}", gateway.local_addr());
//! gateway.serve(async { let _ = tokio::signal::ctrl_c().await; }).await
//! # }
//! ```

mod access_log;
mod authorize;
mod body;
mod cache;
mod config;
mod context;
mod cors;
mod dispatch;
mod error;
mod gateway_response;
mod hop_by_hop;
mod ids;
mod integrate;
mod limits;
mod mapping;
mod metrics;
mod pipeline;
mod respond;
mod route_urls;
pub mod router;
mod server;
mod snapshot;
mod template;
mod tls;
mod traffic;
mod validate;
mod websocket;

#[cfg(test)]
mod test_support;
#[cfg(test)]
mod tests;

pub use access_log::AccessLog;
pub use authorize::sigv4::CredentialsError;
pub use config::{AwsCredentials, GatewayConfig, Limits, TlsConfig};
pub use error::ServeError;
pub use route_urls::{route_urls, RouteUrl};
pub use server::{Gateway, ReloadHandle};
