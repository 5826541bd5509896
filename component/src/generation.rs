//! One generation: prompt evaluation, then one backend `next` per token, with
//! UTF-8 assembly, stop strings, max tokens and usage counting on top.

use crate::bindings::exports::inf::wasi::types::{Completion, Error, FinishReason, Usage};
use crate::nn::{Backend, Input};
use crate::options::Plan;
use crate::stop::StopMatcher;
use crate::utf8::Utf8Buffer;
use serde_json::Value;

pub struct Generation {
    utf8: Utf8Buffer,
    stop: StopMatcher,
    max_tokens: u32,
    usage: Usage,
    text: String,
    finish: Option<FinishReason>,
}

impl Generation {
    /// Evaluates `prompt` (reusing whatever the KV cache already holds) and
    /// readies the sampler. `add_special` lets the tokenizer add BOS.
    /// `images` go with the prompt, one per media marker in it, in order.
    pub fn start(
        backend: &Backend,
        prompt: &str,
        images: &[&[u8]],
        plan: Plan,
        add_special: bool,
    ) -> Result<Self, Error> {
        if prompt.is_empty() {
            return Err(Error::InvalidInput("the prompt is empty".into()));
        }
        let mut config = plan.config;
        config.insert("add-special".into(), Value::Bool(add_special));
        config.insert("parse-special".into(), Value::Bool(true));
        let config = Value::Object(config).to_string();
        let names: Vec<String> = (0..images.len()).map(|i| format!("image.{i}")).collect();
        let mut inputs = vec![("text", Input::Bytes(prompt.as_bytes())), ("config", Input::Bytes(config.as_bytes()))];
        inputs.extend(names.iter().zip(images).map(|(name, bytes)| (name.as_str(), Input::Bytes(bytes))));
        let reply = backend.call("prompt", &inputs)?;
        Ok(Self {
            utf8: Utf8Buffer::default(),
            stop: StopMatcher::new(plan.stop),
            max_tokens: plan.max_tokens,
            usage: Usage {
                prompt_tokens: reply.count("prompt_tokens"),
                cached_tokens: reply.count("cached_tokens"),
                completion_tokens: 0,
            },
            text: String::new(),
            finish: None,
        })
    }

    pub fn is_finished(&self) -> bool {
        self.finish.is_some()
    }

    /// The next non-empty piece of text, or `None` once generation has ended.
    pub fn next_piece(&mut self, backend: &Backend) -> Result<Option<String>, Error> {
        while self.finish.is_none() {
            let reply = backend.call("next", &[])?;
            let mut emit = if reply.status.get("done").and_then(Value::as_bool).unwrap_or(false) {
                let reason = match reply.status.get("finish").and_then(Value::as_str) {
                    Some("context-full") => FinishReason::ContextFull,
                    Some("length") => FinishReason::Length,
                    _ => FinishReason::Stop,
                };
                self.end(reason)
            } else {
                self.usage.completion_tokens += 1;
                let piece = reply.bytes("piece")?;
                let matched = self.stop.push(&self.utf8.push(&piece));
                if matched.stopped {
                    self.finish = Some(FinishReason::Stop);
                }
                matched.emit
            };
            if self.finish.is_none() && self.usage.completion_tokens >= self.max_tokens {
                emit.push_str(&self.end(FinishReason::Length));
            }
            if !emit.is_empty() {
                self.text.push_str(&emit);
                return Ok(Some(emit));
            }
        }
        Ok(None)
    }

    /// Ends generation, releasing any text held back for UTF-8 or stop strings.
    fn end(&mut self, reason: FinishReason) -> String {
        let tail = self.utf8.finish();
        let matched = self.stop.push(&tail);
        let mut emit = matched.emit;
        if !matched.stopped {
            emit.push_str(&self.stop.finish());
        }
        self.finish = Some(reason);
        emit
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// The result so far; complete once `next_piece` has returned `None`.
    pub fn completion(&self) -> Option<Completion> {
        self.finish.map(|finish_reason| Completion { text: self.text.clone(), finish_reason, usage: self.usage })
    }
}
