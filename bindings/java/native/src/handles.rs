//! Engines and sessions live here, behind numbers: Java holds a number, never a
//! pointer, so a call after `close()` finds nothing and fails cleanly instead of
//! touching freed memory, and a call in flight keeps its object alive.

use inf_wasi::{CancelHandle, Completion, Engine, Error, Plugin, Session, StreamHandle};
use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, LazyLock, Mutex, MutexGuard, PoisonError};

/// A session, the stream it is reading, if any, and the outcome of the last
/// stream that ended.
pub struct SessionSlot {
    pub session: Session,
    pub stream: Option<StreamHandle>,
    pub finished: Option<Completion>,
}

pub struct Table<T> {
    items: LazyLock<Mutex<HashMap<i64, Arc<T>>>>,
    what: &'static str,
}

static NEXT: AtomicI64 = AtomicI64::new(1);

impl<T> Table<T> {
    const fn new(what: &'static str) -> Self {
        Self { items: LazyLock::new(Default::default), what }
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<i64, Arc<T>>> {
        self.items.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub fn insert(&self, item: T) -> i64 {
        let id = NEXT.fetch_add(1, Ordering::Relaxed);
        self.lock().insert(id, Arc::new(item));
        id
    }

    pub fn get(&self, id: i64) -> Result<Arc<T>, Error> {
        self.lock().get(&id).cloned().ok_or_else(|| Error::InvalidInput(format!("this {} is closed", self.what)))
    }

    /// Forgets `id`; the object goes when the last call using it returns.
    pub fn remove(&self, id: i64) -> Option<Arc<T>> {
        self.lock().remove(&id)
    }
}

pub static ENGINES: Table<Engine> = Table::new("engine");
pub static SESSIONS: Table<SessionEntry> = Table::new("session");
pub static PLUGINS: Table<Plugin> = Table::new("plugin");

/// A session behind its lock, and its cancel handle outside it: a cancel must
/// not wait for the call it stops.
pub struct SessionEntry {
    pub cancel: CancelHandle,
    pub slot: Mutex<SessionSlot>,
}

impl SessionEntry {
    pub fn new(session: Session) -> Self {
        Self {
            cancel: session.cancel_handle(),
            slot: Mutex::new(SessionSlot { session, stream: None, finished: None }),
        }
    }
}

/// A session's slot, locked for one call (a session runs one call at a time).
pub fn with_session<R>(id: i64, f: impl FnOnce(&mut SessionSlot) -> Result<R, Error>) -> Result<R, Error> {
    let entry = SESSIONS.get(id)?;
    let mut slot = entry.slot.lock().unwrap_or_else(PoisonError::into_inner);
    f(&mut slot)
}
