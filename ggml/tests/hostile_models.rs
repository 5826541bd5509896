//! Models that would take llama.cpp down are refused before it sees them: a
//! full copy of the default model with one hyper-parameter made absurd loads as
//! an `invalid-model` error, and the process lives on to load the real one.

use inf_wasi_ggml::{ErrorCode, LoadOptions, Model};

mod common;
use common::model_path;

/// The bytes of `key`'s u32 value in `bytes` (a GGUF key is its length, its text, then the type).
fn u32_value_of(bytes: &[u8], key: &str) -> usize {
    let mut needle = (key.len() as u64).to_le_bytes().to_vec();
    needle.extend(key.as_bytes());
    needle.extend(4u32.to_le_bytes());
    let at = bytes.windows(needle.len()).position(|w| w == needle).unwrap_or_else(|| panic!("no u32 key {key}"));
    at + needle.len()
}

#[test]
fn an_absurd_layer_count_is_refused_and_the_process_goes_on() {
    let path = model_path();
    let mut bytes = std::fs::read(&path).unwrap();
    let at = u32_value_of(&bytes, "gemma3.block_count");
    bytes[at..at + 4].copy_from_slice(&1_000_000u32.to_le_bytes());
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("hostile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let hostile = dir.join("layers.gguf");
    std::fs::write(&hostile, &bytes).unwrap();
    drop(bytes);

    let options = LoadOptions { threads: 1, context_size: 256, ..LoadOptions::default() };
    let error = Model::new("hostile", &hostile, options.clone()).get().err().expect("refused");
    assert_eq!(error.code, ErrorCode::InvalidModel);
    assert!(error.message.contains("block_count"), "{}", error.message);
    std::fs::remove_dir_all(&dir).unwrap();

    assert!(Model::new("real", &path, options).get().is_ok());
}
