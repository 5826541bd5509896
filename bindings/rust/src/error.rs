//! The crate's one error type: the `inf:wasi` error variant, case for case.

use crate::bindings::WitError;
use crate::guards::{DeadlineExceeded, MemoryCapReached};
use crate::runtime::Refused;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    #[error("model not found: {0}")]
    ModelNotFound(String),
    #[error("invalid model: {0}")]
    InvalidModel(String),
    #[error("invalid input: {0}")]
    InvalidInput(String),
    #[error("context overflow: {0}")]
    ContextOverflow(String),
    #[error("unsupported: {0}")]
    Unsupported(String),
    #[error("cancelled: {0}")]
    Cancelled(String),
    #[error("backend failure: {0}")]
    Backend(String),
}

impl Error {
    /// The WIT case name (`model-not-found`, ...), the same code in every language.
    pub fn code(&self) -> &'static str {
        match self {
            Error::ModelNotFound(_) => "model-not-found",
            Error::InvalidModel(_) => "invalid-model",
            Error::InvalidInput(_) => "invalid-input",
            Error::ContextOverflow(_) => "context-overflow",
            Error::Unsupported(_) => "unsupported",
            Error::Cancelled(_) => "cancelled",
            Error::Backend(_) => "backend",
        }
    }
}

impl From<WitError> for Error {
    fn from(e: WitError) -> Self {
        match e {
            WitError::ModelNotFound(m) => Error::ModelNotFound(m),
            WitError::InvalidModel(m) => Error::InvalidModel(m),
            WitError::InvalidInput(m) => Error::InvalidInput(m),
            WitError::ContextOverflow(m) => Error::ContextOverflow(m),
            WitError::Unsupported(m) => Error::Unsupported(m),
            WitError::Cancelled(m) => Error::Cancelled(m),
            WitError::Backend(m) => Error::Backend(m),
        }
    }
}

/// A trap or a host failure inside the runtime (not an answer from the component).
impl From<wasmtime::Error> for Error {
    fn from(e: wasmtime::Error) -> Self {
        if let Some(deadline) = e.downcast_ref::<DeadlineExceeded>() {
            return Error::Cancelled(deadline.to_string());
        }
        if let Some(cap) = e.downcast_ref::<MemoryCapReached>() {
            return Error::Backend(cap.to_string());
        }
        if let Some(refused) = e.downcast_ref::<Refused>() {
            return Error::Backend(refused.to_string());
        }
        Error::Backend(format!("the component failed: {e:#}"))
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
