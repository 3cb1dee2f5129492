//! A thread that lives as long as Turnpike and forks every worker.
//!
//! Linux sends the parent-death signal when the *thread* that forked the child exits, not the
//! process. Tokio's blocking threads come and go, so workers are forked from this one thread,
//! which only ends with the process.

use std::io;
use std::sync::mpsc;
use std::sync::OnceLock;

use tokio::process::{Child, Command};
use tokio::runtime::Handle;
use tokio::sync::oneshot;

struct Job {
    command: Command,
    handle: Handle,
    reply: oneshot::Sender<io::Result<Child>>,
}

static SPAWNER: OnceLock<Option<mpsc::Sender<Job>>> = OnceLock::new();

fn start() -> Option<mpsc::Sender<Job>> {
    let (sender, jobs) = mpsc::channel::<Job>();
    let thread = std::thread::Builder::new()
        .name("turnpike-spawner".into())
        .spawn(move || {
            for mut job in jobs {
                // The child's pipes and exit watcher belong to the caller's runtime.
                let _runtime = job.handle.enter();
                let _ = job.reply.send(job.command.spawn());
            }
        });
    match thread {
        Ok(_) => Some(sender),
        Err(error) => {
            tracing::warn!(%error, "no spawner thread; workers are forked from runtime threads");
            None
        }
    }
}

/// Spawns `command` from the spawner thread; must be called within a Tokio runtime.
pub(crate) async fn spawn(mut command: Command) -> io::Result<Child> {
    let Some(sender) = SPAWNER.get_or_init(start) else {
        return command.spawn();
    };
    let (reply, answer) = oneshot::channel();
    let job = Job {
        command,
        handle: Handle::current(),
        reply,
    };
    if let Err(mpsc::SendError(mut job)) = sender.send(job) {
        return job.command.spawn();
    }
    answer
        .await
        .map_err(|_| io::Error::other("the spawner thread is gone"))?
}
