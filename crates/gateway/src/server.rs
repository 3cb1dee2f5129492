//! The server: listener, worker threads, connections (HTTP/1.1 and h2c by preface, or TLS with
//! ALPN), and the graceful drain.
//!
//! Thread per core, as nginx does it: each worker thread runs its own single-threaded event loop
//! that accepts from the shared listening socket and serves what it accepted to the end, with its
//! own pool of back-end connections. A request never changes thread, so the proxy hop costs no
//! cross-thread wake-ups; a busy worker is slower to win the next accept, which spreads the load.
//!
//! On the shutdown signal the listener closes at once, every connection is told to finish (idle
//! keep-alive connections close, HTTP/2 sends GOAWAY) and requests in flight complete, bodies
//! included, for up to the drain timeout. The access log is flushed last.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use arc_swap::ArcSwap;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::{GracefulShutdown, Watcher};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{oneshot, watch};
use tokio_rustls::TlsAcceptor;
use turnpike_model::Deployment;

use crate::access_log::{self, AccessLogWriter};
use crate::config::{GatewayConfig, Limits};
use crate::context::ClientConnection;
use crate::error::ServeError;
use crate::integrate;
use crate::pipeline::{self, Shared};
use crate::snapshot::Snapshot;

/// How long a client has to send its request head, and to complete a TLS handshake.
const HEAD_TIMEOUT: Duration = Duration::from_secs(30);
const TLS_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// A bound gateway, ready to [`serve`](Gateway::serve).
///
/// ```no_run
/// # async fn run(deployment: turnpike_model::Deployment) -> Result<(), turnpike_gateway::ServeError> {
/// use turnpike_gateway::{Gateway, GatewayConfig};
/// let gateway = Gateway::bind(GatewayConfig::new("127.0.0.1:0".parse().unwrap()), deployment).await?;
/// let reload = gateway.reload_handle(); // keep to swap deployments while serving
/// gateway.serve(async { let _ = tokio::signal::ctrl_c().await; }).await
/// # }
/// ```
pub struct Gateway {
    listener: std::net::TcpListener,
    local_addr: SocketAddr,
    tls: Option<TlsAcceptor>,
    /// One per worker thread: the same deployment, limits and sinks, each with its own pool.
    workers: Arc<[Arc<Shared>]>,
    writer: AccessLogWriter,
    drain_timeout: Duration,
    /// `GET /metrics`'s own listener, when configured.
    metrics: Option<(std::net::TcpListener, SocketAddr)>,
}

impl std::fmt::Debug for Gateway {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gateway")
            .field("local_addr", &self.local_addr)
            .field("tls", &self.tls.is_some())
            .field("workers", &self.workers.len())
            .field("metrics_addr", &self.metrics_addr())
            .finish_non_exhaustive()
    }
}

/// Swaps the deployment of a running gateway; cheap to clone.
#[derive(Debug, Clone)]
pub struct ReloadHandle {
    workers: Arc<[Arc<Shared>]>,
}

impl ReloadHandle {
    /// Compiles `deployment` and makes it the one new requests see; requests in flight finish on
    /// the previous one.
    pub fn reload(&self, deployment: Deployment) {
        let mut snapshot = Snapshot::build(&deployment);
        if let Some(first) = self.workers.first() {
            crate::websocket::carry_counters(&first.snapshot.load(), &mut snapshot);
            if let Some(traffic) = &first.traffic {
                traffic.attach(&mut snapshot, &deployment);
            }
            if let Some(cache) = &first.cache {
                cache.attach(&mut snapshot);
            }
        }
        let snapshot = Arc::new(snapshot);
        for shared in self.workers.iter() {
            shared.snapshot.store(snapshot.clone());
        }
    }
}

impl Gateway {
    /// Loads the TLS files (if any), binds the listener and compiles `deployment`.
    pub async fn bind(
        config: GatewayConfig,
        deployment: Deployment,
    ) -> Result<Gateway, ServeError> {
        let tls = config.tls.as_ref().map(crate::tls::acceptor).transpose()?;
        let extra_roots = match &config.upstream_ca {
            Some(path) => crate::tls::ca_bundle(path)?,
            None => Vec::new(),
        };
        let upstream_tls = integrate::http::tls_config(extra_roots)
            .map_err(|e| ServeError::UpstreamTls(e.to_string()))?;
        let listener = TcpListener::bind(config.listen)
            .await
            .and_then(TcpListener::into_std)
            .map_err(ServeError::Bind)?;
        let local_addr = listener.local_addr().map_err(ServeError::Bind)?;
        let metrics = match config.metrics_listen {
            Some(addr) => Some(bind_metrics(addr).await?),
            None => None,
        };
        let (access_log, writer) = access_log::start(config.access_log, tokio::io::stdout());
        // On Redis, every node reaches every WebSocket connection through it.
        let connections = match &config.state {
            Some(state) => state.connection_registry().await,
            None => turnpike_state::ConnectionRegistry::embedded(),
        };
        let cache = config.state.clone().map(crate::cache::ResponseCache::new);
        let traffic = config
            .state
            .map(|state| Arc::new(crate::traffic::Traffic::new(state, config.account_throttle)));
        let mut snapshot = Snapshot::build(&deployment);
        if let Some(traffic) = &traffic {
            traffic.attach(&mut snapshot, &deployment);
        }
        if let Some(cache) = &cache {
            cache.attach(&mut snapshot);
        }
        let snapshot = Arc::new(snapshot);
        let functions = config.functions.map(integrate::lambda::Functions);
        let auth = crate::authorize::AuthSettings::new(
            config.credentials.map(|c| c.0).unwrap_or_default(),
            config.jwks_urls,
        );
        let aws = Arc::new(integrate::aws::AwsSettings::from_env(
            config.aws_endpoint_url.clone(),
        ));
        let workers = (0..worker_count(config.workers))
            .map(|_| {
                Arc::new(Shared {
                    snapshot: ArcSwap::new(snapshot.clone()),
                    client: integrate::http::client(upstream_tls.clone(), aws.clone()),
                    limits: config.limits,
                    access_log: access_log.clone(),
                    functions: functions.clone(),
                    auth: auth.clone(),
                    traffic: traffic.clone(),
                    cache: cache.clone(),
                    connections: connections.clone(),
                })
            })
            .collect();
        Ok(Gateway {
            listener,
            local_addr,
            tls,
            workers,
            writer,
            drain_timeout: config.drain_timeout,
            metrics,
        })
    }

    /// The first worker's shared state, for in-crate tests that drive a part of the pipeline.
    #[cfg(test)]
    pub(crate) fn shared(&self) -> Option<Arc<Shared>> {
        self.workers.first().cloned()
    }

    /// The address the gateway listens on (with the real port when bound to port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The address `GET /metrics` is served on (with the real port when bound to port 0), when
    /// [`GatewayConfig::metrics_listen`] is set.
    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.metrics.as_ref().map(|(_, addr)| *addr)
    }

    /// Replaces the deployment; see [`ReloadHandle::reload`].
    pub fn reload(&self, deployment: Deployment) {
        self.reload_handle().reload(deployment);
    }

    /// A handle that can reload the deployment after [`serve`](Gateway::serve) took the gateway.
    pub fn reload_handle(&self) -> ReloadHandle {
        ReloadHandle {
            workers: self.workers.clone(),
        }
    }

    /// Serves until `shutdown` completes, then stops accepting and drains: requests in flight
    /// finish (for up to the drain timeout) before this returns.
    pub async fn serve(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), ServeError> {
        let Gateway {
            listener,
            local_addr,
            tls,
            workers,
            writer,
            drain_timeout,
            metrics,
        } = self;
        let (stop, stopped) = watch::channel(false);
        if let (Some((listener, _)), Some(shared)) = (metrics, workers.first()) {
            tokio::spawn(crate::metrics::serve(
                listener,
                shared.clone(),
                stopped.clone(),
            ));
        }
        let mut finished = Vec::with_capacity(workers.len());
        for (index, shared) in workers.iter().enumerate() {
            let worker = Worker {
                listener: listener.try_clone().map_err(ServeError::Worker)?,
                local_addr,
                tls: tls.clone(),
                shared: shared.clone(),
                stop: stopped.clone(),
                drain_timeout,
            };
            let (done, done_rx) = oneshot::channel::<()>();
            let spawned = std::thread::Builder::new()
                .name(format!("turnpike-worker-{index}"))
                .spawn(move || worker.run(done));
            if let Err(error) = spawned {
                let _ = stop.send(true);
                return Err(ServeError::Worker(error));
            }
            finished.push(done_rx);
        }
        // The workers hold their own handles on the socket; it closes when the last one drops.
        drop(listener);
        shutdown.await;
        let _ = stop.send(true);
        for done in finished {
            // An error means the worker ended without reporting (its runtime failed to start,
            // already logged): nothing left to wait for.
            let _ = done.await;
        }
        writer.finish().await;
        Ok(())
    }
}

/// One worker thread: its event loop, its handle on the listening socket, its share of the
/// connections.
struct Worker {
    listener: std::net::TcpListener,
    local_addr: SocketAddr,
    tls: Option<TlsAcceptor>,
    shared: Arc<Shared>,
    stop: watch::Receiver<bool>,
    drain_timeout: Duration,
}

impl Worker {
    /// Runs the worker's event loop until the stop signal and the drain; then reports on `done`.
    fn run(self, done: oneshot::Sender<()>) {
        match tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            Ok(runtime) => runtime.block_on(self.serve()),
            Err(error) => tracing::error!(%error, "cannot start a worker's event loop"),
        }
        let _ = done.send(());
    }

    async fn serve(self) {
        let Worker {
            listener,
            local_addr,
            tls,
            shared,
            mut stop,
            drain_timeout,
        } = self;
        let listener = match TcpListener::from_std(listener) {
            Ok(listener) => listener,
            Err(error) => {
                tracing::error!(%error, "cannot register the listener with a worker");
                return;
            }
        };
        let builder = Arc::new(connection_builder(&shared.limits));
        let graceful = GracefulShutdown::new();
        loop {
            tokio::select! {
                changed = stop.wait_for(|stopping| *stopping) => {
                    // Err: the gateway is gone without a signal; stop all the same.
                    let _ = changed;
                    break;
                }
                accepted = listener.accept() => match accepted {
                    Ok((stream, peer)) => {
                        let connection = ClientConnection {
                            peer,
                            local: stream.local_addr().unwrap_or(local_addr),
                            tls: tls.is_some(),
                        };
                        tokio::spawn(serve_connection(
                            stream,
                            connection,
                            tls.clone(),
                            builder.clone(),
                            shared.clone(),
                            graceful.watcher(),
                        ));
                    }
                    Err(error) if is_lost_race(&error) => {}
                    Err(error) => {
                        // Out of file descriptors and the like: back off instead of spinning.
                        tracing::warn!(%error, "cannot accept a connection");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                },
            }
        }
        drop(listener);
        // Open WebSocket connections get 1001 `Going away` and run `$disconnect`, within the
        // drain like requests in flight.
        let sockets = crate::websocket::shutdown();
        let open = graceful.count();
        if open > 0 {
            tracing::info!(connections = open, "draining");
        }
        let drained = async { tokio::join!(graceful.shutdown(), sockets) };
        if tokio::time::timeout(drain_timeout, drained).await.is_err() {
            tracing::warn!(
                timeout_s = drain_timeout.as_secs(),
                "drain timeout elapsed; closing the remaining connections"
            );
        }
    }
}

/// Binds `GET /metrics`'s listener.
async fn bind_metrics(addr: SocketAddr) -> Result<(std::net::TcpListener, SocketAddr), ServeError> {
    let error = |source| ServeError::MetricsBind { addr, source };
    let listener = TcpListener::bind(addr)
        .await
        .and_then(TcpListener::into_std)
        .map_err(error)?;
    let local = listener.local_addr().map_err(error)?;
    Ok((listener, local))
}

/// `configured`, or one worker per core when 0.
fn worker_count(configured: usize) -> usize {
    if configured > 0 {
        return configured;
    }
    std::thread::available_parallelism().map_or(1, usize::from)
}

/// A client that gave up between the handshake and the accept: nothing to back off from.
fn is_lost_race(error: &std::io::Error) -> bool {
    error.kind() == std::io::ErrorKind::ConnectionAborted
}

/// HTTP/1.1 and HTTP/2 with the header limits: hyper rejects what is far over them (431 for
/// HTTP/1.1), the pipeline answers what is just over them with a gateway response.
fn connection_builder(limits: &Limits) -> auto::Builder<TokioExecutor> {
    let mut builder = auto::Builder::new(TokioExecutor::new());
    let head = limits.max_header_bytes.saturating_add(limits.max_uri_bytes);
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(HEAD_TIMEOUT)
        // hyper's floor is 8 KiB; the request head must fit with room for the first body bytes.
        .max_buf_size(head.saturating_mul(2).max(64 * 1024));
    builder
        .http2()
        .timer(TokioTimer::new())
        .max_header_list_size(u32::try_from(head.saturating_mul(2)).unwrap_or(u32::MAX))
        .max_concurrent_streams(Some(256));
    builder
}

async fn serve_connection(
    stream: TcpStream,
    connection: ClientConnection,
    tls: Option<TlsAcceptor>,
    builder: Arc<auto::Builder<TokioExecutor>>,
    shared: Arc<Shared>,
    watcher: Watcher,
) {
    let _ = stream.set_nodelay(true);
    // The client's spelling of header names (REST payload 1.0 events keep it; hyper does not),
    // recorded only when the deployment the connection starts under has such events: a later
    // deployment's events get lower-case names on it, never wrong ones.
    let recorder = shared
        .snapshot
        .load()
        .keeps_header_case
        .then(integrate::lambda::header_case::SharedRecorder::default);
    let heads = recorder.clone();
    let service = service_fn(move |mut request: http::Request<hyper::body::Incoming>| {
        let case = heads.as_ref().and_then(|heads| {
            integrate::lambda::header_case::Recorder::claim(heads, request.headers())
        });
        if let Some(case) = case {
            request.extensions_mut().insert(case);
        }
        // Boxed: hyper moves the request's future into its dispatcher, and the pipeline's future
        // is several kilobytes; moving a pointer is cheaper than copying it on every request.
        let handled = Box::pin(pipeline::handle(shared.clone(), request, connection));
        async move { Ok::<_, Infallible>(handled.await) }
    });
    let result = match tls {
        None => {
            let stream = integrate::lambda::header_case::Recording::new(stream, recorder);
            let conn = builder.serve_connection_with_upgrades(TokioIo::new(stream), service);
            watcher.watch(conn).await
        }
        Some(acceptor) => {
            let stream =
                match tokio::time::timeout(TLS_HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
                    Ok(Ok(stream)) => stream,
                    Ok(Err(error)) => {
                        tracing::debug!(peer = %connection.peer, %error, "TLS handshake failed");
                        return;
                    }
                    Err(_) => {
                        tracing::debug!(peer = %connection.peer, "TLS handshake timed out");
                        return;
                    }
                };
            let stream = integrate::lambda::header_case::Recording::new(stream, recorder);
            let conn = builder.serve_connection_with_upgrades(TokioIo::new(stream), service);
            watcher.watch(conn).await
        }
    };
    if let Err(error) = result {
        tracing::debug!(peer = %connection.peer, %error, "connection ended with an error");
    }
}
