//! The exported `session` and `token-stream` resources: a conversation over one
//! backend context. A stream shares its session's state; starting another
//! generation on the session ends the stream.

use crate::bindings::exports::inf::wasi::inference::{GuestSession, GuestTokenStream, TokenStream};
use crate::bindings::exports::inf::wasi::types::{
    Completion, ContentPart, Error, GenerateOptions, Message, Role, StreamEvent,
};
use crate::generation::{Calls, Generation};
use crate::nn::Backend;
use crate::options::{self, Limits};
use crate::prompt::{self, ChatPrompt};
use crate::template::ChatTemplate;
use crate::tools::CallFormat;
use inf_wasi_profile::{NoReply, Op};
use std::cell::RefCell;
use std::rc::Rc;

pub struct SessionResource {
    state: Rc<RefCell<State>>,
}

struct State {
    backend: Backend,
    template: ChatTemplate,
    limits: Limits,
    /// Where an image goes in the prompt; `None` for a model that takes no images.
    media_marker: Option<String>,
    history: Vec<Message>,
    /// Bumped by every new generation; a stream with an older id has ended.
    generation_id: u64,
    active: Option<Active>,
}

struct Active {
    generation: Generation,
    /// A chat reply joins the history when it ends (or is cut short).
    chat: bool,
    recorded: bool,
    /// The history's length before this turn's messages: a turn that fails
    /// leaves no trace, so the next one never sees a question without its reply.
    history_before: usize,
}

impl SessionResource {
    pub fn new(
        backend: Backend,
        template: ChatTemplate,
        limits: Limits,
        media_marker: Option<String>,
        system_prompt: Option<String>,
    ) -> Self {
        let history = system_prompt.map(|text| vec![text_message(Role::System, text)]).unwrap_or_default();
        Self {
            state: Rc::new(RefCell::new(State {
                backend,
                template,
                limits,
                media_marker,
                history,
                generation_id: 0,
                active: None,
            })),
        }
    }

    fn start_completion(&self, prompt: &str, options: &GenerateOptions) -> Result<u64, Error> {
        let mut state = self.state.borrow_mut();
        let plan = options::plan(options, state.limits)?;
        if plan.tools.is_some() {
            return Err(Error::InvalidInput("tools need a chat: a raw completion has no template to show them".into()));
        }
        state.record_reply();
        state.limits.check_prompt(prompt)?;
        let generation = Generation::start(&state.backend, &ChatPrompt::raw(prompt), &[], plan, true, None)?;
        let history_before = state.history.len();
        Ok(state.activate(generation, false, history_before))
    }

    fn start_chat(&self, messages: Vec<Message>, options: &GenerateOptions) -> Result<u64, Error> {
        let mut state = self.state.borrow_mut();
        let mut plan = options::plan(options, state.limits)?;
        if messages.is_empty() {
            return Err(Error::InvalidInput("chat needs at least one message".into()));
        }
        state.record_reply();
        let mut conversation = state.history.clone();
        conversation.extend(messages);
        let (limits, marker) = (state.limits, state.media_marker.as_deref());
        let backend = &state.backend;
        let (prompt, images) =
            prompt::render(&state.template, &conversation, plan.tools.as_ref(), limits, marker, |text| {
                backend.holds_control_text(text)
            })?;
        let add_special = state.template.needs_bos(&prompt.text);
        state.limits.check_prompt(&prompt.text)?;
        let format = CallFormat::detect(state.template.source());
        plan.constrain_to_calls(format)?;
        let calls_before = conversation.iter().map(|m| m.tool_calls.len()).sum();
        let calls = plan.tools.clone().filter(|r| r.calls_allowed()).map(|r| Calls::new(r, format, calls_before));
        let generation = Generation::start(&state.backend, &prompt, &images, plan, add_special, calls)?;
        let history_before = std::mem::replace(&mut state.history, conversation).len();
        Ok(state.activate(generation, true, history_before))
    }

    fn run_to_end(&self, id: u64) -> Result<Completion, Error> {
        let stream = StreamResource { state: self.state.clone(), id };
        while stream.next()?.is_some() {}
        stream.outcome().ok_or_else(|| Error::Backend("generation ended without a result".into()))
    }
}

impl State {
    fn activate(&mut self, generation: Generation, chat: bool, history_before: usize) -> u64 {
        self.generation_id += 1;
        self.active = Some(Active { generation, chat, recorded: false, history_before });
        self.generation_id
    }

    /// Adds the current chat reply to the history, once, finished or not.
    fn record_reply(&mut self) {
        if let Some(active) = self.active.as_mut() {
            if active.chat && !active.recorded {
                active.recorded = true;
                let mut reply = text_message(Role::Assistant, active.generation.text().to_string());
                reply.tool_calls = active.generation.tool_calls().to_vec();
                if !reply.tool_calls.is_empty() && active.generation.text().is_empty() {
                    // As OpenAI's clients send a calls-only turn back: no content.
                    reply.content.clear();
                }
                self.history.push(reply);
            }
        }
    }
}

fn text_message(role: Role, text: String) -> Message {
    Message { role, content: vec![ContentPart::Text(text)], tool_calls: Vec::new(), tool_call_id: None }
}

impl GuestSession for SessionResource {
    fn complete(&self, prompt: String, options: GenerateOptions) -> Result<Completion, Error> {
        let id = self.start_completion(&prompt, &options)?;
        self.run_to_end(id)
    }

    fn complete_stream(&self, prompt: String, options: GenerateOptions) -> Result<TokenStream, Error> {
        let id = self.start_completion(&prompt, &options)?;
        Ok(TokenStream::new(StreamResource { state: self.state.clone(), id }))
    }

    fn chat(&self, messages: Vec<Message>, options: GenerateOptions) -> Result<Completion, Error> {
        let id = self.start_chat(messages, &options)?;
        self.run_to_end(id)
    }

    fn chat_stream(&self, messages: Vec<Message>, options: GenerateOptions) -> Result<TokenStream, Error> {
        let id = self.start_chat(messages, &options)?;
        Ok(TokenStream::new(StreamResource { state: self.state.clone(), id }))
    }

    fn history(&self) -> Vec<Message> {
        self.state.borrow().history.clone()
    }

    fn reset(&self) -> Result<(), Error> {
        let mut state = self.state.borrow_mut();
        state.backend.call::<NoReply>(Op::Reset, &[])?;
        state.active = None;
        state.generation_id += 1;
        state.history.retain(|m| m.role == Role::System);
        Ok(())
    }
}

pub struct StreamResource {
    state: Rc<RefCell<State>>,
    id: u64,
}

impl StreamResource {
    /// The stream's next step through `step` (text only, or text and calls).
    fn advance<T>(
        &self,
        step: impl FnOnce(&mut Generation, &Backend) -> Result<Option<T>, Error>,
    ) -> Result<Option<T>, Error> {
        let mut state = self.state.borrow_mut();
        if state.generation_id != self.id {
            return Err(Error::InvalidInput("this stream has ended: a newer generation started on its session".into()));
        }
        let State { backend, active, history, .. } = &mut *state;
        let active = active.as_mut().expect("the current generation is active");
        let item = match step(&mut active.generation, backend) {
            Ok(item) => item,
            Err(e) => {
                // A failed or cancelled turn leaves the conversation as it was
                // before it: no reply, and no question waiting for one.
                active.recorded = true;
                history.truncate(active.history_before);
                return Err(e);
            }
        };
        if active.generation.is_finished() {
            state.record_reply();
        }
        Ok(item)
    }
}

impl GuestTokenStream for StreamResource {
    fn next(&self) -> Result<Option<String>, Error> {
        self.advance(|generation, backend| generation.next_piece(backend))
    }

    fn next_event(&self) -> Result<Option<StreamEvent>, Error> {
        self.advance(|generation, backend| generation.next_event(backend))
    }

    fn outcome(&self) -> Option<Completion> {
        let state = self.state.borrow();
        if state.generation_id != self.id {
            return None;
        }
        state.active.as_ref().and_then(|a| a.generation.completion())
    }
}
