//! The slots of one served model: `parallel` sessions over one shared llama.cpp
//! context, so requests that generate at the same time are decoded together
//! (the backend's continuous batching). A request takes the idle slot whose
//! conversation is the longest prefix of its messages (the prompt cache: a
//! growing conversation evaluates only its new turn), waits in a bounded queue
//! when every slot is busy, and is refused with 503 when the queue is full.

use super::error::ApiError;
use super::metrics::Metrics;
use inf_wasi::{CancelHandle, Engine, Message, Session, SessionOptions};
use std::cmp::Reverse;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

pub struct Pool {
    engine: Engine,
    pub model: String,
    slots: Mutex<Vec<Slot>>,
    running: Arc<Semaphore>,
    /// Requests admitted (running or waiting) and the most there may be.
    admitted: Arc<AtomicUsize>,
    capacity: usize,
    parallel: usize,
    /// Generations running now, for shutdown to cancel.
    active: Mutex<HashMap<u64, CancelHandle>>,
    next_id: AtomicU64,
    pub metrics: Arc<Metrics>,
}

/// A session and the conversation it holds (its KV cache matches it).
pub struct Slot {
    session: Option<Session>,
    conversation: Vec<Message>,
    last_used: Instant,
}

/// What a request asks the model for.
pub enum Work {
    Chat(Vec<Message>),
    Complete(String),
}

/// A place in the pool: holding it counts against the queue's capacity.
pub struct Admission {
    admitted: Arc<AtomicUsize>,
    _running: Option<OwnedSemaphorePermit>,
}

impl Drop for Admission {
    fn drop(&mut self) {
        self.admitted.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Pool {
    pub fn new(engine: Engine, model: String, parallel: usize, queue: usize, metrics: Arc<Metrics>) -> Self {
        let slots = (0..parallel).map(|_| Slot { session: None, conversation: Vec::new(), last_used: Instant::now() });
        Self {
            engine,
            model,
            slots: Mutex::new(slots.collect()),
            running: Arc::new(Semaphore::new(parallel)),
            admitted: Arc::new(AtomicUsize::new(0)),
            capacity: parallel + queue,
            parallel,
            active: Mutex::new(HashMap::new()),
            next_id: AtomicU64::new(0),
            metrics,
        }
    }

    /// Waits for a free slot, or refuses at once when the queue is full.
    pub async fn admit(&self) -> Result<Admission, ApiError> {
        if self.admitted.fetch_add(1, Ordering::SeqCst) >= self.capacity {
            self.admitted.fetch_sub(1, Ordering::SeqCst);
            self.metrics.rejected.fetch_add(1, Ordering::Relaxed);
            return Err(ApiError::busy());
        }
        let mut admission = Admission { admitted: self.admitted.clone(), _running: None };
        let permit = self.running.clone().acquire_owned().await.map_err(|_| ApiError::shutting_down())?;
        admission._running = Some(permit);
        Ok(admission)
    }

    /// Requests waiting for a slot.
    pub fn queued(&self) -> usize {
        self.admitted.load(Ordering::SeqCst).saturating_sub(self.running_now())
    }

    /// Slots generating now.
    pub fn running_now(&self) -> usize {
        self.parallel - self.slots.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    /// The idle slot that serves `work` best: for a chat, the one whose
    /// conversation is the longest prefix of the request's messages; otherwise
    /// (and where none matches) the one used least recently, whose cache is
    /// the least likely to be wanted again. Only called with an admission, so
    /// an idle slot exists.
    pub fn take_slot(&self, work: &Work) -> Slot {
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        let score = |slot: &Slot| match work {
            Work::Chat(messages) if slot.continues(messages) => {
                (true, slot.conversation.len(), Reverse(slot.last_used))
            }
            _ => (false, 0, Reverse(slot.last_used)),
        };
        let best = (0..slots.len()).max_by_key(|&i| score(&slots[i])).expect("an admitted request has an idle slot");
        slots.swap_remove(best)
    }

    pub fn give_back(&self, mut slot: Slot) {
        slot.last_used = Instant::now();
        self.slots.lock().unwrap_or_else(|e| e.into_inner()).push(slot);
    }

    /// Registers a running generation so that shutdown can cancel it.
    pub fn track(&self, cancel: CancelHandle) -> u64 {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        self.active.lock().unwrap_or_else(|e| e.into_inner()).insert(id, cancel);
        id
    }

    pub fn untrack(&self, id: u64) {
        self.active.lock().unwrap_or_else(|e| e.into_inner()).remove(&id);
    }

    /// Cancels every running generation (shutdown after its grace period).
    pub fn cancel_all(&self) {
        for cancel in self.active.lock().unwrap_or_else(|e| e.into_inner()).values() {
            cancel.cancel();
        }
        self.running.close();
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }
}

impl Slot {
    /// Whether `messages` is this slot's conversation plus at least one new message.
    fn continues(&self, messages: &[Message]) -> bool {
        !self.conversation.is_empty()
            && messages.len() > self.conversation.len()
            && messages[..self.conversation.len()] == self.conversation[..]
    }

    /// The session to run `work` on and, for a chat, the messages it has not
    /// seen. A slot whose conversation the request does not continue starts a
    /// new session (a reset would keep the old system turn).
    pub fn prepare(&mut self, engine: &Engine, model: &str, work: &Work) -> inf_wasi::Result<(&mut Session, usize)> {
        let skip = match work {
            Work::Chat(messages) if self.continues(messages) => self.conversation.len(),
            Work::Chat(_) => {
                self.forget();
                0
            }
            // A raw completion leaves the conversation alone.
            Work::Complete(_) => 0,
        };
        if self.session.is_none() {
            self.session = Some(engine.session_with(model, &SessionOptions::default())?);
        }
        Ok((self.session.as_mut().expect("just made"), skip))
    }

    /// Drops the session, freeing its place in the shared context: after a
    /// failure or a cut-short reply its history no longer matches what we know.
    pub fn forget(&mut self) {
        self.session = None;
        self.conversation.clear();
    }

    /// Records the conversation the session holds after a chat turn ended cleanly.
    pub fn remember(&mut self) {
        let history = self.session.as_mut().map(|s| s.history());
        match history {
            Some(Ok(history)) => self.conversation = history,
            _ => self.forget(),
        }
    }
}

/// Cancels a generation when the request that wanted it goes away (a client
/// that disconnects), unless it ended first.
pub struct CancelOnDrop {
    pub shared: Arc<CancelCell>,
}

#[derive(Default)]
pub struct CancelCell {
    pub dropped: AtomicBool,
    pub handle: Mutex<Option<CancelHandle>>,
}

impl CancelCell {
    /// Called by the worker once the session is chosen; false if the request is already gone.
    pub fn arm(&self, handle: CancelHandle) -> bool {
        *self.handle.lock().unwrap_or_else(|e| e.into_inner()) = Some(handle);
        !self.dropped.load(Ordering::SeqCst)
    }

    pub fn is_dropped(&self) -> bool {
        self.dropped.load(Ordering::SeqCst)
    }
}

impl CancelOnDrop {
    /// The request is complete: nothing left to cancel.
    pub fn disarm(&self) {
        self.shared.handle.lock().unwrap_or_else(|e| e.into_inner()).take();
    }
}

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.shared.dropped.store(true, Ordering::SeqCst);
        if let Some(handle) = self.shared.handle.lock().unwrap_or_else(|e| e.into_inner()).take() {
            handle.cancel();
        }
    }
}
