//! The reference for correctness: the same llama.cpp (`llama-cpp-2`, the same
//! version and sampler settings) driven directly, with no component and no
//! inf-wasi backend code in between.

use llama_cpp_2::context::params::LlamaContextParams;
use llama_cpp_2::llama_batch::LlamaBatch;
use llama_cpp_2::model::params::LlamaModelParams;
use llama_cpp_2::model::LlamaModel;
use llama_cpp_2::sampling::LlamaSampler;
use std::num::NonZeroU32;
use std::path::Path;

pub struct Greedy {
    pub tokens: Vec<i32>,
    pub text: String,
}

/// Greedy generation of up to `max_tokens` after `prompt` (BOS added, special
/// tokens parsed, as llama.cpp's own `llama-simple` does).
pub fn greedy(model_path: &Path, prompt: &str, max_tokens: usize, n_ctx: u32) -> Greedy {
    let backend = inf_wasi_ggml::llama_backend().unwrap();
    let model = LlamaModel::load_from_file(backend, model_path, &LlamaModelParams::default()).unwrap();
    let params = LlamaContextParams::default()
        .with_n_ctx(NonZeroU32::new(n_ctx))
        .with_n_batch(512)
        .with_n_threads(1)
        .with_n_threads_batch(1);
    let mut ctx = model.new_context(backend, params).unwrap();
    let vocab = model.vocab();
    let prompt_tokens = vocab.tokenize(prompt.as_bytes(), true, true);
    let mut batch = LlamaBatch::new(512, 1);
    batch.add_sequence(&prompt_tokens, 0, false).unwrap();
    ctx.decode(&mut batch).unwrap();
    let mut sampler = LlamaSampler::greedy();
    let mut pos = prompt_tokens.len() as i32;
    let (mut tokens, mut bytes) = (Vec::new(), Vec::new());
    while tokens.len() < max_tokens {
        let token = sampler.sample(&ctx, -1);
        if vocab.is_eog(token) {
            break;
        }
        tokens.push(token.0);
        bytes.extend(vocab.token_to_piece(token, false, None));
        batch.clear();
        batch.add(token, pos, &[0], true).unwrap();
        pos += 1;
        ctx.decode(&mut batch).unwrap();
    }
    Greedy { tokens, text: String::from_utf8_lossy(&bytes).into_owned() }
}
