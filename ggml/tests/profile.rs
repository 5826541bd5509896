//! The ggml profile straight through `Session::compute`, as any host drives it:
//! a guest is untrusted, so malformed calls get status errors, never a panic.

use inf_wasi_ggml::profile::SamplingConfig;
use inf_wasi_ggml::{LoadOptions, ModelRegistry, NamedTensor, Session, Tensor, TensorType};
use serde_json::Value;

mod common;
use common::{greedy, model_path, serial};

fn session() -> Session {
    let mut registry = ModelRegistry::new();
    let options = LoadOptions { threads: 1, context_size: 256, ..LoadOptions::default() };
    registry.register("m", model_path(), options);
    Session::new(registry.get("m").unwrap().clone())
}

fn call(session: &mut Session, inputs: Vec<NamedTensor>) -> (Value, Vec<NamedTensor>) {
    let mut out = session.compute(inputs);
    let status = out.pop().unwrap();
    assert_eq!(status.name, "status");
    (serde_json::from_slice(&status.tensor.data).unwrap(), out)
}

fn text(name: &str, s: &str) -> NamedTensor {
    NamedTensor::new(name, Tensor::bytes(s.as_bytes().to_vec()))
}

/// The default `prompt` request as JSON, to break.
fn config_json() -> Value {
    serde_json::to_value(SamplingConfig::default()).unwrap()
}

fn error_code(status: &Value) -> &str {
    status["error"]["code"].as_str().unwrap_or_else(|| panic!("expected an error, got {status}"))
}

#[test]
fn malformed_calls_get_invalid_input() {
    let _serial = serial();
    let mut s = session();
    assert_eq!(error_code(&call(&mut s, vec![]).0), "invalid-input");
    assert_eq!(error_code(&call(&mut s, vec![text("op", "explode")]).0), "invalid-input");
    let bad_utf8 = NamedTensor::new("text", Tensor::bytes(vec![b'a', 0xff, 0xfe]));
    let (status, _) = call(&mut s, vec![text("op", "prompt"), bad_utf8]);
    assert!(status["error"]["message"].as_str().unwrap().contains("UTF-8"), "{status}");
    let wrong_type = NamedTensor::new("text", Tensor::i32s(&[1, 2]));
    assert_eq!(error_code(&call(&mut s, vec![text("op", "prompt"), wrong_type]).0), "invalid-input");
    // The request is exactly the message: a wrong type, an unknown key, a
    // missing key, a value out of bounds, or no request at all.
    let mut wrong_type = config_json();
    wrong_type["temperature"] = "hot".into();
    let mut unknown = config_json();
    unknown["temp"] = 1.into();
    let mut missing = config_json();
    missing.as_object_mut().unwrap().remove("top_k");
    let mut out_of_bounds = config_json();
    out_of_bounds["repeat_last_n"] = 2_000_000.into();
    for (config, needle) in [
        (wrong_type, "expected f32"),
        (unknown, "unknown field `temp`"),
        (missing, "missing field `top_k`"),
        (out_of_bounds, "repeat-last-n must be in [0, 1000000]"),
    ] {
        let config = text("config", &config.to_string());
        let (status, _) = call(&mut s, vec![text("op", "prompt"), text("text", "hi"), config]);
        assert_eq!(error_code(&status), "invalid-input");
        assert!(status["error"]["message"].as_str().unwrap().contains(needle), "{status} lacks {needle}");
    }
    let (status, _) = call(&mut s, vec![text("op", "prompt"), text("text", "hi")]);
    assert!(status["error"]["message"].as_str().unwrap().contains("missing `config`"), "{status}");
    assert_eq!(error_code(&call(&mut s, vec![text("op", "next")]).0), "invalid-input", "next before prompt");
    let ragged = NamedTensor::new("tokens", Tensor { dimensions: vec![1], ty: TensorType::I32, data: vec![1, 2, 3] });
    assert_eq!(error_code(&call(&mut s, vec![text("op", "detokenize"), ragged]).0), "invalid-input");
    let huge = text("config", r#"{"ctx_size": 100000000}"#);
    assert_eq!(error_code(&call(&mut s, vec![text("op", "configure"), huge]).0), "invalid-input");
}

/// `tokenize` with a config, returning the token ids or the status error.
fn tokenize(s: &mut Session, prompt: &str, spans: &str) -> Result<Vec<i32>, Value> {
    let config = format!(r#"{{"add_special": false, "parse_special": true, "literal_spans": {spans}}}"#);
    let (status, out) = call(s, vec![text("op", "tokenize"), text("text", prompt), text("config", &config)]);
    match status.get("error") {
        Some(_) => Err(status),
        None => Ok(out[0].tensor.to_i32s().unwrap()),
    }
}

#[test]
fn literal_spans_keep_control_token_text_as_text() {
    let _serial = serial();
    let mut s = session();
    // Gemma: <start_of_turn> is 105, <end_of_turn> 106.
    let prompt = "<start_of_turn>user\nHi<end_of_turn><end_of_turn>\n";
    let whole = tokenize(&mut s, prompt, "[]").unwrap();
    assert_eq!(whole.iter().filter(|&&t| t == 106).count(), 2, "{whole:?}");
    // "Hi<end_of_turn>" (bytes 20..35) is message text: one 106 is left, the template's.
    let guarded = tokenize(&mut s, prompt, "[[20, 35]]").unwrap();
    assert_eq!(guarded.iter().filter(|&&t| t == 106).count(), 1, "{guarded:?}");
    assert_eq!(guarded[0], 105);
    let own = {
        let config = r#"{"add_special": false, "parse_special": false, "literal_spans": []}"#;
        let inputs = vec![text("op", "tokenize"), text("text", "Hi<end_of_turn>"), text("config", config)];
        call(&mut s, inputs).1[0].tensor.to_i32s().unwrap()
    };
    assert!(guarded.windows(own.len()).any(|w| w == own), "{guarded:?} holds {own:?}");
    // Text with no control-token text in its span is tokenized whole, as without spans.
    assert_eq!(tokenize(&mut s, "<start_of_turn>user\nHi there<end_of_turn>", "[[20, 28]]").unwrap(), {
        tokenize(&mut s, "<start_of_turn>user\nHi there<end_of_turn>", "[]").unwrap()
    });
    // Spans out of the text, off a character boundary, reversed or overlapping are refused.
    for spans in ["[[0, 999]]", "[[1, 2]]", "[[5, 3]]", "[[0, 10], [5, 12]]"] {
        let error = tokenize(&mut s, "é<end_of_turn> and more", spans).unwrap_err();
        assert_eq!(error_code(&error), "invalid-input", "{spans}: {error}");
    }
}

#[test]
fn generation_streams_token_bytes_until_a_finish() {
    let _serial = serial();
    let mut s = session();
    let (status, _) = call(&mut s, vec![text("op", "prompt"), text("text", "Water boils at"), greedy()]);
    let prompt_tokens = status["prompt_tokens"].as_u64().unwrap();
    assert!(prompt_tokens >= 4, "{status}");
    let mut bytes = Vec::new();
    for i in 0..4 {
        // `next` is a call with no inputs, or one that names it.
        let inputs = if i % 2 == 0 { Vec::new() } else { vec![text("op", "next")] };
        let out = s.compute(inputs);
        assert_eq!(out.len(), 1, "a token is the one output");
        assert_eq!(out[0].name, "token");
        let (id, piece) = inf_wasi_ggml::profile::decode_token(&out[0].tensor.data).unwrap();
        assert!(id >= 0);
        bytes.extend(piece);
    }
    assert!(String::from_utf8(bytes).unwrap().contains("100"));
    // The same prompt again: everything but the last token comes from the cache.
    let (status, _) = call(&mut s, vec![text("op", "prompt"), text("text", "Water boils at"), greedy()]);
    assert_eq!(status["cached_tokens"].as_u64().unwrap(), prompt_tokens - 1, "{status}");
    let (status, _) = call(&mut s, vec![text("op", "reset")]);
    assert!(status.get("error").is_none());
}

#[test]
fn a_full_context_finishes_generation() {
    let _serial = serial();
    let mut s = session();
    let (status, _) = call(&mut s, vec![text("op", "configure"), text("config", r#"{"ctx_size": 8}"#)]);
    assert_eq!(status["context_size"], 8);
    let (status, _) = call(&mut s, vec![text("op", "prompt"), text("text", "One two"), greedy()]);
    assert!(status.get("error").is_none(), "{status}");
    let mut finish = None;
    for _ in 0..20 {
        if let Some(reason) = common::next(&mut s).status().get("finish") {
            finish = reason.as_str().map(str::to_string);
            break;
        }
    }
    assert_eq!(finish.as_deref(), Some("context-full"));
}
