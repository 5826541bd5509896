//! The sampler chain, built from a `prompt`'s [`SamplingConfig`]. The component
//! checks options for the user's sake; the backend checks the request again
//! (the same table, `inf_wasi_profile::Bound`) because it cannot trust its caller.

use crate::error::ProfileError;
use inf_wasi_profile::SamplingConfig;
use llama_cpp_2::model::LlamaModel;
use llama_cpp_2::sampling::LlamaSampler;
use llama_cpp_2::token::LlamaToken;

/// llama.cpp's "pick a random seed" value.
const RANDOM_SEED: u32 = 0xFFFF_FFFF;

/// The chain llama.cpp's own tools use, in their order: grammar, penalties,
/// then either greedy (temperature 0) or top-k, top-p, min-p, temperature, dist.
/// `history` primes the repeat penalty with the tokens already in context.
pub fn sampler_chain(
    config: &SamplingConfig,
    model: &LlamaModel,
    history: &[LlamaToken],
) -> Result<LlamaSampler, ProfileError> {
    config.validate()?;
    let mut chain = Vec::new();
    if let Some(grammar) = &config.grammar {
        let sampler = LlamaSampler::grammar(model, grammar, "root")
            .map_err(|e| ProfileError::invalid_input(format!("grammar does not parse (llama.cpp GBNF): {e}")))?;
        chain.push(sampler);
    }
    if config.repeat_penalty != 1.0 {
        let mut penalties =
            LlamaSampler::penalties(model.n_vocab(), config.repeat_last_n as i32, config.repeat_penalty, 0.0, 0.0);
        let tail = history.len().saturating_sub(config.repeat_last_n as usize);
        penalties.accept_many(&history[tail..]);
        chain.push(penalties);
    }
    if config.temperature <= 0.0 {
        chain.push(LlamaSampler::greedy());
    } else {
        if config.top_k > 0 {
            chain.push(LlamaSampler::top_k(config.top_k as i32));
        }
        chain.push(LlamaSampler::top_p(config.top_p, 1));
        chain.push(LlamaSampler::min_p(config.min_p, 1));
        chain.push(LlamaSampler::temp(config.temperature));
        chain.push(LlamaSampler::dist(config.seed.unwrap_or(RANDOM_SEED)));
    }
    Ok(LlamaSampler::chain_simple(chain))
}
