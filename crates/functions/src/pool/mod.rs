//! A function's pool of warm workers: admission (reserved concurrency and a bounded queue), warm
//! reuse of idle workers (one invocation at a time each) and replacement of dead ones. `headers`
//! prepares the Runtime API headers, `outcome` maps every way an invocation can end to Lambda's
//! answer, `reaper` stops idle workers.

mod headers;
mod outcome;
mod reaper;

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use bytes::Bytes;
use http::HeaderValue;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, TryAcquireError};

use crate::config::FunctionConfig;
use crate::error::InvokeError;
use crate::invoke::{InvokeContext, InvokeOutcome};
use crate::limits::MAX_REQUEST_PAYLOAD_BYTES;
use crate::runtime_api::slot::InvocationHeaders;
use crate::worker::{Launch, RunFailure, Running, SpawnError, Worker};

/// A snapshot of a pool's load.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolStats {
    /// Invocations holding a worker.
    pub running: usize,
    /// Invocations waiting for a free slot.
    pub queued: usize,
    /// Warm workers waiting for an invocation.
    pub idle: usize,
}

/// One function's workers. Cheap to clone; the workers are killed when the last clone is dropped
/// (or at [`FunctionPool::shutdown`]).
#[derive(Clone)]
pub struct FunctionPool {
    inner: Arc<PoolInner>,
}

struct Idle {
    worker: Worker,
    since: Instant,
}

pub(crate) struct PoolInner {
    config: FunctionConfig,
    launch: Launch,
    arn: String,
    arn_header: HeaderValue,
    permits: Arc<Semaphore>,
    queued: AtomicUsize,
    running: AtomicUsize,
    idle: Mutex<Vec<Idle>>,
    closed: AtomicBool,
    /// Bumped when the code changes: workers of an older generation are not reused.
    generation: AtomicU64,
    /// The runtime the pool was started on. Invocations run there whatever runtime calls them:
    /// worker processes, their pipes and their exit status belong to one reactor that outlives
    /// the gateway's per-core runtimes.
    home: tokio::runtime::Handle,
}

impl FunctionPool {
    /// Creates the pool, starts its idle reaper and its `min_warm` workers. Requires a Tokio runtime.
    pub(crate) async fn start(config: FunctionConfig, launch: Launch, arn: String) -> FunctionPool {
        let arn_header =
            HeaderValue::from_str(&arn).unwrap_or_else(|_| HeaderValue::from_static(""));
        let permits = Arc::new(Semaphore::new(config.concurrency() as usize));
        let inner = Arc::new(PoolInner {
            config,
            launch,
            arn,
            arn_header,
            permits,
            queued: AtomicUsize::new(0),
            running: AtomicUsize::new(0),
            idle: Mutex::new(Vec::new()),
            closed: AtomicBool::new(false),
            generation: AtomicU64::new(0),
            home: tokio::runtime::Handle::current(),
        });
        reaper::spawn(Arc::downgrade(&inner), inner.config.idle_timeout);
        let warm = inner.config.min_warm.min(inner.config.concurrency());
        for _ in 0..warm {
            match inner.spawn_current().await {
                Ok(worker) => inner.put_idle(worker),
                Err(error) => {
                    tracing::warn!(function = %inner.config.name, ?error, "could not pre-warm a worker");
                    break;
                }
            }
        }
        FunctionPool { inner }
    }

    /// The function's configuration.
    pub fn config(&self) -> &FunctionConfig {
        &self.inner.config
    }

    /// The function's unqualified ARN.
    pub fn arn(&self) -> &str {
        &self.inner.arn
    }

    /// Current load.
    pub fn stats(&self) -> PoolStats {
        PoolStats {
            running: self.inner.running.load(Ordering::SeqCst),
            queued: self.inner.queued.load(Ordering::SeqCst),
            idle: self.inner.lock_idle().len(),
        }
    }

    /// Invokes the function synchronously (`RequestResponse`) with `payload` as the event.
    ///
    /// A warm invocation runs on the caller's task: the runtime's answer wakes the caller
    /// directly, with no hop through another runtime. Starting a worker (a cold start) runs on
    /// the pool's home runtime. Either way a caller that stops waiting does not kill the worker,
    /// which finishes the invocation (on the home runtime) and goes back to the pool.
    pub async fn invoke(
        &self,
        payload: Bytes,
        ctx: InvokeContext,
    ) -> Result<InvokeOutcome, InvokeError> {
        if payload.len() > MAX_REQUEST_PAYLOAD_BYTES {
            return Err(InvokeError::RequestTooLarge {
                size: payload.len(),
            });
        }
        let request_id: Arc<str> = match &ctx.request_id {
            Some(id) => id.as_str().into(),
            None => uuid::Uuid::new_v4().to_string().into(),
        };
        let headers = headers::invocation_headers(&request_id, &ctx, &self.inner.arn_header)?;
        let permit = self.inner.admit().await?;
        let inner = self.inner.clone();
        if let Some(worker) = inner.take_idle() {
            let running = worker.dispatch(
                request_id.clone(),
                payload.clone(),
                headers.clone(),
                inner.config.timeout,
            );
            let mut call = WarmCall {
                inner: inner.clone(),
                busy: Some(Busy::new(inner.clone(), permit)),
                worker: Some(worker),
                running: Some(running),
                request_id: request_id.clone(),
            };
            return match call.wait().await {
                WarmEnd::Done(outcome) => outcome,
                // A warm worker that died while idle never saw the event: start a fresh one.
                WarmEnd::NotDelivered(busy) => {
                    inner.execute_cold(busy, request_id, payload, headers).await
                }
            };
        }
        let busy = Busy::new(inner.clone(), permit);
        inner.execute_cold(busy, request_id, payload, headers).await
    }

    /// Restarts the function after its code changed: idle workers are stopped now, busy ones
    /// finish their invocation and are stopped then; the next invocations start fresh workers
    /// (and `min_warm` ones are started again).
    pub async fn restart(&self) {
        self.inner.restart().await;
    }

    pub(crate) fn downgrade(&self) -> std::sync::Weak<PoolInner> {
        Arc::downgrade(&self.inner)
    }

    /// Refuses new invocations and kills the idle workers, waiting until they are gone. Busy
    /// workers are killed as their invocations finish.
    pub async fn shutdown(&self) {
        self.inner.closed.store(true, Ordering::SeqCst);
        self.inner.permits.close();
        let idle: Vec<Idle> = self.inner.lock_idle().drain(..).collect();
        for entry in &idle {
            entry.worker.kill();
        }
        for entry in &idle {
            entry.worker.kill_and_wait().await;
        }
    }
}

impl PoolInner {
    fn lock_idle(&self) -> MutexGuard<'_, Vec<Idle>> {
        self.idle.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Waits for a free slot, queueing up to `max_queue`; beyond it, throttled.
    async fn admit(&self) -> Result<OwnedSemaphorePermit, InvokeError> {
        if self.closed.load(Ordering::SeqCst) {
            return Err(InvokeError::ShutDown);
        }
        if self.config.concurrency() == 0 {
            return Err(InvokeError::Throttled);
        }
        match self.permits.clone().try_acquire_owned() {
            Ok(permit) => return Ok(permit),
            Err(TryAcquireError::Closed) => return Err(InvokeError::ShutDown),
            Err(TryAcquireError::NoPermits) => {}
        }
        if self.queued.fetch_add(1, Ordering::SeqCst) >= self.config.max_queue {
            self.queued.fetch_sub(1, Ordering::SeqCst);
            return Err(InvokeError::Throttled);
        }
        let _queued = Counted(&self.queued);
        self.permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| InvokeError::ShutDown)
    }

    /// Runs an invocation on a new worker, on the home runtime: worker processes, their pipes
    /// and their exit status belong to its reactor.
    async fn execute_cold(
        self: &Arc<Self>,
        busy: Busy,
        request_id: Arc<str>,
        payload: Bytes,
        headers: InvocationHeaders,
    ) -> Result<InvokeOutcome, InvokeError> {
        let inner = self.clone();
        self.home
            .spawn(async move {
                let _busy = busy;
                let worker = inner.spawn(&request_id).await?;
                let mut running =
                    worker.dispatch(request_id.clone(), payload, headers, inner.config.timeout);
                let result = worker.wait(&mut running).await;
                inner.finish(worker, true, &request_id, result).await
            })
            .await
            .map_err(|error| InvokeError::Host(std::io::Error::other(error.to_string())))?
    }

    /// A new worker of the current code generation.
    async fn spawn_current(&self) -> Result<Worker, SpawnError> {
        // Read before the process loads the code: a change during the start makes it stale.
        let generation = self.generation.load(Ordering::SeqCst);
        let mut worker = Worker::spawn(&self.launch).await?;
        worker.generation = generation;
        Ok(worker)
    }

    pub(crate) async fn restart(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        let stale: Vec<Idle> = self.lock_idle().drain(..).collect();
        tracing::info!(function = %self.config.name, stopped = stale.len(), "code changed; workers restart");
        for entry in &stale {
            entry.worker.kill_and_wait().await;
        }
        let warm = self.config.min_warm.min(self.config.concurrency());
        for _ in 0..warm {
            if let Ok(worker) = self.spawn_current().await {
                self.put_idle(worker);
            }
        }
    }

    async fn spawn(&self, request_id: &str) -> Result<Worker, InvokeError> {
        self.spawn_current().await.map_err(|error| match error {
            SpawnError::Endpoint(error) => InvokeError::Host(error),
            SpawnError::Exec(reason) => InvokeError::InvalidEntrypoint {
                request_id: request_id.to_string(),
                reason,
            },
        })
    }

    /// The most recently used live idle worker (warmest caches); dead ones are dropped.
    fn take_idle(&self) -> Option<Worker> {
        let mut idle = self.lock_idle();
        while let Some(entry) = idle.pop() {
            if !entry.worker.is_dead() {
                return Some(entry.worker);
            }
        }
        None
    }

    /// Keeps `worker` for the next invocation, unless the pool is closed, the worker died or its
    /// code is stale (dropping it kills it).
    pub(super) fn put_idle(&self, worker: Worker) {
        let stale = worker.generation != self.generation.load(Ordering::SeqCst);
        if self.closed.load(Ordering::SeqCst) || worker.has_exited() || stale {
            return;
        }
        self.lock_idle().push(Idle {
            worker,
            since: Instant::now(),
        });
    }
}

/// Decrements a counter when dropped, so cancelled waits are not counted forever.
struct Counted<'a>(&'a AtomicUsize);

impl Drop for Counted<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// An admitted invocation: holds its concurrency slot and counts as running until dropped.
struct Busy {
    inner: Arc<PoolInner>,
    _permit: OwnedSemaphorePermit,
}

impl Busy {
    fn new(inner: Arc<PoolInner>, permit: OwnedSemaphorePermit) -> Busy {
        inner.running.fetch_add(1, Ordering::SeqCst);
        Busy {
            inner,
            _permit: permit,
        }
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.inner.running.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A warm invocation in progress on the caller's task. Dropped before its answer (the caller
/// stopped waiting), it moves to the home runtime, which waits for the answer and gives the
/// worker back to the pool (or kills it on timeout) as if the caller had waited.
struct WarmCall {
    inner: Arc<PoolInner>,
    busy: Option<Busy>,
    worker: Option<Worker>,
    running: Option<Running>,
    request_id: Arc<str>,
}

/// How a warm invocation ended.
enum WarmEnd {
    Done(Result<InvokeOutcome, InvokeError>),
    /// The worker had died while idle and never saw the event; the slot is kept for a retry.
    NotDelivered(Busy),
}

impl WarmCall {
    async fn wait(&mut self) -> WarmEnd {
        let (Some(worker), Some(running)) = (self.worker.as_ref(), self.running.as_mut()) else {
            return WarmEnd::Done(Err(InvokeError::ShutDown));
        };
        let result = worker.wait(running).await;
        self.running = None;
        let Some(worker) = self.worker.take() else {
            return WarmEnd::Done(Err(InvokeError::ShutDown));
        };
        if let Err(RunFailure::Exited {
            delivered: false, ..
        }) = &result
        {
            if let Some(busy) = self.busy.take() {
                drop(worker);
                return WarmEnd::NotDelivered(busy);
            }
        }
        WarmEnd::Done(
            self.inner
                .finish(worker, false, &self.request_id, result)
                .await,
        )
    }
}

impl Drop for WarmCall {
    fn drop(&mut self) {
        let (Some(worker), Some(mut running)) = (self.worker.take(), self.running.take()) else {
            return;
        };
        let busy = self.busy.take();
        let inner = self.inner.clone();
        let request_id = self.request_id.clone();
        self.inner.home.spawn(async move {
            let _busy = busy;
            let result = worker.wait(&mut running).await;
            let _ = inner.finish(worker, false, &request_id, result).await;
        });
    }
}
