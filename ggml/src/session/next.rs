//! Producing a generation's tokens one `next` at a time: sample, return the
//! bytes, evaluate the token, and say why the generation ended when it does.

use super::prompt::decode_failed;
use super::{cancelled, Reply, Session};
use crate::error::ProfileError;
use crate::model::LoadedModel;
use crate::sampling::TokenPicker;
use crate::tensor::{NamedTensor, Tensor};
use inf_wasi_profile::{encode, tensors, Finish, NextStatus};
use llama_cpp_2::llama_batch::LlamaBatch;
use std::sync::Arc;

/// A generation in progress: how it picks tokens and how it ended, once it has.
pub(super) struct Generation {
    picker: TokenPicker,
    /// A token was returned but the context had no room to evaluate it.
    context_full: bool,
    finish: Option<Finish>,
    /// Tokens returned so far, held to the model's `max_output_tokens`.
    produced: u32,
}

impl Generation {
    pub(super) fn new(picker: TokenPicker) -> Self {
        Self { picker, context_full: false, finish: None, produced: 0 }
    }
}

impl Session {
    /// Samples, returns and evaluates the next token.
    pub(super) fn next(&mut self, loaded: &Arc<LoadedModel>) -> Result<Reply, ProfileError> {
        let n_ctx = self.context_size(loaded) as usize;
        let generation = self
            .generation
            .as_mut()
            .ok_or_else(|| ProfileError::invalid_input("no generation in progress: send a `prompt` first"))?;
        let ctx = self.ctx.as_mut().expect("a generation implies a context");
        if generation.finish.is_none() && generation.context_full {
            generation.finish = Some(Finish::ContextFull);
        }
        if let Some(finish) = generation.finish {
            return Ok((encode(&NextStatus::Finish(finish)), Vec::new()));
        }
        if self.cancel.is_cancelled() {
            self.generation = None;
            return Err(cancelled());
        }
        if generation.produced >= loaded.options.max_output_tokens {
            generation.finish = Some(Finish::Length);
            return Ok((encode(&NextStatus::Finish(Finish::Length)), Vec::new()));
        }
        generation.produced += 1;
        let vocab = loaded.llama.vocab();
        let token = generation.picker.pick(ctx);
        if vocab.is_eog(token) {
            generation.finish = Some(Finish::Eog);
            return Ok((encode(&NextStatus::Finish(Finish::Eog)), Vec::new()));
        }
        let piece = vocab.token_to_piece(token, false, None);
        if self.history.len() >= n_ctx {
            generation.context_full = true;
        } else {
            let mut batch = LlamaBatch::new(1, 1);
            batch
                .add(token, self.history.len() as i32, &[0], true)
                .map_err(|e| ProfileError::backend(e.to_string()))?;
            if let Err(e) = ctx.decode(&mut batch) {
                self.generation = None;
                return Err(decode_failed(ctx, &mut self.history, &self.cancel, "a token", e));
            }
            self.history.push(token);
        }
        let out = NamedTensor::new(tensors::PIECE, Tensor::bytes(piece));
        Ok((encode(&NextStatus::Token(token.0)), vec![out]))
    }
}
