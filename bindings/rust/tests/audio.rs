//! Audio through the Rust host: an audio part in a chat message, with the
//! default model and the tiny Ultravox projector (50 embeddings per 30-second
//! chunk). Bad audio is `invalid-input`; audio for a model without an audio
//! projector is `unsupported`.

mod support;

use inf_wasi::{ContentPart, Engine, Error, GenerateOptions, Message};

fn engine() -> Engine {
    Engine::builder()
        .model_with_projector("gemma", support::model_path(), support::tiny_audio_projector())
        .model_with_projector("vision", support::model_path(), support::tiny_projector())
        .threads(1)
        .context_size(512)
        .build()
        .unwrap()
}

fn question(audio: Vec<u8>) -> Message {
    Message::user_with_parts("What do you hear?", [ContentPart::Audio(audio)])
}

#[test]
fn an_audio_message_runs_and_repeats_exactly() {
    let _serial = support::serial();
    let engine = engine();
    let info = engine.model_info("gemma").unwrap();
    assert!(info.audio && !info.vision, "{info:?}");
    let options = GenerateOptions::greedy().max_tokens(8);
    let one = engine.session("gemma").unwrap().chat(&[question(support::audio("tones-1s.wav"))], &options).unwrap();
    let again = engine.session("gemma").unwrap().chat(&[question(support::audio("tones-1s.wav"))], &options).unwrap();
    assert_eq!(one, again, "identical inputs, identical greedy output");
    let long = engine.session("gemma").unwrap().chat(&[question(support::audio("tones-31s.wav"))], &options).unwrap();
    assert_eq!(long.usage.prompt_tokens, one.usage.prompt_tokens + 50, "a second 30-second chunk: 50 more tokens");
    let flac = engine.session("gemma").unwrap().chat(&[question(support::audio("tones-1s.flac"))], &options).unwrap();
    assert_eq!(flac.usage.prompt_tokens, one.usage.prompt_tokens);
}

#[test]
fn bad_audio_is_invalid_input_and_a_model_without_audio_refuses_it() {
    let _serial = support::serial();
    let engine = engine();
    let options = GenerateOptions::greedy().max_tokens(2);
    let mut session = engine.session("gemma").unwrap();
    for file in ["bad-truncated-header.wav", "bad-absurd-rate.wav", "bad-huge-length.flac", "bad-not-audio.wav"] {
        let refused = session.chat(&[question(support::audio(file))], &options).unwrap_err();
        assert!(matches!(refused, Error::InvalidInput(_)), "{file}: {refused:?}");
    }
    assert!(session.chat(&[question(support::audio("tones-1s.wav"))], &options).is_ok(), "the session goes on");
    let refused = engine.session("vision").unwrap().chat(&[question(support::audio("tones-1s.wav"))], &options);
    assert!(matches!(refused, Err(Error::Unsupported(_))), "{refused:?}");
}

#[test]
fn an_audio_file_that_cannot_be_read_is_invalid_input() {
    let missing = ContentPart::audio_file("/nonexistent/recording.wav").expect_err("no file");
    assert!(matches!(missing, Error::InvalidInput(_)), "{missing:?}");
}

/// The README's Rust audio example, compiled in here to run it.
mod readme_example {
    include!("../examples/audio.rs");

    pub fn run() -> Result<(), Box<dyn std::error::Error>> {
        main()
    }
}

#[test]
fn the_readme_audio_example_is_verbatim_and_runs() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md")).unwrap();
    let example = include_str!("../examples/audio.rs");
    assert!(readme.contains(&format!("```rust,no_run\n{example}```")), "README lacks examples/audio.rs verbatim");
    let _serial = support::serial();
    let recording = support::scratch_dir("example").join("recording.wav");
    std::fs::write(&recording, support::audio("tones-1s.wav")).unwrap();
    std::env::set_var("INF_WASI_MODEL", support::model_path());
    std::env::set_var("INF_WASI_PROJECTOR", support::tiny_audio_projector());
    std::env::set_var("INF_WASI_AUDIO", &recording);
    readme_example::run().unwrap();
}
