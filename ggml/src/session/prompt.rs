//! Reading a text prompt into the session's cache, reusing the longest prefix
//! it already holds, and keeping cache and token history in step when a decode
//! fails or is aborted.

use super::next::Generation;
use super::Session;
use crate::batch::{Job, JobOutcome, Slot};
use crate::error::{ErrorCode, ProfileError};
use crate::model::LoadedModel;
use crate::projector::Medium;
use crate::sampling::TokenPicker;
use inf_wasi_profile::{Prompted, SamplingConfig};
use llama_cpp_2::token::LlamaToken;
use std::sync::Arc;

impl Session {
    /// Evaluates a prompt, reusing the longest prefix the cache already holds,
    /// and chooses the generation's first token.
    pub(super) fn prompt(
        &mut self,
        text: &str,
        media: &[Medium],
        config: SamplingConfig,
        loaded: &Arc<LoadedModel>,
    ) -> Result<Prompted, ProfileError> {
        config.validate()?;
        let literal = crate::literal::ranges(text, &config.literal_spans)?;
        if !media.is_empty() || !config.image_offsets.is_empty() {
            return self.prompt_with_media(text, &literal, media, config, loaded);
        }
        let vocab = loaded.llama.vocab();
        let tokens = crate::literal::tokenize(&vocab, text, &literal, config.add_special, config.parse_special);
        if tokens.is_empty() {
            return Err(ProfileError::invalid_input("the prompt is empty"));
        }
        let n_ctx = self.context_size(loaded);
        fits_in_context(n_ctx, || format!("the prompt is {} tokens", tokens.len()), tokens.len())?;
        // Built before the cache is touched, so a bad grammar changes nothing.
        let picker = TokenPicker::new(&config, &loaded.llama, &tokens)?;
        self.end_generation();
        self.ensure_slot(loaded)?;
        let (cached, first, picker) = self.evaluate(&tokens, picker)?;
        self.start_generation(Generation::new(picker, first));
        Ok(Prompted { prompt_tokens: tokens.len() as u32, cached_tokens: cached as u32, context_size: n_ctx })
    }

    /// Brings the cache to hold exactly `tokens`, evaluating only what differs
    /// from the history, and chooses the token after them. Returns how many
    /// tokens were reused, that token, and the picker.
    fn evaluate(
        &mut self,
        tokens: &[LlamaToken],
        picker: TokenPicker,
    ) -> Result<(usize, LlamaToken, TokenPicker), ProfileError> {
        let slot = self.slot.as_ref().expect("a slot was taken");
        let mut common = self.history.iter().zip(tokens).take_while(|(a, b)| a == b).count();
        // The last prompt token is always evaluated again: its logits start generation.
        common = common.min(tokens.len() - 1);
        if common < self.history.len() {
            slot.keep(&mut self.history, common);
            common = self.history.len();
        }
        let job = Job::new(slot.seq(), tokens[common..].to_vec(), common, Some(picker), self.cancel.clone());
        let outcome = slot.run(job);
        let next = settle(slot, &mut self.history, &tokens[common..], outcome)?;
        Ok((common, next.0, next.1))
    }
}

/// Takes a job's outcome into the history: the tokens it evaluated join it and,
/// when it failed, whatever the failed decode left beyond them leaves the cache
/// (an abort keeps the micro-batches it finished). Returns the chosen token and the picker.
pub(super) fn settle(
    slot: &Slot,
    history: &mut Vec<LlamaToken>,
    sent: &[LlamaToken],
    outcome: JobOutcome,
) -> Result<(LlamaToken, TokenPicker), ProfileError> {
    history.extend_from_slice(&sent[..outcome.evaluated]);
    match (outcome.result, outcome.picker) {
        (Ok(Some(token)), Some(picker)) => Ok((token, picker)),
        (result, _) => {
            slot.keep(history, history.len());
            Err(result.err().unwrap_or_else(|| ProfileError::backend("a decode step gave no next token")))
        }
    }
}

/// A prompt taking `used` positions must leave room for at least one more token.
pub(super) fn fits_in_context(n_ctx: u32, what: impl FnOnce() -> String, used: usize) -> Result<(), ProfileError> {
    if used >= n_ctx as usize {
        return Err(ProfileError::new(
            ErrorCode::ContextOverflow,
            format!("{} but the context holds {n_ctx}, with room for at least one more", what()),
        ));
    }
    Ok(())
}
