//! One invocation seen from the caller: what goes in and what comes out.

use std::time::Duration;

use bytes::Bytes;

/// Per-invocation metadata delivered to the runtime as `Lambda-Runtime-*` headers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InvokeContext {
    /// `Lambda-Runtime-Aws-Request-Id`; a fresh UUID when `None`.
    pub request_id: Option<String>,
    /// `Lambda-Runtime-Invoked-Function-Arn`; the function's unqualified ARN when `None`.
    pub invoked_function_arn: Option<String>,
    /// `Lambda-Runtime-Trace-Id`; a fresh X-Ray trace header when `None`.
    pub trace_id: Option<String>,
    /// `Lambda-Runtime-Client-Context`: the client context JSON, sent only when present.
    pub client_context: Option<String>,
    /// `Lambda-Runtime-Cognito-Identity`: the Cognito identity JSON, sent only when present.
    pub cognito_identity: Option<String>,
}

/// An invocation the runtime answered, with a response or with an error it reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvokeOutcome {
    /// The request id the runtime saw.
    pub request_id: String,
    /// Process id of the worker that served it.
    pub worker_pid: u32,
    /// True when a worker was started for this invocation.
    pub cold_start: bool,
    /// From the runtime receiving the event to its answer.
    pub duration: Duration,
    /// What the runtime answered.
    pub response: InvokeResponse,
}

/// What the runtime posted for an invocation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InvokeResponse {
    /// `POST /runtime/invocation/{id}/response`: the function's result, as posted.
    Success(Bytes),
    /// `POST /runtime/invocation/{id}/error`: the function raised or reported an error.
    FunctionError(FunctionError),
}

/// An error a function reported through the Runtime API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionError {
    /// `Lambda-Runtime-Function-Error-Type` as posted, when present.
    pub error_type: Option<String>,
    /// The error document as posted, usually `{errorMessage, errorType, stackTrace}`.
    pub payload: Bytes,
}

impl FunctionError {
    /// `errorMessage` of the error document, which API Gateway matches `selectionPattern`
    /// against; `None` when the payload is not a JSON object with a string `errorMessage`.
    pub fn error_message(&self) -> Option<String> {
        let document: serde_json::Value = serde_json::from_slice(&self.payload).ok()?;
        document.get("errorMessage")?.as_str().map(str::to_string)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_message_reads_the_document() {
        let error = FunctionError {
            error_type: Some("ValueError".into()),
            payload: Bytes::from_static(br#"{"errorMessage":"boom","errorType":"ValueError"}"#),
        };
        assert_eq!(error.error_message().as_deref(), Some("boom"));
        let opaque = FunctionError {
            error_type: None,
            payload: Bytes::from_static(b"not json"),
        };
        assert_eq!(opaque.error_message(), None);
    }
}
