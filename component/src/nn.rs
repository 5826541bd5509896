//! The component's only way out: a small client over the `wasi:nn` imports that
//! speaks the ggml profile (docs/ggml-profile.md, `inf-wasi-profile`). One
//! `call` is one `compute`, its reply read as the operation's message type.

use crate::bindings::exports::inf::wasi::types::Error;
use crate::bindings::wasi::nn::errors::ErrorCode as NnErrorCode;
use crate::bindings::wasi::nn::graph::{self, Graph};
use crate::bindings::wasi::nn::inference::GraphExecutionContext;
use crate::bindings::wasi::nn::tensor::{Tensor, TensorType};
use inf_wasi_profile::{
    decode_reply, decode_token, encode, tensors, ErrorCode, Finish, Finished, NoReply, Op, ProfileError, TokenizeConfig,
};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// An input of one operation.
pub enum Input<'a> {
    Bytes(&'a [u8]),
    I32s(&'a [i32]),
}

/// What one `next` produced: a token's bytes (possibly part of a UTF-8
/// character), or why generation ended.
pub enum Step {
    Token(Vec<u8>),
    Finish(Finish),
}

/// The outputs of one operation besides its status.
pub struct Outputs(Vec<(String, Tensor)>);

impl Outputs {
    pub fn bytes(&self, name: &str) -> Result<Vec<u8>, Error> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, t)| t.data())
            .ok_or_else(|| Error::Backend(format!("the backend returned no `{name}` output")))
    }

    pub fn text(&self, name: &str) -> Result<String, Error> {
        Ok(String::from_utf8_lossy(&self.bytes(name)?).into_owned())
    }

    /// A JSON output read as the profile's message type.
    pub fn message<T: DeserializeOwned>(&self, name: &str) -> Result<T, Error> {
        serde_json::from_slice(&self.bytes(name)?)
            .map_err(|e| Error::Backend(format!("the `{name}` output breaks the profile: {e}")))
    }

    pub fn i32s(&self, name: &str) -> Result<Vec<i32>, Error> {
        let data = self.bytes(name)?;
        Ok(data.chunks_exact(4).map(|c| i32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect())
    }

    pub fn f32s(&self, name: &str) -> Result<Vec<f32>, Error> {
        let data = self.bytes(name)?;
        Ok(data.chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect())
    }
}

/// Opens a registered model. Only names the host registered exist.
pub fn open(name: &str) -> Result<Graph, Error> {
    graph::load_by_name(name).map_err(|e| match e.code() {
        NnErrorCode::NotFound => Error::ModelNotFound(format!("no model is registered under the name {name:?}")),
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

    /// Runs `op`, an operation without a request, and reads its reply as `R`;
    /// a status error becomes the matching `inf:wasi` error.
    pub fn call<R: DeserializeOwned>(&self, op: Op, inputs: &[(&str, Input<'_>)]) -> Result<(R, Outputs), Error> {
        self.run(op, None, inputs)
    }

    /// Runs `op` with its request (the `config` input), like [`Self::call`].
    pub fn call_with<R: DeserializeOwned>(
        &self,
        op: Op,
        request: &impl Serialize,
        inputs: &[(&str, Input<'_>)],
    ) -> Result<(R, Outputs), Error> {
        self.run(op, Some(encode(request)), inputs)
    }

    /// Produces the next token: a `compute` with no inputs, answered by the one
    /// output `token`, or by a status once generation has ended (the profile's
    /// hot path: one crossing each way and one tensor read per token).
    pub fn next(&self) -> Result<Step, Error> {
        let mut outputs = self.compute(Vec::new())?;
        if let [(name, token)] = outputs.as_slice() {
            if name == tensors::TOKEN {
                let mut bytes = token.data();
                decode_token(&bytes).map_err(interface_error)?;
                bytes.drain(..4);
                return Ok(Step::Token(bytes));
            }
        }
        let Finished { finish } = status(Op::Next, &mut outputs)?;
        Ok(Step::Finish(finish))
    }

    /// `text`'s token ids, as the backend's `tokenize` reads it.
    pub fn tokenize(&self, text: &str, config: &TokenizeConfig) -> Result<Vec<i32>, Error> {
        let (NoReply {}, outputs) =
            self.call_with(Op::Tokenize, config, &[(tensors::TEXT, Input::Bytes(text.as_bytes()))])?;
        outputs.i32s(tensors::TOKENS)
    }

    /// Whether `text` holds the text of a control token: it tokenizes
    /// differently with special-token parsing on.
    pub fn holds_control_text(&self, text: &str) -> Result<bool, Error> {
        let read = |parse_special| {
            self.tokenize(text, &TokenizeConfig { add_special: false, parse_special, literal_spans: Vec::new() })
        };
        Ok(read(true)? != read(false)?)
    }

    fn run<R: DeserializeOwned>(
        &self,
        op: Op,
        request: Option<Vec<u8>>,
        inputs: &[(&str, Input<'_>)],
    ) -> Result<(R, Outputs), Error> {
        let mut tensors = vec![(tensors::OP.to_string(), bytes_tensor(op.name().as_bytes()))];
        if let Some(request) = request {
            tensors.push((tensors::CONFIG.to_string(), bytes_tensor(&request)));
        }
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
        let mut outputs = self.compute(tensors)?;
        let reply = status(op, &mut outputs)?;
        Ok((reply, Outputs(outputs)))
    }

    fn compute(&self, inputs: Vec<(String, Tensor)>) -> Result<Vec<(String, Tensor)>, Error> {
        self.context
            .compute(inputs)
            .map_err(|e| Error::Backend(format!("wasi-nn compute failed ({:?}): {}", e.code(), e.data())))
    }
}

/// Takes the `status` output out of `outputs` and reads it as `op`'s reply.
fn status<R: DeserializeOwned>(op: Op, outputs: &mut Vec<(String, Tensor)>) -> Result<R, Error> {
    let status = outputs
        .iter()
        .position(|(n, _)| n == tensors::STATUS)
        .map(|i| outputs.remove(i).1.data())
        .ok_or_else(|| Error::Backend("the backend returned no status".into()))?;
    decode_reply(op.name(), &status).map_err(interface_error)
}

fn bytes_tensor(data: &[u8]) -> Tensor {
    Tensor::new(&[data.len() as u32], TensorType::U8, data)
}

/// The profile's error codes, one to one onto the interface's error cases.
pub fn interface_error(error: ProfileError) -> Error {
    let message = error.message;
    match error.code {
        ErrorCode::InvalidInput => Error::InvalidInput(message),
        ErrorCode::InvalidModel => Error::InvalidModel(message),
        ErrorCode::ContextOverflow => Error::ContextOverflow(message),
        ErrorCode::Unsupported => Error::Unsupported(message),
        ErrorCode::Cancelled => Error::Cancelled(message),
        ErrorCode::Backend => Error::Backend(message),
    }
}
