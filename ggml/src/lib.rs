//! The native backend of inf-wasi: llama.cpp (through `llama-cpp-2`) behind the
//! ggml profile of wasi-nn (see `docs/ggml-profile.md`).
//!
//! This crate knows nothing of any WebAssembly runtime. Each host (the Rust
//! crate over wasmtime, the Python module, the Node addon, the JNI library)
//! adapts [`ModelRegistry`], [`Model`] and [`Session`] to its engine's wasi-nn
//! imports, so every language runs exactly the same inference code.

mod amx_probe;
mod audio;
mod batch;
mod cache_dir;
mod cancel;
mod context;
mod cpu_variant;
mod decode_clock;
mod embedding;
mod error;
mod gguf_check;
pub mod image;
mod inputs;
mod literal;
mod llama;
mod model;
pub mod packed;
mod projector;
mod projector_cache;
mod registry;
mod sampling;
mod session;
mod tensor;

pub use batch::batching_stats;
pub use cache_dir::{cache_dir, compiled_plugin_path, store_compiled_plugin, used_compiled_plugin};
pub use cancel::CancelFlag;
pub use cpu_variant::CpuVariant;
pub use decode_clock::decode_clock;
pub use error::{ErrorCode, ProfileError};
/// The profile's messages, for hosts and tests that drive a [`Session`] directly.
pub use inf_wasi_profile as profile;
pub use model::{
    Batching, LoadOptions, Model, OptionalLoadOptions, DEFAULT_MAX_CONTEXT_SIZE, DEFAULT_MAX_IMAGE_BYTES,
    DEFAULT_MAX_OUTPUT_TOKENS, MAX_PARALLEL,
};
pub use registry::ModelRegistry;
pub use session::Session;
pub use tensor::{NamedTensor, Tensor, TensorType};

/// The process-wide llama.cpp backend, for code that drives llama.cpp directly
/// in the same process (the reference in the tests, the native benchmark row):
/// llama.cpp can be initialised only once per process.
pub fn llama_backend() -> Result<&'static llama_cpp_2::llama_backend::LlamaBackend, String> {
    llama::backend()
}

/// Whether Intel AMX tiles work in this process (see `amx_probe.rs`), with the
/// reason when they do not. The portable build chooses an AMX variant only then.
pub fn amx_tiles_work() -> Result<(), String> {
    amx_probe::tiles_work()
}

/// The ggml CPU library this process runs on, chosen for this CPU when the
/// backend first initialised (None in a build for one CPU, without `portable`).
pub fn cpu_variant() -> Result<Option<&'static CpuVariant>, String> {
    llama::cpu_variant()
}
