//! Why an invocation or the host failed, worded as Lambda words it.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use bytes::Bytes;

use crate::config::ConfigError;
use crate::limits::{MAX_REQUEST_PAYLOAD_BYTES, MAX_RESPONSE_PAYLOAD_BYTES};

/// How a worker process ended, printed as Lambda (a Go program) prints it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitReason {
    /// Exited with this status code.
    Code(i32),
    /// Killed by this signal number.
    Signal(i32),
}

impl fmt::Display for ExitReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            ExitReason::Code(0) => f.write_str("Runtime exited without providing a reason"),
            ExitReason::Code(code) => write!(f, "Runtime exited with error: exit status {code}"),
            ExitReason::Signal(signal) => match signal_name(signal) {
                Some(name) => write!(f, "Runtime exited with error: signal: {name}"),
                None => write!(f, "Runtime exited with error: signal {signal}"),
            },
        }
    }
}

/// Go's names for the signals a crashing runtime usually dies of.
fn signal_name(signal: i32) -> Option<&'static str> {
    Some(match signal {
        libc::SIGHUP => "hangup",
        libc::SIGINT => "interrupt",
        libc::SIGQUIT => "quit",
        libc::SIGILL => "illegal instruction",
        libc::SIGABRT => "aborted",
        libc::SIGBUS => "bus error",
        libc::SIGFPE => "floating point exception",
        libc::SIGKILL => "killed",
        libc::SIGSEGV => "segmentation fault",
        libc::SIGPIPE => "broken pipe",
        libc::SIGTERM => "terminated",
        _ => return None,
    })
}

/// An invocation that produced neither a response nor a function-reported error.
///
/// Most variants are what Lambda's Invoke API reports as an unhandled function error
/// (`X-Amz-Function-Error: Unhandled`, see [`InvokeError::is_function_error`]); the others are
/// Invoke API errors with their own status ([`InvokeError::invoke_status`]).
#[derive(Debug, thiserror::Error)]
pub enum InvokeError {
    /// The event exceeds 6 MiB.
    #[error("{size} byte payload is too large for the RequestResponse invocation type (limit {MAX_REQUEST_PAYLOAD_BYTES} bytes)")]
    RequestTooLarge {
        /// Size of the refused payload.
        size: usize,
    },
    /// Every worker is busy and the queue is full (or reserved concurrency is 0).
    #[error("Rate Exceeded.")]
    Throttled,
    /// The function ran past its timeout; its worker was killed.
    #[error("RequestId: {request_id} Error: Task timed out after {:.2} seconds", timeout.as_secs_f64())]
    Timeout {
        /// The invocation's request id.
        request_id: String,
        /// The function's configured timeout.
        timeout: Duration,
    },
    /// The worker process exited before answering.
    #[error("RequestId: {request_id} Error: {reason}")]
    RuntimeExited {
        /// The invocation's request id.
        request_id: String,
        /// How it ended.
        reason: ExitReason,
    },
    /// The runtime reported `POST /runtime/init/error`; `payload` is what it posted.
    #[error("RequestId: {request_id} Error: the function failed to initialize ({})", error_type.as_deref().unwrap_or("Runtime.Unknown"))]
    InitError {
        /// The invocation's request id.
        request_id: String,
        /// `Lambda-Runtime-Function-Error-Type` as posted.
        error_type: Option<String>,
        /// The error document as posted, usually `{errorMessage, errorType, stackTrace}`.
        payload: Bytes,
    },
    /// The runtime posted a response larger than 6 MiB + 100 bytes.
    #[error("Response payload size ({size} bytes) exceeded maximum allowed payload size ({MAX_RESPONSE_PAYLOAD_BYTES} bytes).")]
    ResponseTooLarge {
        /// The invocation's request id.
        request_id: String,
        /// Size of the refused response.
        size: usize,
    },
    /// The worker could not be started (missing or non-executable bootstrap or interpreter).
    #[error("RequestId: {request_id} Error: {reason}")]
    InvalidEntrypoint {
        /// The invocation's request id.
        request_id: String,
        /// What went wrong, as Lambda words it.
        reason: String,
    },
    /// An [`crate::InvokeContext`] field cannot travel as a Runtime API header.
    #[error("invalid {field}: not a valid HTTP header value")]
    InvalidContext {
        /// Which field.
        field: &'static str,
    },
    /// No function of that name is loaded.
    #[error("Function not found: {arn}")]
    FunctionNotFound {
        /// The function's ARN.
        arn: String,
    },
    /// Lambda's Invoke API answered a remote function's invocation with an error status.
    #[error("{error_type} ({status}): {message}")]
    Remote {
        /// The Invoke API's status.
        status: u16,
        /// Lambda's error type, e.g. `ResourceNotFoundException`.
        error_type: String,
        /// Lambda's message.
        message: String,
        /// The body as Lambda sent it.
        body: Bytes,
    },
    /// Lambda's Invoke API could not be reached for a remote function, or broke the exchange.
    #[error("cannot invoke {arn} through the Lambda Invoke API: {reason}")]
    Unreachable {
        /// The function's ARN.
        arn: String,
        /// Why.
        reason: String,
    },
    /// No AWS credentials to sign a remote function's invocation with.
    #[error("Unable to locate credentials: {0}")]
    NoCredentials(String),
    /// The pool was shut down.
    #[error("the function's pool is shut down")]
    ShutDown,
    /// A local failure of the host itself (the Runtime API endpoint could not be bound).
    #[error("the functions host failed: {0}")]
    Host(#[from] std::io::Error),
}

impl InvokeError {
    /// True when Lambda's Invoke API answers 200 with `X-Amz-Function-Error: Unhandled` and
    /// [`InvokeError::payload`] as the body.
    pub fn is_function_error(&self) -> bool {
        matches!(
            self,
            InvokeError::Timeout { .. }
                | InvokeError::RuntimeExited { .. }
                | InvokeError::InitError { .. }
                | InvokeError::ResponseTooLarge { .. }
                | InvokeError::InvalidEntrypoint { .. }
        )
    }

    /// Status Lambda's Invoke API answers with.
    pub fn invoke_status(&self) -> u16 {
        match self {
            _ if self.is_function_error() => 200,
            InvokeError::RequestTooLarge { .. } => 413,
            InvokeError::Throttled => 429,
            InvokeError::FunctionNotFound { .. } => 404,
            InvokeError::InvalidContext { .. } => 400,
            InvokeError::Remote { status, .. } => *status,
            _ => 500,
        }
    }

    /// The error type: `errorType` of a function error, or the Invoke API's exception name.
    pub fn error_type(&self) -> &str {
        match self {
            InvokeError::RequestTooLarge { .. } => "RequestEntityTooLargeException",
            InvokeError::Throttled => "TooManyRequestsException",
            InvokeError::Timeout { .. } => "Sandbox.Timedout",
            InvokeError::RuntimeExited { .. } => "Runtime.ExitError",
            InvokeError::InitError { error_type, .. } => {
                error_type.as_deref().unwrap_or("Runtime.Unknown")
            }
            InvokeError::ResponseTooLarge { .. } => "Function.ResponseSizeTooLarge",
            InvokeError::InvalidEntrypoint { .. } => "Runtime.InvalidEntrypoint",
            InvokeError::InvalidContext { .. } => "InvalidRequestContentException",
            InvokeError::FunctionNotFound { .. } => "ResourceNotFoundException",
            InvokeError::Remote { error_type, .. } => error_type,
            InvokeError::Unreachable { .. } | InvokeError::NoCredentials(_) => "ClientException",
            InvokeError::ShutDown | InvokeError::Host(_) => "ServiceException",
        }
    }

    /// The body Lambda's Invoke API answers with: the error document for function errors
    /// (the runtime's own for init errors), `{"Type":"User","message":...}` otherwise.
    pub fn payload(&self) -> Bytes {
        let document = match self {
            InvokeError::InitError { payload, .. } if !payload.is_empty() => {
                return payload.clone()
            }
            InvokeError::Remote { body, .. } => return body.clone(),
            InvokeError::ResponseTooLarge { .. } => serde_json::json!({
                "errorMessage": self.to_string(),
                "errorType": self.error_type(),
            }),
            _ if self.is_function_error() => serde_json::json!({
                "errorType": self.error_type(),
                "errorMessage": self.to_string(),
            }),
            InvokeError::Throttled => serde_json::json!({
                "Reason": "ReservedFunctionConcurrentInvocationLimitExceeded",
                "Type": "User",
                "message": self.to_string(),
            }),
            InvokeError::ShutDown | InvokeError::Host(_) => serde_json::json!({
                "Type": "Service",
                "message": self.to_string(),
            }),
            _ => serde_json::json!({ "Type": "User", "message": self.to_string() }),
        };
        Bytes::from(document.to_string())
    }
}

/// The host could not be set up or a function could not be added.
#[derive(Debug, thiserror::Error)]
pub enum HostError {
    /// The function's configuration is invalid.
    #[error("function `{function}`: {source}")]
    Config {
        /// Function name.
        function: String,
        /// What is wrong.
        source: ConfigError,
    },
    /// The Lambda endpoint for remote functions is unusable.
    #[error("--lambda-endpoint: {0}")]
    LambdaEndpoint(String),
    /// The bundled runtime client could not be written to the cache directory.
    #[error("cannot write the bundled runtime client to {}: {source}", path.display())]
    CacheDir {
        /// Where it was being written.
        path: PathBuf,
        /// Why it failed.
        source: std::io::Error,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_reasons_read_like_lambdas() {
        assert_eq!(
            ExitReason::Code(0).to_string(),
            "Runtime exited without providing a reason"
        );
        assert_eq!(
            ExitReason::Code(3).to_string(),
            "Runtime exited with error: exit status 3"
        );
        assert_eq!(
            ExitReason::Signal(libc::SIGKILL).to_string(),
            "Runtime exited with error: signal: killed"
        );
        assert_eq!(
            ExitReason::Signal(libc::SIGSEGV).to_string(),
            "Runtime exited with error: signal: segmentation fault"
        );
    }

    #[test]
    fn function_error_payloads_are_lambdas() {
        let timeout = InvokeError::Timeout {
            request_id: "abc".into(),
            timeout: Duration::from_millis(2500),
        };
        assert!(timeout.is_function_error());
        assert_eq!(timeout.invoke_status(), 200);
        assert_eq!(
            timeout.payload(),
            r#"{"errorType":"Sandbox.Timedout","errorMessage":"RequestId: abc Error: Task timed out after 2.50 seconds"}"#
        );
        let too_large = InvokeError::ResponseTooLarge {
            request_id: "abc".into(),
            size: 7_000_000,
        };
        assert_eq!(
            too_large.payload(),
            r#"{"errorMessage":"Response payload size (7000000 bytes) exceeded maximum allowed payload size (6291556 bytes).","errorType":"Function.ResponseSizeTooLarge"}"#
        );
    }

    #[test]
    fn invoke_api_errors_are_lambdas() {
        let request = InvokeError::RequestTooLarge { size: 6_291_457 };
        assert_eq!(request.invoke_status(), 413);
        assert_eq!(
            request.payload(),
            r#"{"Type":"User","message":"6291457 byte payload is too large for the RequestResponse invocation type (limit 6291456 bytes)"}"#
        );
        assert_eq!(InvokeError::Throttled.invoke_status(), 429);
        assert_eq!(
            InvokeError::Throttled.payload(),
            r#"{"Reason":"ReservedFunctionConcurrentInvocationLimitExceeded","Type":"User","message":"Rate Exceeded."}"#
        );
    }
}
