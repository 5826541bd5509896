//! A session: one execution context of the ggml profile. It holds a slot, a
//! sequence of its own in a llama.cpp context it may share with other
//! sessions (`batch.rs`), remembers which tokens that sequence's cache holds,
//! and runs one operation per `compute` call. Reading a prompt with KV-cache
//! reuse is in `prompt.rs`, a prompt with images or audio in `media_prompt.rs`, and
//! producing the next token in `next.rs`.

mod media_prompt;
mod next;
mod prompt;

use crate::batch::Slot;
use crate::cancel::CancelFlag;
use crate::context::OwnedContext;
use crate::embedding;
use crate::error::{ErrorCode, ProfileError};
use crate::inputs::Inputs;
use crate::model::{LoadedModel, Model};
use crate::projector::{Medium, MediumSpan};
use crate::tensor::{NamedTensor, Tensor};
use inf_wasi_profile::{
    encode, encode_status, tensors, Configure, Configured, NoReply, Op, SamplingConfig, TokenizeConfig,
};
use llama_cpp_2::token::LlamaToken;
use next::Generation;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

/// A `status` output (JSON bytes) and the other outputs of one operation. An
/// empty status is left out: `next`'s reply with a token is its one output.
type Reply = (Vec<u8>, Vec<NamedTensor>);

pub struct Session {
    /// Declared first, so given back before the model reference below goes.
    slot: Option<Slot>,
    embed_ctx: Option<OwnedContext>,
    generation: Option<Generation>,
    loaded: Option<Arc<LoadedModel>>,
    model: Arc<Model>,
    /// Context size asked for by `configure`; the model's default otherwise.
    n_ctx: Option<u32>,
    /// The tokens whose keys and values are in the slot's cache, in position order
    /// ([`MEDIA_POSITION`](crate::projector::MEDIA_POSITION) where a medium sits).
    history: Vec<LlamaToken>,
    /// The media the cache holds, and where: valid while `history` still has
    /// media positions there (a text prompt may cut the history short).
    media: Vec<MediumSpan>,
    cancel: CancelFlag,
}

impl Session {
    /// A new session; the model is loaded, and the context made, on first use.
    pub fn new(model: Arc<Model>) -> Self {
        Self::with_cancel(model, CancelFlag::new())
    }

    /// A session that stops its generation, with a `cancelled` error, once `cancel` is raised.
    pub fn with_cancel(model: Arc<Model>, cancel: CancelFlag) -> Self {
        Self {
            slot: None,
            embed_ctx: None,
            generation: None,
            loaded: None,
            model,
            n_ctx: None,
            history: Vec::new(),
            media: Vec::new(),
            cancel,
        }
    }

    /// Runs one operation. Never fails: every error is reported in the `status`
    /// output, and a panic inside llama-cpp-2 becomes a `backend` error and
    /// resets the session instead of unwinding into the host's runtime.
    pub fn compute(&mut self, inputs: Vec<NamedTensor>) -> Vec<NamedTensor> {
        let inputs = Inputs::new(inputs);
        let result = catch_unwind(AssertUnwindSafe(|| self.dispatch(&inputs)));
        let (status, mut outputs) = match result {
            Ok(Ok(reply)) => reply,
            Ok(Err(error)) => (encode_status::<NoReply>(&Err(error)), Vec::new()),
            Err(panic) => {
                self.clear();
                let message = panic
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "unknown panic".into());
                let error = ProfileError::backend(format!("internal error, session reset: {message}"));
                (encode_status::<NoReply>(&Err(error)), Vec::new())
            }
        };
        if !status.is_empty() {
            outputs.push(NamedTensor::new(tensors::STATUS, Tensor::bytes(status)));
        }
        outputs
    }

    fn dispatch(&mut self, inputs: &Inputs) -> Result<Reply, ProfileError> {
        let op = inputs.op()?;
        if op == Op::Configure {
            let request: Configure = inputs.config(op)?;
            return Ok((encode(&self.configure(request)?), Vec::new()));
        }
        let loaded = self.loaded()?;
        let nothing = || encode(&NoReply {});
        match op {
            Op::Info => {
                let mut metadata = loaded.metadata().clone();
                metadata.session_context_size = self.context_size(&loaded);
                let out = NamedTensor::new(tensors::METADATA, Tensor::bytes(encode(&metadata)));
                Ok((nothing(), vec![out]))
            }
            Op::Tokenize => {
                let text = inputs.required_text(tensors::TEXT)?;
                let config: TokenizeConfig = inputs.config(op)?;
                config.validate()?;
                let literal = crate::literal::ranges(&text, &config.literal_spans)?;
                let vocab = loaded.llama.vocab();
                let tokens =
                    crate::literal::tokenize(&vocab, &text, &literal, config.add_special, config.parse_special);
                let ids: Vec<i32> = tokens.iter().map(|t| t.0).collect();
                Ok((nothing(), vec![NamedTensor::new(tensors::TOKENS, Tensor::i32s(&ids))]))
            }
            Op::Detokenize => {
                let ids = inputs.i32s(tensors::TOKENS)?;
                let n_vocab = loaded.llama.n_vocab();
                if let Some(bad) = ids.iter().find(|&&id| id < 0 || id >= n_vocab) {
                    return Err(ProfileError::invalid_input(format!(
                        "token id {bad} is outside the vocabulary (0..{n_vocab})"
                    )));
                }
                let tokens: Vec<LlamaToken> = ids.into_iter().map(LlamaToken).collect();
                let bytes = loaded.llama.vocab().detokenize(&tokens, false, false);
                Ok((nothing(), vec![NamedTensor::new(tensors::TEXT, Tensor::bytes(bytes))]))
            }
            Op::Embed => {
                let text = inputs.required_text(tensors::TEXT)?;
                if self.embed_ctx.is_none() {
                    self.embed_ctx = Some(embedding::new_context(&loaded, self.context_size(&loaded))?);
                }
                let ctx = self.embed_ctx.as_mut().expect("embedding context was just created");
                let vector = embedding::embed(ctx, &text)?;
                let tensor = Tensor::f32s(1, vector.len() as u32, &vector);
                Ok((nothing(), vec![NamedTensor::new(tensors::EMBEDDING, tensor)]))
            }
            Op::Prompt => {
                let text = inputs.required_text(tensors::TEXT)?;
                let config: SamplingConfig = inputs.config(op)?;
                let received = inputs.media()?;
                let media: Vec<Medium> = received.iter().map(|medium| medium.medium()).collect();
                Ok((encode(&self.prompt(&text, &media, config, &loaded)?), Vec::new()))
            }
            Op::Next => self.next(&loaded),
            Op::Reset => {
                self.clear();
                Ok((nothing(), Vec::new()))
            }
            Op::Configure => unreachable!("handled above"),
        }
    }

    fn loaded(&mut self) -> Result<Arc<LoadedModel>, ProfileError> {
        if self.loaded.is_none() {
            self.loaded = Some(self.model.get()?);
        }
        Ok(self.loaded.clone().expect("just loaded"))
    }

    fn context_size(&self, loaded: &LoadedModel) -> u32 {
        match self.n_ctx {
            Some(size) => size.min(loaded.n_ctx_train()),
            None => loaded.options.default_context_size(loaded.n_ctx_train()),
        }
    }

    fn configure(&mut self, request: Configure) -> Result<Configured, ProfileError> {
        if let Some(size) = request.ctx_size {
            if size == 0 {
                return Err(ProfileError::invalid_input("ctx_size must be at least 1 token"));
            }
            let loaded = self.loaded()?;
            if size > loaded.options.max_context_size {
                return Err(ProfileError::invalid_input(format!(
                    "context size {size} exceeds the max context size of {} tokens",
                    loaded.options.max_context_size
                )));
            }
            if size > loaded.n_ctx_train() {
                return Err(ProfileError::invalid_input(format!(
                    "context size {size} exceeds the model's training context of {} tokens",
                    loaded.n_ctx_train()
                )));
            }
            if self.n_ctx != Some(size) {
                self.clear();
                self.slot = None;
                self.embed_ctx = None;
                self.n_ctx = Some(size);
            }
        }
        // The slot is taken now, so a session is ready (and its memory
        // reserved) before its first prompt; `prompt` takes it otherwise.
        let loaded = self.loaded()?;
        self.ensure_slot(&loaded)?;
        Ok(Configured { context_size: self.context_size(&loaded) })
    }

    /// Takes a slot for the session, at its configured context size, if it has none.
    fn ensure_slot(&mut self, loaded: &Arc<LoadedModel>) -> Result<&Slot, ProfileError> {
        if self.slot.is_none() {
            self.slot = Some(loaded.pool.slot(loaded, self.context_size(loaded))?);
            self.history.clear();
        }
        Ok(self.slot.as_ref().expect("just taken"))
    }

    /// Ends the generation in progress, if any, so batched steps stop waiting for it.
    fn end_generation(&mut self) {
        if self.generation.take().is_some() {
            if let Some(slot) = &self.slot {
                slot.set_generating(false);
            }
        }
    }

    /// Forgets the conversation: generation, token history and KV cache.
    fn clear(&mut self) {
        self.end_generation();
        self.history.clear();
        self.media.clear();
        if let Some(slot) = &self.slot {
            slot.clear();
        }
    }
}

pub(crate) fn cancelled() -> ProfileError {
    ProfileError::new(ErrorCode::Cancelled, "the generation was cancelled")
}
