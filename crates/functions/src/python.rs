//! The Python runtime client bundled into the binary, and how Python workers are launched.

use std::ffi::OsString;
use std::io;
use std::path::{Path, PathBuf};

use crate::config::{FunctionConfig, RuntimeClient};

/// The client's source, compiled into Turnpike.
pub(crate) const CLIENT_SOURCE: &str = include_str!("python/runtime_client.py");

/// Writes the client into `cache_dir` and returns its path.
pub(crate) fn install_client(cache_dir: &Path) -> io::Result<PathBuf> {
    crate::bundled::install(cache_dir, "py", CLIENT_SOURCE)
}

/// The program and arguments of a Python worker.
pub(crate) fn command(
    config: &FunctionConfig,
    version: &str,
    client: &Path,
) -> (PathBuf, Vec<OsString>) {
    let interpreter = config
        .interpreter
        .clone()
        .unwrap_or_else(|| default_interpreter(version));
    let args = match config.client {
        RuntimeClient::Bundled => vec![client.as_os_str().to_owned()],
        RuntimeClient::Official => vec![
            OsString::from("-m"),
            OsString::from("awslambdaric"),
            OsString::from(&config.handler),
        ],
    };
    (interpreter, args)
}

/// `python3.12` when it is on PATH, else `python3`.
fn default_interpreter(version: &str) -> PathBuf {
    let exact = format!("python{version}");
    find_on_path(&exact).unwrap_or_else(|| PathBuf::from("python3"))
}

pub(crate) fn find_on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::TempDir;

    #[test]
    fn the_client_is_written_once_per_content() {
        let dir = TempDir::new();
        let first = install_client(dir.path()).unwrap();
        let second = install_client(dir.path()).unwrap();
        assert_eq!(first, second);
        assert_eq!(std::fs::read_to_string(&first).unwrap(), CLIENT_SOURCE);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
