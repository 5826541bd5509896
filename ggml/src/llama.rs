//! The process-wide llama.cpp backend. llama.cpp must be initialised exactly
//! once per process, whichever host or thread gets there first.

use llama_cpp_2::llama_backend::LlamaBackend;
use std::sync::OnceLock;

static BACKEND: OnceLock<Result<LlamaBackend, String>> = OnceLock::new();

/// The initialised backend. llama.cpp's own logging is silenced unless
/// `INF_WASI_LLAMA_LOG` is set: a library must not write to the application's stderr.
pub fn backend() -> Result<&'static LlamaBackend, String> {
    BACKEND
        .get_or_init(|| {
            let backend = LlamaBackend::init().map_err(|e| format!("llama.cpp failed to initialise: {e}"))?;
            if std::env::var_os("INF_WASI_LLAMA_LOG").is_none() {
                // Silences llama.cpp, ggml and the multimodal library alike.
                llama_cpp_2::send_logs_to_tracing(llama_cpp_2::LogOptions::default().with_logs_enabled(false));
            }
            Ok(backend)
        })
        .as_ref()
        .map_err(Clone::clone)
}
