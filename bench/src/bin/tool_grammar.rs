//! What holding generation to tool calls costs per token, through the Rust host:
//! the same chat (the tools described in the prompt) with `tool-choice` `none`
//! (no grammar), `required` (the calls' grammar from the first token; parallel
//! calls, so the model goes on calling up to max-tokens) and `auto` (the same
//! grammar, lazy: it waits for the format's trigger). For each, the time per
//! generated token that is not llama.cpp's decode (the decode clock,
//! ggml/src/decode_clock.rs), less the prompt's cost (the same prompt in every
//! setting: the median of one-token runs); the grammar's cost is the
//! difference from `none`.
//!
//!     cargo run --release --locked --workspace --bin tool_grammar
//!
//! BENCH_THREADS (2), BENCH_RUNS (5) and BENCH_TOKENS (256, tokens per answer); medians. Models: the default chat
//! model (SmolLM2-135M-Instruct, 49,152 tokens) and the default model (Gemma 3
//! 270M, 262,144 tokens), whose templates know no tools (the fallback format).

use inf_wasi::{Engine, GenerateOptions, Message, Tool, ToolChoice};
use inf_wasi_ggml::decode_clock;
use std::time::{Duration, Instant};

mod support;
use support::{env, median};

fn options(choice: ToolChoice, max_tokens: u32) -> GenerateOptions {
    let weather = Tool::function("get_weather").description("The current weather in a city.").parameters(
        r#"{"type": "object", "properties": {"city": {"type": "string", "maxLength": 30},
            "unit": {"enum": ["celsius", "fahrenheit"]}}, "required": ["city", "unit"]}"#,
    );
    GenerateOptions::greedy().max_tokens(max_tokens).tool(weather).tool_choice(choice)
}

/// One chat on a fresh session: wall time, decode time, tokens generated.
fn chat(engine: &Engine, options: &GenerateOptions) -> (Duration, Duration, u32) {
    let mut session = engine.session("chat").unwrap();
    let question = [Message::user("What is the weather in Paris? Then tell me about the city.")];
    let (_, decoding_before) = decode_clock();
    let started = Instant::now();
    let completion = session.chat(&question, options).unwrap();
    let wall = started.elapsed();
    (wall, decode_clock().1 - decoding_before, completion.usage.completion_tokens)
}

fn main() {
    let (threads, runs, max_tokens) = (env("BENCH_THREADS", 2), env("BENCH_RUNS", 5), env("BENCH_TOKENS", 256) as u32);
    let models = [inf_wasi::default_chat_model(), inf_wasi::default_model()];
    println!("tool-call grammar cost per generated token ({threads} threads, {runs} runs, medians)");
    println!("| model | tool-choice | tokens | ms per token | not decode, µs per token | grammar, µs per token | share of a token |");
    println!("|---|---|---|---|---|---|---|");
    for model in models {
        let path = inf_wasi::cached_model_path(&model.name);
        let engine = Engine::builder().model("chat", path).threads(threads as u32).context_size(2048).build().unwrap();
        chat(&engine, &options(ToolChoice::None, 8)); // warm-up: the model's pages, the instance
                                                      // The prompt and first token alone, in every setting: their median is the prompt's cost.
        let settings = [("none", ToolChoice::None), ("required", ToolChoice::Required), ("auto", ToolChoice::Auto)];
        let ones =
            settings.iter().flat_map(|(_, choice)| (0..runs).map(|_| chat(&engine, &options(choice.clone(), 1))));
        let ones: Vec<_> = ones.collect();
        let prompt = Duration::from_secs_f64(median(ones.iter().map(|(wall, ..)| wall.as_secs_f64()).collect()));
        let first_decode = Duration::from_secs_f64(median(ones.iter().map(|(_, d, _)| d.as_secs_f64()).collect()));
        let mut baseline = None;
        for (name, choice) in settings {
            let (mut per_token, mut outside, mut tokens) = (Vec::new(), Vec::new(), Vec::new());
            for _ in 0..runs {
                let (wall, decode, n) = chat(&engine, &options(choice.clone(), max_tokens));
                let generated = f64::from(n.saturating_sub(1).max(1));
                let generation = wall.saturating_sub(prompt);
                per_token.push(generation.as_secs_f64() * 1e3 / generated);
                let not_decode = generation.as_secs_f64() - (decode.saturating_sub(first_decode)).as_secs_f64();
                outside.push(not_decode * 1e6 / generated);
                tokens.push(f64::from(n));
            }
            let (ms, us) = (median(per_token), median(outside));
            let base = *baseline.get_or_insert(us);
            let cost = us - base;
            println!(
                "| {} | {name} | {:.0} | {ms:.2} | {us:.0} | {} | {} |",
                model.name,
                median(tokens),
                if name == "none" { "–".to_string() } else { format!("{cost:.0}") },
                if name == "none" { "–".to_string() } else { format!("{:.1}%", cost / (ms * 10.0)) },
            );
        }
    }
}
