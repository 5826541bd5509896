//! wasi:nn's per-token imports, served here and not in Python: the `tensor`
//! resource (constructor, `data`, its destructor) and
//! `graph-execution-context.compute`, registered with wasmtime's C API
//! (`capi.rs`) on the linker wasmtime-py builds.
//!
//! Why: every token the guest calls `compute` and `tensor.data`, and drops a
//! tensor. Served in Python, these cost ~0.2 ms a token, mostly because the
//! interpreter's code and data are cold after each decode (the same Python
//! call cost 35 µs right after a decode and 1.5 µs just after that one). Here
//! they run without the GIL (ctypes released it to enter the guest), so
//! other Python threads also go on while a session generates.
//!
//! The rest of wasi:nn (graphs, contexts' lifetimes, errors) stays in Python
//! (`_wasi_nn.py`); a context is shared with this table by its rep.

use crate::capi::{self, kind, Api, ByteVec, Val, ValList, ValResult, ValUnion};
use inf_wasi_ggml::{NamedTensor, Session, Tensor, TensorType};
use std::collections::HashMap;
use std::ffi::c_void;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, OnceLock, PoisonError};
use std::time::Duration;

static API: OnceLock<Api> = OnceLock::new();

/// Checks the value layout wasmtime-py declares ([`capi::check_layout`]), then
/// finds the C API in the library it loaded ([`Api::load`]), once per process.
pub fn use_wasmtime(handle: usize, val_size: usize, kinds: &[u8]) -> Result<()> {
    capi::check_layout(val_size, kinds)?;
    if API.get().is_none() {
        let api = Api::load(handle)?;
        let _ = API.set(api);
    }
    Ok(())
}

fn api() -> &'static Api {
    API.get().expect("use_wasmtime runs before any host is made")
}

/// The engine's epoch, advanced every tick by a thread of its own while any
/// call into a component runs (what lets a store's deadline stop guest code),
/// and counted here too, under one lock with the engine's, so that a host can
/// tell whether a store's deadline has passed. Native, so the ticks never wait
/// for the GIL nor make a Python thread wake between two tokens.
pub struct EpochClock {
    engine: usize,
    epoch: Mutex<u64>,
    /// Calls into components running now; the thread waits while there are none.
    active: Mutex<usize>,
    changed: Condvar,
    tick: Duration,
}

impl EpochClock {
    /// The clock of the engine at address `engine`, its thread started.
    pub fn start(engine: usize, tick: Duration) -> std::io::Result<Arc<Self>> {
        let clock =
            Arc::new(Self { engine, epoch: Mutex::new(0), active: Mutex::new(0), changed: Condvar::new(), tick });
        let ticking = clock.clone();
        std::thread::Builder::new().name("inf-wasi-epoch".into()).spawn(move || ticking.run())?;
        Ok(clock)
    }

    fn run(&self) {
        loop {
            let mut active = self.active.lock().unwrap_or_else(PoisonError::into_inner);
            while *active == 0 {
                active = self.changed.wait(active).unwrap_or_else(PoisonError::into_inner);
            }
            drop(active);
            std::thread::sleep(self.tick);
            let mut epoch = self.epoch.lock().unwrap_or_else(PoisonError::into_inner);
            *epoch += 1;
            // SAFETY: `engine` is the live wasm_engine_t the Python runtime holds for the process.
            unsafe { (api().increment_epoch)(self.engine as *const c_void) };
        }
    }

    /// A call into a component begins.
    pub fn enter(&self) {
        *self.active.lock().unwrap_or_else(PoisonError::into_inner) += 1;
        self.changed.notify_one();
    }

    /// A call into a component has ended.
    pub fn leave(&self) {
        let mut active = self.active.lock().unwrap_or_else(PoisonError::into_inner);
        *active = active.saturating_sub(1);
    }

    /// Sets the deadline of the store whose context is `context` `ticks` from
    /// now; returns the epoch it counts from.
    fn arm(&self, context: *mut capi::Context, ticks: u64) -> u64 {
        let epoch = self.epoch.lock().unwrap_or_else(PoisonError::into_inner);
        // SAFETY: `context` is a live store context (the callback's, or the instance's).
        unsafe { (api().set_epoch_deadline)(context, ticks) };
        *epoch
    }

    fn now(&self) -> u64 {
        *self.epoch.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A tensor as the guest made it or a computation returned it.
struct HeldTensor {
    dimensions: Vec<u32>,
    ty: String,
    data: Vec<u8>,
}

/// The state of one instance's native imports.
pub struct NnHost {
    tensors: Mutex<HashMap<u32, HeldTensor>>,
    next_rep: AtomicU32,
    /// Contexts by their rep in Python's table.
    contexts: Mutex<HashMap<u32, Arc<Mutex<Session>>>>,
    clock: Arc<EpochClock>,
    /// The guest's deadline, in ticks; restarted after each `compute`.
    ticks: u64,
    armed_at: AtomicU64,
    /// The resource type id wasmtime-py and this table use for `tensor`.
    tensor_type: u32,
}

type Result<T> = std::result::Result<T, String>;

impl NnHost {
    pub fn new(clock: Arc<EpochClock>, ticks: u64, tensor_type: u32) -> Self {
        Self {
            tensors: Mutex::new(HashMap::new()),
            next_rep: AtomicU32::new(1),
            contexts: Mutex::new(HashMap::new()),
            armed_at: AtomicU64::new(clock.now()),
            clock,
            ticks,
            tensor_type,
        }
    }

    pub fn add_context(&self, rep: u32, session: Arc<Mutex<Session>>) {
        self.contexts.lock().unwrap_or_else(PoisonError::into_inner).insert(rep, session);
    }

    pub fn remove_context(&self, rep: u32) {
        self.contexts.lock().unwrap_or_else(PoisonError::into_inner).remove(&rep);
    }

    /// A tensor's dimensions and type name, for the rarely used `dimensions` and `ty`.
    pub fn describe(&self, rep: u32) -> Option<(Vec<u32>, String)> {
        let tensors = self.tensors.lock().unwrap_or_else(PoisonError::into_inner);
        tensors.get(&rep).map(|t| (t.dimensions.clone(), t.ty.clone()))
    }

    /// Restarts the guest's deadline (see `_component.py`).
    pub fn arm(&self, context: usize) {
        let at = self.clock.arm(context as *mut capi::Context, self.ticks);
        self.armed_at.store(at, Ordering::SeqCst);
    }

    /// Whether the deadline armed last has passed: a trap then is the deadline's.
    pub fn deadline_passed(&self) -> bool {
        self.clock.now().saturating_sub(self.armed_at.load(Ordering::SeqCst)) >= self.ticks
    }

    /// Registers the `tensor` resource and its constructor and `data` in the
    /// linker instance at `instance` (a `wasmtime_component_linker_instance_t`).
    pub fn define_tensor(self: &Arc<Self>, instance: usize) -> Result<()> {
        let api = api();
        let instance = instance as *mut c_void;
        let name = "tensor";
        // SAFETY: a live linker instance; the type is copied by the linker.
        let error = unsafe {
            let ty = (api.resource_type_new_host)(self.tensor_type);
            let error = (api.add_resource)(
                instance,
                name.as_ptr().cast(),
                name.len(),
                ty,
                drop_tensor,
                self.env(),
                release_env,
            );
            (api.resource_type_delete)(ty);
            error
        };
        checked(error)?;
        self.define(instance, "[constructor]tensor", construct_tensor)?;
        self.define(instance, "[method]tensor.data", tensor_data)
    }

    /// Registers `graph-execution-context.compute` in the linker instance at `instance`.
    pub fn define_compute(self: &Arc<Self>, instance: usize) -> Result<()> {
        self.define(instance as *mut c_void, "[method]graph-execution-context.compute", compute)
    }

    fn define(self: &Arc<Self>, instance: *mut c_void, name: &str, callback: capi::Callback) -> Result<()> {
        // SAFETY: a live linker instance; the name is copied, `env` released by `release_env`.
        checked(unsafe {
            (api().add_func)(instance, name.as_ptr().cast(), name.len(), callback, self.env(), release_env)
        })
    }

    /// A reference for a callback's `env`, given back by `release_env`.
    fn env(self: &Arc<Self>) -> *mut c_void {
        Arc::into_raw(self.clone()) as *mut c_void
    }

    fn keep(&self, tensor: HeldTensor) -> u32 {
        let rep = self.next_rep.fetch_add(1, Ordering::Relaxed);
        self.tensors.lock().unwrap_or_else(PoisonError::into_inner).insert(rep, tensor);
        rep
    }

    /// Writes an `own<tensor>` holding `tensor` into `out`.
    unsafe fn lower_tensor(&self, context: *mut capi::Context, tensor: HeldTensor, out: *mut Val) -> Result<()> {
        let api = api();
        let rep = self.keep(tensor);
        let host = (api.host_new)(true, rep, self.tensor_type);
        let mut handle = std::ptr::null_mut();
        let error = (api.host_to_any)(context, host, &mut handle);
        (api.host_delete)(host);
        checked(error)?;
        out.write(Val::new(kind::RESOURCE, ValUnion { resource: handle }));
        Ok(())
    }
}

fn checked(error: *mut capi::Error) -> Result<()> {
    if error.is_null() {
        Ok(())
    } else {
        Err(api().take_error(error))
    }
}

/// The rep of the host resource in `val`. The handle itself stays the caller's
/// to free; an owned one has left the guest's table (its destructor will not run).
unsafe fn rep_of(context: *mut capi::Context, val: &Val) -> Result<u32> {
    if val.kind != kind::RESOURCE {
        return Err(format!("expected a resource, got value kind {}", val.kind));
    }
    let api = api();
    let mut host = std::ptr::null_mut();
    checked((api.any_to_host)(context, val.of.resource, &mut host))?;
    let rep = (api.host_rep)(host);
    (api.host_delete)(host);
    Ok(rep)
}

/// A `list<T>` of scalars read with `read`.
unsafe fn lift_list<T>(val: &Val, element: u8, read: impl Fn(&Val) -> T) -> Result<Vec<T>> {
    if val.kind != kind::LIST {
        return Err(format!("expected a list, got value kind {}", val.kind));
    }
    capi::values(&val.of.list)
        .iter()
        .map(|v| if v.kind == element { Ok(read(v)) } else { Err(format!("unexpected list element kind {}", v.kind)) })
        .collect()
}

unsafe fn lift_text(val: &Val, expected: u8) -> Result<String> {
    if val.kind != expected {
        return Err(format!("expected value kind {expected}, got {}", val.kind));
    }
    String::from_utf8(capi::bytes(&val.of.bytes).to_vec()).map_err(|e| e.to_string())
}

/// Writes a `list<u8>`.
unsafe fn lower_bytes(bytes: &[u8], out: *mut Val) {
    let mut list = ValList { size: 0, data: std::ptr::null_mut() };
    (api().vallist_new_uninit)(&mut list, bytes.len());
    for (i, &b) in bytes.iter().enumerate() {
        list.data.add(i).write(Val::new(kind::U8, ValUnion { u8: b }));
    }
    out.write(Val::new(kind::LIST, ValUnion { list }));
}

/// Runs a callback's body; a failure or a panic becomes a trap with its message
/// (only a host fault gets here: bad requests travel in the profile's `status`).
unsafe fn guarded(what: &str, env: *mut c_void, body: impl FnOnce(&NnHost) -> Result<()>) -> *mut capi::Error {
    let host = &*(env as *const NnHost);
    match catch_unwind(AssertUnwindSafe(|| body(host))) {
        Ok(Ok(())) => std::ptr::null_mut(),
        Ok(Err(message)) => api().error(&format!("inf-wasi's wasi-nn {what} failed: {message}")),
        Err(_) => api().error(&format!("inf-wasi's wasi-nn {what} panicked")),
    }
}

/// A wasmtime component function callback that runs `$body(host, context,
/// args, results)` under [`guarded`], `$what` naming it in a failure.
macro_rules! callback {
    ($name:ident, $what:literal, $body:ident) => {
        unsafe extern "C" fn $name(
            env: *mut c_void,
            context: *mut capi::Context,
            _ty: *const c_void,
            args: *mut Val,
            nargs: usize,
            results: *mut Val,
            _nresults: usize,
        ) -> *mut capi::Error {
            guarded($what, env, |host| $body(host, context, std::slice::from_raw_parts(args, nargs), results))
        }
    };
}

callback!(construct_tensor, "tensor constructor", new_tensor);
callback!(tensor_data, "tensor.data", read_tensor);
callback!(compute, "compute", run_compute);

unsafe fn new_tensor(host: &NnHost, context: *mut capi::Context, args: &[Val], results: *mut Val) -> Result<()> {
    let dimensions = lift_list(&args[0], kind::U32, |v| v.of.u32)?;
    let ty = lift_text(&args[1], kind::ENUM)?;
    let data = lift_list(&args[2], kind::U8, |v| v.of.u8)?;
    host.lower_tensor(context, HeldTensor { dimensions, ty, data }, results)
}

unsafe fn read_tensor(host: &NnHost, context: *mut capi::Context, args: &[Val], results: *mut Val) -> Result<()> {
    let rep = rep_of(context, &args[0])?;
    let tensors = host.tensors.lock().unwrap_or_else(PoisonError::into_inner);
    let tensor = tensors.get(&rep).ok_or_else(|| format!("no tensor {rep}"))?;
    lower_bytes(&tensor.data, results);
    Ok(())
}

unsafe fn run_compute(host: &NnHost, context: *mut capi::Context, args: &[Val], results: *mut Val) -> Result<()> {
    let rep = rep_of(context, &args[0])?;
    let session = host.contexts.lock().unwrap_or_else(PoisonError::into_inner).get(&rep).cloned();
    let session = session.ok_or_else(|| format!("no execution context {rep}"))?;
    if args[1].kind != kind::LIST {
        return Err("compute's inputs are not a list".into());
    }
    let mut inputs = Vec::new();
    for pair in capi::values(&args[1].of.list) {
        let fields = if pair.kind == kind::TUPLE { capi::values(&pair.of.list) } else { &[] };
        if fields.len() != 2 {
            return Err("a named tensor is not a pair".into());
        }
        let name = lift_text(&fields[0], kind::STRING)?;
        let rep = rep_of(context, &fields[1])?;
        let held = host.tensors.lock().unwrap_or_else(PoisonError::into_inner).remove(&rep);
        let held = held.ok_or_else(|| format!("no tensor {rep}"))?;
        let tensor =
            Tensor { dimensions: held.dimensions, ty: TensorType::from_wasi_nn_name(&held.ty), data: held.data };
        inputs.push(NamedTensor::new(name, tensor));
    }
    let outputs = session.lock().unwrap_or_else(PoisonError::into_inner).compute(inputs);
    // Time spent in the backend is not the guest's.
    host.arm(context as usize);
    let api = api();
    let mut list = ValList { size: 0, data: std::ptr::null_mut() };
    (api.vallist_new_uninit)(&mut list, outputs.len());
    for (i, output) in outputs.into_iter().enumerate() {
        let mut fields = ValList { size: 0, data: std::ptr::null_mut() };
        (api.valtuple_new_uninit)(&mut fields, 2);
        let mut name = ByteVec { size: 0, data: std::ptr::null_mut() };
        (api.byte_vec_new)(&mut name, output.name.len(), output.name.as_ptr());
        fields.data.write(Val::new(kind::STRING, ValUnion { bytes: name }));
        let tensor = HeldTensor {
            dimensions: output.tensor.dimensions,
            ty: output.tensor.ty.wasi_nn_name().to_string(),
            data: output.tensor.data,
        };
        host.lower_tensor(context, tensor, fields.data.add(1))?;
        list.data.add(i).write(Val::new(kind::TUPLE, ValUnion { list: fields }));
    }
    let payload = Val::new(kind::LIST, ValUnion { list });
    let ok = ValResult { is_ok: true, val: (api.val_new)(&payload) };
    results.write(Val::new(kind::RESULT, ValUnion { result: ok }));
    Ok(())
}

unsafe extern "C" fn drop_tensor(env: *mut c_void, _context: *mut capi::Context, rep: u32) -> *mut capi::Error {
    guarded("tensor destructor", env, |host| {
        host.tensors.lock().unwrap_or_else(PoisonError::into_inner).remove(&rep);
        Ok(())
    })
}

unsafe extern "C" fn release_env(env: *mut c_void) {
    drop(Arc::from_raw(env as *const NnHost));
}
