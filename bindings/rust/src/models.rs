//! Where the models live. `ci/fetch_model.py` puts them there (from PyPI
//! packages, hash-checked); both follow the same cache rules and know the same
//! models by the same names.

use std::path::PathBuf;

/// The default model's file name: Gemma 3 270M, a base model (no chat
/// template), the model of the conformance and vision tests.
pub const DEFAULT_MODEL_FILE: &str = "gemma-3-270m-q4_k_m.gguf";
/// Its SHA-256.
pub const DEFAULT_MODEL_SHA256: &str = "a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818";

/// The default chat model, an instruction-tuned one with a chat template
/// (SmolLM2-135M-Instruct, ChatML): what the CLI answers with.
pub const DEFAULT_CHAT_MODEL: &str = "smollm2-135m-instruct-q4_1";

/// The models `ci/fetch_model.py` can fetch, by name (their file in the cache is `NAME.gguf`).
pub const KNOWN_MODELS: [&str; 2] = ["gemma-3-270m-q4_k_m", DEFAULT_CHAT_MODEL];

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

/// Where a model is cached under its name (it may not have been fetched yet).
pub fn cached_model_path(name: &str) -> PathBuf {
    cache_dir().join("models").join(format!("{name}.gguf"))
}
