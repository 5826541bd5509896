//! The part of wasmtime's C API that the per-token wasi-nn imports use
//! (`nn_host.rs`), found in the `libwasmtime` that wasmtime-py has loaded, so
//! that these imports run without entering Python.
//!
//! The value layouts are those of wasmtime 50's `wasmtime/component/val.h`,
//! the version `pyproject.toml` pins; `check_layout` checks them against the sizes
//! and kind numbers wasmtime-py's own bindings declare, and refuses a mismatch.

use std::ffi::{c_char, c_void, CStr};

/// `wasm_byte_vec_t` / `wasm_name_t`.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct ByteVec {
    pub size: usize,
    pub data: *mut u8,
}

/// `wasmtime_component_vallist_t`, and `wasmtime_component_valtuple_t` (the same layout).
#[repr(C)]
#[derive(Clone, Copy)]
pub struct ValList {
    pub size: usize,
    pub data: *mut Val,
}

/// `wasmtime_component_valresult_t`.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct ValResult {
    pub is_ok: bool,
    pub val: *mut Val,
}

/// `wasmtime_component_valunion_t`: only the cases read or written here.
#[repr(C)]
#[derive(Clone, Copy)]
pub union ValUnion {
    pub u8: u8,
    pub u32: u32,
    pub bytes: ByteVec,
    pub list: ValList,
    pub result: ValResult,
    pub resource: *mut c_void,
    /// The union's full size (its largest cases are three words).
    _size: [u64; 3],
}

/// `wasmtime_component_val_t`.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct Val {
    pub kind: u8,
    pub of: ValUnion,
}

impl Val {
    pub fn new(kind: u8, of: ValUnion) -> Self {
        Self { kind, of }
    }
}

/// `wasmtime_component_valkind_t` values.
pub mod kind {
    pub const U8: u8 = 2;
    pub const U32: u8 = 6;
    pub const STRING: u8 = 12;
    pub const LIST: u8 = 13;
    pub const TUPLE: u8 = 15;
    pub const ENUM: u8 = 17;
    pub const RESULT: u8 = 19;
    pub const RESOURCE: u8 = 21;
}

pub type Error = c_void;
pub type Context = c_void;
/// `wasmtime_component_func_callback_t`.
pub type Callback =
    unsafe extern "C" fn(*mut c_void, *mut Context, *const c_void, *mut Val, usize, *mut Val, usize) -> *mut Error;
/// `wasmtime_component_resource_destructor_t`.
pub type Destructor = unsafe extern "C" fn(*mut c_void, *mut Context, u32) -> *mut Error;
pub type Finalizer = unsafe extern "C" fn(*mut c_void);

/// The C API's functions, by name.
pub struct Api {
    pub any_to_host: unsafe extern "C" fn(*mut Context, *const c_void, *mut *mut c_void) -> *mut Error,
    pub host_new: unsafe extern "C" fn(bool, u32, u32) -> *mut c_void,
    pub host_rep: unsafe extern "C" fn(*const c_void) -> u32,
    pub host_to_any: unsafe extern "C" fn(*mut Context, *const c_void, *mut *mut c_void) -> *mut Error,
    pub host_delete: unsafe extern "C" fn(*mut c_void),
    pub vallist_new_uninit: unsafe extern "C" fn(*mut ValList, usize),
    pub valtuple_new_uninit: unsafe extern "C" fn(*mut ValList, usize),
    pub val_new: unsafe extern "C" fn(*const Val) -> *mut Val,
    pub byte_vec_new: unsafe extern "C" fn(*mut ByteVec, usize, *const u8),
    pub error_new: unsafe extern "C" fn(*const c_char) -> *mut Error,
    pub set_epoch_deadline: unsafe extern "C" fn(*mut Context, u64),
    pub increment_epoch: unsafe extern "C" fn(*const c_void),
    pub add_func:
        unsafe extern "C" fn(*mut c_void, *const c_char, usize, Callback, *mut c_void, Finalizer) -> *mut Error,
    pub add_resource: unsafe extern "C" fn(
        *mut c_void,
        *const c_char,
        usize,
        *const c_void,
        Destructor,
        *mut c_void,
        Finalizer,
    ) -> *mut Error,
    pub resource_type_new_host: unsafe extern "C" fn(u32) -> *mut c_void,
    pub resource_type_delete: unsafe extern "C" fn(*mut c_void),
    pub error_message: unsafe extern "C" fn(*const Error, *mut ByteVec),
    pub error_delete: unsafe extern "C" fn(*mut Error),
    pub byte_vec_delete: unsafe extern "C" fn(*mut ByteVec),
}

impl Api {
    /// The functions of the library whose `dlopen` handle is `handle` (wasmtime-py's
    /// `_ffi.dll._handle`); its values' layout is [`check_layout`]'s to check.
    pub fn load(handle: usize) -> Result<Self, String> {
        let handle = handle as *mut c_void;
        let symbol = |name: &CStr| -> Result<*mut c_void, String> {
            // SAFETY: `handle` is a live dlopen handle (wasmtime-py keeps its library loaded).
            let address = unsafe { libc::dlsym(handle, name.as_ptr()) };
            if address.is_null() {
                Err(format!("libwasmtime has no {name:?}"))
            } else {
                Ok(address)
            }
        };
        macro_rules! f {
            ($name:literal) => {
                // SAFETY: the symbol is the C API function of that name, whose
                // signature the field's type spells (wasmtime 50's headers).
                unsafe { std::mem::transmute_copy::<*mut c_void, _>(&symbol($name)?) }
            };
        }
        Ok(Self {
            any_to_host: f!(c"wasmtime_component_resource_any_to_host"),
            host_new: f!(c"wasmtime_component_resource_host_new"),
            host_rep: f!(c"wasmtime_component_resource_host_rep"),
            host_to_any: f!(c"wasmtime_component_resource_host_to_any"),
            host_delete: f!(c"wasmtime_component_resource_host_delete"),
            vallist_new_uninit: f!(c"wasmtime_component_vallist_new_uninit"),
            valtuple_new_uninit: f!(c"wasmtime_component_valtuple_new_uninit"),
            val_new: f!(c"wasmtime_component_val_new"),
            byte_vec_new: f!(c"wasm_byte_vec_new"),
            error_new: f!(c"wasmtime_error_new"),
            set_epoch_deadline: f!(c"wasmtime_context_set_epoch_deadline"),
            increment_epoch: f!(c"wasmtime_engine_increment_epoch"),
            add_func: f!(c"wasmtime_component_linker_instance_add_func"),
            add_resource: f!(c"wasmtime_component_linker_instance_add_resource"),
            resource_type_new_host: f!(c"wasmtime_component_resource_type_new_host"),
            resource_type_delete: f!(c"wasmtime_component_resource_type_delete"),
            error_message: f!(c"wasmtime_error_message"),
            error_delete: f!(c"wasmtime_error_delete"),
            byte_vec_delete: f!(c"wasm_byte_vec_delete"),
        })
    }

    /// A wasmtime error (a trap, when a host function returns it) saying `message`.
    pub fn error(&self, message: &str) -> *mut Error {
        let text = std::ffi::CString::new(message.replace('\0', " ")).unwrap_or_default();
        // SAFETY: a valid C string; wasmtime copies it.
        unsafe { (self.error_new)(text.as_ptr()) }
    }

    /// Takes a wasmtime error's message, freeing it.
    pub fn take_error(&self, error: *mut Error) -> String {
        let mut message = ByteVec { size: 0, data: std::ptr::null_mut() };
        // SAFETY: `error` is a live error, deleted once read.
        unsafe {
            (self.error_message)(error, &mut message);
            let text = String::from_utf8_lossy(bytes(&message)).into_owned();
            (self.byte_vec_delete)(&mut message);
            (self.error_delete)(error);
            text
        }
    }
}

/// Checks what wasmtime-py declares for component values (`sizeof(wasmtime_component_val_t)`
/// and the kind numbers in the order of [`kind`]'s constants) against this layout.
pub fn check_layout(val_size: usize, kinds: &[u8]) -> Result<(), String> {
    let ours = [kind::U8, kind::U32, kind::STRING, kind::LIST, kind::TUPLE, kind::ENUM, kind::RESULT, kind::RESOURCE];
    if val_size != std::mem::size_of::<Val>() || kinds != ours {
        return Err(format!(
            "wasmtime-py's component values (size {val_size}, kinds {kinds:?}) are not the layout this \
             extension was built for (size {}, kinds {ours:?}): install the wasmtime version inf-wasi pins",
            std::mem::size_of::<Val>()
        ));
    }
    Ok(())
}

/// The bytes of a byte vector.
///
/// # Safety
/// `v` must point at `v.size` readable bytes (or be empty).
pub unsafe fn bytes(v: &ByteVec) -> &[u8] {
    if v.size == 0 {
        &[]
    } else {
        std::slice::from_raw_parts(v.data, v.size)
    }
}

/// The values of a list or tuple.
///
/// # Safety
/// `l` must point at `l.size` values (or be empty).
pub unsafe fn values(l: &ValList) -> &[Val] {
    if l.size == 0 {
        &[]
    } else {
        std::slice::from_raw_parts(l.data, l.size)
    }
}
