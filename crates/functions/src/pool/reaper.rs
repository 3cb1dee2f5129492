//! Stops workers that stayed idle longer than the function's `idle_timeout`, keeping `min_warm`.

use std::sync::atomic::Ordering;
use std::sync::Weak;
use std::time::{Duration, Instant};

use super::PoolInner;

/// Starts the reaper; it ends when the pool is dropped or shut down.
pub(super) fn spawn(pool: Weak<PoolInner>, idle_timeout: Duration) {
    if idle_timeout.is_zero() {
        return;
    }
    let period = (idle_timeout / 4).clamp(Duration::from_millis(50), Duration::from_secs(30));
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(period);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            let Some(pool) = pool.upgrade() else {
                break;
            };
            if pool.closed.load(Ordering::SeqCst) {
                break;
            }
            // Dropping the expired workers kills them, outside the lock.
            let expired = pool.expire_idle(idle_timeout);
            drop(expired);
        }
    });
}

impl PoolInner {
    /// Removes the idle workers older than `idle_timeout` (oldest first) while more than
    /// `min_warm` workers would remain, plus any that died.
    fn expire_idle(&self, idle_timeout: Duration) -> Vec<super::Idle> {
        let now = Instant::now();
        let running = self.running.load(Ordering::SeqCst);
        let keep = (self.config.min_warm as usize).saturating_sub(running);
        let mut idle = self.lock_idle();
        let mut remaining = idle.len();
        let (mut kept, mut expired) = (Vec::with_capacity(remaining), Vec::new());
        // Oldest first, so the most recently used workers are the ones kept.
        for entry in idle.drain(..) {
            let stale = now.duration_since(entry.since) >= idle_timeout && remaining > keep;
            if entry.worker.has_exited() || stale {
                expired.push(entry);
                remaining -= 1;
            } else {
                kept.push(entry);
            }
        }
        *idle = kept;
        if !expired.is_empty() {
            tracing::debug!(function = %self.config.name, stopped = expired.len(), "idle workers expired");
        }
        expired
    }
}
