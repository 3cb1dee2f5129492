//! The runtime clients bundled into the binary, written to the cache directory on first use.

use std::io;
use std::path::{Path, PathBuf};

/// Writes `source` into `cache_dir` as `turnpike-lambda-runtime-{hash}.{ext}` (once per content:
/// the name carries a hash) and returns its path.
pub(crate) fn install(cache_dir: &Path, ext: &str, source: &str) -> io::Result<PathBuf> {
    let path = cache_dir.join(format!(
        "turnpike-lambda-runtime-{:016x}.{ext}",
        fnv1a(source.as_bytes())
    ));
    if std::fs::read(&path).is_ok_and(|existing| existing == source.as_bytes()) {
        return Ok(path);
    }
    std::fs::create_dir_all(cache_dir)?;
    // Write beside and rename, so a concurrent Turnpike never runs a half-written file.
    let partial = cache_dir.join(format!(".{}.tmp", uuid::Uuid::new_v4().simple()));
    std::fs::write(&partial, source)?;
    std::fs::rename(&partial, &path)?;
    Ok(path)
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &b| {
        (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}
