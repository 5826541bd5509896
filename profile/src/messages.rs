//! The JSON messages: each operation's request (its `config` input) and reply
//! (its `status` output, when it succeeds). A field that may be absent is an
//! `Option` that must still be written, as `null`.

use crate::limits::{MIN_P, REPEAT_LAST_N, REPEAT_PENALTY, TEMPERATURE, TOP_K, TOP_P};
use crate::ProfileError;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use serde::{Deserialize, Serialize};

/// `configure`'s request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Configure {
    /// The session's context size in tokens; `null` for the model's default.
    #[serde(deserialize_with = "Option::deserialize")]
    pub ctx_size: Option<u32>,
}

/// `configure`'s reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Configured {
    pub context_size: u32,
}

/// `[start, end)`: a byte range of a text.
pub type Span = [u32; 2];

/// `tokenize`'s request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenizeConfig {
    /// Let the tokenizer add BOS and the like.
    pub add_special: bool,
    /// Turn special-token text (`<start_of_turn>`) into special tokens.
    pub parse_special: bool,
    /// Where the text is message content rather than a chat template's markup:
    /// special-token text there stays text even with `parse_special`.
    pub literal_spans: Vec<Span>,
}

impl TokenizeConfig {
    pub fn validate(&self) -> Result<(), ProfileError> {
        validate_spans(&self.literal_spans)
    }
}

const MAX_GRAMMAR_TRIGGERS: usize = 16;
const MAX_TRIGGER_BYTES: usize = 256;

/// `prompt`'s request: how to read the prompt and how to sample what follows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SamplingConfig {
    /// 0 is greedy.
    pub temperature: f32,
    /// 0 disables top-k.
    pub top_k: u32,
    pub top_p: f32,
    pub min_p: f32,
    /// 1 is off.
    pub repeat_penalty: f32,
    pub repeat_last_n: u32,
    /// `null` for a random seed.
    #[serde(deserialize_with = "Option::deserialize")]
    pub seed: Option<u32>,
    /// llama.cpp GBNF with a `root` rule; `null` for none.
    #[serde(deserialize_with = "Option::deserialize")]
    pub grammar: Option<String>,
    /// A lazy grammar: it applies only from the first of these words the
    /// output holds (the word itself is its start), and not at all until then.
    /// Empty: the grammar applies from the first token.
    #[serde(default)]
    pub grammar_triggers: Vec<String>,
    /// Let the tokenizer add BOS (false when a chat template wrote it).
    pub add_special: bool,
    /// Turn special-token text into special tokens.
    pub parse_special: bool,
    /// Message content, not markup: see [`TokenizeConfig::literal_spans`].
    pub literal_spans: Vec<Span>,
    /// Where each image goes in the prompt text (byte offsets, in order), one
    /// per `image.N` input: images are placed by position, never by a marker
    /// that message text could imitate.
    pub image_offsets: Vec<u32>,
}

impl Default for SamplingConfig {
    /// The table's defaults ([`crate::Bound::default`]), no seed or grammar,
    /// and special tokens added and parsed.
    fn default() -> Self {
        Self {
            temperature: TEMPERATURE.default,
            top_k: TOP_K.default,
            top_p: TOP_P.default,
            min_p: MIN_P.default,
            repeat_penalty: REPEAT_PENALTY.default,
            repeat_last_n: REPEAT_LAST_N.default,
            seed: None,
            grammar: None,
            grammar_triggers: Vec::new(),
            add_special: true,
            parse_special: true,
            literal_spans: Vec::new(),
            image_offsets: Vec::new(),
        }
    }
}

impl SamplingConfig {
    /// Every value within the table's bounds, and a grammar, if any, not blank.
    pub fn validate(&self) -> Result<(), ProfileError> {
        TEMPERATURE.check(self.temperature)?;
        TOP_K.check(self.top_k)?;
        TOP_P.check(self.top_p)?;
        MIN_P.check(self.min_p)?;
        REPEAT_PENALTY.check(self.repeat_penalty)?;
        REPEAT_LAST_N.check(self.repeat_last_n)?;
        if self.grammar.as_deref().is_some_and(|g| g.trim().is_empty()) {
            return Err(ProfileError::invalid_input("grammar is empty"));
        }
        if !self.grammar_triggers.is_empty() && self.grammar.is_none() {
            return Err(ProfileError::invalid_input("grammar triggers need a grammar"));
        }
        if self.grammar_triggers.len() > MAX_GRAMMAR_TRIGGERS
            || self.grammar_triggers.iter().any(|t| t.is_empty() || t.len() > MAX_TRIGGER_BYTES || t.contains('\0'))
        {
            return Err(ProfileError::invalid_input(format!(
                "at most {MAX_GRAMMAR_TRIGGERS} grammar triggers of 1 to {MAX_TRIGGER_BYTES} bytes, without NUL"
            )));
        }
        validate_spans(&self.literal_spans)?;
        if self.image_offsets.windows(2).any(|w| w[0] > w[1]) {
            return Err(ProfileError::invalid_input("image_offsets must be in ascending order"));
        }
        Ok(())
    }
}

/// Spans in ascending order, none reversed, none overlapping (touching is fine).
fn validate_spans(spans: &[Span]) -> Result<(), ProfileError> {
    if let Some([start, end]) = spans.iter().find(|[start, end]| start > end) {
        return Err(ProfileError::invalid_input(format!("literal span [{start}, {end}] ends before it starts")));
    }
    if spans.windows(2).any(|w| w[0][1] > w[1][0]) {
        return Err(ProfileError::invalid_input("literal spans must be in ascending order and must not overlap"));
    }
    Ok(())
}

/// `prompt`'s reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Prompted {
    /// Tokens in the prompt, image tokens included.
    pub prompt_tokens: u32,
    /// Of those, how many the KV cache already held.
    pub cached_tokens: u32,
    pub context_size: u32,
}

/// `next`'s status once generation has ended: `{"finish": reason}`. A token
/// comes without a status, as the one output `token` (`crate::encode_token`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Finished {
    pub finish: Finish,
}

/// Why the backend ended a generation (stop strings and `max-tokens` are the component's).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Finish {
    /// An end-of-generation token.
    Eog,
    /// No room in the context for another token.
    ContextFull,
    /// The engine's `max_output_tokens`: a backstop, as the component refuses more first.
    Length,
}

/// The reply of `detokenize`, `embed` and `reset`, whose results are tensors or nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoReply {}

/// `info`'s `metadata` output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelMetadata {
    /// The name the application registered the model under.
    pub name: String,
    pub architecture: String,
    /// The context the model was trained with.
    pub context_length: u32,
    pub vocab_size: u32,
    pub embedding_size: u32,
    pub parameters: u64,
    pub size_bytes: u64,
    /// Whether a projector that takes images is loaded.
    pub vision: bool,
    /// Whether a projector that takes audio is loaded.
    #[serde(default)]
    pub audio: bool,
    /// Where an image or audio clip goes in a prompt's text; `null` without a projector.
    #[serde(deserialize_with = "Option::deserialize")]
    pub media_marker: Option<String>,
    /// The GGUF's Jinja chat template; `null` if it has none.
    #[serde(deserialize_with = "Option::deserialize")]
    pub chat_template: Option<String>,
    #[serde(deserialize_with = "Option::deserialize")]
    pub bos_token: Option<String>,
    #[serde(deserialize_with = "Option::deserialize")]
    pub eos_token: Option<String>,
    pub add_bos: bool,
    /// A session's context size when it asks for none.
    pub default_context_size: u32,
    /// This session's context size.
    pub session_context_size: u32,
    /// The longest vocabulary entry in bytes: no prompt longer than context × this can fit.
    pub max_token_bytes: u32,
    pub limits: EngineLimits,
}

/// The limits the application set on the engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EngineLimits {
    pub max_context_size: u32,
    pub max_output_tokens: u32,
    pub max_image_bytes: u64,
}
