//! Lambda's fixed limits, named once.

use std::time::Duration;

/// Largest synchronous invocation payload Lambda accepts: 6 MiB.
pub const MAX_REQUEST_PAYLOAD_BYTES: usize = 6 * 1024 * 1024;

/// Largest response a runtime may post: 6 MiB plus 100 bytes, as Lambda's runtime API counts it.
pub const MAX_RESPONSE_PAYLOAD_BYTES: usize = 6 * 1024 * 1024 + 100;

/// Lambda gives the init phase 10 s of its own before the invocation's timeout starts to count.
pub(crate) const INIT_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a killed worker may take to disappear before we stop waiting for it.
pub(crate) const KILL_WAIT: Duration = Duration::from_secs(5);

/// Longest log line forwarded from a function's stdout/stderr; the rest of the line is dropped.
pub(crate) const MAX_LOG_LINE_BYTES: usize = 64 * 1024;
