//! One file to deploy: the model packed inside the `.wasm` opens with one call,
//! answers exactly as the model file does, and a packed file that is not what
//! it claims is an invalid model.

mod support;

use inf_wasi::{ContentPart, Engine, Error, GenerateOptions, Message};
use std::path::{Path, PathBuf};

fn packed(name: &str, component: &[u8]) -> PathBuf {
    pack(name, component, None)
}

fn pack(name: &str, component: &[u8], projector: Option<&Path>) -> PathBuf {
    let path = support::scratch_dir("packed").join(name);
    let mut out = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    inf_wasi::packed::pack(component, "gemma", &support::model_path(), projector, &mut out).unwrap();
    drop(out);
    path
}

fn greedy_text(engine: &Engine, model: &str) -> String {
    let mut session = engine.session(model).unwrap();
    session.complete("The capital of France is", &GenerateOptions::greedy().max_tokens(12)).unwrap().text
}

#[test]
fn a_packed_model_answers_as_its_file_does() {
    let _serial = support::serial();
    let path = packed("app.wasm", inf_wasi::COMPONENT);
    let engine = Engine::builder().packed_file(&path).threads(1).context_size(support::CONTEXT).build().unwrap();
    assert_eq!(engine.model_names(), ["gemma"]);
    assert_eq!(engine.model_info("gemma").unwrap().name, "gemma");
    assert_eq!(greedy_text(&engine, "gemma"), greedy_text(&support::engine(), "gemma"));
    // The one-call form, with the default options.
    assert_eq!(Engine::from_file(&path).unwrap().model_names(), ["gemma"]);
}

fn describe(engine: &Engine) -> String {
    let question =
        Message::user_with_images("What is in this picture?", [ContentPart::Image(support::image("gradient.png"))]);
    engine.session("gemma").unwrap().chat(&[question], &GenerateOptions::greedy().max_tokens(12)).unwrap().text
}

#[test]
fn a_packed_projector_sees_as_its_file_does() {
    let _serial = support::serial();
    let projector = support::tiny_projector();
    let path = pack("vision.wasm", inf_wasi::COMPONENT, Some(&projector));
    let packed = Engine::builder().packed_file(&path).threads(1).context_size(support::CONTEXT).build().unwrap();
    assert!(packed.model_info("gemma").unwrap().vision);
    let files = Engine::builder()
        .model_with_projector("gemma", support::model_path(), &projector)
        .threads(1)
        .context_size(support::CONTEXT)
        .build()
        .unwrap();
    assert_eq!(describe(&packed), describe(&files));
    // Unpacked once into the cache under its hash, then reused.
    let cached = inf_wasi::cache_dir().join("projectors");
    let copies = std::fs::read_dir(&cached).unwrap().filter_map(Result::ok);
    let same: Vec<_> =
        copies.filter(|e| std::fs::read(e.path()).unwrap() == std::fs::read(&projector).unwrap()).collect();
    assert_eq!(same.len(), 1, "one copy of the projector in {}", cached.display());
}

#[test]
fn a_packed_file_that_is_not_what_it_claims_is_an_invalid_model() {
    let _serial = support::serial();
    // Another component than this crate's.
    let other = packed("other.wasm", b"\0asm\x0d\x00\x01\x00");
    let error = Engine::from_file(&other).unwrap_err();
    assert!(matches!(&error, Error::InvalidModel(m) if m.contains("another build")), "{error}");
    // Weights changed after packing: the engine builds (headers only), the model does not load.
    let path = packed("flipped.wasm", inf_wasi::COMPONENT);
    flip_last_byte(&path);
    let engine = Engine::from_file(&path).unwrap();
    let error = engine.session("gemma").unwrap_err();
    assert!(matches!(&error, Error::InvalidModel(m) if m.contains("SHA-256")), "{error}");
    // Not a packed file at all.
    let error = Engine::from_file(support::model_path()).unwrap_err();
    assert!(matches!(&error, Error::InvalidModel(m) if m.contains("not a WebAssembly component")), "{error}");
}

fn flip_last_byte(path: &Path) {
    let mut bytes = std::fs::read(path).unwrap();
    *bytes.last_mut().unwrap() ^= 1;
    std::fs::write(path, bytes).unwrap();
}
