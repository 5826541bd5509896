//! Producing a generation's tokens one `next` at a time: return the token the
//! last step chose, evaluate it, and have the same step choose the one after
//! (a step may be shared with other sessions: `batch.rs`), and say why the
//! generation ended when it does.

use super::prompt::settle;
use super::{cancelled, Reply, Session};
use crate::batch::Job;
use crate::error::ProfileError;
use crate::model::LoadedModel;
use crate::sampling::TokenPicker;
use crate::tensor::{NamedTensor, Tensor};
use inf_wasi_profile::{encode, encode_token, tensors, Finish, Finished};
use llama_cpp_2::token::LlamaToken;
use std::sync::Arc;

/// A generation in progress: how it picks tokens, the token it picked last
/// (not yet returned or evaluated), and how it ended, once it has.
pub(super) struct Generation {
    /// None only while a step holds it.
    picker: Option<TokenPicker>,
    chosen: LlamaToken,
    /// A token was returned but the context had no room to evaluate it.
    context_full: bool,
    finish: Option<Finish>,
    /// Tokens returned so far, held to the model's `max_output_tokens`.
    produced: u32,
}

impl Generation {
    pub(super) fn new(picker: TokenPicker, first: LlamaToken) -> Self {
        Self { picker: Some(picker), chosen: first, context_full: false, finish: None, produced: 0 }
    }
}

impl Session {
    /// Begins a generation, which batched steps then wait for.
    pub(super) fn start_generation(&mut self, generation: Generation) {
        self.generation = Some(generation);
        if let Some(slot) = &self.slot {
            slot.set_generating(true);
        }
    }

    /// Returns the chosen token and evaluates it, choosing the next.
    pub(super) fn next(&mut self, loaded: &Arc<LoadedModel>) -> Result<Reply, ProfileError> {
        let n_ctx = self.context_size(loaded) as usize;
        let generation = self
            .generation
            .as_mut()
            .ok_or_else(|| ProfileError::invalid_input("no generation in progress: send a `prompt` first"))?;
        if generation.finish.is_none() && generation.context_full {
            generation.finish = Some(Finish::ContextFull);
        }
        if let Some(finish) = generation.finish {
            return Ok((encode(&Finished { finish }), Vec::new()));
        }
        if self.cancel.is_cancelled() {
            self.end_generation();
            return Err(cancelled());
        }
        let finish = |session: &mut Self, finish: Finish| {
            if let (Some(generation), Some(slot)) = (session.generation.as_mut(), &session.slot) {
                generation.finish = Some(finish);
                slot.set_generating(false);
            }
            Ok((encode(&Finished { finish }), Vec::new()))
        };
        if generation.produced >= loaded.options.max_output_tokens {
            return finish(self, Finish::Length);
        }
        generation.produced += 1;
        let vocab = loaded.llama.vocab();
        let token = generation.chosen;
        if vocab.is_eog(token) {
            return finish(self, Finish::Eog);
        }
        let piece = vocab.token_to_piece(token, false, None);
        if self.history.len() >= n_ctx {
            generation.context_full = true;
        } else {
            let slot = self.slot.as_ref().expect("a generation implies a slot");
            let picker =
                generation.picker.take().ok_or_else(|| ProfileError::backend("the generation lost its picker"))?;
            let job = Job::new(slot.seq(), vec![token], self.history.len(), Some(picker), self.cancel.clone());
            let outcome = slot.run(job);
            match settle(slot, &mut self.history, &[token], outcome) {
                Ok((next, picker)) => {
                    generation.chosen = next;
                    generation.picker = Some(picker);
                }
                Err(e) => {
                    self.end_generation();
                    return Err(e);
                }
            }
        }
        let out = NamedTensor::new(tensors::TOKEN, Tensor::bytes(encode_token(token.0, &piece)));
        Ok((Vec::new(), vec![out]))
    }
}
