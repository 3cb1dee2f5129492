//! Access logs: one line per request on stdout, in an AWS access-log format.
//!
//! The format is parsed once: `clf` and `json` are the API Gateway console's presets (the REST
//! presets for REST APIs, the HTTP API presets for HTTP APIs, as each kind's console offers them),
//! anything else is a template of `$context` variables. As AWS requires, a template must include
//! `$context.requestId` or `$context.extendedRequestId`; a variable without a value prints `-`.
//!
//! The line is written when the response body has been sent (so `$context.responseLength` and
//! `$context.responseLatency` are known), through a bounded channel to one writer task that
//! batches lines into a buffered stdout: the request path never waits on stdout. When the channel
//! is full, lines are dropped and counted rather than slowing requests down.

use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, LazyLock};
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};
use pin_project_lite::pin_project;
use tokio::io::AsyncWriteExt;
use tokio::sync::{mpsc, Notify};
use tokio::task::JoinHandle;
use turnpike_model::ApiKind;

use crate::body::ResponseBody;
use crate::context::RequestContext;
use crate::template::{Missing, Root, Template};

const REST_CLF: &str = "$context.identity.sourceIp $context.identity.caller $context.identity.user [$context.requestTime]\"$context.httpMethod $context.resourcePath $context.protocol\" $context.status $context.responseLength $context.requestId $context.extendedRequestId";
const REST_JSON: &str = "{ \"requestId\":\"$context.requestId\", \"extendedRequestId\":\"$context.extendedRequestId\",\"ip\": \"$context.identity.sourceIp\", \"caller\":\"$context.identity.caller\", \"user\":\"$context.identity.user\", \"requestTime\":\"$context.requestTime\", \"httpMethod\":\"$context.httpMethod\", \"resourcePath\":\"$context.resourcePath\", \"status\":\"$context.status\", \"protocol\":\"$context.protocol\", \"responseLength\":\"$context.responseLength\" }";
const HTTP_CLF: &str = "$context.identity.sourceIp - - [$context.requestTime] \"$context.httpMethod $context.routeKey $context.protocol\" $context.status $context.responseLength $context.requestId";
const HTTP_JSON: &str = "{ \"requestId\":\"$context.requestId\", \"ip\": \"$context.identity.sourceIp\", \"requestTime\":\"$context.requestTime\", \"httpMethod\":\"$context.httpMethod\",\"routeKey\":\"$context.routeKey\", \"status\":\"$context.status\",\"protocol\":\"$context.protocol\", \"responseLength\":\"$context.responseLength\" }";

/// The console presets, parsed once.
struct Presets {
    rest_clf: Template,
    rest_json: Template,
    http_clf: Template,
    http_json: Template,
}

static PRESETS: LazyLock<Presets> = LazyLock::new(|| Presets {
    rest_clf: Template::parse(REST_CLF),
    rest_json: Template::parse(REST_JSON),
    http_clf: Template::parse(HTTP_CLF),
    http_json: Template::parse(HTTP_JSON),
});

/// Lines waiting for the writer before new ones are dropped.
const CHANNEL_CAPACITY: usize = 16 * 1024;

/// An access-log format, parsed once.
///
/// ```
/// use turnpike_gateway::AccessLog;
/// assert!(AccessLog::parse("clf").is_ok());
/// assert!(AccessLog::parse("$context.requestId $context.status").is_ok());
/// assert!(AccessLog::parse("$context.status").is_err()); // AWS requires a request id
/// assert!(AccessLog::off().is_off());
/// ```
#[derive(Debug, Clone)]
pub struct AccessLog {
    format: Format,
}

#[derive(Debug, Clone)]
enum Format {
    Off,
    Clf,
    Json,
    Custom(Arc<Template>),
}

impl AccessLog {
    /// No access log.
    pub fn off() -> AccessLog {
        AccessLog {
            format: Format::Off,
        }
    }

    /// The console's CLF preset (the default).
    pub fn clf() -> AccessLog {
        AccessLog {
            format: Format::Clf,
        }
    }

    /// The console's JSON preset.
    pub fn json() -> AccessLog {
        AccessLog {
            format: Format::Json,
        }
    }

    /// `clf`, `json`, `off`, or a template of `$context` variables that includes
    /// `$context.requestId` or `$context.extendedRequestId`.
    pub fn parse(format: &str) -> Result<AccessLog, String> {
        let trimmed = format.trim();
        if trimmed.eq_ignore_ascii_case("clf") {
            return Ok(AccessLog::clf());
        }
        if trimmed.eq_ignore_ascii_case("json") {
            return Ok(AccessLog::json());
        }
        if trimmed.eq_ignore_ascii_case("off") {
            return Ok(AccessLog::off());
        }
        if trimmed.is_empty() {
            return Err("the format is empty; use clf, json, off or a $context template".into());
        }
        if format.contains(['\n', '\r']) {
            return Err("the format must be a single line".into());
        }
        let template = Template::parse(format);
        let has_id = template.references().any(|(root, name)| {
            root == Root::Context && (name == "requestId" || name == "extendedRequestId")
        });
        if !has_id {
            return Err(
                "the format must include $context.requestId or $context.extendedRequestId, as \
                 API Gateway requires"
                    .into(),
            );
        }
        Ok(AccessLog {
            format: Format::Custom(Arc::new(template)),
        })
    }

    pub fn is_off(&self) -> bool {
        matches!(self.format, Format::Off)
    }

    /// The line for a finished request; `None` when logging is off.
    pub(crate) fn line(&self, ctx: &RequestContext) -> Option<String> {
        let template = match (&self.format, ctx.api_kind()) {
            (Format::Off, _) => return None,
            (Format::Clf, ApiKind::Rest) => &PRESETS.rest_clf,
            (Format::Json, ApiKind::Rest) => &PRESETS.rest_json,
            (Format::Clf, ApiKind::Http) => &PRESETS.http_clf,
            (Format::Json, ApiKind::Http) => &PRESETS.http_json,
            (Format::Custom(template), _) => &**template,
        };
        let mut line = String::with_capacity(256);
        template.render_into(ctx, Missing::Dash, &mut line);
        line.push('\n');
        Some(line)
    }
}

impl Default for AccessLog {
    fn default() -> AccessLog {
        AccessLog::clf()
    }
}

/// The sending side of the access log: cheap to clone, never blocks.
#[derive(Debug, Clone)]
pub(crate) struct AccessLogSink {
    format: AccessLog,
    tx: Option<mpsc::Sender<String>>,
    dropped: Arc<AtomicU64>,
}

/// The writer task; [`AccessLogWriter::finish`] flushes what is queued and stops it.
#[derive(Debug)]
pub(crate) struct AccessLogWriter {
    stop: Arc<Notify>,
    task: Option<JoinHandle<()>>,
    dropped: Arc<AtomicU64>,
}

/// Starts the writer task (when logging is on) writing to `out`.
pub(crate) fn start<W>(format: AccessLog, out: W) -> (AccessLogSink, AccessLogWriter)
where
    W: tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let dropped = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(Notify::new());
    if format.is_off() {
        let sink = AccessLogSink {
            format,
            tx: None,
            dropped: dropped.clone(),
        };
        return (
            sink,
            AccessLogWriter {
                stop,
                task: None,
                dropped,
            },
        );
    }
    let (tx, rx) = mpsc::channel(CHANNEL_CAPACITY);
    let task = tokio::spawn(write_lines(rx, out, stop.clone()));
    let sink = AccessLogSink {
        format,
        tx: Some(tx),
        dropped: dropped.clone(),
    };
    (
        sink,
        AccessLogWriter {
            stop,
            task: Some(task),
            dropped,
        },
    )
}

async fn write_lines<W>(mut rx: mpsc::Receiver<String>, out: W, stop: Arc<Notify>)
where
    W: tokio::io::AsyncWrite + Unpin,
{
    let mut out = tokio::io::BufWriter::with_capacity(64 * 1024, out);
    loop {
        let stopping = tokio::select! {
            line = rx.recv() => match line {
                Some(line) => {
                    let _ = out.write_all(line.as_bytes()).await;
                    false
                }
                None => true,
            },
            () = stop.notified() => true,
        };
        // Batch whatever else is queued into the same flush.
        while let Ok(line) = rx.try_recv() {
            let _ = out.write_all(line.as_bytes()).await;
        }
        let _ = out.flush().await;
        if stopping {
            return;
        }
    }
}

impl AccessLogSink {
    pub(crate) fn is_off(&self) -> bool {
        self.tx.is_none()
    }

    /// Formats and queues the line of one WebSocket message or disconnection, which API
    /// Gateway logs as it logs requests.
    pub(crate) fn log_event(&self, ctx: &RequestContext) {
        self.log(ctx);
    }

    /// Formats and queues the line for a finished request.
    fn log(&self, ctx: &RequestContext) {
        let Some(tx) = &self.tx else { return };
        let Some(line) = self.format.line(ctx) else {
            return;
        };
        if tx.try_send(line).is_err() {
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }
}

impl AccessLogWriter {
    /// Writes out every queued line, then stops the writer.
    pub(crate) async fn finish(mut self) {
        self.stop.notify_one();
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
        let dropped = self.dropped.load(Ordering::Relaxed);
        if dropped > 0 {
            tracing::warn!(
                dropped,
                "access log lines dropped because stdout could not keep up"
            );
        }
    }
}

pin_project! {
    /// The body sent to the client; writes the access-log line once it has been sent (or the
    /// client went away).
    pub(crate) struct LoggedBody {
        #[pin]
        inner: ResponseBody,
        pending: Option<Box<Pending>>,
    }

    impl PinnedDrop for LoggedBody {
        fn drop(this: Pin<&mut Self>) {
            if let Some(pending) = this.project().pending.take() {
                pending.finish();
            }
        }
    }
}

struct Pending {
    ctx: RequestContext,
    sink: AccessLogSink,
    length: u64,
}

impl Pending {
    fn finish(mut self: Box<Self>) {
        self.ctx.response_length = Some(self.length);
        self.ctx.response_latency = Some(self.ctx.elapsed_ms());
        self.sink.log(&self.ctx);
    }
}

impl LoggedBody {
    /// `inner`, logging `ctx` through `sink` when it ends (nothing when logging is off).
    pub(crate) fn new(
        inner: ResponseBody,
        ctx: RequestContext,
        sink: &AccessLogSink,
    ) -> LoggedBody {
        let pending = (!sink.is_off()).then(|| {
            Box::new(Pending {
                ctx,
                sink: sink.clone(),
                length: 0,
            })
        });
        LoggedBody { inner, pending }
    }
}

impl Body for LoggedBody {
    type Data = Bytes;
    type Error = crate::body::BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, crate::body::BoxError>>> {
        let this = self.project();
        let polled = this.inner.poll_frame(cx);
        match &polled {
            Poll::Ready(Some(Ok(frame))) => {
                if let (Some(pending), Some(data)) = (this.pending.as_mut(), frame.data_ref()) {
                    pending.length += data.len() as u64;
                }
            }
            Poll::Ready(_) => {
                if let Some(pending) = this.pending.take() {
                    pending.finish();
                }
            }
            Poll::Pending => {}
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests;
