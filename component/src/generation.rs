//! One generation: prompt evaluation, then one backend `next` per token, with
//! UTF-8 assembly, stop strings, max tokens, tool calls and usage counting on top.

use crate::bindings::exports::inf::wasi::types::{Completion, Error, FinishReason, StreamEvent, ToolCall, Usage};
use crate::nn::{Backend, Input, Step};
use crate::options::Plan;
use crate::prompt::{ChatPrompt, Medium};
use crate::stop::StopMatcher;
use crate::tools::{self, CallCapture, CallFormat, ToolRequest};
use crate::utf8::Utf8Buffer;
use inf_wasi_profile::{tensors, Finish, Op, Prompted};
use std::collections::VecDeque;

pub struct Generation {
    utf8: Utf8Buffer,
    stop: StopMatcher,
    max_tokens: u32,
    usage: Usage,
    text: String,
    finish: Option<FinishReason>,
    calls: Option<Calls>,
}

/// The tool calls of a generation that may make them.
pub struct Calls {
    request: ToolRequest,
    format: CallFormat,
    capture: CallCapture,
    /// The conversation's calls so far: ids go on from there.
    calls_before: usize,
    made: Vec<ToolCall>,
    /// Calls parsed but not yet yielded by the stream.
    pending: VecDeque<ToolCall>,
}

impl Calls {
    pub fn new(request: ToolRequest, format: CallFormat, calls_before: usize) -> Self {
        let capture = CallCapture::new(format);
        Self { request, format, capture, calls_before, made: Vec::new(), pending: VecDeque::new() }
    }
}

impl Generation {
    /// Evaluates `prompt` (reusing whatever the KV cache already holds) and
    /// readies the sampler. `add_special` lets the tokenizer add BOS.
    /// `media` go with the prompt, at its media offsets, in order.
    pub fn start(
        backend: &Backend,
        prompt: &ChatPrompt,
        media: &[Medium],
        plan: Plan,
        add_special: bool,
        calls: Option<Calls>,
    ) -> Result<Self, Error> {
        if prompt.text.is_empty() {
            return Err(Error::InvalidInput("the prompt is empty".into()));
        }
        let config = inf_wasi_profile::SamplingConfig {
            add_special,
            parse_special: true,
            literal_spans: prompt.literal_spans.clone(),
            image_offsets: prompt.image_offsets.clone(),
            ..plan.config
        };
        let names: Vec<String> = media
            .iter()
            .enumerate()
            .map(|(i, medium)| match medium {
                Medium::Image(_) => tensors::image(i),
                Medium::Audio(_) => tensors::audio(i),
            })
            .collect();
        let mut inputs = vec![(tensors::TEXT, Input::Bytes(prompt.text.as_bytes()))];
        for (name, medium) in names.iter().zip(media) {
            let pieces = medium.bytes().chunks(tensors::IMAGE_PIECE_BYTES);
            inputs.extend(pieces.map(|piece| (name.as_str(), Input::Bytes(piece))));
        }
        let (reply, _): (Prompted, _) = backend.call_with(Op::Prompt, &config, &inputs)?;
        Ok(Self {
            utf8: Utf8Buffer::default(),
            stop: StopMatcher::new(plan.stop),
            max_tokens: plan.max_tokens,
            usage: Usage {
                prompt_tokens: reply.prompt_tokens,
                cached_tokens: reply.cached_tokens,
                completion_tokens: 0,
            },
            text: String::new(),
            finish: None,
            calls,
        })
    }

    pub fn is_finished(&self) -> bool {
        self.finish.is_some()
    }

    /// The next non-empty piece of text, or `None` once generation has ended;
    /// tool calls are skipped (the completion holds them).
    pub fn next_piece(&mut self, backend: &Backend) -> Result<Option<String>, Error> {
        loop {
            match self.next_event(backend)? {
                Some(StreamEvent::Text(text)) => return Ok(Some(text)),
                Some(StreamEvent::ToolCall(_)) => continue,
                None => return Ok(None),
            }
        }
    }

    /// The next piece of text or tool call, or `None` once generation has ended.
    pub fn next_event(&mut self, backend: &Backend) -> Result<Option<StreamEvent>, Error> {
        loop {
            if let Some(call) = self.calls.as_mut().and_then(|c| c.pending.pop_front()) {
                return Ok(Some(StreamEvent::ToolCall(call)));
            }
            if self.finish.is_some() {
                return Ok(None);
            }
            let mut emit = match backend.next()? {
                Step::Finish(finish) => self.end(match finish {
                    Finish::Eog => FinishReason::Stop,
                    Finish::ContextFull => FinishReason::ContextFull,
                    Finish::Length => FinishReason::Length,
                }),
                Step::Token(piece) => {
                    self.usage.completion_tokens += 1;
                    let matched = self.stop.push(&self.utf8.push(&piece));
                    let mut emit = self.shown(&matched.emit);
                    if matched.stopped {
                        emit.push_str(&self.close(FinishReason::Stop));
                    }
                    emit
                }
            };
            if self.finish.is_none() && self.usage.completion_tokens >= self.max_tokens {
                emit.push_str(&self.end(FinishReason::Length));
            }
            if !emit.is_empty() {
                self.text.push_str(&emit);
                return Ok(Some(StreamEvent::Text(emit)));
            }
        }
    }

    /// What of `text` a stream may show: all of it, unless it is a tool call's markup.
    fn shown(&mut self, text: &str) -> String {
        match self.calls.as_mut() {
            Some(calls) => calls.capture.push(text),
            None => text.to_string(),
        }
    }

    /// Ends generation, releasing any text held back for UTF-8 or stop strings.
    fn end(&mut self, reason: FinishReason) -> String {
        let tail = self.utf8.finish();
        let matched = self.stop.push(&tail);
        let mut text = matched.emit;
        if !matched.stopped {
            text.push_str(&self.stop.finish());
        }
        let mut emit = self.shown(&text);
        emit.push_str(&self.close(reason));
        emit
    }

    /// Sets the finish reason, reading any captured markup as calls: the
    /// text it still holds back (markup that does not read as calls is text).
    fn close(&mut self, reason: FinishReason) -> String {
        self.finish = Some(reason);
        let Some(calls) = self.calls.as_mut() else {
            return String::new();
        };
        let (mut held, captured) = calls.capture.finish();
        let Some(captured) = captured else {
            return held;
        };
        let cut = reason != FinishReason::Stop;
        match tools::parse_calls(calls.format, &captured, &calls.request, cut) {
            Ok(parsed) => {
                for (i, call) in parsed.into_iter().enumerate() {
                    let id = call.id.unwrap_or_else(|| tools::call_id(calls.calls_before + i + 1));
                    calls.made.push(ToolCall { id, name: call.name, arguments: call.arguments });
                }
                calls.pending.extend(calls.made.iter().cloned());
                // Cut short, the reason stays what cut it: the calls before the cut are whole.
                if !cut {
                    self.finish = Some(FinishReason::ToolCalls);
                }
            }
            Err(_) => held.push_str(&captured),
        }
        held
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// The calls the model made (complete once generation has ended).
    pub fn tool_calls(&self) -> &[ToolCall] {
        self.calls.as_ref().map(|c| c.made.as_slice()).unwrap_or_default()
    }

    /// The result so far; complete once `next_event` has returned `None`.
    pub fn completion(&self) -> Option<Completion> {
        self.finish.map(|finish_reason| Completion {
            text: self.text.clone(),
            finish_reason,
            usage: self.usage,
            tool_calls: self.tool_calls().to_vec(),
        })
    }
}
