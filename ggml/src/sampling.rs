//! The sampler chain, built from the `config` tensor of a `prompt` operation.
//! The component validates options for the user's sake; the backend validates
//! again because it cannot trust its caller.

use crate::error::ProfileError;
use llama_cpp_2::model::LlamaModel;
use llama_cpp_2::sampling::LlamaSampler;
use llama_cpp_2::token::LlamaToken;
use serde::Deserialize;

/// llama.cpp's "pick a random seed" value.
const RANDOM_SEED: u32 = 0xFFFF_FFFF;

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct SamplingConfig {
    #[serde(default = "defaults::temperature")]
    pub temp: f32,
    #[serde(default = "defaults::top_k")]
    pub top_k: u32,
    #[serde(default = "defaults::top_p")]
    pub top_p: f32,
    #[serde(default = "defaults::min_p")]
    pub min_p: f32,
    #[serde(default = "defaults::repeat_penalty")]
    pub repeat_penalty: f32,
    #[serde(default = "defaults::repeat_last_n")]
    pub repeat_last_n: u32,
    #[serde(default)]
    pub seed: Option<u32>,
    #[serde(default)]
    pub grammar: Option<String>,
    /// Let the tokenizer add BOS and the like (false when a chat template already did).
    #[serde(default = "defaults::yes")]
    pub add_special: bool,
    /// Parse special-token text (`<start_of_turn>`) into special tokens.
    #[serde(default = "defaults::yes")]
    pub parse_special: bool,
}

mod defaults {
    pub fn temperature() -> f32 {
        0.8
    }
    pub fn top_k() -> u32 {
        40
    }
    pub fn top_p() -> f32 {
        0.95
    }
    pub fn min_p() -> f32 {
        0.05
    }
    pub fn repeat_penalty() -> f32 {
        1.0
    }
    pub fn repeat_last_n() -> u32 {
        64
    }
    pub fn yes() -> bool {
        true
    }
}

impl SamplingConfig {
    pub fn parse(json: &[u8]) -> Result<Self, ProfileError> {
        let json = if json.is_empty() { b"{}".as_slice() } else { json };
        let config: Self = serde_json::from_slice(json)
            .map_err(|e| ProfileError::invalid_input(format!("bad generation config: {e}")))?;
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> Result<(), ProfileError> {
        let check = |ok: bool, m: &str| if ok { Ok(()) } else { Err(ProfileError::invalid_input(m.to_string())) };
        check(self.temp.is_finite() && (0.0..=100.0).contains(&self.temp), "temperature must be between 0 and 100")?;
        check(self.top_p.is_finite() && (0.0..=1.0).contains(&self.top_p), "top-p must be between 0 and 1")?;
        check(self.min_p.is_finite() && (0.0..=1.0).contains(&self.min_p), "min-p must be between 0 and 1")?;
        check(
            self.repeat_penalty.is_finite() && self.repeat_penalty > 0.0 && self.repeat_penalty <= 10.0,
            "repeat-penalty must be above 0 and at most 10",
        )?;
        check(self.top_k <= 1_000_000, "top-k must be at most 1000000")?;
        check(self.repeat_last_n <= 1_000_000, "repeat-last-n must be at most 1000000")?;
        Ok(())
    }

    /// The chain llama.cpp's own tools use, in their order: grammar, penalties,
    /// then either greedy (temperature 0) or top-k, top-p, min-p, temperature, dist.
    /// `history` primes the repeat penalty with the tokens already in context.
    pub fn build(&self, model: &LlamaModel, history: &[LlamaToken]) -> Result<LlamaSampler, ProfileError> {
        let mut chain = Vec::new();
        if let Some(grammar) = &self.grammar {
            let sampler = LlamaSampler::grammar(model, grammar, "root")
                .map_err(|e| ProfileError::invalid_input(format!("grammar does not parse (llama.cpp GBNF): {e}")))?;
            chain.push(sampler);
        }
        if self.repeat_penalty != 1.0 {
            let mut penalties =
                LlamaSampler::penalties(model.n_vocab(), self.repeat_last_n as i32, self.repeat_penalty, 0.0, 0.0);
            let tail = history.len().saturating_sub(self.repeat_last_n as usize);
            penalties.accept_many(&history[tail..]);
            chain.push(penalties);
        }
        if self.temp <= 0.0 {
            chain.push(LlamaSampler::greedy());
        } else {
            if self.top_k > 0 {
                chain.push(LlamaSampler::top_k(self.top_k as i32));
            }
            chain.push(LlamaSampler::top_p(self.top_p, 1));
            chain.push(LlamaSampler::min_p(self.min_p, 1));
            chain.push(LlamaSampler::temp(self.temp));
            chain.push(LlamaSampler::dist(self.seed.unwrap_or(RANDOM_SEED)));
        }
        Ok(LlamaSampler::chain_simple(chain))
    }
}
