//! `inf_wasi._native`: the ggml backend (the same crate every host links) as a
//! Python module. It only converts. wasi:nn's `compute` and `tensor` resource
//! are served natively through wasmtime's C API (`nn_host.rs`), without the
//! GIL, so sessions on different threads generate at the same time.

mod capi;
mod nn_host;

use inf_wasi_ggml::{CancelFlag, LoadOptions, Model, OptionalLoadOptions, ProfileError, Session};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use std::sync::{Arc, Mutex};

/// A registered model: a GGUF path and load options, loaded on first use and
/// shared by every context made from it.
#[pyclass(frozen, module = "inf_wasi._native")]
struct Graph {
    model: Arc<Model>,
}

#[pymethods]
impl Graph {
    #[new]
    #[pyo3(signature = (
        name, path, context_size=None, threads=None, batch_size=None,
        max_context_size=None, max_output_tokens=None, max_image_bytes=None, max_audio_seconds=None,
        projector=None, parallel=None, batching=None, packed=false,
    ))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        name: String,
        path: std::path::PathBuf,
        context_size: Option<u32>,
        threads: Option<u32>,
        batch_size: Option<u32>,
        max_context_size: Option<u32>,
        max_output_tokens: Option<u32>,
        max_image_bytes: Option<u64>,
        max_audio_seconds: Option<u32>,
        projector: Option<std::path::PathBuf>,
        parallel: Option<u32>,
        batching: Option<&str>,
        packed: bool,
    ) -> PyResult<Self> {
        let batching =
            batching.map(str::parse).transpose().map_err(|e: ProfileError| PyValueError::new_err(e.message))?;
        let given = OptionalLoadOptions {
            context_size,
            threads,
            parallel,
            batching,
            batch_size,
            max_context_size,
            max_output_tokens,
            max_image_bytes,
            max_audio_seconds,
            projector,
        };
        let options = LoadOptions::from_optional(given).map_err(|e| PyValueError::new_err(e.message))?;
        // A packed file (docs/packed-models.md) holds its GGUF in a section, opened in place.
        let model = if packed { Model::packed(name, path, options) } else { Model::new(name, path, options) };
        Ok(Self { model: Arc::new(model) })
    }

    /// A new execution context: a session with its own KV cache, stopped by `cancel`.
    fn init_execution_context(&self, cancel: &Cancel) -> Context {
        Context { session: Arc::new(Mutex::new(Session::with_cancel(self.model.clone(), cancel.flag.clone()))) }
    }
}

/// Cancels the generations of the contexts made with it, from any thread.
#[pyclass(frozen, module = "inf_wasi._native")]
struct Cancel {
    flag: CancelFlag,
}

#[pymethods]
impl Cancel {
    #[new]
    fn new() -> Self {
        Self { flag: CancelFlag::new() }
    }

    fn cancel(&self) {
        self.flag.cancel();
    }

    fn clear(&self) {
        self.flag.clear();
    }

    /// Prompt batches begun under this flag, ever (see `CancelFlag`).
    fn prompt_batches_started(&self) -> u64 {
        self.flag.prompt_batches_started()
    }
}

/// One execution context of the ggml profile: a session, which `NativeNn`'s
/// `compute` runs operations on.
#[pyclass(frozen, module = "inf_wasi._native")]
struct Context {
    session: Arc<Mutex<Session>>,
}

/// Finds wasmtime's C API in the library wasmtime-py loaded: `handle` is its
/// `dlopen` handle, `val_size` and `kinds` what wasmtime-py declares for component
/// values (checked against the layout this module was built for). Once per process.
#[pyfunction]
fn use_wasmtime(handle: usize, val_size: usize, kinds: Vec<u8>) -> PyResult<()> {
    nn_host::use_wasmtime(handle, val_size, &kinds).map_err(PyValueError::new_err)
}

/// The engine's epoch and the thread that advances it (see `nn_host::EpochClock`).
#[pyclass(frozen, module = "inf_wasi._native")]
struct EpochClock {
    clock: Arc<nn_host::EpochClock>,
}

#[pymethods]
impl EpochClock {
    /// `engine`: the address of the process's `wasm_engine_t`; `tick_seconds`: how often
    /// its epoch advances while a call into a component runs.
    #[new]
    fn new(engine: usize, tick_seconds: f64) -> PyResult<Self> {
        let tick =
            std::time::Duration::try_from_secs_f64(tick_seconds).map_err(|e| PyValueError::new_err(e.to_string()))?;
        let clock = nn_host::EpochClock::start(engine, tick).map_err(|e| PyValueError::new_err(e.to_string()))?;
        Ok(Self { clock })
    }

    /// A call into a component begins: the epoch advances until every such call has ended.
    fn enter(&self) {
        self.clock.enter();
    }

    fn leave(&self) {
        self.clock.leave();
    }
}

/// One instance's natively served wasi:nn imports and its guest deadline.
#[pyclass(frozen, module = "inf_wasi._native")]
struct NativeNn {
    host: Arc<nn_host::NnHost>,
}

#[pymethods]
impl NativeNn {
    #[new]
    fn new(clock: &EpochClock, ticks: u64, tensor_type: u32) -> Self {
        Self { host: Arc::new(nn_host::NnHost::new(clock.clock.clone(), ticks, tensor_type)) }
    }

    /// Defines the `tensor` resource, its constructor and `data` in the linker
    /// instance at address `instance`.
    fn define_tensor(&self, instance: usize) -> PyResult<()> {
        self.host.define_tensor(instance).map_err(PyValueError::new_err)
    }

    /// Defines `graph-execution-context.compute` in the linker instance at address `instance`.
    fn define_compute(&self, instance: usize) -> PyResult<()> {
        self.host.define_compute(instance).map_err(PyValueError::new_err)
    }

    /// Lets `compute` find `context` by its rep.
    fn add_context(&self, rep: u32, context: &Context) {
        self.host.add_context(rep, context.session.clone());
    }

    fn remove_context(&self, rep: u32) {
        self.host.remove_context(rep);
    }

    /// A tensor's dimensions and type name; None for an unknown rep.
    fn describe(&self, rep: u32) -> Option<(Vec<u32>, String)> {
        self.host.describe(rep)
    }

    /// Restarts the guest's deadline in the store whose context is at address `context`.
    fn arm(&self, context: usize) {
        self.host.arm(context);
    }

    /// Whether the deadline armed last has passed: a trap then is the deadline's.
    fn deadline_passed(&self) -> bool {
        self.host.deadline_passed()
    }
}

/// A `load-by-name` that is the component's report of why it is about to stop
/// (docs/ggml-profile.md): the sentence for the application; `None` for a model's name.
#[pyfunction]
fn abort_report(name: &str, memory_cap: u64) -> Option<String> {
    inf_wasi_ggml::profile::abort_report(name, memory_cap)
}

/// The name of the model packed in the file at `path` and the file's component
/// (the bytes outside its `inf-wasi:*` sections). ValueError names what is wrong.
#[pyfunction]
fn packed_model<'py>(py: Python<'py>, path: std::path::PathBuf) -> PyResult<(String, Bound<'py, PyBytes>)> {
    let (name, component) =
        inf_wasi_ggml::packed::model_and_component(&path).map_err(|e| PyValueError::new_err(e.message))?;
    Ok((name, PyBytes::new(py, &component)))
}

/// `plugin` composed with `engine` (the inf-wasi component): one component to
/// instantiate (the `plugin/` crate, as every host composes). ValueError
/// names why a file is not a plugin or what it imports that plugins are not given.
#[pyfunction]
fn compose_plugin<'py>(py: Python<'py>, engine: &[u8], plugin: &[u8]) -> PyResult<Bound<'py, PyBytes>> {
    let composed = inf_wasi_plugin::compose(engine, plugin).map_err(|e| PyValueError::new_err(e.to_string()))?;
    Ok(PyBytes::new(py, &composed))
}

/// Where the Python host keeps `composed`'s compiled code between processes
/// (`plugins/<SHA-256>-python.cwasm` in the cache folder).
#[pyfunction]
fn compiled_plugin_path(composed: &[u8]) -> String {
    inf_wasi_ggml::compiled_plugin_path(composed, "python").to_string_lossy().into_owned()
}

/// Keeps `compiled` at `path` (from `compiled_plugin_path`), whole, and lets the
/// least recently used compiled plugins go past a few.
#[pyfunction]
fn store_compiled_plugin(path: &str, compiled: &[u8]) -> PyResult<()> {
    inf_wasi_ggml::store_compiled_plugin(std::path::Path::new(path), compiled)
        .map_err(|e| pyo3::exceptions::PyOSError::new_err(e.to_string()))
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(abort_report, m)?)?;
    m.add_function(wrap_pyfunction!(packed_model, m)?)?;
    m.add_function(wrap_pyfunction!(compose_plugin, m)?)?;
    m.add_function(wrap_pyfunction!(compiled_plugin_path, m)?)?;
    m.add_function(wrap_pyfunction!(store_compiled_plugin, m)?)?;
    m.add_function(wrap_pyfunction!(use_wasmtime, m)?)?;
    m.add_class::<EpochClock>()?;
    m.add_class::<NativeNn>()?;
    m.add_class::<Graph>()?;
    m.add_class::<Context>()?;
    m.add_class::<Cancel>()?;
    Ok(())
}
