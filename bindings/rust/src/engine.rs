//! `Engine`: the models an application registered, and the entry point for
//! sessions, embeddings, tokenization and model info.

use crate::bindings::{Embedder, Message, ModelInfo, SessionOptions};
use crate::guards::Guards;
use crate::runtime::{new_store, runtime, HostState};
use crate::session::Session;
use crate::{Error, Result};
use inf_wasi_ggml::{Batching, CancelFlag, LoadOptions, ModelRegistry};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use wasmtime::component::ResourceAny;
use wasmtime::Store;

/// Registered models and the shared, compiled component. Cheap to clone; every
/// clone and every session shares the loaded weights.
#[derive(Clone)]
pub struct Engine {
    inner: Arc<Inner>,
}

struct Inner {
    models: ModelRegistry,
    guards: Guards,
    /// One instance for model-level calls (info, tokenize, embed), made on first use.
    utility: Mutex<Option<Utility>>,
}

struct Utility {
    store: Store<HostState>,
    api: Embedder,
    models: HashMap<String, ResourceAny>,
}

#[derive(Default)]
pub struct EngineBuilder {
    models: Vec<(String, PathBuf, Option<LoadOptions>)>,
    /// Projectors, by index into `models`.
    projectors: Vec<(usize, PathBuf)>,
    /// Packed files (docs/packed-models.md): each registers its model under the name it carries.
    packed: Vec<PathBuf>,
    defaults: LoadOptions,
    guards: Guards,
}

impl EngineBuilder {
    /// Registers a GGUF file under `name`; it is loaded when first used.
    pub fn model(mut self, name: impl Into<String>, path: impl Into<PathBuf>) -> Self {
        self.models.push((name.into(), path.into(), None));
        self
    }

    /// Registers a vision model: its GGUF and its multimodal projector (the
    /// `mmproj` GGUF). Messages to it may carry images ([`ContentPart::Image`]).
    ///
    /// [`ContentPart::Image`]: crate::ContentPart::Image
    pub fn model_with_projector(
        mut self,
        name: impl Into<String>,
        path: impl Into<PathBuf>,
        projector: impl Into<PathBuf>,
    ) -> Self {
        self.projectors.push((self.models.len(), projector.into()));
        self.models.push((name.into(), path.into(), None));
        self
    }

    /// Registers the model packed inside a `.wasm` file (`inf-wasi pack`, or
    /// [`crate::packed::pack`]) under the name its section gives. The file's
    /// component must be this crate's own; its weights are mapped from the
    /// file where they lie.
    pub fn packed_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.packed.push(path.into());
        self
    }

    /// Registers a model with options of its own.
    pub fn model_with_options(
        mut self,
        name: impl Into<String>,
        path: impl Into<PathBuf>,
        options: LoadOptions,
    ) -> Self {
        self.models.push((name.into(), path.into(), Some(options)));
        self
    }

    /// Threads for each session's decoding (default: the machine's cores, at most 8).
    pub fn threads(mut self, threads: u32) -> Self {
        self.defaults.threads = threads;
        self
    }

    /// Sessions of a model that share one llama.cpp context (default 1). With
    /// more than one, sessions that generate at the same time, on different
    /// threads, have their tokens decoded together in one batch (continuous
    /// batching): the machine's throughput grows with the load. Each shared
    /// context holds the caches of this many sessions.
    pub fn parallel(mut self, sessions: u32) -> Self {
        self.defaults.parallel = sessions;
        self
    }

    /// How sessions sharing a context have their work decoded together
    /// (default [`Batching::Exact`]: each session's output is what it would be
    /// alone; [`Batching::Fast`] decodes all of it at once, for more throughput).
    pub fn batching(mut self, batching: Batching) -> Self {
        self.defaults.batching = batching;
        self
    }

    /// Default context window of a session, in tokens (default 4096).
    pub fn context_size(mut self, tokens: u32) -> Self {
        self.defaults.context_size = tokens;
        self
    }

    /// The largest context a session may ask for, in tokens (default 32768).
    pub fn max_context_size(mut self, tokens: u32) -> Self {
        self.defaults.max_context_size = tokens;
        self
    }

    /// The most tokens one generation may produce (default 4096); a larger
    /// `max_tokens` is an [`Error::InvalidInput`].
    pub fn max_output_tokens(mut self, tokens: u32) -> Self {
        self.defaults.max_output_tokens = tokens;
        self
    }

    /// The largest image a message may carry, in bytes (default 20 MiB).
    pub fn max_image_bytes(mut self, bytes: u64) -> Self {
        self.defaults.max_image_bytes = bytes;
        self
    }

    /// The longest audio clip a message may carry, in seconds (default 600).
    pub fn max_audio_seconds(mut self, seconds: u32) -> Self {
        self.defaults.max_audio_seconds = seconds;
        self
    }

    /// The most memory one instance of the component may use (default 512 MiB).
    /// Past it the instance is stopped with an [`Error::Backend`] naming the cap.
    pub fn guest_memory_limit(mut self, bytes: usize) -> Self {
        self.guards.memory_bytes = bytes;
        self
    }

    /// The longest the component may run without returning or calling the
    /// backend (default 10 s); past it the session is stopped with
    /// [`Error::Cancelled`]. Decoding time does not count, and a chat template
    /// that loops for ever fails sooner, on its own instruction budget.
    pub fn guest_time_limit(mut self, limit: Duration) -> Self {
        self.guards.time = limit;
        self
    }

    pub fn build(self) -> Result<Engine> {
        self.guards.validate().map_err(Error::InvalidInput)?;
        runtime()?;
        let mut models = ModelRegistry::new();
        for (index, (name, path, options)) in self.models.into_iter().enumerate() {
            if name.is_empty() {
                return Err(Error::InvalidInput("a model name must not be empty".into()));
            }
            let mut options = options.unwrap_or_else(|| self.defaults.clone());
            if let Some((_, projector)) = self.projectors.iter().find(|(i, _)| *i == index) {
                options.projector = Some(projector.clone());
            }
            options.validate().map_err(|e| Error::InvalidInput(e.message))?;
            models.register(name, path, options);
        }
        for path in self.packed {
            let name = own_packed_model(&path)?;
            models.register_packed(name, path, self.defaults.clone());
        }
        Ok(Engine { inner: Arc::new(Inner { models, guards: self.guards, utility: Mutex::new(None) }) })
    }
}

/// The name of the model packed in `path`. A packed file runs on this crate's
/// own compiled component: its component must be that one, byte for byte, or
/// it was made by another inf-wasi.
fn own_packed_model(path: &std::path::Path) -> Result<String> {
    let (name, component) =
        inf_wasi_ggml::packed::model_and_component(path).map_err(|e| Error::InvalidModel(e.message))?;
    if component != crate::runtime::COMPONENT {
        return Err(Error::InvalidModel(format!(
            "{} holds another build of the inf-wasi component than this one (inf-wasi {}); pack it again with this version",
            path.display(),
            env!("CARGO_PKG_VERSION")
        )));
    }
    Ok(name)
}

impl Engine {
    pub fn builder() -> EngineBuilder {
        EngineBuilder::default()
    }

    /// An engine for the model packed in `path` (one `.wasm` file holding the
    /// component and the model), with the default options. The model's name
    /// is [`Engine::model_names`]' only entry.
    pub fn from_file(path: impl Into<PathBuf>) -> Result<Engine> {
        Engine::builder().packed_file(path).build()
    }

    /// The names of the registered models, sorted.
    pub fn model_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.inner.models.names().map(str::to_string).collect();
        names.sort();
        names
    }

    /// A new conversation with the model registered as `model`.
    pub fn session(&self, model: &str) -> Result<Session> {
        self.session_with(model, &SessionOptions::default())
    }

    pub fn session_with(&self, model: &str, options: &SessionOptions) -> Result<Session> {
        Session::new(&self.inner.models, self.inner.guards, model, options)
    }

    pub fn model_info(&self, model: &str) -> Result<ModelInfo> {
        self.with_model(model, |u, m| u.api.inf_wasi_inference().model().call_info(&mut u.store, m))
    }

    /// Token ids of `text`, with the model's BOS token when `add_special`.
    pub fn tokenize(&self, model: &str, text: &str, add_special: bool) -> Result<Vec<u32>> {
        self.with_model(model, |u, m| {
            u.api.inf_wasi_inference().model().call_tokenize(&mut u.store, m, text, add_special)
        })
    }

    /// The token ids `messages` make as a chat: rendered with the model's chat
    /// template, ending with the assistant's opening, as a new session's `chat`
    /// reads them. Message text never becomes control tokens (a user's
    /// `<end_of_turn>` stays text). Text only: an image part is `InvalidInput`.
    pub fn tokenize_chat(&self, model: &str, messages: &[Message]) -> Result<Vec<u32>> {
        self.with_model(model, |u, m| u.api.inf_wasi_inference().model().call_tokenize_chat(&mut u.store, m, messages))
    }

    pub fn detokenize(&self, model: &str, tokens: &[u32]) -> Result<String> {
        self.with_model(model, |u, m| u.api.inf_wasi_inference().model().call_detokenize(&mut u.store, m, tokens))
    }

    /// One mean-pooled, L2-normalised vector per text.
    pub fn embed(&self, model: &str, texts: &[&str]) -> Result<Vec<Vec<f32>>> {
        let texts: Vec<String> = texts.iter().map(|t| t.to_string()).collect();
        self.with_model(model, |u, m| u.api.inf_wasi_inference().model().call_embed(&mut u.store, m, &texts))
    }

    fn with_model<R>(
        &self,
        name: &str,
        call: impl FnOnce(&mut Utility, ResourceAny) -> wasmtime::Result<std::result::Result<R, crate::bindings::WitError>>,
    ) -> Result<R> {
        let mut guard = self.inner.utility.lock().unwrap_or_else(|e| e.into_inner());
        let _busy = runtime()?.busy();
        if guard.is_none() {
            let runtime = runtime()?;
            let mut store = new_store(runtime, &self.inner.models, self.inner.guards, CancelFlag::new());
            let api = runtime.pre.instantiate(&mut store)?;
            *guard = Some(Utility { store, api, models: HashMap::new() });
        }
        let utility = guard.as_mut().expect("just made");
        utility.store.data_mut().watchdog.enter();
        let handle = match utility.models.get(name) {
            Some(handle) => *handle,
            None => {
                let opened = utility.api.inf_wasi_inference().model().call_open(&mut utility.store, name);
                let handle = match opened {
                    Ok(result) => result?,
                    Err(trap) => {
                        let error = utility.store.data().stopped(trap);
                        *guard = None;
                        return Err(error);
                    }
                };
                utility.models.insert(name.to_string(), handle);
                handle
            }
        };
        match call(utility, handle) {
            Ok(result) => Ok(result?),
            // A trapped instance cannot be entered again: start afresh next time.
            Err(trap) => {
                let error = utility.store.data().stopped(trap);
                *guard = None;
                Err(error)
            }
        }
    }
}

impl Engine {
    /// The registered models and the guards, for what runs besides sessions (plugins).
    #[cfg(feature = "plugins")]
    pub(crate) fn models_and_guards(&self) -> (&ModelRegistry, Guards) {
        (&self.inner.models, self.inner.guards)
    }
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut names: Vec<&str> = self.inner.models.names().collect();
        names.sort();
        f.debug_struct("Engine").field("models", &names).finish()
    }
}
