//! Audio through the ggml profile: the default Gemma 3 model with a tiny
//! random-weight Ultravox projector (tests/fixtures/tiny-audio-mmproj.py; 50
//! embeddings per 30-second chunk) runs end to end through llama.cpp's
//! multimodal library, with WAV and FLAC files (tests/fixtures/test-audio.py).
//! What is deterministic is checked: token counts per chunk, that generation
//! runs, that identical inputs give identical greedy output, and what the
//! session's cache holds afterwards. Malformed audio is `invalid-input`; audio
//! for a projector without audio, or an image for one without vision, is
//! `unsupported`.

use inf_wasi_ggml::{NamedTensor, Tensor};
use std::path::PathBuf;

mod common;
use common::media::{call, fixture, generate, info, placed, session, text, text_tokens_around_marker, MARKER};
use common::serial;

/// Embedding tokens per 30-second chunk of the tiny projector (1500 positions / stack factor 30).
const TOKENS_PER_CHUNK: u64 = 50;
const PROMPT: &str = "<start_of_turn>user\n<__media__>\nWhat do you hear?<end_of_turn>\n<start_of_turn>model\n";

fn projector() -> PathBuf {
    fixture("tiny-audio-mmproj.py", &[], "tiny-audio-mmproj.gguf")
}

/// The test audio (tests/fixtures/test-audio.py), by file name.
fn audio_file(name: &str) -> Vec<u8> {
    std::fs::read(fixture("test-audio.py", &[], "audio").join(name)).unwrap()
}

fn audio(index: usize, bytes: Vec<u8>) -> NamedTensor {
    NamedTensor::new(format!("audio.{index}"), Tensor::bytes(bytes))
}

#[test]
fn audio_runs_end_to_end_chunk_by_chunk_and_repeats_exactly() {
    let _serial = serial();
    let mut s = session(Some(projector()));
    let meta = info(&mut s);
    assert_eq!((&meta["audio"], &meta["vision"]), (&true.into(), &false.into()));
    assert_eq!(meta["media_marker"], MARKER);

    let text_tokens = text_tokens_around_marker(&mut s, PROMPT) as u64;
    let prompt_tokens = |status: &serde_json::Value| status["prompt_tokens"].as_u64().unwrap();
    let (one, first) = generate(&mut s, PROMPT, vec![audio(0, audio_file("tones-1s.wav"))], 8);
    // Ultravox wraps audio in nothing: the text and one chunk's embeddings.
    assert_eq!(prompt_tokens(&one), text_tokens + TOKENS_PER_CHUNK, "{one}");
    assert!(!first.is_empty());
    let (again, second) = generate(&mut s, PROMPT, vec![audio(0, audio_file("tones-1s.wav"))], 8);
    assert_eq!((prompt_tokens(&again), &second), (prompt_tokens(&one), &first), "identical inputs, identical output");
    // The same prompt again reuses the cache, its audio included, all but the
    // last position (evaluated again for its logits).
    assert_eq!(again["cached_tokens"], prompt_tokens(&one) - 1, "{again}");
    // 31 seconds are two 30-second chunks; other audio at the same place reuses
    // only the text before it, never the positions the earlier audio filled.
    let (long, _) = generate(&mut s, PROMPT, vec![audio(0, audio_file("tones-31s.wav"))], 2);
    assert_eq!(prompt_tokens(&long), text_tokens + 2 * TOKENS_PER_CHUNK, "{long}");
    assert!(long["cached_tokens"].as_u64().unwrap() < text_tokens, "{long}");
    // FLAC decodes, and 44.1 kHz stereo is downmixed and resampled to the projector's 16 kHz mono.
    for file in ["tones-1s.flac", "stereo-44k.wav"] {
        let (status, tokens) = generate(&mut s, PROMPT, vec![audio(0, audio_file(file))], 2);
        assert_eq!(prompt_tokens(&status), text_tokens + TOKENS_PER_CHUNK, "{file}: {status}");
        assert!(!tokens.is_empty(), "{file}");
    }
    // A text prompt after audio reuses only what came before the audio (the BOS
    // token), never positions the audio filled.
    let (plain, tokens) = generate(&mut s, "Water boils at", vec![], 4);
    assert_eq!(plain["cached_tokens"], 1, "{plain}");
    assert!(!tokens.is_empty());
    let (twice, _) = generate(&mut s, "Water boils at", vec![], 1);
    assert!(twice["cached_tokens"].as_u64().unwrap() > 0, "a text prompt after audio reuses text: {twice}");
}

#[test]
fn malformed_audio_is_invalid_input_and_the_session_goes_on() {
    let _serial = serial();
    let mut s = session(Some(projector()));
    for file in [
        "bad-truncated-header.wav",
        "bad-absurd-rate.wav",
        "bad-zero-channels.wav",
        "bad-huge-length.wav",
        "bad-huge-length.flac",
        "bad-not-audio.wav",
    ] {
        let [prompt, config] = placed(PROMPT);
        let (status, _) = call(&mut s, vec![text("op", "prompt"), prompt, config, audio(0, audio_file(file))]);
        assert_eq!(status["error"]["code"], "invalid-input", "{file}: {status}");
    }
    let [prompt, config] = placed(PROMPT);
    let (status, _) = call(&mut s, vec![text("op", "prompt"), prompt, config, audio(0, Vec::new())]);
    assert_eq!(status["error"]["code"], "invalid-input", "empty: {status}");
    let (_, tokens) = generate(&mut s, PROMPT, vec![audio(0, audio_file("tones-1s.wav"))], 2);
    assert!(!tokens.is_empty(), "the session still works");
}

#[test]
fn each_projector_takes_only_its_own_media() {
    let _serial = serial();
    let wav = audio_file("tones-1s.wav");
    let png = std::fs::read(fixture("test-images.py", &[], "images").join("gradient.png")).unwrap();
    let image = NamedTensor::new("image.0", Tensor::bytes(png));
    let prompt = || {
        let [prompt, config] = placed(PROMPT);
        vec![text("op", "prompt"), prompt, config]
    };
    let mut audio_only = session(Some(projector()));
    let (status, _) = call(&mut audio_only, [prompt(), vec![image.clone()]].concat());
    assert_eq!(status["error"]["code"], "unsupported", "{status}");
    let vision = fixture("tiny-mmproj.py", &[], "tiny-mmproj.gguf");
    let mut vision_only = session(Some(vision));
    let (status, _) = call(&mut vision_only, [prompt(), vec![audio(0, wav.clone())]].concat());
    assert_eq!(status["error"]["code"], "unsupported", "{status}");
    let mut text_only = session(None);
    let (status, _) = call(&mut text_only, [prompt(), vec![audio(0, wav.clone())]].concat());
    assert_eq!(status["error"]["code"], "unsupported", "{status}");
    // One medium under both names is a mistake, not a choice.
    let (status, _) = call(&mut audio_only, [prompt(), vec![audio(0, wav), image]].concat());
    assert_eq!(status["error"]["code"], "invalid-input", "{status}");
}
