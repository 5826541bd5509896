//! Local LLM inference for Rust applications, with the inference logic (chat
//! templates, prompt assembly, streaming, stop strings, structured output)
//! sandboxed in the inf-wasi WebAssembly component. The component's only
//! capability is `wasi:nn`, served here by llama.cpp.
//!
//! ```no_run
//! use inf_wasi::{Engine, GenerateOptions};
//!
//! let engine = Engine::builder().model("gemma", "/path/to/model.gguf").build()?;
//! let mut session = engine.session("gemma")?;
//! for piece in session.stream("Why is the sky blue?", &GenerateOptions::default().max_tokens(64))? {
//!     print!("{}", piece?);
//! }
//! # Ok::<(), inf_wasi::Error>(())
//! ```

mod bindings;
mod engine;
mod error;
mod guards;
mod models;
#[cfg(feature = "plugins")]
mod plugin;
mod runtime;
mod session;
#[cfg(feature = "schemars")]
mod typed;
mod wasi_nn;

pub use bindings::{
    Completion, ContentPart, FinishReason, GenerateOptions, Message, ModelInfo, Role, SessionOptions, StreamEvent,
    Tool, ToolCall, ToolChoice, Usage,
};
pub use engine::{Engine, EngineBuilder};
pub use error::{Error, Result};
/// Packed files: the component with its model inside (docs/packed-models.md);
/// [`Engine::from_file`] opens one.
pub use inf_wasi_ggml::packed;
pub use inf_wasi_ggml::{Batching, LoadOptions};
pub use models::{
    cache_dir, cached_model_path, default_chat_model, default_model, default_model_path, known_model, known_models,
    models_dir, KnownModel,
};
#[cfg(feature = "plugins")]
pub use plugin::{Plugin, PluginRun};
pub use runtime::COMPONENT;
#[doc(hidden)]
pub use runtime::{instantiate_capability_probe, run_abort_probe};
/// The `schemars` this crate's typed output takes types from (`Session::complete_as`).
#[cfg(feature = "schemars")]
pub use schemars;
pub use session::{CancelHandle, EventStream, Session, StreamHandle, TextStream};

/// The ggml CPU code llama.cpp runs on in this process: the portable build
/// chooses one of its variants (`x64`, `haswell`, `icelake`, `zen4`, …) for this
/// CPU when llama.cpp first initialises, which this call does if nothing has
/// yet. None in a build for one CPU, or if initialising failed.
pub fn cpu_variant() -> Option<String> {
    inf_wasi_ggml::cpu_variant().ok().flatten().map(|v| v.name.clone())
}

// The README's Rust example runs as a doctest.
#[doc = include_str!("../../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
