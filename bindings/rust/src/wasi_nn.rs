//! Plugs the native ggml backend into wasmtime-wasi-nn through its public
//! backend traits, with a registry of our own for `load-by-name`. This file is
//! glue only: every decision is made by `inf_wasi_ggml`.

use inf_wasi_ggml::profile::abort_report;
use inf_wasi_ggml::{CancelFlag, Model, ModelRegistry, NamedTensor, Session, Tensor, TensorType};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use wasmtime_wasi_nn::backend::{
    BackendError, BackendExecutionContext, BackendFromDir, BackendGraph, BackendInner, Id, NamedTensor as NnNamedTensor,
};
use wasmtime_wasi_nn::wit::{ExecutionTarget, GraphEncoding, TensorType as NnTensorType};
use wasmtime_wasi_nn::{Backend, ExecutionContext, Graph, GraphRegistry, Registry};

/// The wasi-nn state of one store: the ggml backend and the registered models.
/// Its sessions stop when `cancel` is raised, and count their calls in
/// `host_calls` for the store's watchdog. What the component says just before
/// it traps is kept in `last_words`, its memory cap being `memory_cap`.
pub fn context(
    models: &ModelRegistry,
    cancel: CancelFlag,
    host_calls: Arc<AtomicU64>,
    memory_cap: usize,
    last_words: LastWords,
) -> wasmtime_wasi_nn::wit::WasiNnCtx {
    let graphs = models
        .names()
        .map(|name| {
            let graph = GgmlGraph {
                model: models.get(name).expect("listed").clone(),
                cancel: cancel.clone(),
                host_calls: host_calls.clone(),
            };
            (name.to_string(), Graph::from(Box::new(graph) as Box<dyn BackendGraph>))
        })
        .collect();
    let registry = NamedGraphs { graphs, memory_cap, last_words };
    wasmtime_wasi_nn::wit::WasiNnCtx::new([Backend::from(GgmlBackend)], Registry::from(registry))
}

/// Why the component stopped, in its own words (inf-wasi-profile's `Abort`):
/// the sentence for the application, once it has said it.
#[derive(Clone, Default)]
pub struct LastWords(Arc<Mutex<Option<String>>>);

impl LastWords {
    pub fn get(&self) -> Option<String> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

struct NamedGraphs {
    graphs: HashMap<String, Graph>,
    memory_cap: usize,
    last_words: LastWords,
}

impl GraphRegistry for NamedGraphs {
    /// `load-by-name`: a registered model, or the component's report that it
    /// is about to stop, which is noted and answered as not found.
    fn get(&self, name: &str) -> Option<&Graph> {
        if let Some(report) = abort_report(name, self.memory_cap as u64) {
            *self.last_words.0.lock().unwrap_or_else(|e| e.into_inner()) = Some(report);
            return None;
        }
        self.graphs.get(name)
    }
    fn get_mut(&mut self, name: &str) -> Option<&mut Graph> {
        self.graphs.get_mut(name)
    }
}

struct GgmlBackend;

impl BackendInner for GgmlBackend {
    fn encoding(&self) -> GraphEncoding {
        GraphEncoding::Ggml
    }

    fn load(&mut self, _builders: &[&[u8]], _target: ExecutionTarget) -> Result<Graph, BackendError> {
        // llama.cpp loads from files; models are registered by the host and opened by name.
        Err(BackendError::BackendAccess(wasmtime::format_err!(
            "unsupported: load a registered model with load-by-name; loading GGUF bytes is not supported yet"
        )))
    }

    fn as_dir_loadable(&mut self) -> Option<&mut dyn BackendFromDir> {
        None
    }
}

struct GgmlGraph {
    model: Arc<Model>,
    cancel: CancelFlag,
    host_calls: Arc<AtomicU64>,
}

impl BackendGraph for GgmlGraph {
    fn init_execution_context(&self) -> Result<ExecutionContext, BackendError> {
        let session = Session::with_cancel(self.model.clone(), self.cancel.clone());
        let context = GgmlContext { session: Mutex::new(session), host_calls: self.host_calls.clone() };
        Ok(ExecutionContext::from(Box::new(context) as Box<dyn BackendExecutionContext>))
    }
}

struct GgmlContext {
    /// `Mutex` only to make the session `Sync` as the trait demands; wasi-nn hands
    /// out `&mut self`, so it is reached with `get_mut` and never contended.
    session: Mutex<Session>,
    host_calls: Arc<AtomicU64>,
}

impl BackendExecutionContext for GgmlContext {
    fn set_input(&mut self, _id: Id, _tensor: &wasmtime_wasi_nn::Tensor) -> Result<(), BackendError> {
        Err(BackendError::BackendAccess(wasmtime::format_err!("the ggml profile takes named inputs in compute")))
    }

    fn get_output(&mut self, _id: Id) -> Result<wasmtime_wasi_nn::Tensor, BackendError> {
        Err(BackendError::BackendAccess(wasmtime::format_err!("the ggml profile returns outputs from compute")))
    }

    fn compute(&mut self, inputs: Option<Vec<NnNamedTensor>>) -> Result<Option<Vec<NnNamedTensor>>, BackendError> {
        let inputs = inputs.unwrap_or_default().into_iter().map(to_profile).collect();
        let session = self.session.get_mut().unwrap_or_else(|e| e.into_inner());
        let outputs = session.compute(inputs);
        self.host_calls.fetch_add(1, Ordering::Relaxed);
        Ok(Some(outputs.into_iter().map(to_wasi_nn).collect()))
    }
}

fn to_profile(t: NnNamedTensor) -> NamedTensor {
    let ty = match t.tensor.ty {
        NnTensorType::U8 => TensorType::U8,
        NnTensorType::I32 => TensorType::I32,
        NnTensorType::Fp32 => TensorType::Fp32,
        _ => TensorType::Other,
    };
    NamedTensor::new(t.name, Tensor { dimensions: t.tensor.dimensions, ty, data: t.tensor.data })
}

fn to_wasi_nn(t: NamedTensor) -> NnNamedTensor {
    let ty = match t.tensor.ty {
        TensorType::U8 | TensorType::Other => NnTensorType::U8,
        TensorType::I32 => NnTensorType::I32,
        TensorType::Fp32 => NnTensorType::Fp32,
    };
    NnNamedTensor { name: t.name, tensor: wasmtime_wasi_nn::Tensor::new(t.tensor.dimensions, ty, t.tensor.data) }
}
