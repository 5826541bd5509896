//! Reading a text prompt into the KV cache, reusing the longest prefix it
//! already holds, and keeping cache and token history in step when a decode
//! fails or is aborted.

use super::next::Generation;
use super::{cancelled, Session};
use crate::cancel::CancelFlag;
use crate::context::OwnedContext;
use crate::error::{ErrorCode, ProfileError};
use crate::model::LoadedModel;
use crate::sampling::TokenPicker;
use inf_wasi_profile::{Prompted, SamplingConfig};
use llama_cpp_2::llama_batch::LlamaBatch;
use llama_cpp_2::token::LlamaToken;
use std::sync::Arc;

impl Session {
    /// Evaluates a prompt, reusing the longest prefix the KV cache already holds,
    /// and prepares the sampler for `next`.
    pub(super) fn prompt(
        &mut self,
        text: &str,
        images: &[&[u8]],
        config: SamplingConfig,
        loaded: &Arc<LoadedModel>,
    ) -> Result<Prompted, ProfileError> {
        config.validate()?;
        let literal = crate::literal::ranges(text, &config.literal_spans)?;
        if !images.is_empty() || !config.image_offsets.is_empty() {
            return self.prompt_with_images(text, &literal, images, config, loaded);
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
        self.generation = None;
        self.ensure_context(loaded)?;
        let cached = self.evaluate(&tokens, loaded.options.batch_size as usize)?;
        self.generation = Some(Generation::new(picker));
        Ok(Prompted { prompt_tokens: tokens.len() as u32, cached_tokens: cached as u32, context_size: n_ctx })
    }

    /// Brings the KV cache to hold exactly `tokens`, evaluating only what differs
    /// from the history. Returns how many tokens were reused.
    fn evaluate(&mut self, tokens: &[LlamaToken], n_batch: usize) -> Result<usize, ProfileError> {
        let ctx = self.ctx.as_mut().expect("context exists");
        let mut common = self.history.iter().zip(tokens).take_while(|(a, b)| a == b).count();
        // The last prompt token is always evaluated again: its logits start generation.
        common = common.min(tokens.len() - 1);
        if common < self.history.len() {
            let removed = ctx.clear_kv_cache_seq(Some(0), Some(common as u32), None).unwrap_or(false);
            if !removed {
                // Some caches (sliding-window, recurrent) cannot drop a suffix.
                ctx.clear_kv_cache();
                common = 0;
            }
            self.history.truncate(common);
        }
        let mut batch = LlamaBatch::new(n_batch, 1);
        let pending = &tokens[common..];
        for (chunk_index, chunk) in pending.chunks(n_batch).enumerate() {
            if self.cancel.is_cancelled() {
                return Err(cancelled());
            }
            batch.clear();
            for (i, token) in chunk.iter().enumerate() {
                let pos = (common + chunk_index * n_batch + i) as i32;
                let last = chunk_index * n_batch + i == pending.len() - 1;
                batch.add(*token, pos, &[0], last).map_err(|e| ProfileError::backend(e.to_string()))?;
            }
            self.cancel.note_prompt_batch();
            if let Err(e) = ctx.decode(&mut batch) {
                return Err(decode_failed(ctx, &mut self.history, &self.cancel, "the prompt", e));
            }
            self.history.extend_from_slice(chunk);
        }
        Ok(common)
    }
}

/// After a failed or aborted decode: drops from the cache whatever the decode
/// left beyond `history` (an abort keeps the micro-batches it finished).
pub(super) fn decode_failed(
    ctx: &mut OwnedContext,
    history: &mut Vec<LlamaToken>,
    cancel: &CancelFlag,
    what: &str,
    error: llama_cpp_2::DecodeError,
) -> ProfileError {
    if !ctx.clear_kv_cache_seq(Some(0), Some(history.len() as u32), None).unwrap_or(false) {
        ctx.clear_kv_cache();
        history.clear();
    }
    if cancel.is_cancelled() {
        cancelled()
    } else {
        ProfileError::backend(format!("llama.cpp failed to evaluate {what}: {error}"))
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
