//! Shared by the integration tests: the default model, a serialised engine,
//! and llama.cpp driven directly as the reference.
#![allow(dead_code)]

pub mod reference;

use inf_wasi::Engine;
use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard, OnceLock};

pub const CONTEXT: u32 = 2048;

/// The default model, fetched into the cache by `ci/fetch_model.py` if missing.
pub fn model_path() -> PathBuf {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        if let Some(p) = std::env::var_os("INF_WASI_MODEL") {
            return PathBuf::from(p);
        }
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../ci/fetch_model.py");
        let out = std::process::Command::new("python3").arg(script).output().expect("run python3 ci/fetch_model.py");
        assert!(out.status.success(), "fetching the default model failed: {}", String::from_utf8_lossy(&out.stderr));
        PathBuf::from(String::from_utf8(out.stdout).unwrap().trim())
    })
    .clone()
}

/// Model tests run one at a time with one inference thread: on two cores,
/// ggml's threads collapse when anything else runs.
pub fn serial() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

/// An engine with the default model registered as `gemma`.
pub fn engine() -> Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE
        .get_or_init(|| {
            Engine::builder().model("gemma", model_path()).threads(1).context_size(CONTEXT).build().unwrap()
        })
        .clone()
}
