//! Builds the inf-wasi component and embeds it in this crate.
//!
//! The guest crate (`component/`) is compiled for `wasm32-unknown-unknown` by a
//! nested cargo with its own target folder (the outer build holds the lock on
//! the main one), then wrapped into a component with `wit-component`. Nothing
//! else is needed: no wasm-tools, no WASI adapter, because the guest imports
//! only wasi:nn.

use std::env;
use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap());
    let out = PathBuf::from(env::var("OUT_DIR").unwrap()).join("inf_wasi.wasm");
    println!("cargo:rerun-if-env-changed=INF_WASI_COMPONENT");
    println!("cargo:rerun-if-changed={}", manifest.join("probe").display());

    // The published crate (`cargo package` gives it a Cargo.toml.orig) has no
    // workspace around it to build the guest in: it carries the component it
    // was packaged with. A prebuilt component may also be supplied explicitly.
    let packaged = manifest.join("Cargo.toml.orig").exists();
    let prebuilt = env::var_os("INF_WASI_COMPONENT")
        .map(PathBuf::from)
        .or_else(|| packaged.then(|| manifest.join("prebuilt/inf_wasi.wasm")));
    // Copies at stable paths in the workspace's target folder, for the other
    // language packages and for inspection; none from a registry build.
    let workspace = (!packaged).then(|| {
        let root = manifest.join("../..").canonicalize().expect("workspace root");
        // The guest and the one workspace crate it builds from (the profile's messages).
        for path in [
            "component/src",
            "component/Cargo.toml",
            "profile/src",
            "profile/Cargo.toml",
            "examples/plugins/rust",
            "wit",
            "Cargo.lock",
        ] {
            println!("cargo:rerun-if-changed={}", root.join(path).display());
        }
        let target = target_root(&root);
        (root, target)
    });

    let probe = build_probe(&manifest, &out.with_file_name("wants_filesystem.wasm"));
    // The example plugin and the misbehaving ones, for the plugin tests of
    // every language (none in a registry build: they are tests' material).
    if let Some((root, target)) = &workspace {
        let dir = target.join("inf-wasi-plugins");
        let _ = std::fs::create_dir_all(&dir);
        let core = build_wasm_crate(root, "inf-wasi-example-plugin", "inf_wasi_example_plugin");
        let core = std::fs::read(&core).unwrap_or_else(|e| panic!("read {}: {e}", core.display()));
        std::fs::write(dir.join("rust-pipeline.wasm"), encode_component(&core)).unwrap();
        for world in ["loops", "panics", "wants-http"] {
            std::fs::write(dir.join(format!("{world}.wasm")), plugin_probe(&manifest, world)).unwrap();
        }
    }
    let abort_probe = build_abort_probe(&manifest, &out.with_file_name("aborts.wasm"));
    let component = match prebuilt {
        Some(prebuilt) => {
            println!("cargo:rerun-if-changed={}", prebuilt.display());
            std::fs::read(&prebuilt).unwrap_or_else(|e| panic!("read {}: {e}", prebuilt.display()))
        }
        None => {
            let (root, _) = workspace.as_ref().expect("the guest builds in the workspace");
            let core = build_wasm_crate(root, "inf-wasi-component", "inf_wasi_component");
            let core = std::fs::read(&core).unwrap_or_else(|e| panic!("read {}: {e}", core.display()));
            encode_component(&core)
        }
    };
    std::fs::write(&out, &component).unwrap();
    precompile(&component, &out.with_extension("cwasm"));
    if let Some((_, target)) = workspace {
        let _ = std::fs::write(target.join("inf-wasi.wasm"), &component);
        let _ = std::fs::create_dir_all(target.join("inf-wasi-probes"));
        let _ = std::fs::write(target.join("inf-wasi-probes/wants-filesystem.wasm"), &probe);
        let _ = std::fs::write(target.join("inf-wasi-probes/aborts.wasm"), &abort_probe);
    }
}

/// Compiles the component to native code now, with the same wasmtime version
/// and settings the runtime uses (`src/runtime.rs`), so no compiler runs (or is
/// even linked) when an application starts.
fn precompile(component: &[u8], out: &Path) {
    let mut config = wasmtime::Config::new();
    config.wasm_component_model(true);
    config.epoch_interruption(true);
    config.target(&env::var("TARGET").unwrap()).expect("a target wasmtime supports");
    let engine = wasmtime::Engine::new(&config).expect("wasmtime engine");
    let code = engine.precompile_component(component).unwrap_or_else(|e| panic!("precompiling the component: {e:?}"));
    std::fs::write(out, code).unwrap();
}

/// The capability probe (probe/wants-filesystem.wit): a component importing a
/// filesystem interface, which every host must refuse. Its core module calls
/// the import from its one export.
fn build_probe(manifest: &Path, out: &Path) -> Vec<u8> {
    use wasm_encoder::{CodeSection, EntityType, ExportKind, ExportSection, Function, FunctionSection};
    use wasm_encoder::{ImportSection, Instruction, Module, TypeSection, ValType};
    let mut types = TypeSection::new();
    types.ty().function([], [ValType::I32]);
    let mut imports = ImportSection::new();
    imports.import("wasi:filesystem/preopens@0.2.0", "get-directory-count", EntityType::Function(0));
    let mut functions = FunctionSection::new();
    functions.function(0);
    let mut exports = ExportSection::new();
    exports.export("run", ExportKind::Func, 1);
    let mut body = Function::new([]);
    body.instruction(&Instruction::Call(0)).instruction(&Instruction::End);
    let mut code = CodeSection::new();
    code.function(&body);
    let mut module = Module::new();
    module.section(&types).section(&imports).section(&functions).section(&exports).section(&code);
    wrap_probe(manifest, "wants-filesystem", module.finish(), out)
}

/// The abort probe (probe/aborts.wit): a component that does what the real one
/// does before a panic traps, with a message of its own: it says why through
/// `load-by-name` (inf-wasi-profile's `Abort`), then traps. Every host's test
/// checks that the error it reports is that message.
fn build_abort_probe(manifest: &Path, out: &Path) -> Vec<u8> {
    use wasm_encoder::ValType;
    use wasm_encoder::{CodeSection, ConstExpr, DataSection, EntityType, ExportKind, ExportSection, Function};
    use wasm_encoder::{FunctionSection, ImportSection, Instruction, MemorySection, MemoryType, Module, TypeSection};
    const REPORT: &str = "inf-wasi:abort:panic:the abort probe stops here on purpose";
    const RETURN_AREA: i32 = 1024;
    let mut types = TypeSection::new();
    types.ty().function([ValType::I32, ValType::I32, ValType::I32], []);
    types.ty().function([], []);
    let mut imports = ImportSection::new();
    imports.import("wasi:nn/graph@0.2.0-rc-2024-10-28", "load-by-name", EntityType::Function(0));
    let mut functions = FunctionSection::new();
    functions.function(1);
    let mut memories = MemorySection::new();
    memories.memory(MemoryType { minimum: 1, maximum: None, memory64: false, shared: false, page_size_log2: None });
    let mut exports = ExportSection::new();
    exports.export("run", ExportKind::Func, 1).export("memory", ExportKind::Memory, 0);
    let mut body = Function::new([]);
    body.instruction(&Instruction::I32Const(0))
        .instruction(&Instruction::I32Const(REPORT.len() as i32))
        .instruction(&Instruction::I32Const(RETURN_AREA))
        .instruction(&Instruction::Call(0))
        .instruction(&Instruction::Unreachable)
        .instruction(&Instruction::End);
    let mut code = CodeSection::new();
    code.function(&body);
    let mut data = DataSection::new();
    data.active(0, &ConstExpr::i32_const(0), REPORT.bytes());
    let mut module = Module::new();
    module
        .section(&types)
        .section(&imports)
        .section(&functions)
        .section(&memories)
        .section(&exports)
        .section(&code)
        .section(&data);
    wrap_probe(manifest, "aborts", module.finish(), out)
}

/// Wraps a probe's core module into a component of its world
/// (probe/WORLD.wit, which may use the wasi:nn package in wit/deps).
fn wrap_probe(manifest: &Path, world: &str, mut module: Vec<u8>, out: &Path) -> Vec<u8> {
    let mut resolve = wit_parser::Resolve::default();
    resolve.push_dir(manifest.join("wit/deps/wasi-nn")).expect("parse wasi-nn's WIT");
    let wit = manifest.join(format!("probe/{world}.wit"));
    let package = resolve
        .push_str(&wit, &std::fs::read_to_string(&wit).expect("read the probe's WIT"))
        .expect("parse the probe's WIT");
    let world = resolve.select_world(&[package], Some(world)).expect("the probe's world");
    wit_component::embed_component_metadata(&mut module, &resolve, world, wit_component::StringEncoding::UTF8)
        .expect("embed the probe's WIT");
    let component = wit_component::ComponentEncoder::default()
        .module(&module)
        .and_then(|e| e.validate(true).encode())
        .unwrap_or_else(|e| panic!("encoding the probe component failed: {e:?}"));
    std::fs::write(out, &component).unwrap();
    precompile(&component, &out.with_extension("cwasm"));
    component
}

/// A core module with the WIT metadata wit-bindgen embedded, as a component.
fn encode_component(core: &[u8]) -> Vec<u8> {
    wit_component::ComponentEncoder::default()
        .module(core)
        .and_then(|e| e.validate(true).encode())
        .unwrap_or_else(|e| panic!("wrapping a wasm32 build into a component failed: {e:?}"))
}

/// A misbehaving plugin of probe/plugins.wit's `world`: its `run` loops for
/// ever (`loops`) or traps at once (the others); `wants-http` also imports an
/// HTTP client. A core module written here, wrapped as the probes are.
fn plugin_probe(manifest: &Path, world: &str) -> Vec<u8> {
    use wasm_encoder::{BlockType, CodeSection, EntityType, ExportKind, ExportSection, Function, FunctionSection};
    use wasm_encoder::{ImportSection, Instruction, MemorySection, MemoryType, Module, TypeSection, ValType};
    let mut types = TypeSection::new();
    types.ty().function([ValType::I32, ValType::I32], [ValType::I32]);
    types.ty().function([ValType::I32; 4], [ValType::I32]);
    types.ty().function([], []);
    let mut imports = ImportSection::new();
    let imported = u32::from(world == "wants-http");
    if imported == 1 {
        imports.import("wasi:http/outgoing-handler@0.2.0", "handle", EntityType::Function(2));
    }
    let mut functions = FunctionSection::new();
    functions.function(0).function(1);
    let mut memories = MemorySection::new();
    memories.memory(MemoryType { minimum: 1, maximum: None, memory64: false, shared: false, page_size_log2: None });
    let mut exports = ExportSection::new();
    exports
        .export("inf:wasi/handler@0.1.0#run", ExportKind::Func, imported)
        .export("cabi_realloc", ExportKind::Func, imported + 1)
        .export("memory", ExportKind::Memory, 0);
    let mut run = Function::new([]);
    if world == "loops" {
        run.instruction(&Instruction::Loop(BlockType::Empty))
            .instruction(&Instruction::Br(0))
            .instruction(&Instruction::End);
    }
    run.instruction(&Instruction::Unreachable).instruction(&Instruction::End);
    // Every allocation at one address: the input is all a probe receives.
    let mut realloc = Function::new([]);
    realloc.instruction(&Instruction::I32Const(1024)).instruction(&Instruction::End);
    let mut code = CodeSection::new();
    code.function(&run).function(&realloc);
    let mut module = Module::new();
    module.section(&types);
    if imported == 1 {
        module.section(&imports);
    }
    module.section(&functions).section(&memories).section(&exports).section(&code);
    let mut module = module.finish();
    let mut resolve = wit_parser::Resolve::default();
    resolve.push_dir(manifest.join("wit")).expect("parse the inf:wasi WIT");
    let wit = manifest.join("probe/plugins.wit");
    let package = resolve
        .push_str(&wit, &std::fs::read_to_string(&wit).expect("read probe/plugins.wit"))
        .expect("parse probe/plugins.wit");
    let world = resolve.select_world(&[package], Some(world)).expect("the probe's world");
    wit_component::embed_component_metadata(&mut module, &resolve, world, wit_component::StringEncoding::UTF8)
        .expect("embed the probe's WIT");
    encode_component(&module)
}

fn target_root(root: &Path) -> PathBuf {
    env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| root.join("target"))
}

/// A workspace crate compiled for `wasm32-unknown-unknown` as a cdylib.
fn build_wasm_crate(root: &Path, package: &str, library: &str) -> PathBuf {
    let target_dir = target_root(root).join("wasm");
    let cargo = env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(root).args([
        "rustc",
        "--crate-type",
        "cdylib",
        "--release",
        "--locked",
        "-p",
        package,
        "--target",
        "wasm32-unknown-unknown",
        "--target-dir",
    ]);
    cmd.arg(&target_dir);
    // Small code compiles faster and uses less memory in every host's engine;
    // these settings apply to this nested build only.
    for setting in [
        "profile.release.opt-level=\"s\"",
        "profile.release.lto=true",
        "profile.release.codegen-units=1",
        "profile.release.strip=true",
        "profile.release.panic=\"abort\"",
    ] {
        cmd.args(["--config", setting]);
    }
    // The outer build's settings (flags for the host target, its jobserver,
    // its target folder) must not leak into a build for another target.
    for (key, _) in env::vars() {
        if (key.starts_with("CARGO_") && key != "CARGO_HOME") || key.starts_with("RUSTC_") || key == "RUSTFLAGS" {
            cmd.env_remove(key);
        }
    }
    let status = cmd.status().expect("run cargo for the wasm32 guest");
    assert!(
        status.success(),
        "building {package} for wasm32 failed; is the wasm target installed? (rustup target add wasm32-unknown-unknown)"
    );
    target_dir.join(format!("wasm32-unknown-unknown/release/{library}.wasm"))
}
