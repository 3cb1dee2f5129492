//! One worker's side of the Runtime API: the runtime state machine (Lambda's own state names, which
//! appear in its error messages) and the hand-over of invocations between the pool and the runtime.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http::HeaderValue;
use tokio::sync::{oneshot, Notify};

/// Where the runtime is in its lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RuntimeState {
    /// Started, has not asked for an invocation yet.
    Started,
    /// Reported an init error.
    InitError,
    /// Received an invocation and owes its answer.
    Ready,
    /// Posting a response (body being read).
    InvocationResponse,
    /// Posting an error (body being read).
    InvocationErrorResponse,
    /// Answered; may ask for the next invocation.
    ResponseSent,
}

impl RuntimeState {
    /// The name Lambda prints in `InvalidStateTransition` messages.
    pub(crate) fn name(self) -> &'static str {
        match self {
            RuntimeState::Started => "Started",
            RuntimeState::InitError => "InitError",
            RuntimeState::Ready => "Ready",
            RuntimeState::InvocationResponse => "InvocationResponse",
            RuntimeState::InvocationErrorResponse => "InvocationErrorResponse",
            RuntimeState::ResponseSent => "RuntimeResponseSentState",
        }
    }
}

/// The `Lambda-Runtime-*` header values of one invocation, built before dispatch.
#[derive(Debug, Clone)]
pub(crate) struct InvocationHeaders {
    pub(crate) request_id: HeaderValue,
    pub(crate) function_arn: HeaderValue,
    pub(crate) trace_id: HeaderValue,
    pub(crate) client_context: Option<HeaderValue>,
    pub(crate) cognito_identity: Option<HeaderValue>,
}

/// An invocation handed to a worker.
pub(crate) struct Invocation {
    pub(crate) request_id: Arc<str>,
    pub(crate) payload: Bytes,
    pub(crate) headers: InvocationHeaders,
    pub(crate) timeout: Duration,
    /// Where the runtime's answer goes. Delivery is not reported through it (the waiting side
    /// reads [`SlotState::delivered_at`] when it needs it): one wake-up per invocation, not two.
    pub(crate) reply: oneshot::Sender<RuntimeReply>,
}

/// An answer posted by the runtime.
#[derive(Debug)]
pub(crate) enum RuntimeReply {
    Response(Bytes),
    Error {
        error_type: Option<String>,
        payload: Bytes,
    },
    ResponseTooLarge(usize),
    InitError {
        error_type: Option<String>,
        payload: Bytes,
    },
}

/// The invocation the runtime is working on.
pub(crate) struct Current {
    pub(crate) invocation: Invocation,
    pub(crate) deadline_ms: HeaderValue,
}

#[derive(Default)]
pub(crate) struct SlotState {
    pub(crate) runtime: Option<RuntimeState>,
    /// Handed over by the pool, not yet fetched by `/next`.
    pub(crate) pending: Option<Invocation>,
    /// Fetched by `/next`, not yet answered.
    pub(crate) current: Option<Current>,
    /// Id of the last invocation fetched; responses must name it.
    pub(crate) current_id: Option<Arc<str>>,
    /// When the runtime fetched the invocation dispatched last (its deadline clock starts
    /// there); `None` until it does.
    pub(crate) delivered_at: Option<Instant>,
    /// An init error reported while no invocation was waiting (a pre-warmed worker).
    pub(crate) init_error: Option<(Option<String>, Bytes)>,
}

impl SlotState {
    pub(crate) fn state(&self) -> RuntimeState {
        self.runtime.unwrap_or(RuntimeState::Started)
    }
}

/// Shared between a worker's Runtime API endpoint and the pool.
#[derive(Default)]
pub(crate) struct Slot {
    state: Mutex<SlotState>,
    arrived: Notify,
}

impl Slot {
    pub(crate) fn lock(&self) -> MutexGuard<'_, SlotState> {
        // A panic while holding this lock leaves plain data behind; keep serving it.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Hands an invocation to the runtime: `/next` picks it up. A runtime that already
    /// failed to initialize answers at once with its init error, as Lambda does.
    pub(crate) fn dispatch(&self, invocation: Invocation) {
        let mut state = self.lock();
        if let Some((error_type, payload)) = state.init_error.take() {
            let reply = RuntimeReply::InitError {
                error_type,
                payload,
            };
            let _ = invocation.reply.send(reply);
            return;
        }
        state.delivered_at = None;
        state.pending = Some(invocation);
        drop(state);
        self.arrived.notify_one();
    }

    /// Waits until the pool has dispatched an invocation.
    pub(crate) async fn arrival(&self) {
        self.arrived.notified().await;
    }

    /// When the runtime fetched the invocation dispatched last.
    pub(crate) fn delivered_at(&self) -> Option<Instant> {
        self.lock().delivered_at
    }

    /// Request id of the invocation in progress, for log lines.
    pub(crate) fn current_request_id(&self) -> Option<Arc<str>> {
        self.lock().current_id.clone()
    }
}

/// Milliseconds since the epoch `timeout` from now: `Lambda-Runtime-Deadline-Ms`.
pub(crate) fn deadline_header(timeout: Duration) -> HeaderValue {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    HeaderValue::from((now + timeout).as_millis() as u64)
}
