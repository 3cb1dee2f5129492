//! CloudWatch's WebSocket API metrics ("Monitor WebSocket API execution with CloudWatch
//! metrics"), counted per API and stage and exported with the gateway's other counters
//! ([`crate::metrics`]):
//!
//! - `ConnectCount`: calls of the `$connect` route's integration;
//! - `MessageCount`: messages sent to the API or to its clients (replies, error frames and
//!   `@connections` posts included);
//! - `IntegrationError`: integration answers with a 4XX/5XX status;
//! - `ClientError`: 4XX answers API Gateway gives before any integration runs (a refused
//!   `$connect` authorization, a message no route takes);
//! - `ExecutionError`: integrations that could not be called or failed.

use std::sync::atomic::{AtomicU64, Ordering};

/// One stage's counters.
#[derive(Debug, Default)]
pub(crate) struct WsCounters {
    connect: AtomicU64,
    messages: AtomicU64,
    integration_errors: AtomicU64,
    client_errors: AtomicU64,
    execution_errors: AtomicU64,
}

/// A counter, by its CloudWatch name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WsMetric {
    ConnectCount,
    MessageCount,
    IntegrationError,
    ClientError,
    ExecutionError,
}

/// The families as Prometheus exports them: name, help, metric.
pub(crate) const FAMILIES: [(&str, &str, WsMetric); 5] = [
    (
        "turnpike_websocket_connect_count_total",
        "Calls of the $connect route's integration (API Gateway ConnectCount).",
        WsMetric::ConnectCount,
    ),
    (
        "turnpike_websocket_message_count_total",
        "Messages sent to the WebSocket API or to its clients (API Gateway MessageCount).",
        WsMetric::MessageCount,
    ),
    (
        "turnpike_websocket_integration_error_total",
        "Integration answers with a 4XX or 5XX status (API Gateway IntegrationError).",
        WsMetric::IntegrationError,
    ),
    (
        "turnpike_websocket_client_error_total",
        "4XX answers given before an integration ran (API Gateway ClientError).",
        WsMetric::ClientError,
    ),
    (
        "turnpike_websocket_execution_error_total",
        "Integrations that could not be called or failed (API Gateway ExecutionError).",
        WsMetric::ExecutionError,
    ),
];

impl WsCounters {
    fn counter(&self, metric: WsMetric) -> &AtomicU64 {
        match metric {
            WsMetric::ConnectCount => &self.connect,
            WsMetric::MessageCount => &self.messages,
            WsMetric::IntegrationError => &self.integration_errors,
            WsMetric::ClientError => &self.client_errors,
            WsMetric::ExecutionError => &self.execution_errors,
        }
    }

    pub(crate) fn add(&self, metric: WsMetric) {
        self.counter(metric).fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn get(&self, metric: WsMetric) -> u64 {
        self.counter(metric).load(Ordering::Relaxed)
    }
}
