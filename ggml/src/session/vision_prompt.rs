//! A prompt with images: the projector (llama.cpp's mtmd) cuts it into text
//! and image chunks, which are evaluated from an empty cache.

use super::next::Generation;
use super::prompt::fits_in_context;
use super::{cancelled, Session};
use crate::error::{ErrorCode, ProfileError};
use crate::model::LoadedModel;
use crate::sampling::sampler_chain;
use inf_wasi_profile::{Prompted, SamplingConfig};
use std::sync::Arc;

impl Session {
    /// A prompt with images: the projector cuts it into text and image chunks,
    /// which are evaluated from an empty cache (no reuse yet across image prompts).
    pub(super) fn prompt_with_images(
        &mut self,
        text: &str,
        images: &[&[u8]],
        config: SamplingConfig,
        loaded: &Arc<LoadedModel>,
    ) -> Result<Prompted, ProfileError> {
        let vision = loaded.vision.as_ref().ok_or_else(|| {
            ProfileError::new(
                ErrorCode::Unsupported,
                "this model takes no images: it was registered without a projector",
            )
        })?;
        let chunks = vision.tokenize(text, images, config.add_special, config.parse_special)?;
        let n_ctx = self.context_size(loaded);
        let positions = chunks.total_positions();
        fits_in_context(n_ctx, || format!("the prompt and its images take {positions} positions"), positions)?;
        let sampler = sampler_chain(&config, &loaded.llama, &chunks.text_tokens())?;
        self.generation = None;
        self.ensure_context(loaded)?;
        if self.cancel.is_cancelled() {
            return Err(cancelled());
        }
        let ctx = self.ctx.as_mut().expect("context exists");
        ctx.clear_kv_cache();
        self.history.clear();
        if let Err(e) = vision.evaluate(&chunks, ctx, 0, loaded.options.batch_size as i32) {
            ctx.clear_kv_cache();
            return Err(if self.cancel.is_cancelled() { cancelled() } else { e });
        }
        self.history = chunks.history();
        self.generation = Some(Generation::new(sampler));
        Ok(Prompted { prompt_tokens: chunks.total_tokens() as u32, cached_tokens: 0, context_size: n_ctx })
    }
}
