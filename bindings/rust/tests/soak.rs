//! Load and lifetime: many sessions over one model on several threads give the
//! same greedy answers as serial runs, and memory stays steady over thousands
//! of session create/drop cycles.

mod support;

use inf_wasi::{Engine, GenerateOptions, Message};

const PROMPTS: [&str; 8] = [
    "The capital of France is",
    "Water boils at",
    "The largest planet in the solar system is",
    "A haiku about autumn:",
    "The opposite of hot is",
    "1, 2, 3, 4,",
    "Rust is a programming language that",
    "The color of the sky is",
];

fn answer(engine: &Engine, prompt: &str) -> String {
    let mut session = engine.session("gemma").unwrap();
    let options = GenerateOptions::greedy().max_tokens(8);
    let completion = session.complete(prompt, &options).unwrap().text;
    let chat = session.chat(&[Message::user(prompt)], &options).unwrap().text;
    format!("{completion}|{chat}")
}

#[test]
fn sessions_on_four_threads_answer_as_serial_runs_do() {
    let _serial = support::serial();
    let engine = Engine::builder().model("gemma", support::model_path()).threads(1).context_size(256).build().unwrap();
    let expected: Vec<String> = PROMPTS.iter().map(|p| answer(&engine, p)).collect();
    for round in 0..2 {
        let handles: Vec<_> = (0..4)
            .map(|t| {
                let engine = engine.clone();
                std::thread::spawn(move || {
                    // Each thread takes every fourth prompt, starting at its own.
                    (t..PROMPTS.len()).step_by(4).map(|i| (i, answer(&engine, PROMPTS[i]))).collect::<Vec<_>>()
                })
            })
            .collect();
        for handle in handles {
            for (i, got) in handle.join().expect("no thread panicked") {
                assert_eq!(got, expected[i], "round {round}, prompt {i}");
            }
        }
    }
}

#[test]
fn memory_is_steady_over_thousands_of_sessions() {
    let _serial = support::serial();
    let engine = Engine::builder().model("gemma", support::model_path()).threads(1).context_size(128).build().unwrap();
    let cycle = |n: usize| {
        for _ in 0..n {
            drop(engine.session("gemma").unwrap());
        }
    };
    // Warm up: the weights, the allocator's pools, wasmtime's instance memory.
    cycle(200);
    let before = support::anonymous_rss_bytes();
    let started = std::time::Instant::now();
    cycle(2000);
    let after = support::anonymous_rss_bytes();
    let growth = after as i64 - before as i64;
    eprintln!(
        "2000 session create/drop cycles in {:?}: anonymous RSS {} -> {} MiB ({:+} KiB)",
        started.elapsed(),
        before >> 20,
        after >> 20,
        growth / 1024
    );
    assert!(growth < 16 << 20, "anonymous RSS grew by {growth} bytes over 2000 sessions");
    // Still answering.
    assert!(!answer(&engine, PROMPTS[0]).is_empty());
}
