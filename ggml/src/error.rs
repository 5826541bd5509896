//! Errors a guest can act on. wasmtime-wasi-nn turns every backend failure into
//! an opaque `runtime-error`, so these travel in the `status` output tensor as
//! JSON (`{"error":{"code":..,"message":..}}`) and the component maps the code
//! onto the `inf:wasi` error variant.

use serde::Serialize;
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ErrorCode {
    InvalidInput,
    InvalidModel,
    ContextOverflow,
    Unsupported,
    Cancelled,
    Backend,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ProfileError {
    pub code: ErrorCode,
    pub message: String,
}

impl ProfileError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self { code, message: message.into() }
    }
    pub fn invalid_input(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidInput, message)
    }
    pub fn backend(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Backend, message)
    }
}

impl fmt::Display for ProfileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}: {}", self.code, self.message)
    }
}

impl std::error::Error for ProfileError {}
