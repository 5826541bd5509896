//! The ceiling: llama.cpp's own `llama-bench` (built by ci/llama-bench.sh from
//! the llama.cpp source inf-wasi's llama-cpp-sys-2 vendors), decoding with no
//! sampling, given the CPU variant library this build chose and no other, so
//! that both run the very same kernels. Prompt processing is `-p N` on an empty
//! context and generation `-n G` after `N` tokens (`-d N`), the bench's prompt
//! length; llama-bench reports no time to first token, session cost or RSS.

use crate::measure::{Sample, Settings};
use llama_cpp_2::model::params::LlamaModelParams;
use llama_cpp_2::model::LlamaModel;
use std::path::{Path, PathBuf};
use std::process::Command;

pub fn run(s: &Settings) -> Sample {
    let bench = PathBuf::from(std::env::var("BENCH_LLAMA_BENCH").expect("BENCH_LLAMA_BENCH: llama-bench's path"));
    let variant = place_variant(bench.parent().expect("llama-bench lies in a folder"));
    eprintln!("llama-bench runs the {variant} CPU variant");
    let prompt_tokens = prompt_tokens(s);
    let rate = |args: &[String]| tokens_per_second(&bench, s, args);
    let pp = rate(&["-p".into(), prompt_tokens.to_string(), "-n".into(), "0".into()]);
    let tg =
        rate(&["-p".into(), "0".into(), "-n".into(), s.gen_tokens.to_string(), "-d".into(), prompt_tokens.to_string()]);
    Sample {
        prompt_tokens: prompt_tokens as f64,
        generated: s.gen_tokens as f64,
        pp,
        tg,
        ttft_ms: f64::NAN,
        session_ms: f64::NAN,
        peak_rss_mib: f64::NAN,
        decode_tg: tg,
    }
}

/// Puts the CPU variant library inf-wasi loads on this machine beside
/// llama-bench (or llama-server), alone (ggml loads the best variant it finds
/// there). Returns its name.
pub fn place_variant(dir: &Path) -> String {
    let _ = inf_wasi_ggml::llama_backend().expect("llama.cpp initialises");
    let variant = inf_wasi_ggml::cpu_variant().expect("a CPU variant").expect("a portable build");
    for entry in std::fs::read_dir(dir).expect("llama-bench's folder").flatten() {
        if entry.file_name().to_string_lossy().starts_with("libggml-cpu-") {
            std::fs::remove_file(entry.path()).expect("remove an older variant");
        }
    }
    std::fs::copy(&variant.path, dir.join(variant.path.file_name().expect("a file name"))).expect("copy the variant");
    variant.name.clone()
}

/// The bench prompt's length in tokens, as the other rows tokenize it.
fn prompt_tokens(s: &Settings) -> usize {
    let backend = inf_wasi_ggml::llama_backend().expect("llama.cpp initialises");
    let params = LlamaModelParams::default().with_vocab_only(true);
    let model = LlamaModel::load_from_file(backend, &s.model, &params).expect("the model's vocabulary loads");
    model.vocab().tokenize(s.prompt().as_bytes(), true, true).len()
}

/// One llama-bench test (one repetition: the driver alternates the rows), tokens/s.
fn tokens_per_second(bench: &Path, s: &Settings, test: &[String]) -> f64 {
    let out = Command::new(bench)
        .args(["-m".as_ref(), s.model.as_os_str()])
        .args(["-t", &s.threads.to_string(), "-r", "1", "-o", "json"])
        .args(test)
        .output()
        .expect("run llama-bench");
    assert!(out.status.success(), "llama-bench {test:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    let results: serde_json::Value = serde_json::from_slice(&out.stdout).expect("llama-bench's JSON");
    results[0]["avg_ts"].as_f64().expect("avg_ts in llama-bench's output")
}
