//! The component, shared by every engine in the process: precompiled to native
//! code by the build script, loaded once and pre-linked, so a new session only
//! instantiates. No compiler runs in the application.

use crate::bindings::EmbedderPre;
use inf_wasi_ggml::ModelRegistry;
use std::sync::OnceLock;
use wasmtime::component::{Component, Linker, ResourceTable};
use wasmtime::{Config, Engine, Store};

/// The component, built from `component/` by this crate's build script.
pub static COMPONENT: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/inf_wasi.wasm"));

/// The same component compiled to native code by the build script.
static PRECOMPILED: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/inf_wasi.cwasm"));

/// What each store holds: its resource table and its wasi-nn state. Nothing
/// else exists for the component to reach.
pub struct HostState {
    table: ResourceTable,
    nn: wasmtime_wasi_nn::wit::WasiNnCtx,
}

impl HostState {
    pub fn new(models: &ModelRegistry) -> Self {
        Self { table: ResourceTable::new(), nn: crate::wasi_nn::context(models) }
    }
}

pub struct Runtime {
    pub engine: Engine,
    pub pre: EmbedderPre<HostState>,
}

static RUNTIME: OnceLock<Result<Runtime, String>> = OnceLock::new();

pub fn runtime() -> Result<&'static Runtime, crate::Error> {
    RUNTIME.get_or_init(|| build().map_err(|e| format!("{e:#}"))).as_ref().map_err(|e| crate::Error::Backend(e.clone()))
}

fn build() -> wasmtime::Result<Runtime> {
    // Must match the settings in build.rs, or wasmtime refuses the precompiled code.
    let mut config = Config::new();
    config.wasm_component_model(true);
    let engine = Engine::new(&config)?;
    // SAFETY: `deserialize` trusts its input to be code wasmtime produced. These
    // bytes are: build.rs made them with this exact wasmtime version from the
    // component in `COMPONENT`, and they are compiled into this binary, so no one
    // can swap them at run time. wasmtime still checks version and settings.
    let component = unsafe { Component::deserialize(&engine, PRECOMPILED)? };
    let mut linker = Linker::<HostState>::new(&engine);
    // The component's one capability.
    wasmtime_wasi_nn::wit::add_to_linker(&mut linker, |s: &mut HostState| {
        wasmtime_wasi_nn::wit::WasiNnView::new(&mut s.table, &mut s.nn)
    })?;
    let pre = EmbedderPre::new(linker.instantiate_pre(&component)?)?;
    Ok(Runtime { engine, pre })
}

pub fn new_store(runtime: &Runtime, models: &ModelRegistry) -> Store<HostState> {
    Store::new(&runtime.engine, HostState::new(models))
}
