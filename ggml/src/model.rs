//! A registered model: a GGUF path and its load options, loaded on first use and
//! then shared (weights are read-only) by every session in every store.

use crate::error::{ErrorCode, ProfileError};
use crate::projector::Projector;
use crate::{gguf_check, llama};
use inf_wasi_profile::{EngineLimits, ModelMetadata};
use llama_cpp_2::context::params::LlamaContextParams;
use llama_cpp_2::context::LlamaContext;
use llama_cpp_2::model::params::LlamaModelParams;
use llama_cpp_2::model::LlamaModel;
use std::num::NonZeroU32;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

/// How a model is loaded and the defaults its sessions get.
#[derive(Clone, Debug, PartialEq)]
pub struct LoadOptions {
    /// Default context window of a session, in tokens (capped by `max_context_size`
    /// and the model's training length).
    pub context_size: u32,
    /// Threads llama.cpp uses for one session's decode.
    pub threads: u32,
    /// Sessions that share one llama.cpp context, each in a sequence of its
    /// own, so that their tokens are decoded together (continuous batching,
    /// `batch.rs`). Each shared context holds this many sessions' caches.
    pub parallel: u32,
    /// How sessions that share a context have their work decoded together.
    pub batching: Batching,
    /// Tokens evaluated per llama.cpp batch while reading a prompt.
    pub batch_size: u32,
    /// Layers offloaded to a GPU (0 on CPU-only builds).
    pub gpu_layers: u32,
    /// The largest context a session may ask for, in tokens.
    pub max_context_size: u32,
    /// The most tokens one generation may produce, whatever its `max-tokens`.
    pub max_output_tokens: u32,
    /// The largest image, in bytes, a message may carry.
    pub max_image_bytes: u64,
    /// The longest audio clip, in seconds, a message may carry.
    pub max_audio_seconds: u32,
    /// The model's multimodal projector (`mmproj` GGUF), for models that take images or audio.
    pub projector: Option<PathBuf>,
}

/// [`LoadOptions`] as a host receives them, each one optional.
#[derive(Clone, Debug, Default)]
pub struct OptionalLoadOptions {
    pub context_size: Option<u32>,
    pub threads: Option<u32>,
    pub parallel: Option<u32>,
    pub batching: Option<Batching>,
    pub batch_size: Option<u32>,
    pub max_context_size: Option<u32>,
    pub max_output_tokens: Option<u32>,
    pub max_image_bytes: Option<u64>,
    pub max_audio_seconds: Option<u32>,
    pub projector: Option<PathBuf>,
}

/// How the sessions that share a context (`parallel` > 1) have their work
/// decoded together.
///
/// llama.cpp's CPU kernels for four or more rows of a batch (the repacked
/// weights' matrix-matrix kernels) round differently from the one-row ones,
/// and the difference does not stay small: once a value lands on the other
/// side of a half-precision rounding step (the KV cache, GELU's table), a
/// logit moves by up to about one. Measured with Gemma 3 270M: a sequence's
/// logits decoded beside one or two others are bit for bit those it gets
/// alone; beside three or more they move by up to 1.1 within 24 tokens, and
/// a greedy choice whose two best tokens were 0.005 apart flipped.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Batching {
    /// Every session's output is what it would be alone: generating sessions'
    /// tokens are decoded at most three to a decode, and each prompt in
    /// decodes of its own.
    #[default]
    Exact,
    /// A step's work in one decode (llama-server's way): the most throughput,
    /// but a session's output may differ from what it would be alone.
    Fast,
}

impl std::str::FromStr for Batching {
    type Err = ProfileError;

    fn from_str(s: &str) -> Result<Self, ProfileError> {
        match s {
            "exact" => Ok(Self::Exact),
            "fast" => Ok(Self::Fast),
            other => Err(ProfileError::invalid_input(format!("batching must be \"exact\" or \"fast\", not {other:?}"))),
        }
    }
}

/// The most sessions one llama.cpp context can hold (llama.cpp's `LLAMA_MAX_SEQ`).
pub const MAX_PARALLEL: u32 = 256;

/// Defaults of the limits (SECURITY.md lists them), from the profile's table.
pub use inf_wasi_profile::{
    DEFAULT_MAX_AUDIO_SECONDS, DEFAULT_MAX_CONTEXT_SIZE, DEFAULT_MAX_IMAGE_BYTES, DEFAULT_MAX_OUTPUT_TOKENS,
};

impl Default for LoadOptions {
    fn default() -> Self {
        let threads = std::thread::available_parallelism().map(|n| n.get() as u32).unwrap_or(1).min(8);
        Self {
            context_size: 4096,
            threads,
            parallel: 1,
            batching: Batching::Exact,
            batch_size: 512,
            gpu_layers: 0,
            max_context_size: DEFAULT_MAX_CONTEXT_SIZE,
            max_output_tokens: DEFAULT_MAX_OUTPUT_TOKENS,
            max_image_bytes: DEFAULT_MAX_IMAGE_BYTES,
            max_audio_seconds: DEFAULT_MAX_AUDIO_SECONDS,
            projector: None,
        }
    }
}

impl LoadOptions {
    /// The defaults with whichever options a host was given, validated: the
    /// shape in which Python and Node pass optional load options.
    pub fn from_optional(given: OptionalLoadOptions) -> Result<Self, ProfileError> {
        let defaults = Self::default();
        let options = Self {
            context_size: given.context_size.unwrap_or(defaults.context_size),
            threads: given.threads.unwrap_or(defaults.threads),
            parallel: given.parallel.unwrap_or(defaults.parallel),
            batching: given.batching.unwrap_or(defaults.batching),
            batch_size: given.batch_size.unwrap_or(defaults.batch_size),
            gpu_layers: defaults.gpu_layers,
            max_context_size: given.max_context_size.unwrap_or(defaults.max_context_size),
            max_output_tokens: given.max_output_tokens.unwrap_or(defaults.max_output_tokens),
            max_image_bytes: given.max_image_bytes.unwrap_or(defaults.max_image_bytes),
            max_audio_seconds: given.max_audio_seconds.unwrap_or(defaults.max_audio_seconds),
            projector: given.projector,
        };
        options.validate()?;
        Ok(options)
    }

    /// A session's context size when it asks for none.
    pub fn default_context_size(&self, n_ctx_train: u32) -> u32 {
        self.context_size.min(self.max_context_size).min(n_ctx_train)
    }

    pub fn validate(&self) -> Result<(), ProfileError> {
        let bad = |m: &str| Err(ProfileError::invalid_input(m.to_string()));
        if self.context_size == 0 {
            return bad("context size must be at least 1 token");
        }
        if self.threads == 0 || self.threads > 1024 {
            return bad("threads must be between 1 and 1024");
        }
        if self.parallel == 0 || self.parallel > MAX_PARALLEL {
            return Err(ProfileError::invalid_input(format!("parallel must be between 1 and {MAX_PARALLEL} sessions")));
        }
        if self.batch_size == 0 {
            return bad("batch size must be at least 1 token");
        }
        if self.max_context_size == 0
            || self.max_output_tokens == 0
            || self.max_image_bytes == 0
            || self.max_audio_seconds == 0
        {
            return bad(
                "limits (max context size, max output tokens, max image bytes, max audio seconds) must be at least 1",
            );
        }
        Ok(())
    }
}

/// A model as registered; the weights are loaded by the first session that needs them.
pub struct Model {
    name: String,
    path: PathBuf,
    options: LoadOptions,
    /// The GGUF lies inside a packed file at `path`, not in a file of its own.
    packed: bool,
    loaded: OnceLock<Result<Arc<LoadedModel>, ProfileError>>,
}

/// Loaded weights plus what sessions need to know about them.
pub struct LoadedModel {
    /// The projector holds a pointer to `llama`: declared first, it is dropped first.
    pub projector: Option<Projector>,
    pub llama: LlamaModel,
    /// What `info` reports, computed once: every session opens with it.
    metadata: ModelMetadata,
    pub options: LoadOptions,
    pub name: String,
    /// llama.cpp mutates the model while creating a context, so creations are serialised.
    context_lock: Mutex<()>,
    /// The shared contexts its sessions generate in.
    pub(crate) pool: crate::batch::Pool,
}

impl Model {
    pub fn new(name: impl Into<String>, path: impl Into<PathBuf>, options: LoadOptions) -> Self {
        Self { name: name.into(), path: path.into(), options, packed: false, loaded: OnceLock::new() }
    }

    /// A model packed inside the file at `path` (docs/packed-models.md).
    pub fn packed(name: impl Into<String>, path: impl Into<PathBuf>, options: LoadOptions) -> Self {
        Self { packed: true, ..Self::new(name, path, options) }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn path(&self) -> &std::path::Path {
        &self.path
    }

    /// The loaded model, loading it on first call. A failure is remembered: a
    /// broken file stays broken until the application registers it again.
    pub fn get(&self) -> Result<Arc<LoadedModel>, ProfileError> {
        self.loaded.get_or_init(|| self.load().map(Arc::new)).clone()
    }

    fn load(&self) -> Result<LoadedModel, ProfileError> {
        self.options.validate()?;
        let backend = llama::backend().map_err(ProfileError::backend)?;
        let params = LlamaModelParams::default().with_n_gpu_layers(self.options.gpu_layers);
        let mut projector = self.options.projector.clone();
        let loaded = if self.packed {
            // The sections, the hash and the GGUF check on the section's bytes, then
            // llama.cpp opens the GGUF where it lies and maps its weights from there.
            let packed = crate::packed::read(&self.path)?;
            if let Some(packed_projector) = &packed.projector {
                if let Some(given) = &projector {
                    return Err(ProfileError::invalid_input(format!(
                        "{} holds a projector already; {} cannot be used with it",
                        self.path.display(),
                        given.display()
                    )));
                }
                projector = Some(crate::projector_cache::unpacked(&self.path, packed_projector)?);
            }
            LlamaModel::load_from_file_at(backend, &self.path, packed.model.offset, &params)
        } else {
            gguf_check::check(&self.path)?;
            LlamaModel::load_from_file(backend, &self.path, &params)
        };
        let llama = loaded.map_err(|e| {
            ProfileError::new(
                ErrorCode::InvalidModel,
                format!("llama.cpp could not load {}: not a valid or complete GGUF model ({e})", self.path.display()),
            )
        })?;
        let projector = match &projector {
            Some(path) => Some(Projector::load(path, &llama, self.options.threads)?),
            None => None,
        };
        let metadata = metadata(&llama, &self.name, &self.options, projector.as_ref());
        Ok(LoadedModel {
            projector,
            llama,
            metadata,
            options: self.options.clone(),
            name: self.name.clone(),
            context_lock: Mutex::new(()),
            pool: crate::batch::Pool::default(),
        })
    }
}

impl LoadedModel {
    pub fn n_ctx_train(&self) -> u32 {
        self.llama.n_ctx_train()
    }

    /// A context borrowing these weights; [`crate::context::OwnedContext`] keeps the two together.
    pub(crate) fn create_context(
        &self,
        backend: &llama_cpp_2::llama_backend::LlamaBackend,
        params: LlamaContextParams,
    ) -> Result<LlamaContext<'_>, ProfileError> {
        let _guard = self.context_lock.lock().unwrap_or_else(|e| e.into_inner());
        self.llama
            .new_context(backend, params)
            .map_err(|e| ProfileError::backend(format!("llama.cpp could not create a context: {e}")))
    }

    /// Context parameters shared by generation and reference runs.
    pub fn context_params(&self, n_ctx: u32) -> LlamaContextParams {
        let threads = self.options.threads as i32;
        LlamaContextParams::default()
            .with_n_ctx(NonZeroU32::new(n_ctx))
            .with_n_batch(self.options.batch_size)
            .with_n_threads(threads)
            .with_n_threads_batch(threads)
    }

    /// Parameters of a context shared by `parallel` sessions of `n_ctx_seq`
    /// tokens each: a cache per sequence (not one unified cache), which is
    /// what llama.h advises for independent prompts.
    pub(crate) fn group_context_params(&self, n_ctx_seq: u32) -> LlamaContextParams {
        let parallel = self.options.parallel;
        self.context_params(n_ctx_seq.saturating_mul(parallel)).with_n_seq_max(parallel).with_kv_unified(false)
    }

    /// Model metadata as the `info` operation reports it.
    pub fn metadata(&self) -> &ModelMetadata {
        &self.metadata
    }
}

fn metadata(llama: &LlamaModel, name: &str, options: &LoadOptions, projector: Option<&Projector>) -> ModelMetadata {
    let meta = |key: &str| llama.meta_val_str(key).ok();
    let vocab = llama.vocab();
    let token_text = |t| vocab.text(t).and_then(|s| s.to_str().ok()).map(str::to_string);
    let default_context_size = options.default_context_size(llama.n_ctx_train());
    ModelMetadata {
        name: name.to_string(),
        architecture: meta("general.architecture").unwrap_or_default(),
        context_length: llama.n_ctx_train(),
        vocab_size: llama.n_vocab().max(0) as u32,
        embedding_size: llama.n_embd().max(0) as u32,
        parameters: llama.n_params(),
        size_bytes: llama.size(),
        vision: projector.is_some_and(|p| p.vision),
        audio: projector.is_some_and(|p| p.audio),
        // Where an image or audio clip goes in a prompt (one per media part, in order).
        media_marker: projector.map(|_| Projector::marker().to_string()),
        chat_template: meta("tokenizer.chat_template"),
        bos_token: token_text(vocab.bos()),
        eos_token: token_text(vocab.eos()),
        add_bos: vocab.should_add_bos(),
        default_context_size,
        // A session reports its own size in `info`.
        session_context_size: default_context_size,
        // No token stands for more bytes of text than its vocabulary entry has
        // (SentencePiece's "▁" and GPT-2's "Ġ" are longer than the space they
        // stand for), so a prompt longer than context × this cannot fit.
        max_token_bytes: vocab
            .tokens()
            .filter_map(|t| vocab.text(t))
            .map(|t| t.to_bytes().len())
            .max()
            .unwrap_or(1)
            .max(1) as u32,
        limits: EngineLimits {
            max_context_size: options.max_context_size,
            max_output_tokens: options.max_output_tokens,
            max_image_bytes: options.max_image_bytes,
        },
    }
}
