//! The Node.js runtime client bundled into the binary, and how Node.js workers are launched.

use std::ffi::OsString;
use std::io;
use std::path::{Path, PathBuf};

use crate::config::{FunctionConfig, RuntimeClient};

/// The client's source, compiled into Turnpike.
pub(crate) const CLIENT_SOURCE: &str = include_str!("node/runtime_client.js");

/// Writes the client into `cache_dir` and returns its path (`.cjs`: CommonJS whatever
/// `package.json` surrounds it).
pub(crate) fn install_client(cache_dir: &Path) -> io::Result<PathBuf> {
    crate::bundled::install(cache_dir, "cjs", CLIENT_SOURCE)
}

/// The program and arguments of a Node.js worker: `node CLIENT` with the bundled client; with
/// AWS's `aws-lambda-ric`, the `aws-lambda-ric HANDLER` that `npm install aws-lambda-ric` puts in
/// the code directory's `node_modules/.bin` (as in AWS's own container images).
pub(crate) fn command(config: &FunctionConfig, client: &Path) -> (PathBuf, Vec<OsString>) {
    let node = config
        .interpreter
        .clone()
        .unwrap_or_else(|| PathBuf::from("node"));
    match config.client {
        RuntimeClient::Bundled => (node, vec![client.as_os_str().to_owned()]),
        RuntimeClient::Official => (
            config.code_dir.join("node_modules/.bin/aws-lambda-ric"),
            vec![OsString::from(&config.handler)],
        ),
    }
}
