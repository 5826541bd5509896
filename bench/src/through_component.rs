//! The same work through the component with the Rust host.

use crate::measure::{median, peak_rss_mib, Sample, Settings};
use inf_wasi::Engine;
use std::time::Instant;

pub fn run(s: &Settings) -> Sample {
    let trace = |stage: &str| {
        if std::env::var_os("BENCH_TRACE").is_some() {
            eprintln!("{stage}: peak {:.1} MiB, now {:.1} MiB", peak_rss_mib(), crate::measure::rss_mib())
        }
    };
    trace("start");
    let engine = Engine::builder().model("m", &s.model).threads(s.threads).context_size(s.context).build().unwrap();
    trace("engine built (component compiled)");
    engine.model_info("m").unwrap(); // load the weights, as the native row does before timing
    trace("model loaded");
    // One untimed session first: the first allocations are page faults, not session cost.
    drop(engine.session("m").unwrap());
    let mut session_ms = Vec::new();
    for _ in 0..10 {
        let t = Instant::now();
        let session = engine.session("m").unwrap();
        session_ms.push(t.elapsed().as_secs_f64() * 1e3);
        drop(session);
    }
    trace("sessions made");
    let mut session = engine.session("m").unwrap();
    let options = crate::sampling::Sampling::from_env().options(s.gen_tokens);
    let prompt = s.prompt();

    // complete-stream evaluates the prompt before it returns: that is the prompt-processing boundary.
    let start = Instant::now();
    let mut stream = session.stream(&prompt, &options).unwrap();
    let prompt_done = start.elapsed();
    let mut first = None;
    for piece in &mut stream {
        piece.unwrap();
        first.get_or_insert_with(|| start.elapsed());
    }
    let total = start.elapsed();
    trace("generated");
    let completion = stream.completion().unwrap().clone();
    let first = first.unwrap_or(total);
    let generated = completion.usage.completion_tokens;
    Sample {
        prompt_tokens: completion.usage.prompt_tokens as f64,
        generated: generated as f64,
        pp: completion.usage.prompt_tokens as f64 / prompt_done.as_secs_f64(),
        tg: (generated.saturating_sub(1)) as f64 / (total - first).as_secs_f64(),
        ttft_ms: first.as_secs_f64() * 1e3,
        session_ms: median(&mut session_ms),
        peak_rss_mib: peak_rss_mib(),
        decode_tg: f64::NAN, // from the decode clock's report as this process exits
    }
}
