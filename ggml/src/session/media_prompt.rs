//! A prompt with images or audio: its text cut at the media's offsets, each
//! text piece tokenized like a text prompt (message content kept as text) and
//! each medium turned into chunks by the projector (llama.cpp's mtmd),
//! evaluated in order after what the cache already holds of it: the common
//! text prefix, and each medium the same file put at the same place (a chat's
//! next turn re-encodes none of the conversation's images or audio).

use super::next::Generation;
use super::prompt::fits_in_context;
use super::{cancelled, Session};
use crate::error::{ErrorCode, ProfileError};
use crate::model::LoadedModel;
use crate::projector::{Chunks, Medium};
use crate::sampling::TokenPicker;
use inf_wasi_profile::{Prompted, SamplingConfig};
use std::ops::Range;
use std::sync::Arc;

impl Session {
    /// A prompt with media, evaluated after the prefix the cache already holds.
    pub(super) fn prompt_with_media(
        &mut self,
        text: &str,
        literal: &[Range<usize>],
        media: &[Medium],
        config: SamplingConfig,
        loaded: &Arc<LoadedModel>,
    ) -> Result<Prompted, ProfileError> {
        let projector = loaded.projector.as_ref().ok_or_else(|| {
            ProfileError::new(
                ErrorCode::Unsupported,
                "this model takes no images or audio: it was registered without a projector",
            )
        })?;
        let offsets = &config.image_offsets;
        if offsets.len() != media.len() {
            return Err(ProfileError::invalid_input(format!(
                "the prompt places {} media but {} came with it",
                offsets.len(),
                media.len()
            )));
        }
        if let Some(bad) = offsets.iter().find(|&&at| !text.is_char_boundary(at as usize)) {
            return Err(ProfileError::invalid_input(format!(
                "media offset {bad} is not on a character boundary of the {}-byte prompt",
                text.len()
            )));
        }
        let vocab = loaded.llama.vocab();
        let mut chunks = Chunks::default();
        let mut at = 0;
        let max_audio_seconds = loaded.options.max_audio_seconds;
        for (index, (&offset, medium)) in offsets.iter().zip(media).enumerate() {
            let piece = at..offset as usize;
            chunks.push_text(crate::literal::tokenize(
                &vocab,
                &text[piece.clone()],
                &within(literal, &piece),
                config.add_special && index == 0,
                config.parse_special,
            ));
            chunks.push_medium(projector.medium(index, *medium, max_audio_seconds)?, medium.hash());
            at = piece.end;
        }
        let rest = at..text.len();
        chunks.push_text(crate::literal::tokenize(
            &vocab,
            &text[rest.clone()],
            &within(literal, &rest),
            false,
            config.parse_special,
        ));
        let n_ctx = self.context_size(loaded);
        let positions = chunks.total_positions();
        fits_in_context(n_ctx, || format!("the prompt and its media take {positions} positions"), positions)?;
        let mut picker = TokenPicker::new(&config, &loaded.llama, &chunks.text_tokens())?;
        self.end_generation();
        self.ensure_slot(loaded)?;
        if self.cancel.is_cancelled() {
            return Err(cancelled());
        }
        // Media are evaluated by mtmd's own decodes: the shared context alone,
        // and the first token chosen before another step.
        let mut cached = chunks.reusable(&self.history, &self.media);
        let slot = self.slot.as_ref().expect("a slot was taken");
        slot.keep(&mut self.history, cached);
        cached = cached.min(self.history.len()); // a cache that cannot drop a suffix was emptied
        let (seq, n_batch, cancel) = (slot.seq(), loaded.options.batch_size as usize, &self.cancel);
        let first = slot.with_context(|ctx| {
            ctx.set_abort_flag(cancel.shared());
            match projector.evaluate(&chunks, ctx, seq, n_batch, cached) {
                Ok(()) => Ok(picker.pick(ctx.get_logits_ith(-1))),
                Err(e) => {
                    ctx.clear_kv_cache_seq(Some(seq as u32), None, None).ok();
                    Err(if cancel.is_cancelled() { cancelled() } else { e })
                }
            }
        });
        let first = match first {
            Ok(first) => first,
            Err(e) => {
                self.history.clear();
                self.media.clear();
                return Err(e);
            }
        };
        self.history = chunks.history();
        self.media = chunks.spans();
        self.start_generation(Generation::new(picker, first));
        let cached_tokens = chunks.tokens_within(cached) as u32;
        Ok(Prompted { prompt_tokens: chunks.total_tokens() as u32, cached_tokens, context_size: n_ctx })
    }
}

/// The parts of `literal` inside `piece`, relative to its start.
fn within(literal: &[Range<usize>], piece: &Range<usize>) -> Vec<Range<usize>> {
    literal
        .iter()
        .map(|range| range.start.max(piece.start)..range.end.min(piece.end))
        .filter(|range| range.start < range.end)
        .map(|range| range.start - piece.start..range.end - piece.start)
        .collect()
}
