//! The Lambda Runtime API (version 2018-06-01), one endpoint per worker.
//!
//! Runtime clients only know `AWS_LAMBDA_RUNTIME_API=host:port` and nothing in their requests
//! says which execution environment they are, so each worker gets its own listener on
//! `127.0.0.1:0`: the port is the routing. `slot` holds the worker's state machine, `handlers`
//! the four operations, `reply` Lambda's exact answers.

mod handlers;
mod reply;
pub(crate) mod slot;

use std::convert::Infallible;
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::task::{JoinHandle, JoinSet};

use self::handlers::Request;
use self::reply::ApiResponse;
use self::slot::Slot;

const PREFIX: &str = "/2018-06-01/runtime/";

/// A bound Runtime API endpoint; dropping it closes the listener and every connection.
pub(crate) struct Endpoint {
    pub(crate) addr: SocketAddr,
    task: JoinHandle<()>,
}

impl Drop for Endpoint {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Binds a new endpoint for `slot` on an ephemeral loopback port.
pub(crate) async fn bind(slot: Arc<Slot>) -> io::Result<Endpoint> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
    let addr = listener.local_addr()?;
    let task = tokio::spawn(accept(listener, slot));
    Ok(Endpoint { addr, task })
}

async fn accept(listener: TcpListener, slot: Arc<Slot>) {
    // Connections live in this set so that aborting the endpoint also ends a `/next` long poll
    // whose runtime was killed mid-request.
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let stream = match accepted {
                    Ok((stream, _)) => stream,
                    Err(error) => {
                        tracing::warn!(%error, "runtime API accept failed");
                        continue;
                    }
                };
                let _ = stream.set_nodelay(true);
                let slot = slot.clone();
                connections.spawn(async move {
                    let service = service_fn(move |request| {
                        let slot = slot.clone();
                        async move { Ok::<_, Infallible>(route(&slot, request).await) }
                    });
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

async fn route(slot: &Slot, request: Request) -> ApiResponse {
    let is_get = request.method() == http::Method::GET;
    let is_post = request.method() == http::Method::POST;
    let path = request.uri().path().to_owned();
    let Some(rest) = path.strip_prefix(PREFIX) else {
        return reply::not_found();
    };
    match rest {
        "invocation/next" if is_get => handlers::next(slot).await,
        "init/error" if is_post => handlers::init_error(slot, request).await,
        "invocation/next" | "init/error" => reply::method_not_allowed(),
        _ => {
            let Some(tail) = rest.strip_prefix("invocation/") else {
                return reply::not_found();
            };
            let (id, is_error) = if let Some(id) = tail.strip_suffix("/response") {
                (id, false)
            } else if let Some(id) = tail.strip_suffix("/error") {
                (id, true)
            } else {
                return reply::not_found();
            };
            if id.contains('/') {
                return reply::not_found();
            }
            if !is_post {
                return reply::method_not_allowed();
            }
            handlers::answer(slot, id, is_error, request).await
        }
    }
}
