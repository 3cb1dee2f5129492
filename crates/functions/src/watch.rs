//! Code-change restarts: each function's code directory is watched (inotify and friends through
//! `notify`); a burst of changes, once quiet for [`QUIET`], restarts the function's workers
//! (in-flight invocations finish on the old ones). Files a runtime writes itself (`__pycache__`)
//! and editors' temporary files do not count.

use std::path::{Component, Path};
use std::sync::Weak;
use std::time::Duration;

use notify::{EventKind, RecommendedWatcher, RecursiveMode, Watcher};
use tokio::sync::mpsc;

use crate::pool::PoolInner;

/// How long the directory must stay unchanged before the restart: one save or build is often
/// several writes.
const QUIET: Duration = Duration::from_millis(150);

/// A watch on one function's code; dropping it stops watching.
pub(crate) struct CodeWatch {
    _watcher: RecommendedWatcher,
}

/// Watches `dir` and restarts `pool` when its code changes.
pub(crate) fn watch(dir: &Path, pool: Weak<PoolInner>) -> notify::Result<CodeWatch> {
    let (changes, mut changed) = mpsc::unbounded_channel::<()>();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        let Ok(event) = event else { return };
        let relevant = matches!(
            event.kind,
            EventKind::Create(_) | EventKind::Modify(_) | EventKind::Remove(_)
        ) && event.paths.iter().any(|p| counts(p));
        if relevant {
            let _ = changes.send(());
        }
    })?;
    watcher.watch(dir, RecursiveMode::Recursive)?;
    tokio::spawn(async move {
        while changed.recv().await.is_some() {
            // Wait for the burst to end.
            while let Ok(Some(())) = tokio::time::timeout(QUIET, changed.recv()).await {}
            let Some(pool) = pool.upgrade() else { break };
            pool.restart().await;
        }
    });
    Ok(CodeWatch { _watcher: watcher })
}

/// False for files a change of which is no code change.
fn counts(path: &Path) -> bool {
    let generated = path
        .components()
        .any(|c| matches!(c, Component::Normal(name) if name == "__pycache__" || name == ".git"));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    let scratch = name.ends_with(".pyc")
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with('~')
        || name.starts_with(".#");
    !generated && !scratch
}

#[cfg(test)]
mod tests {
    use super::counts;
    use std::path::Path;

    #[test]
    fn runtime_and_editor_files_do_not_count() {
        assert!(counts(Path::new("/code/app.py")));
        assert!(counts(Path::new("/code/node_modules/x/index.js")));
        assert!(!counts(Path::new("/code/__pycache__/app.cpython-311.pyc")));
        assert!(!counts(Path::new("/code/.app.py.swp")));
        assert!(!counts(Path::new("/code/app.py~")));
    }
}
