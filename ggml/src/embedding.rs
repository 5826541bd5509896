//! Embeddings: a separate llama.cpp context with mean pooling, so embedding a
//! text never disturbs the session's conversation in the KV cache.

use crate::context::OwnedContext;
use crate::error::{ErrorCode, ProfileError};
use crate::model::LoadedModel;
use llama_cpp_2::context::params::LlamaPoolingType;
use llama_cpp_2::llama_batch::LlamaBatch;
use std::sync::Arc;

pub fn new_context(loaded: &Arc<LoadedModel>, n_ctx: u32) -> Result<OwnedContext, ProfileError> {
    // Pooling needs the whole text in one micro-batch.
    let params = loaded
        .context_params(n_ctx)
        .with_n_batch(n_ctx)
        .with_n_ubatch(n_ctx)
        .with_embeddings(true)
        .with_pooling_type(LlamaPoolingType::Mean);
    OwnedContext::new(loaded, params)
}

/// The mean-pooled, L2-normalised embedding of `text`.
pub fn embed(ctx: &mut OwnedContext, text: &str) -> Result<Vec<f32>, ProfileError> {
    let tokens = ctx.model().llama.vocab().tokenize(text.as_bytes(), true, false);
    if text.is_empty() || tokens.is_empty() {
        return Err(ProfileError::invalid_input("cannot embed an empty text"));
    }
    let n_ctx = ctx.n_ctx() as usize;
    if tokens.len() > n_ctx {
        return Err(ProfileError::new(
            ErrorCode::ContextOverflow,
            format!("the text is {} tokens but the embedding context holds {n_ctx}", tokens.len()),
        ));
    }
    ctx.clear_kv_cache();
    let mut batch = LlamaBatch::new(tokens.len(), 1);
    batch.add_sequence(&tokens, 0, false).map_err(|e| ProfileError::backend(e.to_string()))?;
    ctx.decode(&mut batch).map_err(|e| ProfileError::backend(format!("llama.cpp failed to embed: {e}")))?;
    let pooled = ctx.embeddings_seq_ith(0).map_err(|e| ProfileError::backend(format!("no pooled embedding: {e}")))?;
    let norm = pooled.iter().map(|v| v * v).sum::<f32>().sqrt();
    let scale = if norm > 0.0 { 1.0 / norm } else { 1.0 };
    Ok(pooled.iter().map(|v| v * scale).collect())
}
