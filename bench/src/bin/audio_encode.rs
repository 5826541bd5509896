//! What audio costs to read, through the ggml profile: the time of a `prompt`
//! with 1 s, 29 s and 31 s of audio (one, one and two 30-second chunks) against
//! the same prompt without it, with the tiny random-weight Ultravox projector
//! of the tests (tests/fixtures/tiny-audio-mmproj.py: one layer, width 64) and
//! the default Gemma 3 270M. The projector's encoder is tiny, so this is mostly
//! mtmd's own work per chunk (the mel spectrogram of 30 s) and the text model
//! reading the chunk's embeddings; a real Ultravox's Whisper encoder costs more.
//!
//!     cargo run --release --locked --workspace --bin audio_encode
//!
//! BENCH_THREADS (2), BENCH_RUNS (5); medians.

use inf_wasi_ggml::profile::{encode, SamplingConfig};
use inf_wasi_ggml::{LoadOptions, ModelRegistry, NamedTensor, Session, Tensor};
use std::path::{Path, PathBuf};
use std::time::Instant;

mod support;
use support::{env, fixture, median};

const PROMPT: &str = "<start_of_turn>user\n<__media__>\nWhat do you hear?<end_of_turn>\n<start_of_turn>model\n";

/// One `prompt` with `audio` (or none) where the marker is: its time in ms, and its prompt tokens.
fn prompt(session: &mut Session, audio: Option<&[u8]>) -> (f64, u64) {
    let (before, after) = PROMPT.split_once("<__media__>").unwrap();
    let text = format!("{before}{after}");
    let offsets = audio.map(|_| vec![before.len() as u32]).unwrap_or_default();
    let config = SamplingConfig { temperature: 0.0, image_offsets: offsets, ..SamplingConfig::default() };
    let mut inputs = vec![
        NamedTensor::new("op", Tensor::bytes(b"prompt".to_vec())),
        NamedTensor::new("text", Tensor::bytes(text.into_bytes())),
        NamedTensor::new("config", Tensor::bytes(encode(&config))),
    ];
    inputs.extend(audio.map(|bytes| NamedTensor::new("audio.0", Tensor::bytes(bytes.to_vec()))));
    let started = Instant::now();
    let mut out = session.compute(inputs);
    let ms = started.elapsed().as_secs_f64() * 1e3;
    let status: serde_json::Value = serde_json::from_slice(&out.pop().unwrap().tensor.data).unwrap();
    assert!(status.get("error").is_none(), "{status}");
    (ms, status["prompt_tokens"].as_u64().unwrap())
}

fn main() {
    let (threads, runs) = (env("BENCH_THREADS", 2), env("BENCH_RUNS", 5));
    let projector = fixture("tiny-audio-mmproj.py", "tiny-audio-mmproj.gguf");
    let audio = fixture("test-audio.py", "audio");
    let model = inf_wasi_ggml_model();
    let mut registry = ModelRegistry::new();
    let options = LoadOptions {
        threads: threads as u32,
        context_size: 512,
        projector: Some(projector),
        ..LoadOptions::default()
    };
    registry.register("m", model, options);
    let mut session = Session::new(registry.get("m").unwrap().clone());
    let clips = [
        ("none", None),
        ("1 s", Some(std::fs::read(audio.join("tones-1s.wav")).unwrap())),
        ("29 s", Some(std::fs::read(audio.join("tones-29s.wav")).unwrap())),
        ("31 s", Some(std::fs::read(audio.join("tones-31s.wav")).unwrap())),
    ];
    prompt(&mut session, None); // warm-up: the weights' pages, the contexts
    println!("audio prompt cost ({threads} threads, {runs} runs, medians), Gemma 3 270M + tiny Ultravox projector");
    println!("| audio | prompt tokens | prompt ms | over no audio, ms |");
    println!("|---|---|---|---|");
    let mut baseline = None;
    for (name, clip) in &clips {
        let samples: Vec<(f64, u64)> = (0..runs).map(|_| prompt(&mut session, clip.as_deref())).collect();
        let ms = median(samples.iter().map(|s| s.0).collect());
        let base = *baseline.get_or_insert(ms);
        println!("| {name} | {} | {ms:.1} | {:.1} |", samples[0].1, ms - base);
    }
}

/// The default model, as the tests fetch it.
fn inf_wasi_ggml_model() -> PathBuf {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../ci/fetch_model.py");
    let out = std::process::Command::new("python3").arg(script).output().unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap().trim().into()
}
