//! The ggml backend (the same crate every host links) as a Node addon. It only
//! converts: the package's JS serves the component's `wasi:nn` imports by calling
//! `Context.compute`, which runs one operation of the ggml profile.
//!
//! Each session's component runs in its own worker thread, and every worker loads
//! this library afresh, but the library itself is mapped once per process: models
//! are registered in a process-wide table, by number, so all workers share one
//! copy of the weights.

use inf_wasi_ggml::profile::{encode_status, tensors, NoReply};
use inf_wasi_ggml::{
    CancelFlag, LoadOptions, Model, NamedTensor, OptionalLoadOptions, ProfileError, Session, Tensor, TensorType,
};
use napi::bindgen_prelude::{Buffer, Uint8Array};
use napi_derive::napi;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, LazyLock, Mutex, PoisonError};

mod memory_cap;

/// A core module of the component with every memory it defines capped at
/// `bytes` (lib/component.js compiles the result).
#[napi(catch_unwind)]
pub fn cap_memory(module: Uint8Array, bytes: f64) -> napi::Result<Buffer> {
    if !(bytes >= 0.0 && bytes.fract() == 0.0 && bytes <= u64::MAX as f64) {
        return Err(napi::Error::from_reason(format!("the memory cap must be a whole number of bytes, got {bytes}")));
    }
    memory_cap::cap(&module, bytes as u64).map(Buffer::from).map_err(napi::Error::from_reason)
}

/// `plugin` composed with `engine` (the package's component), as every host
/// composes plugins (`inf-wasi-plugin`): one component for lib/plugin.js to
/// transpile. Throws why a file is not a plugin, or what it imports that
/// plugins are not given.
#[napi(catch_unwind)]
pub fn compose_plugin(engine: Uint8Array, plugin: Uint8Array) -> napi::Result<Buffer> {
    inf_wasi_plugin::compose(&engine, &plugin).map(Buffer::from).map_err(|e| napi::Error::from_reason(e.to_string()))
}

/// A `load-by-name` that is the component's report of why it is about to stop
/// (docs/ggml-profile.md): the sentence for the application; `null` for a model's name.
#[napi(catch_unwind)]
pub fn abort_report(name: String, memory_cap: f64) -> Option<String> {
    inf_wasi_ggml::profile::abort_report(&name, memory_cap as u64)
}

static MODELS: LazyLock<Mutex<HashMap<u32, Arc<Model>>>> = LazyLock::new(Default::default);
/// Cancel flags by number: a session's worker makes its contexts with one, and
/// the main thread raises it, so an abort reaches a decode in progress.
static CANCELS: LazyLock<Mutex<HashMap<u32, CancelFlag>>> = LazyLock::new(Default::default);
static NEXT_ID: AtomicU32 = AtomicU32::new(1);

fn models() -> std::sync::MutexGuard<'static, HashMap<u32, Arc<Model>>> {
    MODELS.lock().unwrap_or_else(PoisonError::into_inner)
}

fn cancels() -> std::sync::MutexGuard<'static, HashMap<u32, CancelFlag>> {
    CANCELS.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Registers a GGUF file (and, for a multimodal model, its projector)
/// under `name` and returns its number. Nothing is read until a session needs
/// the model. Throws only for out-of-range load options.
#[napi(catch_unwind)]
#[allow(clippy::too_many_arguments)] // one per load option, as lib/engine.js passes them
pub fn register_model(
    name: String,
    path: String,
    context_size: Option<u32>,
    threads: Option<u32>,
    batch_size: Option<u32>,
    limits: Option<Limits>,
    projector: Option<String>,
    parallel: Option<u32>,
    batching: Option<String>,
    packed: Option<bool>,
) -> napi::Result<u32> {
    let batching =
        batching.map(|b| b.parse()).transpose().map_err(|e: ProfileError| napi::Error::from_reason(e.message))?;
    let limits = limits.unwrap_or_default();
    let max_image_bytes = match limits.max_image_bytes {
        Some(n) if !(n >= 1.0 && n.fract() == 0.0 && n <= u64::MAX as f64) => {
            return Err(napi::Error::from_reason(format!("maxImageBytes must be a whole number of bytes, got {n}")))
        }
        n => n.map(|n| n as u64),
    };
    let given = OptionalLoadOptions {
        context_size,
        threads,
        parallel,
        batching,
        batch_size,
        max_context_size: limits.max_context_size,
        max_output_tokens: limits.max_output_tokens,
        max_image_bytes,
        max_audio_seconds: limits.max_audio_seconds,
        projector: projector.map(Into::into),
    };
    let options = LoadOptions::from_optional(given).map_err(|e| napi::Error::from_reason(e.message))?;
    let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
    // A packed file (docs/packed-models.md) holds its GGUF in a section, opened in place.
    let model = if packed == Some(true) { Model::packed(name, path, options) } else { Model::new(name, path, options) };
    models().insert(id, Arc::new(model));
    Ok(id)
}

/// What a packed file holds: its model's name and its component (the bytes
/// outside its `inf-wasi:*` sections). Throws with what is wrong with the file.
#[napi(object)]
pub struct PackedModel {
    pub name: String,
    pub component: Buffer,
}

#[napi(catch_unwind)]
pub fn packed_model(path: String) -> napi::Result<PackedModel> {
    let (name, component) = inf_wasi_ggml::packed::model_and_component(std::path::Path::new(&path))
        .map_err(|e| napi::Error::from_reason(e.message))?;
    Ok(PackedModel { name, component: component.into() })
}

/// The engine's limits on its models' sessions; each absent one keeps its default.
#[napi(object)]
#[derive(Default)]
pub struct Limits {
    pub max_context_size: Option<u32>,
    pub max_output_tokens: Option<u32>,
    pub max_image_bytes: Option<f64>,
    pub max_audio_seconds: Option<u32>,
}

/// A new cancel flag, by number (see `CANCELS`).
#[napi(catch_unwind)]
pub fn create_cancel() -> u32 {
    let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
    cancels().insert(id, CancelFlag::new());
    id
}

/// Raises flag `id`: the generation of a context made with it stops within
/// milliseconds, even inside a decode. Safe from any thread.
#[napi(catch_unwind)]
pub fn cancel(id: u32) {
    if let Some(flag) = cancels().get(&id) {
        flag.cancel();
    }
}

/// Lowers flag `id`, as a new generation starts.
#[napi(catch_unwind)]
pub fn clear_cancel(id: u32) {
    if let Some(flag) = cancels().get(&id) {
        flag.clear();
    }
}

/// Prompt batches begun under flag `id`, ever (see `CancelFlag`); 0 for an unknown flag.
#[napi(catch_unwind)]
pub fn prompt_batches_started(id: u32) -> i64 {
    cancels().get(&id).map_or(0, |flag| flag.prompt_batches_started() as i64)
}

#[napi(catch_unwind)]
pub fn release_cancel(id: u32) {
    cancels().remove(&id);
}

/// Forgets a registered model. Sessions already using it keep it until they end;
/// the weights are freed with the last one.
#[napi(catch_unwind)]
pub fn release_model(id: u32) {
    models().remove(&id);
}

/// A registered model, as the component's `wasi:nn` graph.
#[napi]
pub struct Graph {
    model: Arc<Model>,
}

#[napi]
impl Graph {
    /// The model registered as `id`, or an error if it was released.
    #[napi(constructor, catch_unwind)]
    pub fn new(id: u32) -> napi::Result<Self> {
        let model = models().get(&id).cloned();
        model.map(|model| Self { model }).ok_or_else(|| napi::Error::from_reason(format!("model {id} was released")))
    }

    /// A new execution context: a session with its own KV cache, stopped by
    /// cancel flag `cancel` when one is given.
    #[napi(catch_unwind)]
    pub fn init_execution_context(&self, cancel: Option<u32>) -> Context {
        let flag = cancel.and_then(|id| cancels().get(&id).cloned()).unwrap_or_default();
        Context { session: Mutex::new(Some(Session::with_cancel(self.model.clone(), flag))) }
    }
}

/// One execution context of the ggml profile.
#[napi]
pub struct Context {
    /// `None` once freed: the component dropped the context, and its KV cache
    /// goes now rather than when the garbage collector finds the JS object.
    session: Mutex<Option<Session>>,
}

/// `[name, type, dimensions, data]`, `type` being the wasi-nn tensor type name.
type InputTensor = (String, String, Vec<u32>, Uint8Array);
type OutputTensor = (String, String, Vec<u32>, Buffer);

#[napi]
impl Context {
    /// Runs one operation. Synchronous on purpose: the component's imports are
    /// synchronous (Node 20 has no JSPI) and each session runs in its own worker.
    /// Never throws for a bad request: errors travel in the `status` output.
    #[napi(catch_unwind)]
    pub fn compute(&self, inputs: Vec<InputTensor>) -> Vec<OutputTensor> {
        let inputs = inputs
            .into_iter()
            .map(|(name, ty, dimensions, data)| {
                NamedTensor::new(
                    name,
                    Tensor { dimensions, ty: TensorType::from_wasi_nn_name(&ty), data: data.to_vec() },
                )
            })
            .collect();
        let outputs = match self.session.lock().unwrap_or_else(PoisonError::into_inner).as_mut() {
            Some(session) => session.compute(inputs),
            None => vec![NamedTensor::new(tensors::STATUS, Tensor::bytes(freed()))],
        };
        outputs
            .into_iter()
            .map(|t| (t.name, t.tensor.ty.wasi_nn_name().to_string(), t.tensor.dimensions, Buffer::from(t.tensor.data)))
            .collect()
    }

    /// Releases the session (its llama.cpp context and KV cache) at once.
    #[napi(catch_unwind)]
    pub fn free(&self) {
        self.session.lock().unwrap_or_else(PoisonError::into_inner).take();
    }
}

/// The profile's status for an operation on a freed context.
fn freed() -> Vec<u8> {
    encode_status::<NoReply>(&Err(ProfileError::backend("this execution context was dropped")))
}
