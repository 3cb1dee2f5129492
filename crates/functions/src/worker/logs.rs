//! Forwards a worker's stdout and stderr to `tracing`, one event per line, tagged with the
//! function name and the request id of the invocation in progress.

use std::sync::Arc;

use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncRead, BufReader};

use crate::limits::MAX_LOG_LINE_BYTES;
use crate::runtime_api::slot::Slot;

/// Which stream a line came from.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Stream {
    Stdout,
    Stderr,
}

impl Stream {
    fn name(self) -> &'static str {
        match self {
            Stream::Stdout => "stdout",
            Stream::Stderr => "stderr",
        }
    }
}

/// Spawns a task forwarding `pipe` until the worker closes it.
pub(crate) fn forward(
    pipe: impl AsyncRead + Unpin + Send + 'static,
    stream: Stream,
    function: Arc<str>,
    slot: Arc<Slot>,
) {
    tokio::spawn(async move {
        let mut reader = BufReader::new(pipe);
        let mut line = Vec::with_capacity(256);
        loop {
            line.clear();
            match read_line(&mut reader, &mut line).await {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
            let text = String::from_utf8_lossy(trim_end(&line));
            let request_id = slot.current_request_id();
            tracing::info!(
                target: "turnpike_functions::function",
                function = %function,
                request_id = request_id.as_deref().unwrap_or(""),
                stream = stream.name(),
                "{text}"
            );
        }
    });
}

/// Reads one line into `line`, keeping at most [`MAX_LOG_LINE_BYTES`] of it; returns the bytes
/// consumed (0 at end of stream).
async fn read_line(
    reader: &mut (impl AsyncBufRead + Unpin),
    line: &mut Vec<u8>,
) -> std::io::Result<usize> {
    let mut consumed = 0;
    loop {
        let available = reader.fill_buf().await?;
        if available.is_empty() {
            return Ok(consumed);
        }
        let (chunk, done) = match available.iter().position(|&b| b == b'\n') {
            Some(end) => (&available[..=end], true),
            None => (available, false),
        };
        let room = MAX_LOG_LINE_BYTES.saturating_sub(line.len());
        line.extend_from_slice(&chunk[..chunk.len().min(room)]);
        let used = chunk.len();
        reader.consume(used);
        consumed += used;
        if done {
            return Ok(consumed);
        }
    }
}

fn trim_end(mut line: &[u8]) -> &[u8] {
    while let [rest @ .., b'\n' | b'\r'] = line {
        line = rest;
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn lines_are_split_and_capped() {
        let long = "x".repeat(MAX_LOG_LINE_BYTES + 10);
        let input = format!("one\r\n{long}\nlast");
        let mut reader = BufReader::with_capacity(7, input.as_bytes());
        let mut lines = Vec::new();
        let mut line = Vec::new();
        while read_line(&mut reader, &mut line).await.unwrap() > 0 {
            lines.push(String::from_utf8(trim_end(&line).to_vec()).unwrap());
            line.clear();
        }
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[0], "one");
        assert_eq!(lines[1].len(), MAX_LOG_LINE_BYTES);
        assert_eq!(lines[2], "last");
    }
}
