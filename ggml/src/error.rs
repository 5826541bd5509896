//! Errors a guest can act on: the profile's own (`inf-wasi-profile`), which
//! travel in the `status` output because wasmtime-wasi-nn turns every backend
//! failure into an opaque `runtime-error`.

pub use inf_wasi_profile::{ErrorCode, ProfileError};
