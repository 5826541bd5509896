//! Errors a guest can act on. wasmtime-wasi-nn turns every backend failure into
//! an opaque `runtime-error`, so these travel in the `status` output instead
//! (`{"error": {"code": .., "message": ..}}`), and the component maps each code
//! onto the `inf:wasi` error case of the same name.

use alloc::string::String;
use core::fmt;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ErrorCode {
    InvalidInput,
    InvalidModel,
    ContextOverflow,
    Unsupported,
    Cancelled,
    Backend,
}

impl ErrorCode {
    pub const ALL: [ErrorCode; 6] = [
        ErrorCode::InvalidInput,
        ErrorCode::InvalidModel,
        ErrorCode::ContextOverflow,
        ErrorCode::Unsupported,
        ErrorCode::Cancelled,
        ErrorCode::Backend,
    ];

    /// The code as it is written on the wire and in the interface.
    pub fn name(self) -> &'static str {
        match self {
            ErrorCode::InvalidInput => "invalid-input",
            ErrorCode::InvalidModel => "invalid-model",
            ErrorCode::ContextOverflow => "context-overflow",
            ErrorCode::Unsupported => "unsupported",
            ErrorCode::Cancelled => "cancelled",
            ErrorCode::Backend => "backend",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
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
        write!(f, "{}: {}", self.code.name(), self.message)
    }
}

impl core::error::Error for ProfileError {}
