//! What a chat's follow-up turn costs after a turn with an image or audio, in
//! the same session (its cache holds the conversation, media included: only the
//! new turn is evaluated) against a fresh session given the whole conversation
//! (every medium encoded again, every token evaluated again). The default Gemma 3
//! 270M with the tests' tiny random-weight projectors (tests/fixtures), whose
//! encoders are tiny: with a real projector, what reuse saves per medium is its
//! encoder's time as well.
//!
//!     cargo build --release --locked --workspace && target/release/media_followup
//!
//! BENCH_THREADS (2), BENCH_RUNS (5); medians; the follow-up generates one token,
//! so the times are the prompt's.

use inf_wasi::{ContentPart, Engine, GenerateOptions, Message};
use std::time::Instant;

mod support;
use support::{env, fixture, median};

fn main() {
    let (threads, runs) = (env("BENCH_THREADS", 2) as u32, env("BENCH_RUNS", 5));
    let model = inf_wasi::default_model_path();
    let engine = Engine::builder()
        .model_with_projector("vision", &model, fixture("tiny-mmproj.py", "tiny-mmproj.gguf"))
        .model_with_projector("audio", &model, fixture("tiny-audio-mmproj.py", "tiny-audio-mmproj.gguf"))
        .threads(threads)
        .context_size(1024)
        .build()
        .unwrap();
    let (images, audio) = (fixture("test-images.py", "images"), fixture("test-audio.py", "audio"));
    let media = [
        ("an image (gradient.png)", "vision", ContentPart::Image(std::fs::read(images.join("gradient.png")).unwrap())),
        ("1 s of audio", "audio", ContentPart::Audio(std::fs::read(audio.join("tones-1s.wav")).unwrap())),
        ("29 s of audio", "audio", ContentPart::Audio(std::fs::read(audio.join("tones-29s.wav")).unwrap())),
    ];
    let (reply, one) = (GenerateOptions::greedy().max_tokens(16), GenerateOptions::greedy().max_tokens(1));
    println!(
        "a follow-up turn after a medium ({threads} threads, {runs} runs, medians), Gemma 3 270M, tiny projectors"
    );
    println!("| medium | follow-up's prompt tokens | cached in the same session | same session, ms | fresh session, ms | ratio |");
    println!("|---|---|---|---|---|---|");
    for (what, name, part) in media {
        let asked = Message::user_with_parts("What is this? ", [part]);
        let follow_up = Message::user("Tell me more about it, please.");
        let (mut same, mut fresh, mut counts) = (Vec::new(), Vec::new(), (0, 0));
        for _ in 0..runs {
            let mut session = engine.session(name).unwrap();
            let first = session.chat(std::slice::from_ref(&asked), &reply).unwrap();
            let started = Instant::now();
            let second = session.chat(std::slice::from_ref(&follow_up), &one).unwrap();
            same.push(started.elapsed().as_secs_f64() * 1000.0);
            counts = (second.usage.prompt_tokens, second.usage.cached_tokens);
            let conversation = [asked.clone(), Message::assistant(first.text), follow_up.clone()];
            let mut new = engine.session(name).unwrap();
            let started = Instant::now();
            new.chat(&conversation, &one).unwrap();
            fresh.push(started.elapsed().as_secs_f64() * 1000.0);
        }
        let (same, fresh) = (median(same), median(fresh));
        println!("| {what} | {} | {} | {same:.0} | {fresh:.0} | {:.2}x |", counts.0, counts.1, fresh / same);
    }
}
