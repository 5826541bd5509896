//! A session: one execution context of the ggml profile. It owns a llama.cpp
//! context (its own KV cache) over the shared weights, remembers which tokens
//! that cache holds, and runs one operation per `compute` call.

use crate::cancel::CancelFlag;
use crate::context::OwnedContext;
use crate::embedding;
use crate::error::{ErrorCode, ProfileError};
use crate::inputs::Inputs;
use crate::model::{LoadedModel, Model};
use crate::sampling::sampler_chain;
use crate::tensor::{NamedTensor, Tensor};
use inf_wasi_profile::{
    encode, encode_status, tensors, Configure, Configured, Finish, NextStatus, NoReply, Op, Prompted, SamplingConfig,
    TokenizeConfig,
};
use llama_cpp_2::llama_batch::LlamaBatch;
use llama_cpp_2::sampling::LlamaSampler;
use llama_cpp_2::token::LlamaToken;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

/// A `status` output (JSON bytes) and the other outputs of one operation.
type Reply = (Vec<u8>, Vec<NamedTensor>);

pub struct Session {
    ctx: Option<OwnedContext>,
    embed_ctx: Option<OwnedContext>,
    generation: Option<Generation>,
    loaded: Option<Arc<LoadedModel>>,
    model: Arc<Model>,
    /// Context size asked for by `configure`; the model's default otherwise.
    n_ctx: Option<u32>,
    /// The tokens whose keys and values are in `ctx`'s cache, in position order.
    history: Vec<LlamaToken>,
    cancel: CancelFlag,
}

/// A generation in progress: the sampler and how it ended, once it has.
struct Generation {
    sampler: LlamaSampler,
    /// A token was returned but the context had no room to evaluate it.
    context_full: bool,
    finish: Option<Finish>,
    /// Tokens returned so far, held to the model's `max_output_tokens`.
    produced: u32,
}

impl Session {
    /// A new session; the model is loaded, and the context made, on first use.
    pub fn new(model: Arc<Model>) -> Self {
        Self::with_cancel(model, CancelFlag::new())
    }

    /// A session that stops its generation, with a `cancelled` error, once `cancel` is raised.
    pub fn with_cancel(model: Arc<Model>, cancel: CancelFlag) -> Self {
        Self {
            ctx: None,
            embed_ctx: None,
            generation: None,
            loaded: None,
            model,
            n_ctx: None,
            history: Vec::new(),
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
        outputs.push(NamedTensor::new(tensors::STATUS, Tensor::bytes(status)));
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
                let tokens = loaded.llama.vocab().tokenize(text.as_bytes(), config.add_special, config.parse_special);
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
                Ok((encode(&self.prompt(&text, &inputs.images()?, config, &loaded)?), Vec::new()))
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
                self.ctx = None;
                self.embed_ctx = None;
                self.n_ctx = Some(size);
            }
        }
        // The context is made now, so a session is ready (and its memory
        // reserved) before its first prompt; `prompt` makes it otherwise.
        let loaded = self.loaded()?;
        self.ensure_context(&loaded)?;
        Ok(Configured { context_size: self.context_size(&loaded) })
    }

    /// Makes the session's llama.cpp context, at its configured size, if it has none.
    fn ensure_context(&mut self, loaded: &Arc<LoadedModel>) -> Result<(), ProfileError> {
        if self.ctx.is_none() {
            let mut ctx = OwnedContext::new(loaded, loaded.context_params(self.context_size(loaded)))?;
            ctx.set_abort_flag(self.cancel.shared());
            self.ctx = Some(ctx);
            self.history.clear();
        }
        Ok(())
    }

    /// Forgets the conversation: generation, token history and KV cache.
    fn clear(&mut self) {
        self.generation = None;
        self.history.clear();
        if let Some(ctx) = self.ctx.as_mut() {
            ctx.clear_kv_cache();
        }
    }

    /// Evaluates a prompt, reusing the longest prefix the KV cache already holds,
    /// and prepares the sampler for `next`.
    fn prompt(
        &mut self,
        text: &str,
        images: &[&[u8]],
        config: SamplingConfig,
        loaded: &Arc<LoadedModel>,
    ) -> Result<Prompted, ProfileError> {
        if !images.is_empty() {
            return self.prompt_with_images(text, images, config, loaded);
        }
        let tokens = loaded.llama.vocab().tokenize(text.as_bytes(), config.add_special, config.parse_special);
        if tokens.is_empty() {
            return Err(ProfileError::invalid_input("the prompt is empty"));
        }
        let n_ctx = self.context_size(loaded);
        fits_in_context(n_ctx, || format!("the prompt is {} tokens", tokens.len()), tokens.len())?;
        // Built before the cache is touched, so a bad grammar changes nothing.
        let sampler = sampler_chain(&config, &loaded.llama, &tokens)?;
        self.generation = None;
        self.ensure_context(loaded)?;
        let cached = self.evaluate(&tokens, loaded.options.batch_size as usize)?;
        self.generation = Some(Generation { sampler, context_full: false, finish: None, produced: 0 });
        Ok(Prompted { prompt_tokens: tokens.len() as u32, cached_tokens: cached as u32, context_size: n_ctx })
    }

    /// A prompt with images: the projector cuts it into text and image chunks,
    /// which are evaluated from an empty cache (no reuse yet across image prompts).
    fn prompt_with_images(
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
        self.generation = Some(Generation { sampler, context_full: false, finish: None, produced: 0 });
        Ok(Prompted { prompt_tokens: chunks.total_tokens() as u32, cached_tokens: 0, context_size: n_ctx })
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
            if let Err(e) = ctx.decode(&mut batch) {
                return Err(decode_failed(ctx, &mut self.history, &self.cancel, "the prompt", e));
            }
            self.history.extend_from_slice(chunk);
        }
        Ok(common)
    }

    /// Samples, returns and evaluates the next token.
    fn next(&mut self, loaded: &Arc<LoadedModel>) -> Result<Reply, ProfileError> {
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
        let token = generation.sampler.sample(ctx, -1);
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

/// After a failed or aborted decode: drops from the cache whatever the decode
/// left beyond `history` (an abort keeps the micro-batches it finished).
fn decode_failed(
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
fn fits_in_context(n_ctx: u32, what: impl FnOnce() -> String, used: usize) -> Result<(), ProfileError> {
    if used >= n_ctx as usize {
        return Err(ProfileError::new(
            ErrorCode::ContextOverflow,
            format!("{} but the context holds {n_ctx}, with room for at least one more", what()),
        ));
    }
    Ok(())
}

fn cancelled() -> ProfileError {
    ProfileError::new(ErrorCode::Cancelled, "the generation was cancelled")
}
