//! The component, shared by every engine in the process: precompiled to native
//! code by the build script, loaded once and pre-linked, so a new session only
//! instantiates. No compiler runs in the application.

use crate::bindings::EmbedderPre;
use crate::guards::{tick, Guards, MemoryCap, Watchdog};
use crate::wasi_nn::LastWords;
use inf_wasi_ggml::{CancelFlag, ModelRegistry};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use wasmtime::component::{Component, InstancePre, Linker, ResourceTable};
use wasmtime::{Config, Engine, Store};

/// The component, built from `component/` by this crate's build script.
pub static COMPONENT: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/inf_wasi.wasm"));

/// The same component compiled to native code by the build script.
static PRECOMPILED: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/inf_wasi.cwasm"));

/// The capability probe (probe/wants-filesystem.wit), precompiled by build.rs.
static PROBE: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/wants_filesystem.cwasm"));

/// The abort probe (probe/aborts.wit), precompiled by build.rs.
static ABORT_PROBE: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/aborts.cwasm"));

/// What each store holds: its resource table, its wasi-nn state and its guards.
/// Nothing else exists for the component to reach.
pub struct HostState {
    pub(crate) table: ResourceTable,
    nn: wasmtime_wasi_nn::wit::WasiNnCtx,
    memory: MemoryCap,
    pub watchdog: Watchdog,
    last_words: LastWords,
    /// A plugin's WASI context (none behind it); the engine's own component has none.
    #[cfg(feature = "plugins")]
    pub(crate) wasi: Option<wasmtime_wasi::WasiCtx>,
}

impl HostState {
    /// The error for a trap that stopped this store's instance: the component's
    /// own report of why, when it gave one, else the trap's typed cause.
    /// Whether the component reported why it is about to trap.
    #[cfg(feature = "plugins")]
    pub(crate) fn has_last_words(&self) -> bool {
        self.last_words.get().is_some()
    }

    pub fn stopped(&self, trap: wasmtime::Error) -> crate::Error {
        match self.last_words.get() {
            Some(report) => crate::Error::Backend(report),
            None => trap.into(),
        }
    }
}

pub struct Runtime {
    pub engine: Engine,
    pub pre: EmbedderPre<HostState>,
    linker: Linker<HostState>,
    ticker: Ticker,
}

static RUNTIME: OnceLock<Result<Runtime, String>> = OnceLock::new();

pub fn runtime() -> Result<&'static Runtime, crate::Error> {
    RUNTIME.get_or_init(|| build().map_err(|e| format!("{e:#}"))).as_ref().map_err(|e| crate::Error::Backend(e.clone()))
}

fn build() -> wasmtime::Result<Runtime> {
    // Must match the settings in build.rs, or wasmtime refuses the precompiled code.
    let mut config = Config::new();
    config.wasm_component_model(true);
    config.epoch_interruption(true);
    let engine = Engine::new(&config)?;
    // SAFETY: `deserialize` trusts its input to be code wasmtime produced. These
    // bytes are: build.rs made them with this exact wasmtime version from the
    // component in `COMPONENT`, and they are compiled into this binary, so no one
    // can swap them at run time. wasmtime still checks version and settings.
    let component = unsafe { Component::deserialize(&engine, PRECOMPILED)? };
    let mut linker = Linker::<HostState>::new(&engine);
    // The component's one capability.
    add_wasi_nn(&mut linker)?;
    let pre = EmbedderPre::new(link(&linker, &component)?)?;
    let ticker = Ticker::start(&engine)?;
    Ok(Runtime { engine, pre, linker, ticker })
}

/// Serves wasi:nn, from this process's llama.cpp, to what `linker` links.
pub fn add_wasi_nn(linker: &mut Linker<HostState>) -> wasmtime::Result<()> {
    wasmtime_wasi_nn::wit::add_to_linker(linker, |s: &mut HostState| {
        wasmtime_wasi_nn::wit::WasiNnView::new(&mut s.table, &mut s.nn)
    })
}

/// Links a component against the host's imports, which are wasi:nn and nothing
/// else: a component that asks for more is refused, never granted.
fn link(linker: &Linker<HostState>, component: &Component) -> wasmtime::Result<InstancePre<HostState>> {
    linker.instantiate_pre(component).map_err(|e| Refused(format!("{e:#}")).into())
}

/// A component asked for an import the host does not grant.
#[derive(Debug, thiserror::Error)]
#[error("the component was refused: {0}; inf-wasi grants a component wasi:nn and nothing else")]
pub struct Refused(String);

impl Refused {
    #[cfg(feature = "plugins")]
    pub fn new(why: impl std::fmt::Display) -> Self {
        Self(format!("{why:#}"))
    }
}

/// Advances the engine's epoch every [`tick`] while any call into the
/// component is running, which is what lets a store's deadline stop guest
/// code. One thread for the process, parked while nothing runs.
struct Ticker {
    active: Arc<AtomicUsize>,
    thread: std::thread::Thread,
}

impl Ticker {
    fn start(engine: &Engine) -> wasmtime::Result<Self> {
        let active = Arc::new(AtomicUsize::new(0));
        let (engine, running) = (engine.clone(), active.clone());
        let handle = std::thread::Builder::new().name("inf-wasi-epoch".into()).spawn(move || loop {
            while running.load(Ordering::SeqCst) == 0 {
                std::thread::park();
            }
            std::thread::sleep(tick());
            engine.increment_epoch();
        })?;
        Ok(Self { active, thread: handle.thread().clone() })
    }
}

/// Held while a call into the component runs: the epoch ticks meanwhile.
pub struct Busy<'r>(&'r Ticker);

impl Drop for Busy<'_> {
    fn drop(&mut self) {
        self.0.active.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Runtime {
    /// Marks a call into the component as running, for the deadline's clock.
    pub fn busy(&self) -> Busy<'_> {
        self.ticker.active.fetch_add(1, Ordering::SeqCst);
        self.ticker.thread.unpark();
        Busy(&self.ticker)
    }
}

/// A store for one instance, with its guards in place and its wasi-nn sessions
/// listening to `cancel`.
pub fn new_store(runtime: &Runtime, models: &ModelRegistry, guards: Guards, cancel: CancelFlag) -> Store<HostState> {
    let host_calls = Arc::new(AtomicU64::new(0));
    let last_words = LastWords::default();
    let state = HostState {
        table: ResourceTable::new(),
        nn: crate::wasi_nn::context(models, cancel, host_calls.clone(), guards.memory_bytes, last_words.clone()),
        memory: MemoryCap(guards.memory_bytes),
        watchdog: Watchdog::new(guards.time, host_calls),
        last_words,
        #[cfg(feature = "plugins")]
        wasi: None,
    };
    let mut store = Store::new(&runtime.engine, state);
    store.limiter(|s| &mut s.memory);
    store.epoch_deadline_callback(|mut ctx| ctx.data_mut().watchdog.on_tick());
    store.set_epoch_deadline(1);
    store
}

/// Instantiates one of the tests' probes (precompiled by build.rs) as the host
/// instantiates the component: linked against wasi:nn alone, in a store with
/// the default guards.
fn instantiate_probe(precompiled: &[u8]) -> crate::Result<(Store<HostState>, wasmtime::component::Instance)> {
    let runtime = runtime()?;
    // SAFETY: as for PRECOMPILED: build.rs made these bytes with this wasmtime,
    // and they are compiled into this binary.
    let probe = unsafe { Component::deserialize(&runtime.engine, precompiled)? };
    let pre = link(&runtime.linker, &probe)?;
    let mut store = new_store(runtime, &ModelRegistry::new(), Guards::default(), CancelFlag::new());
    let _busy = runtime.busy();
    let instance = pre.instantiate(&mut store)?;
    Ok((store, instance))
}

/// Asks the host to instantiate the capability probe, a component that imports
/// a filesystem interface besides nothing else. Every binding's capability test
/// calls this (or its own engine's equivalent) and expects the refusal.
#[doc(hidden)]
pub fn instantiate_capability_probe() -> crate::Result<()> {
    instantiate_probe(PROBE).map(|_| ())
}

/// Runs the abort probe, a component that reports a panic of its own and traps
/// as the real one does, and returns the error the host makes of it: the
/// probe's own message, if the host heard it. Every binding's guard tests call
/// this (or their own host's equivalent).
#[doc(hidden)]
pub fn run_abort_probe() -> crate::Error {
    let run = || -> crate::Result<crate::Error> {
        let (mut store, instance) = instantiate_probe(ABORT_PROBE)?;
        let run = instance.get_typed_func::<(), ()>(&mut store, "run")?;
        let _busy = runtime()?.busy();
        match run.call(&mut store, ()) {
            Ok(()) => Err(crate::Error::Backend("the abort probe returned instead of trapping".into())),
            Err(trap) => Ok(store.data().stopped(trap)),
        }
    };
    run().unwrap_or_else(|e| e)
}
