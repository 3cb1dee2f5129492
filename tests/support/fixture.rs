//! Temporary directories for OpenAPI fixtures, removed when dropped.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use super::turnpike::Turnpike;

static NEXT: AtomicUsize = AtomicUsize::new(0);

/// A fresh directory under the system temp dir.
pub struct TempDir {
    path: PathBuf,
}

impl TempDir {
    pub fn new() -> TempDir {
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!(
            "turnpike-test-{}-{n}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.subsec_nanos())
                .unwrap_or(0)
        ));
        std::fs::create_dir_all(&path).unwrap();
        TempDir { path }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes `text` to `name` in the directory and returns the file's path.
    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.path.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// Writes `text` as `name` into a new temp dir; returns both (keep the dir alive while serving).
pub fn document(name: &str, text: &str) -> (TempDir, PathBuf) {
    let dir = TempDir::new();
    let path = dir.write(name, text);
    (dir, path)
}

/// Writes `text` as `name` into a new temp dir and serves it, with `extra` arguments after the
/// file; returns both (keep the dir alive while serving).
pub fn serve_document(name: &str, text: &str, extra: &[&str]) -> (TempDir, Turnpike) {
    let (dir, path) = document(name, text);
    let mut args = vec![path.to_str().unwrap()];
    args.extend_from_slice(extra);
    let turnpike = Turnpike::serve_args(&args);
    (dir, turnpike)
}

/// `x-amazon-apigateway-integration` for a MOCK integration that answers 200 with `template` as
/// its `application/json` response template. One line (YAML flow style), so it fits at any
/// indentation; `template` is single-quoted, so write `'` in it as `''`.
pub fn mock_integration(template: &str) -> String {
    format!(
        r#"x-amazon-apigateway-integration: {{type: mock, requestTemplates: {{application/json: '{{"statusCode": 200}}'}}, responses: {{default: {{statusCode: "200", responseTemplates: {{application/json: '{template}'}}}}}}}}"#
    )
}
