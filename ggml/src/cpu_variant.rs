//! Choosing ggml's CPU code at run time, in the portable build.
//!
//! The portable build compiles ggml's CPU backend once per x86-64 level (`x64`,
//! `sse42`, `haswell`, `skylakex`, `icelake`, `zen4`, `sapphirerapids`, …), each a
//! `libggml-cpu-NAME.so` whose `ggml_backend_score()` says whether this CPU can
//! run it and how good a fit it is. ggml's own loader trusts that score, which
//! rests on CPUID alone; here a variant with AMX kernels is a candidate only
//! once [`crate::amx_probe`] has seen tiles work in this process.
//!
//! Two variables steer the choice, for tests and for users who need to:
//! `INF_WASI_CPU_VARIANT=NAME` loads that variant (an error if this CPU cannot
//! run it) and `INF_WASI_AMX=0` keeps AMX variants out.

use std::ffi::{CStr, CString};
use std::path::{Path, PathBuf};

/// Variants whose kernels use AMX tiles (ggml's x86 variant list, `ggml/src/CMakeLists.txt`).
const AMX_VARIANTS: [&str; 1] = ["sapphirerapids"];
const PREFIX: &str = "libggml-cpu-";
const SUFFIX: &str = ".so";

/// The variant that was loaded, and why AMX was or was not among the candidates.
#[derive(Clone, Debug)]
pub struct CpuVariant {
    pub name: String,
    pub path: PathBuf,
    pub amx: Result<(), String>,
}

/// Finds the variants, picks the best this CPU runs and registers it with ggml.
pub fn load() -> Result<CpuVariant, String> {
    let dir = variants_dir().ok_or_else(|| {
        format!("no ggml CPU libraries ({PREFIX}*{SUFFIX}) beside {} or in the build's folder", own_dir_text())
    })?;
    let amx = if std::env::var_os("INF_WASI_AMX").is_some_and(|v| v == "0") {
        Err("switched off by INF_WASI_AMX=0".into())
    } else {
        crate::amx_probe::tiles_work()
    };
    let forced = std::env::var("INF_WASI_CPU_VARIANT").ok().filter(|v| !v.is_empty());
    let mut best: Option<(i32, String, PathBuf)> = None;
    for (name, path) in variants_in(&dir) {
        if forced.as_ref().is_some_and(|f| *f != name) || (AMX_VARIANTS.contains(&name.as_str()) && amx.is_err()) {
            continue;
        }
        let score = score(&path)?;
        if score > 0 && best.as_ref().is_none_or(|(s, _, _)| score > *s) {
            best = Some((score, name, path));
        }
    }
    let (_, name, path) = best.ok_or_else(|| match &forced {
        Some(f) if AMX_VARIANTS.contains(&f.as_str()) && amx.is_err() => {
            format!(
                "the CPU variant {f} (INF_WASI_CPU_VARIANT) needs AMX, which cannot be used here: {}",
                amx.as_ref().unwrap_err()
            )
        }
        Some(f) => {
            format!("the CPU variant {f} (INF_WASI_CPU_VARIANT) is not in {} or cannot run on this CPU", dir.display())
        }
        None => format!("no ggml CPU library in {} runs on this CPU", dir.display()),
    })?;
    let c_path = CString::new(path.as_os_str().as_encoded_bytes()).map_err(|e| e.to_string())?;
    // SAFETY: a valid C string; ggml keeps the library loaded for the life of the process.
    let registered = unsafe { llama_cpp_sys_2::ggml_backend_load(c_path.as_ptr()) };
    if registered.is_null() {
        return Err(format!("ggml could not load its CPU library {}", path.display()));
    }
    Ok(CpuVariant { name, path, amx })
}

/// `libggml-cpu-NAME.so` files in `dir`, as (NAME, path), in name order.
fn variants_in(dir: &Path) -> Vec<(String, PathBuf)> {
    let mut found: Vec<(String, PathBuf)> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(|entry| {
            let path = entry.ok()?.path();
            let file = path.file_name()?.to_str()?;
            let name = file.strip_prefix(PREFIX)?.strip_suffix(SUFFIX)?.to_string();
            Some((name, path))
        })
        .collect();
    found.sort();
    found
}

/// Asks a variant how well it fits this CPU (0: it cannot run here). Loading a
/// variant runs no kernel, only its CPUID checks.
fn score(path: &Path) -> Result<i32, String> {
    let c_path = CString::new(path.as_os_str().as_encoded_bytes()).map_err(|e| e.to_string())?;
    // SAFETY: dlopen of a file by path; the handle is closed below.
    let handle = unsafe { libc::dlopen(c_path.as_ptr(), libc::RTLD_NOW | libc::RTLD_LOCAL) };
    if handle.is_null() {
        // SAFETY: dlerror returns the message of the failure just seen, or null.
        let reason = unsafe { libc::dlerror() };
        let reason = if reason.is_null() {
            String::new()
        } else {
            unsafe { CStr::from_ptr(reason) }.to_string_lossy().into_owned()
        };
        return Err(format!("cannot load {}: {reason}", path.display()));
    }
    // SAFETY: `ggml_backend_score` is `int (void)` in every ggml CPU library.
    let score = unsafe {
        let symbol = libc::dlsym(handle, c"ggml_backend_score".as_ptr());
        let score = if symbol.is_null() {
            0
        } else {
            std::mem::transmute::<*mut libc::c_void, extern "C" fn() -> libc::c_int>(symbol)()
        };
        libc::dlclose(handle);
        score
    };
    Ok(score)
}

/// The first folder that holds variants: beside the binary holding this code
/// (a package puts them beside its native library, the CLI beside itself),
/// else the folder llama-cpp-sys-2's build installed them to (a cargo build).
fn variants_dir() -> Option<PathBuf> {
    let candidates = [own_dir(), llama_cpp_sys_2::BACKENDS_DIR.map(PathBuf::from)];
    candidates.into_iter().flatten().find(|dir| !variants_in(dir).is_empty())
}

/// The folder of the executable or shared library this code was linked into.
fn own_dir() -> Option<PathBuf> {
    let mut info: libc::Dl_info = unsafe { std::mem::zeroed() };
    // SAFETY: dladdr only reads the loader's tables for an address in this binary.
    if unsafe { libc::dladdr(own_dir as *const libc::c_void, &mut info) } == 0 || info.dli_fname.is_null() {
        return None;
    }
    // SAFETY: dli_fname is a C string owned by the loader for the binary's lifetime.
    let file = unsafe { CStr::from_ptr(info.dli_fname) }.to_str().ok()?;
    let path = std::fs::canonicalize(file).ok()?;
    path.parent().map(Path::to_path_buf)
}

fn own_dir_text() -> String {
    own_dir().map(|d| d.display().to_string()).unwrap_or_else(|| "this library".into())
}
