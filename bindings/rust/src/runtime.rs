//! The compiled component, shared by every engine in the process: compiled
//! once (Cranelift, ~20 ms) and pre-linked, so a new session only instantiates.

use crate::bindings::EmbedderPre;
use inf_wasi_ggml::ModelRegistry;
use std::sync::OnceLock;
use wasmtime::component::{Component, Linker, ResourceTable};
use wasmtime::{Config, Engine, Store};

/// The component, built from `component/` by this crate's build script.
pub static COMPONENT: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/inf_wasi.wasm"));

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
    let mut config = Config::new();
    config.wasm_component_model(true);
    let engine = Engine::new(&config)?;
    let component = Component::new(&engine, COMPONENT)?;
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
