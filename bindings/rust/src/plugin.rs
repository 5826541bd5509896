//! Plugins (the `plugins` feature): components of the `plugin` world
//! (`wit/inf-wasi.wit`) that import the engine's `inference` interface and
//! export `handler`. A plugin is composed with the engine component
//! (`inf-wasi-plugin`, as every host does), compiled once, and instantiated
//! afresh for each call: it shares the engine's loaded models and limits, and
//! each call gets its own sessions. Its only capability is the model; WASI,
//! for plugins whose language runtime imports it, has nothing behind it: no
//! directories, no network, no environment or arguments, stdin closed, and
//! stdout and stderr captured (up to 1 MiB each) into the call's result.

use crate::runtime::{new_store, runtime, HostState, Refused, COMPONENT};
use crate::{Engine, Error, Result};
use inf_wasi_ggml::CancelFlag;
use inf_wasi_plugin::{PluginError, HANDLER};
use std::sync::OnceLock;
use wasmtime::component::{Component, InstancePre, Linker};
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::{WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView};

/// The most a call may write to stdout, and to stderr; past it the write fails.
const OUTPUT_CAP: usize = 1 << 20;

/// A plugin, composed with the engine and compiled, ready to run.
pub struct Plugin {
    engine: Engine,
    pre: InstancePre<HostState>,
}

/// What one call of a plugin gave back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PluginRun {
    /// The plugin's own answer: its text, or its own error message.
    pub output: std::result::Result<String, String>,
    /// What it wrote to stdout.
    pub stdout: Vec<u8>,
    /// What it wrote to stderr.
    pub stderr: Vec<u8>,
}

impl Engine {
    /// The plugin in the component file at `path`, composed with this engine.
    /// A file that is not a plugin, or one that imports anything but the
    /// engine and WASI 0.2, is an [`Error::InvalidInput`] naming why.
    pub fn plugin(&self, path: impl AsRef<std::path::Path>) -> Result<Plugin> {
        let path = path.as_ref();
        let bytes = std::fs::read(path)
            .map_err(|e| Error::InvalidInput(format!("the plugin {} could not be read: {e}", path.display())))?;
        self.plugin_from_bytes(&bytes)
    }

    /// [`Engine::plugin`] from the component's bytes.
    pub fn plugin_from_bytes(&self, plugin: &[u8]) -> Result<Plugin> {
        let composed = inf_wasi_plugin::compose(COMPONENT, plugin).map_err(|e| match e {
            PluginError::NotAPlugin(m) | PluginError::Refused(m) => Error::InvalidInput(m),
        })?;
        let runtime = runtime()?;
        let component = compiled(&runtime.engine, &composed)?;
        let pre =
            linker()?.instantiate_pre(&component).map_err(|e| Error::from(wasmtime::Error::from(Refused::new(e))))?;
        Ok(Plugin { engine: self.clone(), pre })
    }
}

impl Plugin {
    /// Runs the plugin on `input` in a fresh instance, under the engine's
    /// guards: a plugin that runs past the time limit is [`Error::Cancelled`],
    /// one that traps (a panic) or outgrows the memory cap is [`Error::Backend`],
    /// and the engine goes on either way.
    pub fn run(&self, input: &str) -> Result<PluginRun> {
        let runtime = runtime()?;
        let (models, guards) = self.engine.models_and_guards();
        let mut store = new_store(runtime, models, guards, CancelFlag::new());
        let (stdout, stderr) = (MemoryOutputPipe::new(OUTPUT_CAP), MemoryOutputPipe::new(OUTPUT_CAP));
        let wasi = WasiCtxBuilder::new()
            .stdout(stdout.clone())
            .stderr(stderr.clone())
            .allow_tcp(false)
            .allow_udp(false)
            .allow_ip_name_lookup(false)
            .build();
        store.data_mut().wasi = Some(wasi);
        store.data_mut().watchdog.enter();
        let _busy = runtime.busy();
        let call = |store: &mut wasmtime::Store<HostState>| -> wasmtime::Result<_> {
            let instance = self.pre.instantiate(&mut *store)?;
            let handler = instance
                .get_export_index(&mut *store, None, HANDLER)
                .ok_or_else(|| wasmtime::format_err!("the plugin exports no {HANDLER}"))?;
            let run = instance
                .get_export_index(&mut *store, Some(&handler), "run")
                .ok_or_else(|| wasmtime::format_err!("the plugin's handler has no run"))?;
            let run = instance.get_typed_func::<(&str,), (std::result::Result<String, String>,)>(&mut *store, &run)?;
            Ok(run.call(&mut *store, (input,))?.0)
        };
        let output = call(&mut store).map_err(|e| stopped(store.data(), e))?;
        Ok(PluginRun { output, stdout: stdout.contents().to_vec(), stderr: stderr.contents().to_vec() })
    }
}

/// The composed plugin's compiled code: what an earlier process left in the
/// cache folder ([`inf_wasi_ggml::compiled_plugin_path`]), else compiled now
/// (a CPython plugin takes seconds) and left there for the next one. A file
/// that is not this wasmtime's, with this configuration, is refused by it and
/// compiled anew.
fn compiled(engine: &wasmtime::Engine, composed: &[u8]) -> Result<Component> {
    let cached = inf_wasi_ggml::compiled_plugin_path(composed, "rust");
    // SAFETY: wasmtime runs what the file holds as machine code. The file is one
    // a host wrote with `Component::serialize`, named by the SHA-256 of the
    // component it was compiled from, in the user's own cache folder, which a
    // plugin cannot reach (no filesystem); wasmtime checks its version and
    // configuration, and the whole file was renamed into place.
    if let Ok(component) = unsafe { Component::deserialize_file(engine, &cached) } {
        inf_wasi_ggml::used_compiled_plugin(&cached);
        return Ok(component);
    }
    let component = Component::new(engine, composed)
        .map_err(|e| Error::InvalidInput(format!("the plugin does not compile: {e:#}")))?;
    // A cache that cannot be written (a read-only home) only costs the next load its compilation.
    if let Ok(bytes) = component.serialize() {
        let _ = inf_wasi_ggml::store_compiled_plugin(&cached, &bytes);
    }
    Ok(component)
}

/// The error for what stopped a plugin's call: the engine's own report when
/// it made one (its deadline, its memory cap, a panic it explained), else the
/// trap, without the wasm backtrace a plugin author would read in a debugger.
fn stopped(state: &HostState, e: wasmtime::Error) -> Error {
    match e.downcast_ref::<wasmtime::Trap>() {
        Some(trap) if !state.has_last_words() => Error::Backend(format!("the plugin stopped: {trap}")),
        _ => state.stopped(e),
    }
}

/// The plugins' linker: wasi:nn for the engine inside, and WASI 0.2 for the
/// plugin, whose every store gets a context with nothing behind it.
fn linker() -> Result<&'static Linker<HostState>> {
    static LINKER: OnceLock<std::result::Result<Linker<HostState>, String>> = OnceLock::new();
    let made = LINKER.get_or_init(|| {
        let runtime = runtime().map_err(|e| e.to_string())?;
        let mut linker = Linker::<HostState>::new(&runtime.engine);
        crate::runtime::add_wasi_nn(&mut linker).map_err(|e| format!("{e:#}"))?;
        wasmtime_wasi::p2::add_to_linker_sync(&mut linker).map_err(|e| format!("{e:#}"))?;
        Ok(linker)
    });
    made.as_ref().map_err(|e| Error::Backend(e.clone()))
}

impl WasiView for HostState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        // Stores of the engine's own component never reach WASI (its linker
        // has none); a plugin's store is given its context before it runs.
        let ctx = self.wasi.get_or_insert_with(|| WasiCtx::builder().build());
        WasiCtxView { ctx, table: &mut self.table }
    }
}
