//! The ceiling: llama.cpp through llama-cpp-2 in a tight loop, no component,
//! measured at the same boundaries as the component row.

use crate::measure::{median, peak_rss_mib, Sample, Settings};
use llama_cpp_2::context::params::LlamaContextParams;
use llama_cpp_2::llama_batch::LlamaBatch;
use llama_cpp_2::model::params::LlamaModelParams;
use llama_cpp_2::model::LlamaModel;
use std::num::NonZeroU32;
use std::time::Instant;

pub fn run(s: &Settings) -> Sample {
    let backend = inf_wasi_ggml::llama_backend().unwrap();
    let model = LlamaModel::load_from_file(backend, &s.model, &LlamaModelParams::default()).unwrap();
    let params = || {
        LlamaContextParams::default()
            .with_n_ctx(NonZeroU32::new(s.context))
            .with_n_batch(512)
            .with_n_threads(s.threads as i32)
            .with_n_threads_batch(s.threads as i32)
    };
    // One untimed context first: the first allocations are page faults, not session cost.
    drop(model.new_context(backend, params()).unwrap());
    let mut session_ms = Vec::new();
    for _ in 0..10 {
        let t = Instant::now();
        let ctx = model.new_context(backend, params()).unwrap();
        session_ms.push(t.elapsed().as_secs_f64() * 1e3);
        drop(ctx);
    }
    let mut ctx = model.new_context(backend, params()).unwrap();
    let vocab = model.vocab();
    let mut sampler = crate::sampling::Sampling::from_env().native_sampler(&model);
    let mut batch = LlamaBatch::new(512, 1);

    // Tokenizing is inside the timed region, as it is inside the component's prompt call.
    let start = Instant::now();
    let prompt = vocab.tokenize(s.prompt().as_bytes(), true, true);
    batch.add_sequence(&prompt, 0, false).unwrap();
    ctx.decode(&mut batch).unwrap();
    let prompt_done = start.elapsed();
    let mut pos = prompt.len() as i32;
    let mut generated = 0u32;
    let mut first = None;
    let mut decoding = std::time::Duration::ZERO;
    while generated < s.gen_tokens {
        let token = sampler.sample(&ctx, -1);
        if vocab.is_eog(token) {
            break;
        }
        let _piece = vocab.token_to_piece(token, false, None);
        batch.clear();
        batch.add(token, pos, &[0], true).unwrap();
        let decode_start = Instant::now();
        ctx.decode(&mut batch).unwrap();
        decoding += decode_start.elapsed();
        pos += 1;
        generated += 1;
        first.get_or_insert_with(|| start.elapsed());
    }
    let total = start.elapsed();
    let first = first.unwrap_or(total);
    Sample {
        prompt_tokens: prompt.len() as f64,
        generated: generated as f64,
        pp: prompt.len() as f64 / prompt_done.as_secs_f64(),
        tg: (generated.saturating_sub(1)) as f64 / (total - first).as_secs_f64(),
        ttft_ms: first.as_secs_f64() * 1e3,
        session_ms: median(&mut session_ms),
        peak_rss_mib: peak_rss_mib(),
        decode_tg: generated as f64 / decoding.as_secs_f64(),
    }
}
