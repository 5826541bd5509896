//! Packed files (docs/packed-models.md): written reproducibly as valid
//! WebAssembly, read back exactly, and every malformed one an invalid-model
//! error (opening packed models: the bindings' tests and tests/vision.rs).

mod common;

use inf_wasi_ggml::packed::{self, PackedFile, ALIGN};
use inf_wasi_ggml::ErrorCode;
use std::path::{Path, PathBuf};

/// The smallest valid component: its preamble alone.
const EMPTY_COMPONENT: &[u8] = b"\0asm\x0d\x00\x01\x00";

fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("packed-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn pack_to(path: &Path, model: &Path, projector: Option<&Path>) -> Vec<u8> {
    let mut out = Vec::new();
    packed::pack(EMPTY_COMPONENT, "gemma", model, projector, &mut out).unwrap();
    std::fs::write(path, &out).unwrap();
    out
}

fn refused(path: &Path) -> String {
    let error = packed::read(path).expect_err("a malformed packed file must be refused");
    assert_eq!(error.code, ErrorCode::InvalidModel, "{}", error.message);
    error.message
}

#[test]
fn a_packed_file_is_valid_wasm_reproducible_and_reads_back() {
    let model = common::model_path();
    let path = scratch("app.wasm");
    let bytes = pack_to(&path, &model, None);
    assert_eq!(bytes, pack_to(&scratch("again.wasm"), &model, None), "packing is reproducible");
    wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all()).validate_all(&bytes).unwrap();
    let PackedFile { model: gguf, projector, component } = packed::read(&path).unwrap();
    assert_eq!(gguf.name, "gemma");
    assert_eq!(gguf.offset % ALIGN, 0);
    let original = std::fs::read(&model).unwrap();
    assert_eq!(gguf.size, original.len() as u64);
    assert_eq!(&bytes[gguf.offset as usize..][..original.len()], &original[..]);
    assert!(projector.is_none());
    assert_eq!(component, vec![0..8]);
    let packed = packed::read(&path).unwrap();
    assert_eq!(packed::component_bytes(&path, &packed).unwrap(), EMPTY_COMPONENT);
    // The padding before the GGUF is less than a page.
    assert!(bytes.len() as u64 - original.len() as u64 - EMPTY_COMPONENT.len() as u64 <= ALIGN + 64);
}

#[test]
fn malformed_packed_files_are_invalid_models() {
    let model = common::model_path();
    let good = pack_to(&scratch("good.wasm"), &model, None);
    let gguf_at = packed::read(&scratch("good.wasm")).unwrap().model.offset as usize;
    let write = |name: &str, bytes: &[u8]| {
        let path = scratch(name);
        std::fs::write(&path, bytes).unwrap();
        path
    };
    // Cut short inside the GGUF: the section runs past the end of the file.
    assert!(refused(&write("cut.wasm", &good[..gguf_at + 1000])).contains("past the end"));
    // One byte of the weights changed: the hash says so.
    let mut flipped = good.clone();
    *flipped.last_mut().unwrap() ^= 1;
    assert!(refused(&write("flipped.wasm", &flipped)).contains("SHA-256"));
    // The GGUF offset moved off its page.
    let header = good[..gguf_at].windows(4).rposition(|w| w == b"IWPK").unwrap();
    let offset_field = header + 4 + 4 + 2 + "gemma".len() + 32;
    let mut moved = good.clone();
    let offset = u64::from_le_bytes(moved[offset_field..offset_field + 8].try_into().unwrap());
    moved[offset_field..offset_field + 8].copy_from_slice(&(offset - 8).to_le_bytes());
    assert!(refused(&write("misaligned.wasm", &moved)).contains("not a multiple"));
    // Not WebAssembly at all; a component without a model.
    assert!(refused(&write("text.wasm", b"hello, world")).contains("not a WebAssembly component"));
    assert!(refused(&write("empty.wasm", EMPTY_COMPONENT)).contains("no `inf-wasi:model` section"));
    // A hostile GGUF with a correct hash: the GGUF check runs on the section.
    let mut hostile = original_header(&model);
    hostile[8..16].copy_from_slice(&u64::MAX.to_le_bytes());
    let hostile_gguf = write("hostile.gguf", &hostile);
    let bad = pack_to(&scratch("hostile.wasm"), &hostile_gguf, None);
    assert!(refused(&write("hostile.wasm", &bad)).contains("not a valid GGUF"));
}

/// The first kilobyte of the model: a GGUF cut short, to be made hostile.
fn original_header(model: &Path) -> Vec<u8> {
    std::fs::read(model).unwrap()[..1024].to_vec()
}
