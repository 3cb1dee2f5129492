//! One WebSocket connection, from the completed handshake to `$disconnect`.
//!
//! The socket is read with AWS's limits (32 KB frames, 128 KB messages: more closes it with 1009
//! `Message too big`). Each message is served in its own task ([`serve_message`]): route
//! selection, the stage's throttle for the route ([`throttle`](super::throttle): refused, the
//! error frame `Too Many Requests` and no integration), the integration, and for a two-way route
//! its answer; replies, `@connections` posts and error frames all reach the socket through the
//! connection's bounded outbound queue ([`turnpike_state::outbound_channel`]): a reply or error
//! frame finding it full is dropped, a `@connections` post is refused with 429. The
//! connection closes with 1001 `Going away` after 10 minutes without a message either way or 2
//! hours in all, and when the gateway shuts down ([`shutdown`]). Once the socket is gone the
//! connection leaves the registry (so `@connections` answers 410) and `$disconnect` runs, best
//! effort. Each message and the disconnection get an access-log line, as on AWS, whose
//! WebSocket access logs have one line per event (`$context.eventType`).

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use futures_util::{SinkExt as _, StreamExt as _};
use hyper::upgrade::OnUpgrade;
use hyper_util::rt::TokioIo;
use serde_json::Value;
use tokio::sync::{mpsc, watch};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, Role, WebSocketConfig};
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_tungstenite::WebSocketStream;
use turnpike_state::{ConnectionError, Outbound, OutboundSender};

use crate::context::{ClientConnection, RequestContext};
use crate::pipeline::Shared;
use crate::snapshot::StageInfo;

use super::context::WsContext;
use super::event::{EventIds, EventKind};
use super::integration::{error_frame, WsCall};
use super::metrics::WsMetric;
use super::{
    route, CompiledWebSocketApi, IDLE_TIMEOUT, MAX_DURATION, MAX_FRAME_BYTES, MAX_MESSAGE_BYTES,
};

/// What every event of a connection shares.
#[derive(Debug)]
pub(crate) struct Session {
    pub(crate) api: Arc<CompiledWebSocketApi>,
    pub(crate) stage: Arc<StageInfo>,
    pub(crate) connection_id: String,
    /// `connectedAt`, epoch milliseconds.
    pub(crate) connected_at_ms: u64,
    /// The `Host` the client connected to, port included.
    pub(crate) domain_name: String,
    pub(crate) source_ip: String,
    pub(crate) user_agent: Option<String>,
    /// `requestContext.authorizer`, when `$connect`'s authorizer established one.
    pub(crate) authorizer: Option<Value>,
    /// The same, as templates' `$context.authorizer.*` read it.
    pub(crate) authorizer_context: Option<Arc<crate::authorize::AuthorizerContext>>,
    pub(crate) client: ClientConnection,
    /// The handshake's path: the request path non-proxy integrations see.
    pub(crate) path: String,
}

/// Why the connection ended: `$disconnect`'s `disconnectStatusCode` and `disconnectReason`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Ending {
    pub(crate) status: u16,
    pub(crate) reason: String,
}

impl Ending {
    fn new(status: u16, reason: &str) -> Ending {
        Ending {
            status,
            reason: reason.to_owned(),
        }
    }
}

/// When an open connection is closed by the gateway: AWS's idle and total limits.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Timeouts {
    pub(crate) idle: Duration,
    pub(crate) max: Duration,
}

impl Timeouts {
    pub(crate) const AWS: Timeouts = Timeouts {
        idle: IDLE_TIMEOUT,
        max: MAX_DURATION,
    };
}

/// What woke the connection up.
enum Event {
    Inbound(Option<Result<Message, WsError>>),
    Outbound(Option<Outbound>),
    Idle,
    Expired,
    ShuttingDown,
}

thread_local! {
    /// The gateway is shutting down: set once on each worker thread by [`shutdown`]. Every
    /// connection runs on the worker (a single-threaded runtime) that accepted it, so a
    /// worker's signal reaches exactly its own sockets, and a signal's receivers are its open
    /// connections.
    static GOING_AWAY: Arc<watch::Sender<bool>> = Arc::new(watch::channel(false).0);
}

/// The signal of this worker's shutdown, for a connection it serves.
pub(crate) fn going_away() -> watch::Receiver<bool> {
    GOING_AWAY.with(|tx| tx.subscribe())
}

/// Closes every open connection of this worker with 1001 `Going away` (each then runs
/// `$disconnect`); completes once they have all ended.
pub(crate) fn shutdown() -> impl std::future::Future<Output = ()> {
    let signal = GOING_AWAY.with(Arc::clone);
    signal.send_replace(true);
    async move { signal.closed().await }
}

/// Serves the connection once hyper has handed over the socket.
pub(crate) async fn run(
    shared: Arc<Shared>,
    session: Arc<Session>,
    upgrade: OnUpgrade,
    sender: OutboundSender,
    mut outbound: mpsc::Receiver<Outbound>,
) {
    // Held until `$disconnect` has run: a shutdown's drain waits for it.
    let stop = going_away();
    let ending = match upgrade.await {
        Ok(upgraded) => {
            let config = WebSocketConfig::default()
                .max_frame_size(Some(MAX_FRAME_BYTES))
                .max_message_size(Some(MAX_MESSAGE_BYTES));
            let socket = WebSocketStream::from_raw_socket(
                TokioIo::new(upgraded),
                Role::Server,
                Some(config),
            )
            .await;
            let timeouts = Timeouts::AWS;
            let watch = stop.clone();
            serve(
                &shared,
                &session,
                socket,
                &sender,
                &mut outbound,
                timeouts,
                watch,
            )
            .await
        }
        Err(error) => {
            tracing::debug!(connection_id = session.connection_id, %error, "upgrade failed");
            Ending::new(1006, "")
        }
    };
    drop(outbound);
    shared.connections.remove(&session.connection_id).await;
    disconnect(&shared, &session, &ending).await;
    drop(stop);
}

pub(crate) async fn serve<S>(
    shared: &Arc<Shared>,
    session: &Arc<Session>,
    mut socket: WebSocketStream<S>,
    sender: &OutboundSender,
    outbound: &mut mpsc::Receiver<Outbound>,
    timeouts: Timeouts,
    mut stop: watch::Receiver<bool>,
) -> Ending
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    let shutting_down = async move {
        // A signal without sender never comes.
        if stop.wait_for(|stopping| *stopping).await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    tokio::pin!(shutting_down);
    let expires = tokio::time::Instant::now() + timeouts.max;
    let mut last_active = Instant::now();
    loop {
        let idle_at = tokio::time::Instant::from_std(last_active + timeouts.idle);
        let event = tokio::select! {
            inbound = socket.next() => Event::Inbound(inbound),
            message = outbound.recv() => Event::Outbound(message),
            () = tokio::time::sleep_until(idle_at) => Event::Idle,
            () = tokio::time::sleep_until(expires) => Event::Expired,
            () = &mut shutting_down => Event::ShuttingDown,
        };
        match event {
            Event::Inbound(Some(Ok(message))) => match message {
                Message::Text(text) => {
                    last_active = Instant::now();
                    let body = bytes::Bytes::from(text);
                    spawn_message(shared, session, sender, body, false);
                }
                Message::Binary(data) => {
                    last_active = Instant::now();
                    spawn_message(shared, session, sender, data, true);
                }
                Message::Close(frame) => {
                    let ending = match frame {
                        Some(frame) => Ending::new(u16::from(frame.code), frame.reason.as_str()),
                        None => Ending::new(1005, "Client-side close frame status not set"),
                    };
                    // tungstenite has queued the reply; flush it and let the socket end.
                    shared.connections.remove(&session.connection_id).await;
                    finish(&mut socket).await;
                    return ending;
                }
                // tungstenite answers pings itself. Control frames do not keep a connection
                // alive: API Gateway's idle timer counts messages (subscriptionless #3).
                Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => {}
            },
            Event::Inbound(Some(Err(WsError::Capacity(_)))) => {
                close(
                    shared,
                    session,
                    &mut socket,
                    CloseCode::Size,
                    "Message too big",
                )
                .await;
                return Ending::new(1009, "Message too big");
            }
            Event::Inbound(Some(Err(error))) => {
                tracing::debug!(connection_id = session.connection_id, %error, "socket error");
                return Ending::new(1006, "");
            }
            Event::Inbound(None) => return Ending::new(1006, ""),
            Event::Outbound(Some(Outbound::Close)) | Event::Outbound(None) => {
                close(shared, session, &mut socket, CloseCode::Normal, "").await;
                return Ending::new(1000, "");
            }
            Event::Outbound(Some(message)) => {
                last_active = Instant::now();
                session
                    .api
                    .count(&session.stage.name, WsMetric::MessageCount);
                let frame = match message {
                    Outbound::Text(text) => Message::text(text),
                    Outbound::Binary(data) => Message::binary(data),
                    Outbound::Close => continue,
                };
                // A client that does not read blocks the send once its TCP buffers are full;
                // its connection still ends at its maximum duration and with the gateway,
                // without a close frame, which could not reach it either.
                let sent = tokio::select! {
                    sent = socket.send(frame) => Some(sent.is_ok()),
                    () = tokio::time::sleep_until(expires) => None,
                    () = &mut shutting_down => None,
                };
                match sent {
                    Some(true) => {}
                    Some(false) => return Ending::new(1006, ""),
                    None => {
                        shared.connections.remove(&session.connection_id).await;
                        return Ending::new(1001, "Going away");
                    }
                }
            }
            Event::Idle | Event::Expired | Event::ShuttingDown => {
                close(shared, session, &mut socket, CloseCode::Away, "Going away").await;
                return Ending::new(1001, "Going away");
            }
        }
    }
}

/// Sends a close frame and waits (briefly) for the client's. The connection leaves the
/// registry first: from the close frame on it is gone for the management API.
async fn close<S>(
    shared: &Shared,
    session: &Session,
    socket: &mut WebSocketStream<S>,
    code: CloseCode,
    reason: &str,
) where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    shared.connections.remove(&session.connection_id).await;
    let frame = CloseFrame {
        code,
        reason: reason.to_owned().into(),
    };
    if socket.close(Some(frame)).await.is_ok() {
        finish(socket).await;
    }
}

/// Reads until the socket ends, for at most a few seconds.
async fn finish<S>(socket: &mut WebSocketStream<S>)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    let drain = async { while let Some(Ok(_)) = socket.next().await {} };
    let _ = tokio::time::timeout(std::time::Duration::from_secs(3), drain).await;
}

fn spawn_message(
    shared: &Arc<Shared>,
    session: &Arc<Session>,
    sender: &OutboundSender,
    body: bytes::Bytes,
    binary: bool,
) {
    let (shared, session, sender) = (shared.clone(), session.clone(), sender.clone());
    session
        .api
        .count(&session.stage.name, WsMetric::MessageCount);
    tokio::spawn(async move {
        shared
            .connections
            .touch(&session.connection_id, SystemTime::now())
            .await;
        if let Some(reply) = serve_message(&shared, &session, &body, binary).await {
            // Not awaited: a reply finding the client's buffer full is dropped rather than held,
            // as nobody is there to be told (a `@connections` post is told: 429). Waiting would
            // let a client that sends without reading pile up tasks instead of messages. The
            // socket may also be gone by now; the reply goes nowhere then, as on AWS.
            if let Err(ConnectionError::LimitExceeded) = sender.offer(reply) {
                tracing::debug!(
                    connection_id = session.connection_id,
                    "reply dropped: the client's buffer is full"
                );
            }
        }
    });
}

/// Serves one message; what to send back, if anything.
pub(crate) async fn serve_message(
    shared: &Shared,
    session: &Session,
    body: &[u8],
    binary: bool,
) -> Option<Outbound> {
    let ids = EventIds::now();
    let message_id = crate::ids::extended_request_id();
    let started = Instant::now();
    let Some(route) = route::select(&session.api, body) else {
        session
            .api
            .count(&session.stage.name, WsMetric::ClientError);
        let kind = EventKind::Message {
            body,
            binary,
            message_id: &message_id,
        };
        // AWS logs such a message under the route key it found, `$default` when none.
        let key = route::selection_value(&session.api.model.route_selection, body);
        let ws = WsContext::new(session, key.as_deref().unwrap_or("$default"), &kind, &ids);
        log_event(shared, session, ws, 403, started);
        return Some(error_frame(
            "Forbidden",
            &session.connection_id,
            &ids.request_id,
        ));
    };
    let kind = EventKind::Message {
        body,
        binary,
        message_id: &message_id,
    };
    let ws = WsContext::new(session, &route.key, &kind, &ids);
    if !super::throttle::admit(shared, &session.api, &session.stage.name, &route.key).await {
        session
            .api
            .count(&session.stage.name, WsMetric::ClientError);
        log_event(shared, session, ws, 429, started);
        return Some(error_frame(
            "Too Many Requests",
            &session.connection_id,
            &ids.request_id,
        ));
    }
    let call = WsCall {
        shared,
        session,
        route_key: &route.key,
        kind,
        ids: &ids,
    };
    let result = route.integration.call(call).await;
    log_event(shared, session, ws, status_of(&result), started);
    match result {
        Ok(reply) if route.two_way => reply.body,
        Ok(_) => None,
        Err(_) => Some(error_frame(
            "Internal server error",
            &session.connection_id,
            &ids.request_id,
        )),
    }
}

/// `$context.status` of an event: the integration's status, 500 when it failed.
fn status_of(result: &Result<super::integration::Reply, super::integration::Failed>) -> u16 {
    result.as_ref().map_or(500, |reply| reply.status)
}

/// Writes the access-log line of one event, with the stage's format.
fn log_event(shared: &Shared, session: &Session, ws: WsContext, status: u16, started: Instant) {
    if shared.access_log.is_off() {
        return;
    }
    let latency = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    shared
        .access_log
        .log_event(&event_context(session, ws, status, latency));
}

/// The context an event's access-log line reads: the connection's, the event's own
/// WebSocket variables, its `status` and `responseLatency`.
pub(crate) fn event_context(
    session: &Session,
    ws: WsContext,
    status: u16,
    latency_ms: u64,
) -> RequestContext {
    let mut request = http::Request::new(());
    if let Ok(uri) = session.path.parse() {
        *request.uri_mut() = uri;
    }
    if let Some(agent) = session
        .user_agent
        .as_deref()
        .and_then(|a| http::HeaderValue::from_str(a).ok())
    {
        request
            .headers_mut()
            .insert(http::header::USER_AGENT, agent);
    }
    let (parts, ()) = request.into_parts();
    let mut ctx = RequestContext::new(&parts, session.client);
    ctx.stage = Some(session.stage.clone());
    ctx.authorizer = session.authorizer_context.clone();
    ctx.status = Some(status);
    ctx.response_latency = Some(latency_ms);
    ctx.websocket = Some(Box::new(ws));
    ctx
}

/// Runs `$disconnect`, if the API has it; its answer goes nowhere.
async fn disconnect(shared: &Shared, session: &Session, ending: &Ending) {
    let Some(route) = session.api.route("$disconnect") else {
        return;
    };
    let ids = EventIds::now();
    let started = Instant::now();
    let kind = EventKind::Disconnect {
        status: ending.status,
        reason: &ending.reason,
    };
    let ws = WsContext::new(session, "$disconnect", &kind, &ids);
    let call = WsCall {
        shared,
        session,
        route_key: "$disconnect",
        kind,
        ids: &ids,
    };
    let result = route.integration.call(call).await;
    log_event(shared, session, ws, status_of(&result), started);
}
