//! What the image and audio tests share: fixtures written once per process by
//! the scripts in tests/fixtures, prompts with media placed at the marker, and
//! greedy generation through the profile.

use inf_wasi_ggml::profile::{encode, SamplingConfig};
use inf_wasi_ggml::{LoadOptions, ModelRegistry, NamedTensor, Session, Tensor};
use serde_json::Value;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// What stands for a medium in a prompt's text (it is taken out, and its offset sent).
pub const MARKER: &str = "<__media__>";

/// `tests/fixtures/SCRIPT ARGS... OUT`, run once per process: the path of OUT
/// (named `name` in a folder of this process's).
pub fn fixture(script: &str, args: &[&str], name: &str) -> PathBuf {
    static MADE: Mutex<Option<HashMap<String, PathBuf>>> = Mutex::new(None);
    let mut made = MADE.lock().unwrap_or_else(|e| e.into_inner());
    let made = made.get_or_insert_with(HashMap::new);
    let key = format!("{script} {args:?} {name}");
    if let Some(path) = made.get(&key) {
        return path.clone();
    }
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("media-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    let script_path = format!("{}/../tests/fixtures/{script}", env!("CARGO_MANIFEST_DIR"));
    let out = std::process::Command::new("python3").arg(script_path).arg(&path).args(args).output().unwrap();
    assert!(out.status.success(), "{script} failed: {}", String::from_utf8_lossy(&out.stderr));
    made.insert(key, path.clone());
    path
}

/// A session of the default model, with `projector` if given.
pub fn session(projector: Option<PathBuf>) -> Session {
    let mut registry = ModelRegistry::new();
    let options = LoadOptions { threads: 1, context_size: 256, projector, ..LoadOptions::default() };
    registry.register("m", super::model_path(), options);
    Session::new(registry.get("m").unwrap().clone())
}

/// One operation: its status, and its other outputs.
pub fn call(session: &mut Session, inputs: Vec<NamedTensor>) -> (Value, Vec<NamedTensor>) {
    let mut out = session.compute(inputs);
    let status = out.pop().unwrap();
    (serde_json::from_slice(&status.tensor.data).unwrap(), out)
}

pub fn text(name: &str, s: &str) -> NamedTensor {
    NamedTensor::new(name, Tensor::bytes(s.as_bytes().to_vec()))
}

/// A `prompt` request's text and greedy config, with a medium where `prompt` has a marker.
pub fn placed(prompt: &str) -> [NamedTensor; 2] {
    let (mut text_only, mut offsets) = (String::new(), Vec::new());
    let mut pieces = prompt.split(MARKER).peekable();
    while let Some(piece) = pieces.next() {
        text_only.push_str(piece);
        if pieces.peek().is_some() {
            offsets.push(text_only.len() as u32);
        }
    }
    request(&text_only, offsets)
}

pub fn request(prompt: &str, image_offsets: Vec<u32>) -> [NamedTensor; 2] {
    let config = SamplingConfig { temperature: 0.0, image_offsets, ..SamplingConfig::default() };
    [text("text", prompt), NamedTensor::new("config", Tensor::bytes(encode(&config)))]
}

/// Prompts with `media` (`image.N` or `audio.N` tensors) and reads `n` greedy
/// tokens; returns the status and the token ids.
pub fn generate(s: &mut Session, prompt: &str, media: Vec<NamedTensor>, n: usize) -> (Value, Vec<i64>) {
    let mut inputs = vec![text("op", "prompt")];
    inputs.extend(placed(prompt));
    inputs.extend(media);
    let (status, _) = call(s, inputs);
    assert!(status.get("error").is_none(), "{status}");
    let mut tokens = Vec::new();
    for _ in 0..n {
        let next = super::next(s);
        match next.token() {
            Some(token) => tokens.push(i64::from(token)),
            None => {
                assert!(next.status().get("finish").is_some(), "{next:?}");
                break;
            }
        }
    }
    (status, tokens)
}

/// The tokens of `prompt`'s text around its marker, each piece tokenized alone (BOS once, at the start).
pub fn text_tokens_around_marker(s: &mut Session, prompt: &str) -> usize {
    let mut count = |piece: &str, add_special: bool| {
        let config = format!(r#"{{"parse_special": true, "add_special": {add_special}, "literal_spans": []}}"#);
        let (status, out) = call(s, vec![text("op", "tokenize"), text("text", piece), text("config", &config)]);
        assert!(status.get("error").is_none(), "{status}");
        out[0].tensor.to_i32s().unwrap().len()
    };
    let (before, after) = prompt.split_once(MARKER).unwrap();
    count(before, true) + count(after, false)
}

/// The model's metadata (`info`).
pub fn info(s: &mut Session) -> Value {
    let (status, out) = call(s, vec![text("op", "info")]);
    assert!(status.get("error").is_none(), "{status}");
    serde_json::from_slice(&out[0].tensor.data).unwrap()
}
