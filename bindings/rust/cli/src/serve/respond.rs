//! A generation as OpenAI's clients expect it: one JSON object, or server-sent
//! events (one chunk per piece, a last chunk with the finish reason, the usage
//! when asked for, then `data: [DONE]`).

use super::error::ApiError;
use super::worker::{Event, Running};
use axum::response::sse::{Event as SseEvent, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::stream::{self, Stream, StreamExt};
use inf_wasi::{Completion, FinishReason, ToolCall};
use serde_json::{json, Value};
use std::convert::Infallible;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// Which endpoint is answering: the two shape their objects differently.
#[derive(Clone, Copy, PartialEq)]
pub enum Kind {
    Chat,
    Text,
}

/// The fixed fields of every object of one response.
#[derive(Clone)]
pub struct Header {
    kind: Kind,
    id: String,
    created: u64,
    model: String,
}

impl Header {
    pub fn new(kind: Kind, model: &str) -> Self {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        let prefix = if kind == Kind::Chat { "chatcmpl" } else { "cmpl" };
        let created = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
        Self {
            kind,
            id: format!("{prefix}-{created:x}{:06}", NEXT.fetch_add(1, Ordering::Relaxed)),
            created,
            model: model.into(),
        }
    }

    fn object(&self, chunk: bool, choices: Value) -> Value {
        let object = match (self.kind, chunk) {
            (Kind::Chat, false) => "chat.completion",
            (Kind::Chat, true) => "chat.completion.chunk",
            (Kind::Text, _) => "text_completion",
        };
        json!({ "id": self.id, "object": object, "created": self.created, "model": self.model, "choices": choices })
    }

    /// One choice holding `text` (a piece or the whole answer).
    fn choice(&self, chunk: bool, text: Option<&str>, finish: Option<&str>) -> Value {
        match (self.kind, chunk) {
            (Kind::Chat, false) => json!({
                "index": 0, "message": { "role": "assistant", "content": text }, "finish_reason": finish, "logprobs": null
            }),
            (Kind::Chat, true) => {
                let delta = text.map(|t| json!({ "content": t })).unwrap_or_else(|| json!({}));
                json!({ "index": 0, "delta": delta, "finish_reason": finish, "logprobs": null })
            }
            (Kind::Text, _) => {
                json!({ "index": 0, "text": text.unwrap_or(""), "finish_reason": finish, "logprobs": null })
            }
        }
    }
}

fn finish_reason(reason: FinishReason) -> &'static str {
    match reason {
        FinishReason::Stop => "stop",
        // A full context ends the answer for want of room, as a length limit does.
        FinishReason::Length | FinishReason::ContextFull => "length",
        FinishReason::ToolCalls => "tool_calls",
    }
}

/// A call as OpenAI writes it; `index` is its place in the turn (streamed deltas carry it).
fn tool_call(call: &ToolCall, index: Option<usize>) -> Value {
    let mut value = json!({
        "id": call.id, "type": "function", "function": { "name": call.name, "arguments": call.arguments },
    });
    if let Some(index) = index {
        value["index"] = json!(index);
    }
    value
}

fn usage(c: &Completion) -> Value {
    let u = &c.usage;
    json!({
        "prompt_tokens": u.prompt_tokens,
        "completion_tokens": u.completion_tokens,
        "total_tokens": u.prompt_tokens + u.completion_tokens,
        "prompt_tokens_details": { "cached_tokens": u.cached_tokens },
    })
}

/// Waits for the whole answer. The request's guard lives until it is
/// complete, so a client that goes away cancels the generation.
pub async fn whole(header: Header, mut running: Running) -> Result<Response, ApiError> {
    let mut text = String::new();
    while let Some(event) = running.events.recv().await {
        match event {
            Event::Piece(piece) => text.push_str(&piece),
            Event::Call(_) => {}
            Event::Failed(error) => return Err(error),
            Event::Done(completion) => {
                running.guard.disarm();
                let calls = &completion.tool_calls;
                // A turn of calls alone has no content, as OpenAI answers it.
                let content = (calls.is_empty() || !text.is_empty()).then_some(text.as_str());
                let mut choice = header.choice(false, content, Some(finish_reason(completion.finish_reason)));
                if !calls.is_empty() {
                    choice["message"]["tool_calls"] = calls.iter().map(|c| tool_call(c, None)).collect();
                }
                let mut body = header.object(false, json!([choice]));
                body["usage"] = usage(&completion);
                return Ok(axum::Json(body).into_response());
            }
        }
    }
    Err(ApiError::from(inf_wasi::Error::Backend("the generation stopped without an answer".into())))
}

/// Streams the answer as server-sent events. Dropping the body (the client
/// went away) drops the guard inside it, which cancels the generation.
pub fn streamed(header: Header, running: Running, include_usage: bool) -> Response {
    let opening = (header.kind == Kind::Chat).then(|| {
        let choice = json!({ "index": 0, "delta": { "role": "assistant", "content": "" }, "finish_reason": null, "logprobs": null });
        data(&header.object(true, json!([choice])))
    });
    let state = Some((running, header.clone(), 0));
    let body = stream::unfold(state, move |state| async move {
        let (mut running, header, calls) = state?;
        let event = running.events.recv().await?;
        let (events, next) = match event {
            Event::Piece(piece) => (
                vec![data(&header.object(true, json!([header.choice(true, Some(&piece), None)])))],
                Some((running, header, calls)),
            ),
            Event::Call(call) => {
                let mut choice = header.choice(true, None, None);
                choice["delta"] = json!({ "tool_calls": [tool_call(&call, Some(calls))] });
                (vec![data(&header.object(true, json!([choice])))], Some((running, header, calls + 1)))
            }
            Event::Failed(error) => (vec![data(&error.body())], None),
            Event::Done(completion) => {
                running.guard.disarm();
                let last = header.choice(true, None, Some(finish_reason(completion.finish_reason)));
                let mut events = vec![data(&header.object(true, json!([last])))];
                if include_usage {
                    let mut chunk = header.object(true, json!([]));
                    chunk["usage"] = usage(&completion);
                    events.push(data(&chunk));
                }
                (events, None)
            }
        };
        Some((stream::iter(events), next))
    })
    .flatten();
    let done = SseEvent::default().data("[DONE]");
    let all = stream::iter(opening).chain(body).chain(stream::once(async { done })).map(Ok::<_, Infallible>);
    sse(all)
}

fn sse(events: impl Stream<Item = Result<SseEvent, Infallible>> + Send + 'static) -> Response {
    Sse::new(events).into_response()
}

fn data(value: &Value) -> SseEvent {
    SseEvent::default().data(value.to_string())
}
