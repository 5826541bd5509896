//! The limits a store puts on the component: a memory cap and a deadline on
//! guest execution. Both stop only guest code; time spent in wasi-nn (decoding
//! on llama.cpp) does not count, and cancellation covers it instead.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use wasmtime::{ResourceLimiter, UpdateDeadline};

/// How often the engine's epoch advances: the deadline's resolution.
pub const TICK: Duration = Duration::from_millis(10);

/// The component's limits, set per engine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Guards {
    /// The most linear memory one instance of the component may grow to.
    pub memory_bytes: usize,
    /// The longest the component may run between two wasi-nn calls (or in a call
    /// that makes none), for example while rendering a chat template.
    pub time: Duration,
}

impl Default for Guards {
    fn default() -> Self {
        Self { memory_bytes: 512 << 20, time: Duration::from_secs(10) }
    }
}

/// The component's memory outgrew [`Guards::memory_bytes`]; it was stopped.
#[derive(Debug, thiserror::Error)]
#[error("the component reached its memory cap of {cap} bytes and was stopped (asked for {desired})")]
pub struct MemoryCapReached {
    cap: usize,
    desired: usize,
}

/// The component ran past [`Guards::time`] without returning; it was stopped.
#[derive(Debug, thiserror::Error)]
#[error("the component ran for more than {0:?} without returning (a looping chat template?) and was stopped")]
pub struct DeadlineExceeded(Duration);

/// Refuses memory growth past the cap, with a trap that names it (a refused
/// `memory.grow` would only reach the guest's allocator as an abort).
pub struct MemoryCap(pub usize);

impl ResourceLimiter for MemoryCap {
    fn memory_growing(&mut self, _current: usize, desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        if desired > self.0 {
            return Err(MemoryCapReached { cap: self.0, desired }.into());
        }
        Ok(true)
    }

    fn table_growing(&mut self, _current: usize, desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        Ok(desired <= 100_000)
    }
}

/// Measures how long guest code has run since it last entered or returned from
/// a wasi-nn call. The epoch callback runs only while guest code runs, once per
/// [`TICK`]; the backend counts its calls, so a callback that sees the count
/// changed knows the guest was in the host meanwhile and starts afresh.
pub struct Watchdog {
    limit: Duration,
    host_calls: Arc<AtomicU64>,
    seen_calls: u64,
    since: Option<Instant>,
}

impl Watchdog {
    pub fn new(limit: Duration, host_calls: Arc<AtomicU64>) -> Self {
        Self { limit, host_calls, seen_calls: 0, since: None }
    }

    /// Called before every call into the component.
    pub fn enter(&mut self) {
        self.since = None;
    }

    pub fn on_tick(&mut self) -> wasmtime::Result<UpdateDeadline> {
        let now = Instant::now();
        let calls = self.host_calls.load(Ordering::Relaxed);
        match self.since {
            Some(since) if calls == self.seen_calls => {
                if now.duration_since(since) > self.limit {
                    return Err(DeadlineExceeded(self.limit).into());
                }
            }
            _ => {
                self.seen_calls = calls;
                self.since = Some(now);
            }
        }
        Ok(UpdateDeadline::Continue(1))
    }
}
