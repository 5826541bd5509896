//! Bad input gets its own typed error, and the engine then answers a good
//! request normally.

mod support;

use inf_wasi::{Engine, Error, GenerateOptions, Message, SessionOptions};
use std::path::PathBuf;

fn scratch(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("inf-wasi-errors-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
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
fn unknown_model_name() {
    let _serial = support::serial();
    let engine = support::engine();
    expect(engine.session("no-such-model"), "model-not-found");
    expect(engine.model_info("no-such-model"), "model-not-found");
    expect(engine.embed("no-such-model", &["x"]), "model-not-found");
    still_works(&engine);
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

#[test]
fn bad_requests_get_typed_errors_and_the_session_keeps_working() {
    let _serial = support::serial();
    let engine = support::engine();
    let mut session = engine.session("gemma").unwrap();
    let greedy = GenerateOptions::greedy().max_tokens(4);
    expect(session.complete("", &greedy), "invalid-input");
    expect(session.chat(&[], &greedy), "invalid-input");
    expect(session.complete("x", &GenerateOptions::default().temperature(-1.0)), "invalid-input");
    expect(session.complete("x", &GenerateOptions::default().temperature(f32::INFINITY)), "invalid-input");
    expect(session.complete("x", &GenerateOptions::default().top_p(1.5)), "invalid-input");
    expect(session.complete("x", &GenerateOptions::default().min_p(-0.1)), "invalid-input");
    expect(session.complete("x", &GenerateOptions::default().repeat_penalty(-2.0)), "invalid-input");
    expect(session.complete("x", &GenerateOptions::default().repeat_last_n(1_000_001)), "invalid-input");
    expect(session.complete("x", &GenerateOptions::default().max_tokens(0)), "invalid-input");
    expect(session.complete("x", &GenerateOptions::default().max_tokens(u32::MAX)), "invalid-input");
    expect(session.complete("x", &GenerateOptions::default().stop("")), "invalid-input");
    expect(session.complete("x", &greedy.clone().json_schema("{ not json")), "invalid-input");
    expect(session.complete("x", &greedy.clone().json_schema(r#"{"type": "banana"}"#)), "invalid-input");
    expect(session.complete("x", &greedy.clone().json_schema(r##"{"$ref": "#/x"}"##)), "invalid-input");
    expect(session.complete("x", &greedy.clone().grammar("root ::= (")), "invalid-input");
    expect(session.complete("x", &greedy.clone().grammar("root ::= undefined-rule")), "invalid-input");
    let image = Message { role: inf_wasi::Role::User, content: vec![inf_wasi::ContentPart::Image(vec![0x89, b'P'])] };
    expect(session.chat(&[image], &greedy), "unsupported");
    let c = session.complete("Water boils at", &greedy).unwrap();
    assert!(c.text.contains("100"), "{c:?}");
    still_works(&engine);
}

#[test]
fn a_prompt_longer_than_the_context_overflows() {
    let _serial = support::serial();
    let engine = support::engine();
    let mut session = engine.session_with("gemma", &SessionOptions::default().context_size(64)).unwrap();
    let long = "The quick brown fox jumps over the lazy dog. ".repeat(20);
    expect(session.complete(&long, &GenerateOptions::greedy()), "context-overflow");
    expect(session.chat(&[Message::user(long.clone())], &GenerateOptions::greedy()), "context-overflow");
    assert!(session.history().unwrap().is_empty(), "a failed turn leaves the conversation unchanged");
    // Generation that fills a small context ends with context-full, not an error.
    let c = session.complete("Once upon a time", &GenerateOptions::greedy().max_tokens(500)).unwrap();
    assert_eq!(c.finish_reason, inf_wasi::FinishReason::ContextFull, "{c:?}");
    assert!(c.usage.prompt_tokens + c.usage.completion_tokens <= 65);
    let c = session.complete("Water boils at", &GenerateOptions::greedy().max_tokens(4)).unwrap();
    assert!(c.text.contains("100"), "{c:?}");
    expect(engine.embed("gemma", &[long.repeat(20).as_str()]), "context-overflow");
}

/// Gemma's byte tokens: `<0x00>` is token 238, so byte `b` is token 238 + b.
const BYTE_TOKEN: u32 = 238;

#[test]
fn huge_strings_and_invalid_utf8_from_the_model_are_handled() {
    let _serial = support::serial();
    let engine = support::engine();
    let mut session = engine.session("gemma").unwrap();
    // 4 MiB of prompt: tokenized, refused for the context, and nothing else happens.
    let huge = "lorem ipsum ".repeat(4 << 20 >> 4);
    expect(session.complete(&huge, &GenerateOptions::greedy().max_tokens(2)), "context-overflow");
    expect(session.complete("x", &GenerateOptions::greedy().stop("s".repeat(1 << 20))), "invalid-input");
    // A lone lead byte is invalid UTF-8: it becomes U+FFFD; a whole pair is the character.
    assert_eq!(engine.detokenize("gemma", &[BYTE_TOKEN + 0xC3]).unwrap(), "\u{FFFD}");
    assert_eq!(engine.detokenize("gemma", &[BYTE_TOKEN + 0xC3, BYTE_TOKEN + 0xA9]).unwrap(), "é");
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
