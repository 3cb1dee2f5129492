//! How an invocation ended, in Lambda's terms, and what becomes of its worker: back to the pool
//! after an answer, killed after a timeout or an init error, gone after a crash.

use crate::error::InvokeError;
use crate::invoke::{FunctionError, InvokeOutcome, InvokeResponse};
use crate::runtime_api::slot::RuntimeReply;
use crate::worker::{Answer, RunFailure, Worker};

use super::PoolInner;

impl PoolInner {
    pub(super) async fn finish(
        &self,
        worker: Worker,
        cold_start: bool,
        request_id: &str,
        result: Result<Answer, RunFailure>,
    ) -> Result<InvokeOutcome, InvokeError> {
        let request_id = request_id.to_string();
        let Answer { reply, duration } = match result {
            Ok(answer) => answer,
            Err(RunFailure::TimedOut) => {
                worker.kill_and_wait().await;
                let timeout = self.config.timeout;
                return Err(InvokeError::Timeout {
                    request_id,
                    timeout,
                });
            }
            Err(RunFailure::Exited { reason, .. }) => {
                return Err(InvokeError::RuntimeExited { request_id, reason })
            }
        };
        let response = match reply {
            RuntimeReply::Response(payload) => InvokeResponse::Success(payload),
            RuntimeReply::Error {
                error_type,
                payload,
            } => InvokeResponse::FunctionError(FunctionError {
                error_type,
                payload,
            }),
            RuntimeReply::ResponseTooLarge(size) => {
                // The runtime was told (413) and may take the next invocation.
                self.put_idle(worker);
                return Err(InvokeError::ResponseTooLarge { request_id, size });
            }
            RuntimeReply::InitError {
                error_type,
                payload,
            } => {
                // Lambda discards an environment that failed to initialize.
                worker.kill_and_wait().await;
                return Err(InvokeError::InitError {
                    request_id,
                    error_type,
                    payload,
                });
            }
        };
        let outcome = InvokeOutcome {
            request_id,
            worker_pid: worker.pid(),
            cold_start,
            duration,
            response,
        };
        self.put_idle(worker);
        Ok(outcome)
    }
}
