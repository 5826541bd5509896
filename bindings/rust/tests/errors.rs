//! Bad input gets its own typed error, and the engine then answers a good
//! request normally.

mod support;

use inf_wasi::{Engine, Error, GenerateOptions, SessionOptions};
use std::path::PathBuf;

fn scratch(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = support::scratch_dir("errors");
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// An engine with the good model and a set of broken ones.
fn engine_with_broken_models() -> Engine {
    let model = std::fs::read(support::model_path()).unwrap();
    let mut builder = Engine::builder().model("gemma", support::model_path()).threads(1).context_size(support::CONTEXT);
    // Truncated inside the header, inside the metadata (the vocabulary), and inside the tensor data.
    for cut in [16usize, 100, 1 << 20, 8 << 20, model.len() / 2, model.len() - 1] {
        builder = builder.model(format!("truncated-{cut}"), scratch(&format!("truncated-{cut}.gguf"), &model[..cut]));
    }
    let mut noise = vec![0u8; 1 << 16];
    let mut x: u32 = 0x9e3779b9;
    for b in noise.iter_mut() {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        *b = x as u8;
    }
    builder = builder.model("random", scratch("random.gguf", &noise));
    builder = builder.model("empty", scratch("empty.gguf", b""));
    builder = builder.model("missing", "/nonexistent/model.gguf");
    builder.build().unwrap()
}

fn expect<T: std::fmt::Debug>(result: inf_wasi::Result<T>, code: &str) -> String {
    match result {
        Err(e) => {
            assert_eq!(e.code(), code, "{e}");
            e.to_string()
        }
        Ok(v) => panic!("expected a {code} error, got {v:?}"),
    }
}

fn still_works(engine: &Engine) {
    let c =
        engine.session("gemma").unwrap().complete("Water boils at", &GenerateOptions::greedy().max_tokens(4)).unwrap();
    assert!(c.text.contains("100"), "{c:?}");
}

#[test]
fn broken_model_files_are_invalid_models() {
    let _serial = support::serial();
    let engine = engine_with_broken_models();
    let names: Vec<String> = ["random", "empty", "missing"]
        .iter()
        .map(|s| s.to_string())
        .chain([16usize, 100, 1 << 20, 8 << 20].iter().map(|c| format!("truncated-{c}")))
        .collect();
    for name in &names {
        let message = expect(engine.session(name), "invalid-model");
        eprintln!("{name}: {message}");
        expect(engine.model_info(name), "invalid-model");
    }
    let len = std::fs::metadata(support::model_path()).unwrap().len() as usize;
    for cut in [len / 2, len - 1] {
        expect(engine.session(&format!("truncated-{cut}")), "invalid-model");
    }
    still_works(&engine);
}

/// What only Rust can pass; the shared bad requests are in tests/conformance.
#[test]
fn bad_rust_values_get_typed_errors() {
    let _serial = support::serial();
    let engine = support::engine();
    let mut session = engine.session("gemma").unwrap();
    expect(session.complete("x", &GenerateOptions::default().temperature(f32::INFINITY)), "invalid-input");
    expect(session.complete("x", &GenerateOptions::default().top_p(f32::NAN)), "invalid-input");
    expect(session.complete("x", &GenerateOptions::greedy().json_schema(r##"{"$ref": "#/x"}"##)), "invalid-input");
    still_works(&engine);
}

#[test]
fn bad_session_and_engine_options() {
    let _serial = support::serial();
    let engine = support::engine();
    expect(engine.session_with("gemma", &SessionOptions::default().context_size(0)), "invalid-input");
    expect(engine.session_with("gemma", &SessionOptions::default().context_size(10_000_000)), "invalid-input");
    expect(Engine::builder().model("x", "x.gguf").context_size(0).build(), "invalid-input");
    expect(Engine::builder().model("x", "x.gguf").threads(0).build(), "invalid-input");
    expect(Engine::builder().model("", "x.gguf").build(), "invalid-input");
    expect(engine.embed("gemma", &[""]), "invalid-input");
    expect(engine.detokenize("gemma", &[u32::MAX]), "invalid-input");
    expect(engine.detokenize("gemma", &[10_000_000]), "invalid-input");
    still_works(&engine);
}

#[test]
fn every_error_case_has_its_own_code() {
    let all = [
        Error::ModelNotFound(String::new()),
        Error::InvalidModel(String::new()),
        Error::InvalidInput(String::new()),
        Error::ContextOverflow(String::new()),
        Error::Unsupported(String::new()),
        Error::Cancelled(String::new()),
        Error::Backend(String::new()),
    ];
    let codes: std::collections::HashSet<&str> = all.iter().map(Error::code).collect();
    assert_eq!(codes.len(), all.len());
    // The codes are the WIT case names, so every language reports the same ones.
    let wit = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../wit/inf-wasi.wit")).unwrap();
    for code in codes {
        assert!(wit.contains(&format!("        {code}(string),")), "{code} is a case of the WIT error variant");
    }
}
