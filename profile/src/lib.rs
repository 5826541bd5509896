//! The ggml profile of wasi-nn: what the inf-wasi component and the native
//! backend say to each other through `wasi:nn`'s one `compute` call
//! (docs/ggml-profile.md is checked against this crate).
//!
//! Both sides use these types, so a key cannot be spelt one way on one side and
//! another way on the other, and a bound cannot differ between them. Every
//! message is strict: an unknown or a missing field is an error, never a
//! default (a value that may be absent is an explicit `null`). Keys are
//! snake_case; the words of `op`, error codes and finish reasons are the
//! interface's kebab-case names. No `std`: the component builds it for wasm32.
#![no_std]

extern crate alloc;

mod abort;
mod error;
mod limits;
mod messages;
mod op;
pub mod tensors;
mod token;
mod wire;

pub use abort::{abort_report, Abort, ABORT_PREFIX};
pub use error::{ErrorCode, ProfileError};
pub use limits::{
    sampling_bounds_markdown, Bound, Number, DEFAULT_MAX_AUDIO_SECONDS, DEFAULT_MAX_CONTEXT_SIZE,
    DEFAULT_MAX_IMAGE_BYTES, DEFAULT_MAX_OUTPUT_TOKENS, MIN_P, REPEAT_LAST_N, REPEAT_PENALTY, TEMPERATURE, TOP_K,
    TOP_P,
};
pub use messages::{
    Configure, Configured, EngineLimits, Finish, Finished, ModelMetadata, NoReply, Prompted, SamplingConfig, Span,
    TokenizeConfig,
};
pub use op::Op;
pub use token::{decode_token, encode_token};
pub use wire::{decode_reply, decode_request, encode, encode_status};
