//! Running one request's generation on a blocking thread: the session calls
//! into the component synchronously, and pieces travel to the async handler
//! through a channel. A request that goes away cancels its generation.

use super::error::ApiError;
use super::pool::{Admission, CancelCell, CancelOnDrop, Pool, Slot, Work};
use inf_wasi::{Completion, GenerateOptions, StreamEvent, ToolCall};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use tokio::sync::mpsc;

pub enum Event {
    Piece(String),
    /// A whole tool call (chat with tools).
    Call(ToolCall),
    Done(Completion),
    Failed(ApiError),
}

/// A generation under way: its events, and the guard that cancels it when dropped.
pub struct Running {
    pub events: mpsc::Receiver<Event>,
    pub guard: CancelOnDrop,
}

/// Admits the request (or refuses it when the queue is full) and starts it.
pub async fn start(pool: Arc<Pool>, work: Work, options: GenerateOptions) -> Result<Running, ApiError> {
    pool.metrics.requests.fetch_add(1, Ordering::Relaxed);
    let admission = pool.admit().await?;
    let (sender, events) = mpsc::channel(64);
    let cell = Arc::new(CancelCell::default());
    let guard = CancelOnDrop { shared: cell.clone() };
    let slot = pool.take_slot(&work);
    tokio::task::spawn_blocking(move || run(pool, admission, slot, work, options, sender, cell));
    Ok(Running { events, guard })
}

fn run(
    pool: Arc<Pool>,
    admission: Admission,
    mut slot: Slot,
    work: Work,
    options: GenerateOptions,
    sender: mpsc::Sender<Event>,
    cell: Arc<CancelCell>,
) {
    let outcome = generate(&pool, &mut slot, &work, &options, &sender, &cell);
    // The slot goes back first, so that whoever hears of the end finds it free.
    match &outcome {
        Ok(Some(_)) if matches!(work, Work::Chat(_)) => slot.remember(),
        Ok(Some(_)) => {}
        // Cut short or failed: the session's history no longer matches what we know.
        Ok(None) | Err(_) => slot.forget(),
    }
    pool.give_back(slot);
    drop(admission);
    let metrics = &pool.metrics;
    match outcome {
        Ok(Some(completion)) => {
            metrics.prompt_tokens.fetch_add(completion.usage.prompt_tokens.into(), Ordering::Relaxed);
            metrics.cached_tokens.fetch_add(completion.usage.cached_tokens.into(), Ordering::Relaxed);
            metrics.completion_tokens.fetch_add(completion.usage.completion_tokens.into(), Ordering::Relaxed);
            let _ = sender.blocking_send(Event::Done(completion));
        }
        Ok(None) => {
            metrics.cancelled.fetch_add(1, Ordering::Relaxed);
        }
        Err(error) => {
            metrics.failed.fetch_add(1, Ordering::Relaxed);
            let _ = sender.blocking_send(Event::Failed(error.into()));
        }
    }
}

/// Streams the generation's pieces to `sender`; the completion, or None when
/// the receiver went away first.
fn generate(
    pool: &Pool,
    slot: &mut Slot,
    work: &Work,
    options: &GenerateOptions,
    sender: &mpsc::Sender<Event>,
    cell: &CancelCell,
) -> inf_wasi::Result<Option<Completion>> {
    if cell.is_dropped() {
        return Ok(None);
    }
    let (session, skip) = slot.prepare(pool.engine(), &pool.model, work)?;
    let id = pool.track(session.cancel_handle());
    let result = (|| {
        if !cell.arm(session.cancel_handle()) {
            return Ok(None);
        }
        // A new generation clears its session's cancel flag as it starts: a
        // client that left just before then is noticed after it starts.
        let completion = match work {
            Work::Chat(messages) => {
                let mut stream = session.chat_events(&messages[skip..], options)?;
                let to_event = |event| match event {
                    StreamEvent::Text(piece) => Event::Piece(piece),
                    StreamEvent::ToolCall(call) => Event::Call(call),
                };
                if !forward(&mut stream, to_event, sender, cell)? {
                    return Ok(None);
                }
                stream.completion().cloned()
            }
            Work::Complete(prompt) => {
                let mut stream = session.stream(prompt, options)?;
                if !forward(&mut stream, Event::Piece, sender, cell)? {
                    return Ok(None);
                }
                stream.completion().cloned()
            }
        };
        completion.map(Some).ok_or_else(|| inf_wasi::Error::Backend("the generation ended without a result".into()))
    })();
    pool.untrack(id);
    result
}

/// Sends each item of `stream` on as an event: true when the stream ended,
/// false when the client went away first.
fn forward<T>(
    stream: &mut impl Iterator<Item = inf_wasi::Result<T>>,
    to_event: impl Fn(T) -> Event,
    sender: &mpsc::Sender<Event>,
    cell: &CancelCell,
) -> inf_wasi::Result<bool> {
    if cell.is_dropped() {
        return Ok(false);
    }
    for item in stream {
        match item {
            Ok(item) => {
                if sender.blocking_send(to_event(item)).is_err() {
                    return Ok(false);
                }
            }
            Err(inf_wasi::Error::Cancelled(_)) if cell.is_dropped() => return Ok(false),
            Err(error) => return Err(error),
        }
    }
    Ok(true)
}
