//! The component's only way out: a small client over the `wasi:nn` imports that
//! speaks the ggml profile (docs/ggml-profile.md). One `call` is one `compute`.

use crate::bindings::exports::inf::wasi::types::Error;
use crate::bindings::wasi::nn::errors::ErrorCode;
use crate::bindings::wasi::nn::graph::{self, Graph};
use crate::bindings::wasi::nn::inference::GraphExecutionContext;
use crate::bindings::wasi::nn::tensor::{Tensor, TensorType};
use serde_json::Value;

/// An input of one operation.
pub enum Input<'a> {
    Bytes(&'a [u8]),
    I32s(&'a [i32]),
}

/// What one operation returned: the parsed `status` and the other outputs.
pub struct Reply {
    pub status: Value,
    outputs: Vec<(String, Tensor)>,
}

impl Reply {
    pub fn bytes(&self, name: &str) -> Result<Vec<u8>, Error> {
        self.outputs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, t)| t.data())
            .ok_or_else(|| Error::Backend(format!("the backend returned no `{name}` output")))
    }

    pub fn text(&self, name: &str) -> Result<String, Error> {
        Ok(String::from_utf8_lossy(&self.bytes(name)?).into_owned())
    }

    pub fn json(&self, name: &str) -> Result<Value, Error> {
        serde_json::from_slice(&self.bytes(name)?).map_err(|e| Error::Backend(format!("bad `{name}` JSON: {e}")))
    }

    pub fn i32s(&self, name: &str) -> Result<Vec<i32>, Error> {
        let data = self.bytes(name)?;
        Ok(data.chunks_exact(4).map(|c| i32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect())
    }

    pub fn f32s(&self, name: &str) -> Result<Vec<f32>, Error> {
        let data = self.bytes(name)?;
        Ok(data.chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect())
    }

    /// A status number, or 0.
    pub fn count(&self, key: &str) -> u32 {
        self.status.get(key).and_then(Value::as_u64).unwrap_or(0) as u32
    }
}

/// Opens a registered model. Only names the host registered exist.
pub fn open(name: &str) -> Result<Graph, Error> {
    graph::load_by_name(name).map_err(|e| match e.code() {
        ErrorCode::NotFound => Error::ModelNotFound(format!("no model is registered under the name {name:?}")),
        code => Error::Backend(format!("wasi-nn load-by-name failed ({code:?}): {}", e.data())),
    })
}

/// One execution context: a session of the backend, with its own KV cache.
pub struct Backend {
    context: GraphExecutionContext,
}

impl Backend {
    pub fn new(graph: &Graph) -> Result<Self, Error> {
        let context = graph
            .init_execution_context()
            .map_err(|e| Error::Backend(format!("wasi-nn init-execution-context failed: {}", e.data())))?;
        Ok(Self { context })
    }

    /// Runs `op` and turns a status error into the matching `inf:wasi` error.
    pub fn call(&self, op: &str, inputs: &[(&str, Input<'_>)]) -> Result<Reply, Error> {
        let mut tensors = vec![("op".to_string(), bytes_tensor(op.as_bytes()))];
        for (name, input) in inputs {
            let tensor = match input {
                Input::Bytes(b) => bytes_tensor(b),
                Input::I32s(v) => {
                    let data: Vec<u8> = v.iter().flat_map(|x| x.to_le_bytes()).collect();
                    Tensor::new(&[v.len() as u32], TensorType::I32, &data)
                }
            };
            tensors.push((name.to_string(), tensor));
        }
        let outputs = self
            .context
            .compute(tensors)
            .map_err(|e| Error::Backend(format!("wasi-nn compute failed ({:?}): {}", e.code(), e.data())))?;
        let status = outputs
            .iter()
            .find(|(n, _)| n == "status")
            .map(|(_, t)| t.data())
            .ok_or_else(|| Error::Backend("the backend returned no status".into()))?;
        let status: Value =
            serde_json::from_slice(&status).map_err(|e| Error::Backend(format!("bad status JSON: {e}")))?;
        if let Some(error) = status.get("error") {
            return Err(status_error(error));
        }
        Ok(Reply { status, outputs })
    }
}

fn bytes_tensor(data: &[u8]) -> Tensor {
    Tensor::new(&[data.len() as u32], TensorType::U8, data)
}

/// The profile's error codes, one to one onto the interface's error cases.
pub fn status_error(error: &Value) -> Error {
    let message = error.get("message").and_then(Value::as_str).unwrap_or("").to_string();
    match error.get("code").and_then(Value::as_str).unwrap_or("") {
        "invalid-input" => Error::InvalidInput(message),
        "invalid-model" => Error::InvalidModel(message),
        "context-overflow" => Error::ContextOverflow(message),
        "unsupported" => Error::Unsupported(message),
        "cancelled" => Error::Cancelled(message),
        _ => Error::Backend(message),
    }
}
