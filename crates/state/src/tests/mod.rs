//! Behaviour of [`State`] on both back ends, with a real redis-server.

mod admin;
mod admit;
mod cache;
mod cluster;
mod failure;
mod quota;
mod throttle;

use std::time::{Duration, SystemTime};

use crate::test_support::{RedisServer, TempDir};
use crate::{EmbeddedConfig, RedisConfig, State};

pub(super) fn embedded(dir: &TempDir) -> State {
    State::embedded(&EmbeddedConfig::new(dir.path())).unwrap()
}

/// A node with a generous timeout: on a loaded test machine a slow answer must not turn into a
/// policy decision and skew exact counts (the failure tests use the default timeout).
pub(super) async fn redis(server: &RedisServer) -> State {
    let mut config = RedisConfig::new(server.url());
    config.op_timeout = Duration::from_secs(5);
    State::redis(&config).await.unwrap()
}

/// A fixed instant: Wednesday 2026-11-25 12:00:00 UTC.
pub(super) fn noon() -> SystemTime {
    crate::from_unix_secs(1_795_608_000)
}

pub(super) fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}
