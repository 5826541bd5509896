//! The inf-wasi component: all inference logic (chat templates, prompt assembly,
//! streaming, stop strings, structured output, validation) behind the
//! `inf:wasi` interface. Its only import is `wasi:nn`; the host serves it with
//! llama.cpp through the ggml profile (docs/ggml-profile.md).
//!
//! `lib.rs` holds only the WIT glue; each concept lives in its own module, and
//! the modules that need no host (templates, stop strings, UTF-8, options,
//! JSON schema) are unit-tested natively.

pub mod bindings {
    wit_bindgen::generate!({
        path: "../wit",
        world: "inf:wasi/engine",
        generate_all,
    });
}

mod abort;
mod generation;
pub mod json_schema;
mod model;
mod nn;
mod options;
mod prompt;
pub mod python_json;
mod session;
pub mod stop;
pub mod template;
mod tools;
pub mod utf8;

struct Component;

impl bindings::exports::inf::wasi::inference::Guest for Component {
    type Model = model::ModelResource;
    type Session = session::SessionResource;
    type TokenStream = session::StreamResource;
}

bindings::export!(Component with_types_in bindings);
