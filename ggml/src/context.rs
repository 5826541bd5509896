//! A llama.cpp context together with the weights it borrows, in one value.
//!
//! llama-cpp-2 ties a context to its model with a lifetime, which a session
//! that owns both (through an `Arc`) cannot name. So the lifetime is erased
//! here, and only here: the context and the `Arc` of the weights live in one
//! type that drops the context first, and only this crate can make one.

use crate::error::ProfileError;
use crate::llama;
use crate::model::LoadedModel;
use llama_cpp_2::context::params::LlamaContextParams;
use llama_cpp_2::context::LlamaContext;
use std::ops::{Deref, DerefMut};
use std::sync::Arc;

pub(crate) struct OwnedContext {
    // Declared before `model`, so dropped before it: the context borrows its weights.
    context: LlamaContext<'static>,
    model: Arc<LoadedModel>,
}

impl OwnedContext {
    /// A new llama.cpp context over `model`'s weights.
    pub(crate) fn new(model: &Arc<LoadedModel>, params: LlamaContextParams) -> Result<Self, ProfileError> {
        let backend = llama::backend().map_err(ProfileError::backend)?;
        let context = model.create_context(backend, params)?;
        // SAFETY: the context borrows `model.llama`, which lives on the heap
        // behind the `Arc` stored beside it (never moved), and the context is
        // dropped before that `Arc` (field order above). Nothing hands the
        // 'static context out of this type except by reference.
        let context = unsafe { std::mem::transmute::<LlamaContext<'_>, LlamaContext<'static>>(context) };
        Ok(Self { context, model: Arc::clone(model) })
    }

    pub(crate) fn model(&self) -> &Arc<LoadedModel> {
        &self.model
    }
}

impl Deref for OwnedContext {
    type Target = LlamaContext<'static>;
    fn deref(&self) -> &Self::Target {
        &self.context
    }
}

impl DerefMut for OwnedContext {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.context
    }
}
