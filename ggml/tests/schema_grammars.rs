//! Every grammar the component's JSON-schema converter emits, llama.cpp's own
//! grammar parser accepts: a grammar it refused would turn a schema the
//! converter took into an error at generation time. Checked on the conformance
//! cases' schemas in every test run and, after ci/fuzz.sh's run, on the whole
//! corpus the fuzzer grew (its folder in INF_WASI_SCHEMA_CORPUS).

mod common;

use inf_wasi_component::json_schema::schema_to_gbnf;
use llama_cpp_2::model::params::LlamaModelParams;
use llama_cpp_2::model::LlamaModel;
use llama_cpp_2::sampling::LlamaSampler;
use std::path::{Path, PathBuf};

/// The fuzzer's seeds: every `json_schema` of the conformance cases, one file each.
fn seeds() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("schema-seeds-{}", std::process::id()));
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/schema-seeds.py");
    let out = std::process::Command::new("python3").arg(script).arg(&dir).output().unwrap();
    assert!(out.status.success(), "schema-seeds.py failed: {}", String::from_utf8_lossy(&out.stderr));
    dir
}

#[test]
fn every_emitted_grammar_parses_in_llama_cpp() {
    let corpus = std::env::var_os("INF_WASI_SCHEMA_CORPUS").map(PathBuf::from).unwrap_or_else(seeds);
    let backend = inf_wasi_ggml::llama_backend().unwrap();
    let model = LlamaModel::load_from_file(backend, common::model_path(), &LlamaModelParams::default()).unwrap();
    let (mut inputs, mut emitted, mut refused) = (0, 0, Vec::new());
    for file in std::fs::read_dir(&corpus).unwrap().map(|entry| entry.unwrap().path()) {
        inputs += 1;
        let Ok(schema) = serde_json::from_slice(&std::fs::read(&file).unwrap()) else { continue };
        let Ok(grammar) = schema_to_gbnf(&schema) else { continue };
        emitted += 1;
        if let Err(e) = LlamaSampler::grammar(&model, &grammar, "root") {
            refused.push(format!("{} ({e}):\n{grammar}", file.display()));
        }
    }
    eprintln!("{inputs} inputs in {}: {emitted} grammars, {} refused", corpus.display(), refused.len());
    assert!(emitted >= 3, "only {emitted} of {inputs} inputs in {} made a grammar", corpus.display());
    assert!(refused.is_empty(), "llama.cpp refused {} grammars:\n{}", refused.len(), refused.join("\n\n"));
}
