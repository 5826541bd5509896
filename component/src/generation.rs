//! One generation: prompt evaluation, then one backend `next` per token, with
//! UTF-8 assembly, stop strings, max tokens and usage counting on top.

use crate::bindings::exports::inf::wasi::types::{Completion, Error, FinishReason, Usage};
use crate::nn::{Backend, Input, Step};
use crate::options::Plan;
use crate::prompt::ChatPrompt;
use crate::stop::StopMatcher;
use crate::utf8::Utf8Buffer;
use inf_wasi_profile::{tensors, Finish, Op, Prompted};

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
    /// `images` go with the prompt, at its image offsets, in order.
    pub fn start(
        backend: &Backend,
        prompt: &ChatPrompt,
        images: &[&[u8]],
        plan: Plan,
        add_special: bool,
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
        let names: Vec<String> = (0..images.len()).map(tensors::image).collect();
        let mut inputs = vec![(tensors::TEXT, Input::Bytes(prompt.text.as_bytes()))];
        for (name, bytes) in names.iter().zip(images) {
            let pieces = bytes.chunks(tensors::IMAGE_PIECE_BYTES);
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
        })
    }

    pub fn is_finished(&self) -> bool {
        self.finish.is_some()
    }

    /// The next non-empty piece of text, or `None` once generation has ended.
    pub fn next_piece(&mut self, backend: &Backend) -> Result<Option<String>, Error> {
        while self.finish.is_none() {
            let mut emit = match backend.next()? {
                Step::Finish(finish) => self.end(match finish {
                    Finish::Eog => FinishReason::Stop,
                    Finish::ContextFull => FinishReason::ContextFull,
                    Finish::Length => FinishReason::Length,
                }),
                Step::Token(piece) => {
                    self.usage.completion_tokens += 1;
                    let matched = self.stop.push(&self.utf8.push(&piece));
                    if matched.stopped {
                        self.finish = Some(FinishReason::Stop);
                    }
                    matched.emit
                }
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
