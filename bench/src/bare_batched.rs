//! llama-batched-bench's measurement over llama-cpp-2, with nothing of ours:
//! N sequences in one context (a cache per sequence, as the backend's shared
//! contexts have), the prompts decoded together, then every step one decode
//! of one row per sequence, greedy. The ceiling of the backend's fast batching.

use crate::measure::Settings;
use llama_cpp_2::context::params::LlamaContextParams;
use llama_cpp_2::llama_batch::LlamaBatch;
use llama_cpp_2::model::params::LlamaModelParams;
use llama_cpp_2::model::LlamaModel;
use llama_cpp_2::token::LlamaToken;
use std::num::NonZeroU32;
use std::time::{Duration, Instant};

/// Aggregate generated tokens/s and the mean time of one generation step, ms.
pub fn run(s: &Settings, sequences: usize) -> (f64, f64) {
    let backend = inf_wasi_ggml::llama_backend().expect("llama.cpp initialises");
    let model = LlamaModel::load_from_file(backend, &s.model, &LlamaModelParams::default()).expect("the model loads");
    let params = LlamaContextParams::default()
        .with_n_ctx(NonZeroU32::new(512 * sequences as u32))
        .with_n_batch(512)
        .with_n_threads(s.threads as i32)
        .with_n_threads_batch(s.threads as i32)
        .with_n_seq_max(sequences as u32)
        .with_kv_unified(false);
    let mut ctx = model.new_context(backend, params).expect("a context");
    let vocab = model.vocab();
    let argmax = |logits: &[f32]| {
        let best = (0..logits.len()).max_by(|&a, &b| logits[a].total_cmp(&logits[b])).expect("logits");
        LlamaToken::new(best as i32)
    };
    let begun = Instant::now();
    let mut batch = LlamaBatch::new(512, sequences as i32);
    let prompts: Vec<Vec<LlamaToken>> = (0..sequences)
        .map(|seq| vocab.tokenize(format!("Reader {seq} asks: {}", s.prompt()).as_bytes(), true, true))
        .collect();
    // The prompts together, as many whole ones per decode as fit in a batch.
    let mut next = vec![LlamaToken::new(0); sequences];
    let mut seq = 0;
    while seq < sequences {
        batch.clear();
        let mut last_rows = Vec::new();
        while seq < sequences && (last_rows.is_empty() || batch.n_tokens() as usize + prompts[seq].len() <= 512) {
            batch.add_sequence(&prompts[seq], seq as i32, false).expect("a prompt batch");
            last_rows.push((seq, batch.n_tokens() - 1));
            seq += 1;
        }
        ctx.decode(&mut batch).expect("the prompts decode");
        for (seq, row) in last_rows {
            next[seq] = argmax(ctx.get_logits_ith(row));
        }
    }
    let mut positions: Vec<i32> = prompts.iter().map(|p| p.len() as i32).collect();
    let mut stepping = Duration::ZERO;
    for _ in 0..s.gen_tokens {
        batch.clear();
        for seq in 0..sequences {
            batch.add(next[seq], positions[seq], &[seq as i32], true).expect("a row");
            positions[seq] += 1;
        }
        let step = Instant::now();
        ctx.decode(&mut batch).expect("a step decodes");
        stepping += step.elapsed();
        for (seq, token) in next.iter_mut().enumerate() {
            *token = argmax(ctx.get_logits_ith(seq as i32));
        }
    }
    let tokens = (sequences as u32 * (s.gen_tokens + 1)) as f64;
    (tokens / begun.elapsed().as_secs_f64(), stepping.as_secs_f64() * 1e3 / s.gen_tokens as f64)
}
