//! The process-wide llama.cpp backend. llama.cpp must be initialised exactly
//! once per process, whichever host or thread gets there first.

use llama_cpp_2::llama_backend::LlamaBackend;
use std::sync::OnceLock;

struct Backend {
    llama: LlamaBackend,
    /// The ggml CPU library chosen for this CPU (the portable build only).
    cpu_variant: Option<crate::cpu_variant::CpuVariant>,
}

static BACKEND: OnceLock<Result<Backend, String>> = OnceLock::new();

/// The initialised backend. llama.cpp's own logging is silenced unless
/// `INF_WASI_LLAMA_LOG` is set: a library must not write to the application's stderr.
pub fn backend() -> Result<&'static LlamaBackend, String> {
    initialised().map(|b| &b.llama)
}

/// The CPU variant ggml runs on: None in a build for one CPU (no `portable` feature).
pub fn cpu_variant() -> Result<Option<&'static crate::cpu_variant::CpuVariant>, String> {
    initialised().map(|b| b.cpu_variant.as_ref())
}

fn initialised() -> Result<&'static Backend, String> {
    BACKEND
        .get_or_init(|| {
            if std::env::var_os("INF_WASI_LLAMA_LOG").is_none() {
                // Silences llama.cpp, ggml and the multimodal library alike,
                // before ggml loads its CPU library (which logs).
                llama_cpp_2::send_logs_to_tracing(llama_cpp_2::LogOptions::default().with_logs_enabled(false));
            }
            let cpu_variant = if cfg!(feature = "portable") { Some(crate::cpu_variant::load()?) } else { None };
            let llama = LlamaBackend::init().map_err(|e| format!("llama.cpp failed to initialise: {e}"))?;
            Ok(Backend { llama, cpu_variant })
        })
        .as_ref()
        .map_err(Clone::clone)
}
