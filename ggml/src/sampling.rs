//! How the next token is chosen, from a `prompt`'s [`SamplingConfig`]: llama.cpp's
//! sampler chain, or for plain greedy decoding an argmax over the logits. The
//! component checks options for the user's sake; the backend checks the request
//! again (the same table, `inf_wasi_profile::Bound`) because it cannot trust its caller.

use crate::error::ProfileError;
use inf_wasi_profile::SamplingConfig;
use llama_cpp_2::model::LlamaModel;
use llama_cpp_2::sampling::LlamaSampler;
use llama_cpp_2::token::data::LlamaTokenData;
use llama_cpp_2::token::data_array::LlamaTokenDataArray;
use llama_cpp_2::token::LlamaToken;

/// llama.cpp's "pick a random seed" value.
const RANDOM_SEED: u32 = 0xFFFF_FFFF;

/// Chooses each next token of a generation: a choice (greedy, or llama.cpp's
/// chain of penalties and random sampling) and, for structured output, a grammar.
///
/// The grammar is checked against the choice first and applied to the whole
/// vocabulary only when it refuses it (what llama.cpp's own tools do): applying
/// it to every candidate is the dear part, 262,144 of them for Gemma 3, and the
/// model's favourite usually fits. Greedy, that is the token the grammar-first
/// chain picks; sampling, the rejected draw is redrawn from the masked candidates,
/// which leaves the distribution the masked one.
pub struct TokenPicker {
    grammar: Option<LlamaSampler>,
    choice: Choice,
}

enum Choice {
    /// Greedy with no penalty: the first largest logit, which is llama.cpp's
    /// greedy choice. Its chain would first copy every logit into a candidate
    /// array and then scan that, on one thread between two decodes: about 0.9 ms
    /// a token here, 1.6% of one-thread generation.
    Argmax,
    /// Penalties, then greedy or top-k, top-p, min-p, temperature and a draw.
    Chain(LlamaSampler),
}

impl TokenPicker {
    /// The picker for `config`; `history` primes the repeat penalty with the
    /// tokens already in context.
    pub fn new(config: &SamplingConfig, model: &LlamaModel, history: &[LlamaToken]) -> Result<Self, ProfileError> {
        config.validate()?;
        let grammar = config.grammar.as_deref().map(|gbnf| {
            let sampler = if config.grammar_triggers.is_empty() {
                LlamaSampler::grammar(model, gbnf, "root")
            } else {
                let patterns: Vec<String> = config.grammar_triggers.iter().map(|word| trigger_pattern(word)).collect();
                LlamaSampler::grammar_lazy_patterns(model, gbnf, "root", &patterns, &[])
            };
            sampler.map_err(|e| ProfileError::invalid_input(format!("grammar does not parse (llama.cpp GBNF): {e}")))
        });
        let grammar = grammar.transpose()?;
        let choice = if config.temperature <= 0.0 && config.repeat_penalty == 1.0 {
            Choice::Argmax
        } else {
            Choice::Chain(sampler_chain(config, model, history))
        };
        Ok(Self { grammar, choice })
    }

    /// The next token, from the logits of the position it follows.
    pub fn pick(&mut self, logits: &[f32]) -> LlamaToken {
        let mut token = self.choice.choose(logits, None);
        if let Some(grammar) = self.grammar.as_mut() {
            if !allows(grammar, token) {
                token = self.choice.choose(logits, Some(grammar));
            }
            grammar.accept(token);
        }
        if let Choice::Chain(chain) = &mut self.choice {
            chain.accept(token);
        }
        token
    }
}

impl Choice {
    /// The choice among all tokens, or among those `grammar` allows.
    fn choose(&mut self, logits: &[f32], grammar: Option<&mut LlamaSampler>) -> LlamaToken {
        if let (Choice::Argmax, None) = (&*self, &grammar) {
            return LlamaToken(first_max(logits) as i32);
        }
        let candidates =
            logits.iter().enumerate().map(|(id, &logit)| LlamaTokenData::new(LlamaToken(id as i32), logit, 0.0));
        let mut candidates = LlamaTokenDataArray::from_iter(candidates, false);
        if let Some(grammar) = grammar {
            grammar.apply(&mut candidates);
        }
        match self {
            Choice::Argmax => {
                let logits: Vec<f32> = candidates.data.iter().map(LlamaTokenData::logit).collect();
                candidates.data[first_max(&logits)].id()
            }
            Choice::Chain(chain) => {
                chain.apply(&mut candidates);
                candidates.selected_token().expect("a sampler chain ends in a choice")
            }
        }
    }
}

/// The lazy grammar's pattern for a trigger `word`: the output so far *ends*
/// with it. llama.cpp replays the output from the trigger's start into the
/// grammar, and a piece the grammar refuses there throws (an abort across the C
/// API). Ending at the word, the replay is the word alone, which every tools
/// grammar starts with; a token that runs past the word never triggers, and the
/// output stays unconstrained text for the component to parse or keep.
fn trigger_pattern(word: &str) -> String {
    let mut pattern = String::from("(");
    for c in word.chars() {
        if "\\^$.|?*+()[]{}/".contains(c) {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push_str(")$");
    pattern
}

/// Whether `grammar` lets `token` come next (it masks refused tokens to -inf).
fn allows(grammar: &mut LlamaSampler, token: LlamaToken) -> bool {
    let mut one = LlamaTokenDataArray::new(vec![LlamaTokenData::new(token, 0.0, 0.0)], false);
    grammar.apply(&mut one);
    one.data[0].logit() != f32::NEG_INFINITY
}

/// The index of the first largest value (0 when none is larger than -inf; a NaN
/// never wins). Sixteen lanes, each keeping its own first maximum, so that the
/// compiler vectorises the scan; the lanes then agree on the largest value at
/// the lowest index.
fn first_max(values: &[f32]) -> usize {
    const LANES: usize = 16;
    let mut best = [f32::NEG_INFINITY; LANES];
    let mut at = [0usize; LANES];
    let chunks = values.chunks_exact(LANES);
    let tail_start = values.len() - chunks.remainder().len();
    for (c, chunk) in chunks.enumerate() {
        for lane in 0..LANES {
            if chunk[lane] > best[lane] {
                best[lane] = chunk[lane];
                at[lane] = c * LANES + lane;
            }
        }
    }
    let mut winner = (f32::NEG_INFINITY, 0);
    let lanes = (0..LANES).map(|lane| (best[lane], at[lane]));
    for (value, index) in lanes.chain((tail_start..values.len()).map(|i| (values[i], i))) {
        if value > winner.0 || (value == winner.0 && value > f32::NEG_INFINITY && index < winner.1) {
            winner = (value, index);
        }
    }
    winner.1
}

/// The chain llama.cpp's own tools use, in their order, less the grammar (which
/// [`TokenPicker`] applies): penalties, then either greedy (temperature 0) or
/// top-k, top-p, min-p, temperature, dist.
fn sampler_chain(config: &SamplingConfig, model: &LlamaModel, history: &[LlamaToken]) -> LlamaSampler {
    let mut chain = Vec::new();
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
    LlamaSampler::chain_simple(chain)
}

#[cfg(test)]
mod tests {
    use super::first_max;

    /// What llama.cpp's greedy sampler does: the first index whose value no later one exceeds.
    fn reference(values: &[f32]) -> usize {
        let mut best = 0;
        for i in 1..values.len() {
            if values[i] > values[best] {
                best = i;
            }
        }
        best
    }

    #[test]
    fn agrees_with_a_plain_scan_on_ties_and_odd_lengths() {
        let mut seed = 7u64;
        let mut next = || {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            // Few distinct values, so ties are common, and the largest may be anywhere.
            ((seed >> 33) % 9) as f32 - 4.0
        };
        for len in [1, 2, 15, 16, 17, 31, 33, 100, 1000, 262_144] {
            for _ in 0..20 {
                let values: Vec<f32> = (0..len).map(|_| next()).collect();
                assert_eq!(first_max(&values), reference(&values), "{len} values");
            }
        }
    }

    #[test]
    fn infinite_and_empty_inputs() {
        assert_eq!(first_max(&[]), 0);
        assert_eq!(first_max(&[f32::NEG_INFINITY; 40]), 0);
        let mut values = vec![f32::NEG_INFINITY; 40];
        values[37] = f32::INFINITY;
        values[39] = f32::INFINITY;
        assert_eq!(first_max(&values), 37);
    }
}
