//! What running a pipeline as a plugin costs over making the same calls
//! directly, through the Rust host: the example plugin (examples/plugins/rust:
//! a greedy 12-token completion, then a 24-token chat held to a JSON schema,
//! each on a new session) against the same two calls made through the
//! binding. Also the one-time cost of loading the plugin (composing it with
//! the engine component and compiling the result, or reading what an earlier
//! process compiled from the cache folder: point INF_WASI_CACHE at an empty one,
//! holding a link to the models folder, to measure the compilation).
//!
//!     cargo build --release --locked --workspace && target/release/plugin_overhead
//!
//! BENCH_THREADS (2), BENCH_RUNS (7) and BENCH_PLUGIN (`rust-pipeline`, or `python-pipeline`: the
//! same calls from examples/plugins/python, which ci/plugins.sh builds); medians. Model: the default
//! model (Gemma 3 270M).

use inf_wasi::{Engine, GenerateOptions, Message};
use std::path::PathBuf;
use std::time::{Duration, Instant};

fn env(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The example plugin's two calls, made directly.
fn directly(engine: &Engine, text: &str) {
    let completion =
        engine.session("gemma").unwrap().complete(text, &GenerateOptions::greedy().max_tokens(12)).unwrap();
    let schema = r#"{"type":"object","properties":{"topic":{"enum":["science","cooking","sports","other"]}},"required":["topic"]}"#;
    let question =
        format!("Which topic is this about: science, cooking, sports or other?\n\n{text}{}", completion.text);
    let options = GenerateOptions::greedy().max_tokens(24).json_schema(schema);
    engine.session("gemma").unwrap().chat(&[Message::user(question)], &options).unwrap();
}

fn main() {
    let threads = env("BENCH_THREADS", 2) as u32;
    let runs = env("BENCH_RUNS", 7);
    let engine = Engine::builder().model("gemma", inf_wasi::default_model_path()).threads(threads).build().unwrap();
    let name = std::env::var("BENCH_PLUGIN").unwrap_or_else(|_| "rust-pipeline".into());
    let file = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("../target/inf-wasi-plugins/{name}.wasm"));
    let text = "Water boils at";
    directly(&engine, text); // loads the model
    let started = Instant::now();
    let plugin = engine.plugin(&file).unwrap();
    let load = started.elapsed();
    let input = format!(r#"{{"model": "gemma", "text": "{text}"}}"#);
    let (mut direct, mut plugged) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        let started = Instant::now();
        directly(&engine, text);
        direct.push(started.elapsed());
        let started = Instant::now();
        assert!(plugin.run(&input).unwrap().output.is_ok());
        plugged.push(started.elapsed());
    }
    let (direct, plugged) = (median(direct), median(plugged));
    println!("plugin overhead ({threads} threads, {runs} runs, medians), Gemma 3 270M, {name}");
    println!("| | ms |");
    println!("|---|---|");
    println!(
        "| loading the plugin (compose, then compile or read the compiled code from the cache folder), once | {:.0} |",
        ms(load)
    );
    println!("| the two calls made directly | {:.1} |", ms(direct));
    println!("| the same through the plugin (a fresh instance per call) | {:.1} |", ms(plugged));
    println!("| overhead per call | {:.1} ({:.2}x) |", ms(plugged) - ms(direct), ms(plugged) / ms(direct));
}
