//! `inf_wasi._native`: the ggml backend (the same crate every host links) as a
//! Python module. It only converts: Python's wasi:nn imports call `compute`,
//! which runs one operation of the ggml profile with the GIL released, so
//! sessions on different threads generate at the same time.

use inf_wasi_ggml::{
    CancelFlag, LoadOptions, Model, NamedTensor, OptionalLoadOptions, ProfileError, Session, Tensor, TensorType,
};
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
        max_context_size=None, max_output_tokens=None, max_image_bytes=None, projector=None,
        parallel=None, batching=None, packed=false,
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
            projector,
        };
        let options = LoadOptions::from_optional(given).map_err(|e| PyValueError::new_err(e.message))?;
        // A packed file (docs/packed-models.md) holds its GGUF in a section, opened in place.
        let model = if packed { Model::packed(name, path, options) } else { Model::new(name, path, options) };
        Ok(Self { model: Arc::new(model) })
    }

    /// A new execution context: a session with its own KV cache, stopped by `cancel`.
    fn init_execution_context(&self, cancel: &Cancel) -> Context {
        Context { session: Mutex::new(Session::with_cancel(self.model.clone(), cancel.flag.clone())) }
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

/// One execution context of the ggml profile.
#[pyclass(frozen, module = "inf_wasi._native")]
struct Context {
    session: Mutex<Session>,
}

type PyTensor<'py> = (String, String, Vec<u32>, Bound<'py, PyBytes>);

#[pymethods]
impl Context {
    /// Runs one operation: `inputs` and the result are `(name, type, dimensions, data)`
    /// tuples, `type` being the wasi-nn tensor type name (`"U8"`, `"I32"`, `"FP32"`).
    /// Never raises for a bad request: errors travel in the `status` output.
    fn compute<'py>(&self, py: Python<'py>, inputs: Vec<(String, String, Vec<u32>, Vec<u8>)>) -> Vec<PyTensor<'py>> {
        let inputs: Vec<NamedTensor> = inputs
            .into_iter()
            .map(|(name, ty, dimensions, data)| {
                NamedTensor::new(name, Tensor { dimensions, ty: TensorType::from_wasi_nn_name(&ty), data })
            })
            .collect();
        let outputs = py.detach(|| {
            let mut session = self.session.lock().unwrap_or_else(|e| e.into_inner());
            session.compute(inputs)
        });
        outputs
            .into_iter()
            .map(|t| {
                (t.name, t.tensor.ty.wasi_nn_name().to_string(), t.tensor.dimensions, PyBytes::new(py, &t.tensor.data))
            })
            .collect()
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

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(abort_report, m)?)?;
    m.add_function(wrap_pyfunction!(packed_model, m)?)?;
    m.add_class::<Graph>()?;
    m.add_class::<Context>()?;
    m.add_class::<Cancel>()?;
    Ok(())
}
