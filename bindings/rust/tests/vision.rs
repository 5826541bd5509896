//! Images through the component and the Rust host: the default model with a
//! tiny random-weight projector (4 embeddings per image, ci/tiny-mmproj.py).

mod support;

use inf_wasi::{ContentPart, Engine, Error, GenerateOptions, Message, Role};
use std::path::PathBuf;

fn vision_engine() -> Engine {
    Engine::builder()
        .model_with_projector("gemma-vision", support::model_path(), support::tiny_projector())
        .model("gemma", support::model_path())
        .threads(1)
        .context_size(512)
        .build()
        .unwrap()
}

/// The shared test images (ci/test-images.py), by file name.
fn image(name: &str) -> Vec<u8> {
    static DIR: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    let dir = DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("inf-wasi-rust-images-{}", std::process::id()));
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../ci/test-images.py");
        let out = std::process::Command::new("python3").arg(script).arg(&dir).output().unwrap();
        assert!(out.status.success(), "test-images.py failed: {}", String::from_utf8_lossy(&out.stderr));
        dir
    });
    std::fs::read(dir.join(name)).unwrap()
}

fn question(image_bytes: Vec<u8>) -> Message {
    Message {
        role: Role::User,
        content: vec![ContentPart::Text("What is in this picture? ".into()), ContentPart::Image(image_bytes)],
    }
}

#[test]
fn an_image_question_streams_an_answer_and_repeats_exactly() {
    let _serial = support::serial();
    let engine = vision_engine();
    assert!(engine.model_info("gemma-vision").unwrap().vision);
    assert!(!engine.model_info("gemma").unwrap().vision);
    let greedy = GenerateOptions::greedy().max_tokens(6);

    let mut session = engine.session("gemma-vision").unwrap();
    let mut stream = session.chat_stream(&[question(image("gradient.png"))], &greedy).unwrap();
    let pieces: Vec<String> = stream.by_ref().map(|p| p.unwrap()).collect();
    let completion = stream.completion().cloned().unwrap();
    drop(stream);
    assert_eq!(pieces.concat(), completion.text);
    assert!(completion.usage.completion_tokens > 0);

    // Stop strings work as for text: stopping at the first piece leaves nothing.
    let stop_at_first = greedy.clone().stop(pieces[0].clone());
    let stopped =
        engine.session("gemma-vision").unwrap().chat(&[question(image("gradient.png"))], &stop_at_first).unwrap();
    assert_eq!((stopped.text.as_str(), stopped.finish_reason), ("", inf_wasi::FinishReason::Stop));

    // Another session, the same question: the same prompt tokens and answer.
    let mut other = engine.session("gemma-vision").unwrap();
    let again = other.chat(&[question(image("gradient.png"))], &greedy).unwrap();
    assert_eq!(again.text, completion.text, "identical inputs give identical greedy output");
    assert_eq!(again.usage.prompt_tokens, completion.usage.prompt_tokens);
    let larger = engine.session("gemma-vision").unwrap().chat(&[question(image("large.png"))], &greedy).unwrap();
    assert_eq!(larger.usage.prompt_tokens, completion.usage.prompt_tokens, "every image is 4 tokens");
    let jpeg = Message::user_with_images("What is in this picture? ", [ContentPart::Image(image("gradient.jpg"))]);
    let from_jpeg = engine.session("gemma-vision").unwrap().chat(&[jpeg], &greedy).unwrap();
    assert_eq!(from_jpeg.usage.prompt_tokens, completion.usage.prompt_tokens, "a JPEG too");
    let missing = ContentPart::image_file("/nonexistent/picture.png").expect_err("no file");
    assert!(matches!(missing, Error::InvalidInput(_)), "{missing:?}");

    // The conversation goes on, its image still in the history.
    let next = session.chat(&[Message::user("And what colour is it?")], &greedy).unwrap();
    assert!(next.usage.prompt_tokens > completion.usage.prompt_tokens);
    assert_eq!(session.history().unwrap().len(), 4);
}

#[test]
fn bad_images_are_invalid_input_and_a_text_model_refuses_images() {
    let _serial = support::serial();
    let engine = vision_engine();
    let greedy = GenerateOptions::greedy().max_tokens(2);
    let mut session = engine.session("gemma-vision").unwrap();
    for file in ["truncated.png", "not-an-image.jpg", "zero.png", "huge-header.png"] {
        let error = session.chat(&[question(image(file))], &greedy).expect_err(file);
        assert!(matches!(error, Error::InvalidInput(_)), "{file}: {error:?}");
    }
    let empty = session.chat(&[question(Vec::new())], &greedy).expect_err("empty");
    assert!(matches!(empty, Error::InvalidInput(_)), "{empty:?}");
    assert!(session.history().unwrap().is_empty(), "failed turns leave the conversation as it was");
    assert!(session.chat(&[question(image("gradient.png"))], &greedy).is_ok());

    let mut text_only = engine.session("gemma").unwrap();
    let refused = text_only.chat(&[question(image("gradient.png"))], &greedy).expect_err("text model");
    assert!(matches!(refused, Error::Unsupported(_)), "{refused:?}");
}

/// The README's Rust image example, compiled in here to run it.
mod readme_example {
    include!("../examples/vision.rs");

    pub fn run() -> Result<(), Box<dyn std::error::Error>> {
        main()
    }
}

#[test]
fn the_readme_image_example_is_verbatim_and_runs() {
    let readme = std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../README.md")).unwrap();
    let example = include_str!("../examples/vision.rs");
    assert!(readme.contains(&format!("```rust,no_run\n{example}```")), "README lacks examples/vision.rs verbatim");
    let _serial = support::serial();
    let dir = std::env::temp_dir().join(format!("inf-wasi-example-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let picture = dir.join("picture.png");
    std::fs::write(&picture, image("gradient.png")).unwrap();
    std::env::set_var("INF_WASI_MODEL", support::model_path());
    std::env::set_var("INF_WASI_PROJECTOR", support::tiny_projector());
    std::env::set_var("INF_WASI_IMAGE", &picture);
    readme_example::run().unwrap();
}
