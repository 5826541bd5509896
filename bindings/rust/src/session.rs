//! `Session`: one conversation, in its own instance of the component (its own
//! store, so sessions on different threads run at the same time) over shared
//! model weights.

use crate::bindings::{Completion, Embedder, GenerateOptions, Message, SessionOptions, StreamEvent, WitError};
use crate::guards::Guards;
use crate::runtime::{new_store, runtime, HostState};
use crate::{Error, Result};
use inf_wasi_ggml::{CancelFlag, ModelRegistry};
use wasmtime::component::ResourceAny;
use wasmtime::Store;

pub struct Session {
    store: Store<HostState>,
    api: Embedder,
    session: ResourceAny,
    cancel: CancelFlag,
    /// Why the instance stopped, once a trap (a guard, a bug) stopped it: a
    /// trapped instance cannot be entered again.
    failed: Option<String>,
}

/// Cancels a session's running generation from any thread; see [`Session::cancel_handle`].
#[derive(Clone, Debug)]
pub struct CancelHandle(CancelFlag);

impl CancelHandle {
    /// Stops the generation running now: it ends with [`Error::Cancelled`]
    /// within milliseconds, even in the middle of a long prompt, and the
    /// session stays usable. Does nothing when no generation is running.
    pub fn cancel(&self) {
        self.0.cancel();
    }

    /// How many prompt batches this session has begun to evaluate, ever: a
    /// caller (a test) can wait for prompt evaluation to be under way.
    pub fn prompt_batches_started(&self) -> u64 {
        self.0.prompt_batches_started()
    }
}

type Call<T> = wasmtime::Result<std::result::Result<T, WitError>>;

impl Session {
    pub(crate) fn new(models: &ModelRegistry, guards: Guards, model: &str, options: &SessionOptions) -> Result<Self> {
        let runtime = runtime()?;
        let cancel = CancelFlag::new();
        let mut store = new_store(runtime, models, guards, cancel.clone());
        let _busy = runtime.busy();
        let api = runtime.pre.instantiate(&mut store)?;
        let models_api = api.inf_wasi_inference().model();
        let handle = models_api.call_open(&mut store, model)??;
        let session = models_api.call_new_session(&mut store, handle, options);
        handle.resource_drop(&mut store)?;
        Ok(Self { store, api, session: session??, cancel, failed: None })
    }

    /// A handle that cancels this session's generations from another thread.
    pub fn cancel_handle(&self) -> CancelHandle {
        CancelHandle(self.cancel.clone())
    }

    /// Runs one call into the component under the store's watchdog. A trap
    /// ends the instance: later calls say why instead of trying again.
    fn call<T>(&mut self, f: impl FnOnce(&mut Store<HostState>, &Embedder, ResourceAny) -> Call<T>) -> Result<T> {
        if let Some(reason) = &self.failed {
            return Err(Error::Backend(format!("this session stopped after an earlier failure: {reason}")));
        }
        self.store.data_mut().watchdog.enter();
        let _busy = runtime()?.busy();
        match f(&mut self.store, &self.api, self.session) {
            Ok(result) => Ok(result?),
            Err(trap) => {
                let error = self.store.data().stopped(trap);
                self.failed = Some(error.to_string());
                Err(error)
            }
        }
    }

    /// A new request: a cancel aimed at an earlier one must not stop it.
    fn start<T>(&mut self, f: impl FnOnce(&mut Store<HostState>, &Embedder, ResourceAny) -> Call<T>) -> Result<T> {
        self.cancel.clear();
        self.call(f)
    }

    /// Raw completion of `prompt` (no chat template).
    pub fn complete(&mut self, prompt: &str, options: &GenerateOptions) -> Result<Completion> {
        self.start(|store, api, s| api.inf_wasi_inference().session().call_complete(store, s, prompt, options))
    }

    /// Streams the completion of `prompt` piece by piece.
    pub fn stream(&mut self, prompt: &str, options: &GenerateOptions) -> Result<TextStream<'_>> {
        let stream = self.start_stream(prompt, options)?;
        Ok(TextStream(Streaming::new(self, stream)))
    }

    /// Adds `messages` to the conversation and generates the assistant's reply.
    pub fn chat(&mut self, messages: &[Message], options: &GenerateOptions) -> Result<Completion> {
        self.start(|store, api, s| api.inf_wasi_inference().session().call_chat(store, s, messages, options))
    }

    pub fn chat_stream(&mut self, messages: &[Message], options: &GenerateOptions) -> Result<TextStream<'_>> {
        let stream = self.start_chat_stream(messages, options)?;
        Ok(TextStream(Streaming::new(self, stream)))
    }

    /// [`Session::chat_stream`] that also yields each tool call the model makes, once it is whole.
    pub fn chat_events(&mut self, messages: &[Message], options: &GenerateOptions) -> Result<EventStream<'_>> {
        let stream = self.start_chat_stream(messages, options)?;
        Ok(EventStream(Streaming::new(self, stream)))
    }

    /// Starts streaming the completion of `prompt`, without borrowing the session:
    /// for hosts that keep a session and its stream behind handles (JNI, C). Read
    /// it with [`Session::next_piece`]; a newer generation ends it.
    pub fn start_stream(&mut self, prompt: &str, options: &GenerateOptions) -> Result<StreamHandle> {
        self.start(|store, api, s| api.inf_wasi_inference().session().call_complete_stream(store, s, prompt, options))
            .map(StreamHandle)
    }

    /// [`Session::start_stream`] for a chat turn.
    pub fn start_chat_stream(&mut self, messages: &[Message], options: &GenerateOptions) -> Result<StreamHandle> {
        self.start(|store, api, s| api.inf_wasi_inference().session().call_chat_stream(store, s, messages, options))
            .map(StreamHandle)
    }

    /// The next piece of `stream`, or `None` once it has ended.
    pub fn next_piece(&mut self, stream: &StreamHandle) -> Result<Option<String>> {
        self.call(|store, api, _| api.inf_wasi_inference().token_stream().call_next(store, stream.0))
    }

    /// The next piece of text or tool call of `stream`, or `None` once it has ended.
    pub fn next_event(&mut self, stream: &StreamHandle) -> Result<Option<StreamEvent>> {
        self.call(|store, api, _| api.inf_wasi_inference().token_stream().call_next_event(store, stream.0))
    }

    /// The finish reason and usage of `stream`, once it has ended.
    pub fn stream_outcome(&mut self, stream: &StreamHandle) -> Option<Completion> {
        self.call(|store, api, _| api.inf_wasi_inference().token_stream().call_outcome(store, stream.0).map(Ok))
            .ok()
            .flatten()
    }

    /// Releases `stream` (also stopping its generation early).
    pub fn end_stream(&mut self, stream: StreamHandle) {
        if self.failed.is_none() {
            let _ = stream.0.resource_drop(&mut self.store);
        }
    }

    /// The conversation so far.
    pub fn history(&mut self) -> Result<Vec<Message>> {
        self.call(|store, api, s| api.inf_wasi_inference().session().call_history(store, s).map(Ok))
    }

    /// Forgets the conversation (keeping the system prompt) and clears the KV cache.
    pub fn reset(&mut self) -> Result<()> {
        self.call(|store, api, s| api.inf_wasi_inference().session().call_reset(store, s))
    }
}

/// Text pieces as they are generated; each is whole UTF-8 characters.
/// After the last piece, [`TextStream::completion`] has the finish reason,
/// usage and any tool calls.
pub struct TextStream<'s>(Streaming<'s>);

/// Text pieces and tool calls as they are generated ([`Session::chat_events`]).
/// After the last, [`EventStream::completion`] has the whole result.
pub struct EventStream<'s>(Streaming<'s>);

impl TextStream<'_> {
    /// The whole result, once the stream has ended.
    pub fn completion(&self) -> Option<&Completion> {
        self.0.completion.as_ref()
    }
}

impl EventStream<'_> {
    /// The whole result, once the stream has ended.
    pub fn completion(&self) -> Option<&Completion> {
        self.0.completion.as_ref()
    }
}

impl Iterator for TextStream<'_> {
    type Item = Result<String>;

    fn next(&mut self) -> Option<Self::Item> {
        self.0.advance(Session::next_piece)
    }
}

impl Iterator for EventStream<'_> {
    type Item = Result<StreamEvent>;

    fn next(&mut self) -> Option<Self::Item> {
        self.0.advance(Session::next_event)
    }
}

/// A stream over a borrowed session, released when it ends or is dropped.
struct Streaming<'s> {
    session: &'s mut Session,
    stream: Option<StreamHandle>,
    completion: Option<Completion>,
}

impl<'s> Streaming<'s> {
    fn new(session: &'s mut Session, stream: StreamHandle) -> Self {
        Self { session, stream: Some(stream), completion: None }
    }

    /// The next item `step` reads, or `None` (with the completion kept) once the stream has ended.
    fn advance<T>(&mut self, step: impl FnOnce(&mut Session, &StreamHandle) -> Result<Option<T>>) -> Option<Result<T>> {
        let stream = self.stream.as_ref()?;
        match step(self.session, stream) {
            Ok(Some(item)) => Some(Ok(item)),
            Ok(None) => {
                self.completion = self.session.stream_outcome(stream);
                self.close();
                None
            }
            Err(e) => {
                self.close();
                Some(Err(e))
            }
        }
    }

    fn close(&mut self) {
        if let Some(stream) = self.stream.take() {
            self.session.end_stream(stream);
        }
    }
}

impl Drop for Streaming<'_> {
    fn drop(&mut self) {
        self.close();
    }
}

/// A stream started by [`Session::start_stream`]. Give it back with
/// [`Session::end_stream`]; one that is dropped is released with its session.
#[derive(Debug)]
pub struct StreamHandle(ResourceAny);

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session").finish_non_exhaustive()
    }
}
