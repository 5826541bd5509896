//! Continuous batching, measured without a server: 1, 4 and 8 sessions of one
//! engine (`parallel` = the number of sessions), each on a thread of its own,
//! start together and stream the bench's generation; the table gives the
//! aggregate generated tokens/s, the median and slowest time to first token,
//! and the scaling from one session, for exact and fast batching, after the
//! same loop over llama.cpp alone. A server's own cost is what it adds to these figures.

use crate::measure::{median, Settings};
use inf_wasi::{Batching, Engine, GenerateOptions};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

/// One concurrent run: aggregate tok/s and each session's time to first token (ms).
fn run(s: &Settings, sessions: usize, batching: Batching) -> (f64, Vec<f64>) {
    let engine = Engine::builder()
        .model("m", &s.model)
        .threads(s.threads)
        .context_size(512)
        .parallel(sessions as u32)
        .batching(batching)
        .build()
        .expect("an engine");
    engine.model_info("m").expect("the model loads");
    let engine = Arc::new(engine);
    // Short prompts that differ, as independent users' would.
    let prompts =
        ["Tell me about the sea.", "Write a poem about trees.", "Explain how rain forms.", "Describe a city at night."];
    let start = Arc::new(Barrier::new(sessions + 1));
    let threads: Vec<_> = (0..sessions)
        .map(|i| {
            let (engine, start) = (engine.clone(), start.clone());
            let prompt = format!("{} ({i})", prompts[i % prompts.len()]);
            let options = GenerateOptions::greedy().max_tokens(s.gen_tokens);
            std::thread::spawn(move || {
                let mut session = engine.session("m").expect("a session");
                start.wait();
                let begun = Instant::now();
                let mut first = None;
                let mut stream = session.stream(&prompt, &options).expect("a stream");
                for piece in &mut stream {
                    piece.expect("a piece");
                    first.get_or_insert_with(|| begun.elapsed());
                }
                let generated = stream.completion().expect("a completion").usage.completion_tokens;
                (generated, first.unwrap_or_default())
            })
        })
        .collect();
    start.wait();
    let (steps_before, jobs_before) = inf_wasi_ggml::batching_stats();
    let (decodes_before, decoding_before) = inf_wasi_ggml::decode_clock();
    let begun = Instant::now();
    let results: Vec<(u32, Duration)> = threads.into_iter().map(|t| t.join().expect("a session thread")).collect();
    let wall = begun.elapsed().as_secs_f64();
    let tokens: u32 = results.iter().map(|(n, _)| n).sum();
    let (steps, jobs) = inf_wasi_ggml::batching_stats();
    let (decodes, decoding) = inf_wasi_ggml::decode_clock();
    eprintln!(
        "{sessions} sessions, {batching:?}: {} jobs in {} decode steps; {} generation steps took {:.0} ms of {:.0} ms",
        jobs - jobs_before,
        steps - steps_before,
        decodes - decodes_before,
        (decoding - decoding_before).as_secs_f64() * 1e3,
        wall * 1e3
    );
    (tokens as f64 / wall, results.iter().map(|(_, ttft)| ttft.as_secs_f64() * 1e3).collect())
}

pub fn print_table(s: &Settings) {
    println!(
        "concurrent sessions of one engine ({} thread(s), {} tokens each, best of 2 rounds):",
        s.threads, s.gen_tokens
    );
    println!(
        "{:<8} {:>8} {:>14} {:>12} {:>12} {:>10}",
        "batching", "sessions", "aggregate t/s", "TTFT med ms", "TTFT max ms", "vs 1"
    );
    let only: Option<usize> = std::env::var("BENCH_SESSIONS").ok().and_then(|v| v.parse().ok());
    // "bare": llama.cpp alone, llama-batched-bench's loop over llama-cpp-2 (prompts together, then one row per sequence a step).
    let mut one = f64::NAN;
    for sessions in [1, 4, 8].into_iter().filter(|n| only.is_none_or(|o| o == *n)) {
        let rate = crate::bare_batched::run(s, sessions).0.max(crate::bare_batched::run(s, sessions).0);
        if sessions == 1 {
            one = rate;
        }
        println!("{:<8} {sessions:>8} {rate:>14.1} {:>12} {:>12} {:>9.2}x", "bare", "-", "-", rate / one);
    }
    for batching in [Batching::Exact, Batching::Fast] {
        let mut one = f64::NAN;
        for sessions in [1, 4, 8].into_iter().filter(|n| only.is_none_or(|o| o == *n)) {
            let rounds = [run(s, sessions, batching), run(s, sessions, batching)];
            let (rate, mut ttft) = rounds.into_iter().max_by(|a, b| a.0.total_cmp(&b.0)).expect("two rounds");
            if sessions == 1 {
                one = rate;
            }
            let slowest = ttft.iter().cloned().fold(0.0, f64::max);
            println!(
                "{:<8} {sessions:>8} {rate:>14.1} {:>12.0} {slowest:>12.0} {:>9.2}x",
                format!("{batching:?}").to_lowercase(),
                median(&mut ttft),
                rate / one
            );
        }
    }
}
