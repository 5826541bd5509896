//! The inf-wasi cache folder, shared by every host (models fetched by name,
//! projectors unpacked from packed files).

use std::path::PathBuf;

/// `$INF_WASI_CACHE`, else `$XDG_CACHE_HOME/inf-wasi`, else `~/.cache/inf-wasi`.
pub fn cache_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("INF_WASI_CACHE") {
        return PathBuf::from(dir);
    }
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cache"));
    base.join("inf-wasi")
}
