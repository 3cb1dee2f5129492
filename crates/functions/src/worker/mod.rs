//! One execution environment: a runtime process, its Runtime API endpoint, its log forwarding
//! and the task that reaps it. `command` says how it starts, `spawner` who forks it.

mod command;
mod logs;
mod spawner;

use std::io;
use std::os::unix::process::ExitStatusExt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use tokio::sync::{oneshot, watch};

pub(crate) use self::command::Launch;
use crate::error::ExitReason;
use crate::limits::{INIT_TIMEOUT, KILL_WAIT};
use crate::runtime_api::slot::{Invocation, InvocationHeaders, RuntimeReply, Slot};
use crate::runtime_api::{self, Endpoint};

/// Why a worker could not be started.
#[derive(Debug)]
pub(crate) enum SpawnError {
    /// The Runtime API endpoint could not be bound.
    Endpoint(io::Error),
    /// The program could not be executed; Lambda's wording.
    Exec(String),
}

/// An invocation the worker did not answer.
#[derive(Debug)]
pub(crate) enum RunFailure {
    TimedOut,
    /// The process ended; `delivered` tells whether the runtime had fetched the invocation.
    Exited {
        reason: ExitReason,
        delivered: bool,
    },
}

/// A runtime's answer and how long it took from delivery.
#[derive(Debug)]
pub(crate) struct Answer {
    pub(crate) reply: RuntimeReply,
    pub(crate) duration: Duration,
}

/// A running worker process. Dropping it kills the process group.
pub(crate) struct Worker {
    /// The pool's code generation this worker was started for (see `FunctionPool::restart`).
    pub(crate) generation: u64,
    pid: u32,
    slot: Arc<Slot>,
    exit: watch::Receiver<Option<ExitReason>>,
    exited: Arc<AtomicBool>,
    _endpoint: Endpoint,
}

impl Worker {
    /// Starts a worker for `launch` and returns once the process exists (not once it is ready).
    pub(crate) async fn spawn(launch: &Launch) -> Result<Worker, SpawnError> {
        let slot = Arc::new(Slot::default());
        let endpoint = runtime_api::bind(slot.clone())
            .await
            .map_err(SpawnError::Endpoint)?;
        let log_stream = crate::environment::log_stream_name();
        let command = launch.command(endpoint.addr, &log_stream);
        let mut child = spawner::spawn(command)
            .await
            .map_err(|error| SpawnError::Exec(launch.exec_failure(&error)))?;
        let Some(pid) = child.id() else {
            return Err(SpawnError::Exec(format!(
                "{} exited while starting",
                launch.program.display()
            )));
        };
        if let Some(stdout) = child.stdout.take() {
            logs::forward(
                stdout,
                logs::Stream::Stdout,
                launch.function.clone(),
                slot.clone(),
            );
        }
        if let Some(stderr) = child.stderr.take() {
            logs::forward(
                stderr,
                logs::Stream::Stderr,
                launch.function.clone(),
                slot.clone(),
            );
        }
        let (exit_tx, exit) = watch::channel(None);
        let exited = Arc::new(AtomicBool::new(false));
        let flag = exited.clone();
        let function = launch.function.clone();
        tokio::spawn(async move {
            let status = child.wait().await;
            flag.store(true, Ordering::SeqCst);
            // The leader is gone; its own children (a bootstrap's background jobs) may not be.
            kill_group(pid);
            let reason = match status {
                Ok(status) => match (status.code(), status.signal()) {
                    (Some(code), _) => ExitReason::Code(code),
                    (None, Some(signal)) => ExitReason::Signal(signal),
                    (None, None) => ExitReason::Code(-1),
                },
                Err(_) => KILLED,
            };
            tracing::debug!(function = %function, pid, %reason, "worker exited");
            let _ = exit_tx.send(Some(reason));
        });
        tracing::debug!(function = %launch.function, pid, api = %endpoint.addr, "worker started");
        Ok(Worker {
            generation: 0,
            pid,
            slot,
            exit,
            exited,
            _endpoint: endpoint,
        })
    }

    pub(crate) fn pid(&self) -> u32 {
        self.pid
    }

    /// True once the process has exited.
    pub(crate) fn has_exited(&self) -> bool {
        self.exited.load(Ordering::SeqCst)
    }

    /// True once the process has ended, also before the reaper task collected its status (a
    /// worker killed while idle must not be handed an invocation its parked long poll would
    /// appear to accept): `waitid` with `WNOWAIT` looks without reaping.
    pub(crate) fn is_dead(&self) -> bool {
        if self.has_exited() {
            return true;
        }
        let pid: libc::id_t = self.pid;
        // SAFETY: `info` is a plain C struct waitid fills; WNOWAIT leaves the child waitable.
        unsafe {
            let mut info: libc::siginfo_t = std::mem::zeroed();
            let flags = libc::WEXITED | libc::WNOHANG | libc::WNOWAIT;
            libc::waitid(libc::P_PID, pid, &mut info, flags) == 0 && info.si_pid() != 0
        }
    }

    /// Sends SIGKILL to the worker's whole process group.
    pub(crate) fn kill(&self) {
        if !self.has_exited() {
            kill_group(self.pid);
        }
    }

    /// Kills the process group and waits (a bounded time) until the process is reaped.
    pub(crate) async fn kill_and_wait(&self) {
        self.kill();
        let mut exit = self.exit.clone();
        let _ = tokio::time::timeout(KILL_WAIT, exit.wait_for(Option::is_some)).await;
    }

    /// Hands one invocation to the runtime; [`Worker::wait`] then waits for its answer.
    pub(crate) fn dispatch(
        &self,
        request_id: Arc<str>,
        payload: Bytes,
        headers: InvocationHeaders,
        timeout: Duration,
    ) -> Running {
        let (reply, answer) = oneshot::channel();
        self.slot.dispatch(Invocation {
            request_id,
            payload,
            headers,
            timeout,
            reply,
        });
        Running {
            answer,
            dispatched: Instant::now(),
            timeout,
        }
    }

    /// Waits for the answer to the invocation `running`: for the runtime to fetch it (bounded by
    /// Lambda's init time plus the timeout), then for its answer until the deadline, watching for
    /// the process to die. Cancel-safe: dropped, it can be called again with the same `running`.
    pub(crate) async fn wait(&self, running: &mut Running) -> Result<Answer, RunFailure> {
        let mut exit = self.exit.clone();
        let timeout = running.timeout;
        // The earliest the deadline can be (the runtime fetches the invocation after dispatch);
        // when it passes, the real one is worked out from when the runtime did.
        let mut deadline = running.dispatched + timeout;
        let answer = |reply| Answer {
            reply,
            duration: self
                .slot
                .delivered_at()
                .map(|at| at.elapsed())
                .unwrap_or_default(),
        };
        loop {
            let step = tokio::select! {
                biased;
                reply = &mut running.answer => Step::Heard(reply.ok()),
                reason = exit.wait_for(Option::is_some) => Step::Exited(reason.ok().and_then(|r| *r)),
                _ = tokio::time::sleep_until(deadline.into()) => Step::Deadline,
            };
            match step {
                Step::Heard(Some(reply)) => return Ok(answer(reply)),
                Step::Heard(None) => {
                    let reason = exit.wait_for(Option::is_some).await.ok().and_then(|r| *r);
                    return Err(RunFailure::Exited {
                        reason: reason.unwrap_or(KILLED),
                        delivered: self.slot.delivered_at().is_some(),
                    });
                }
                Step::Exited(reason) => {
                    // An answer posted just before exiting still counts.
                    if let Ok(reply) = running.answer.try_recv() {
                        return Ok(answer(reply));
                    }
                    return Err(RunFailure::Exited {
                        reason: reason.unwrap_or(KILLED),
                        delivered: self.slot.delivered_at().is_some(),
                    });
                }
                Step::Deadline => {
                    let real = match self.slot.delivered_at() {
                        Some(at) => at + timeout,
                        None => running.dispatched + INIT_TIMEOUT + timeout,
                    };
                    if real <= Instant::now() {
                        return Err(RunFailure::TimedOut);
                    }
                    deadline = real;
                }
            }
        }
    }
}

/// An invocation handed to a worker, not yet answered.
pub(crate) struct Running {
    answer: oneshot::Receiver<RuntimeReply>,
    dispatched: Instant,
    timeout: Duration,
}

/// What woke [`Worker::wait`] up.
enum Step {
    Heard(Option<RuntimeReply>),
    Exited(Option<ExitReason>),
    Deadline,
}

/// Reported when the exit status was lost (the reaper task did not run to the end).
const KILLED: ExitReason = ExitReason::Signal(libc::SIGKILL);

impl Drop for Worker {
    fn drop(&mut self) {
        self.kill();
    }
}

fn kill_group(pid: u32) {
    let Ok(pgid) = libc::pid_t::try_from(pid) else {
        return;
    };
    // SAFETY: killpg only sends a signal; the group is the worker's own (`process_group(0)`).
    unsafe {
        libc::killpg(pgid, libc::SIGKILL);
    }
}
