//! The limits a store puts on the component: a memory cap and a deadline on
//! guest execution. Both stop only guest code; time spent in wasi-nn (decoding
//! on llama.cpp) does not count, and cancellation covers it instead.

use serde::Deserialize;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};
use wasmtime::{ResourceLimiter, UpdateDeadline};

/// The guards' defaults and bounds, which every host applies alike
/// (bindings/guards.json, docs/host-contract.md).
#[derive(Deserialize)]
struct Contract {
    memory_bytes: Bound,
    time_ms: Bound,
    tick_ms: u64,
}

#[derive(Deserialize)]
struct Bound {
    default: u64,
    min: u64,
    max: u64,
}

fn contract() -> &'static Contract {
    static CONTRACT: OnceLock<Contract> = OnceLock::new();
    CONTRACT.get_or_init(|| {
        serde_json::from_str(include_str!("../guards.json")).expect("bindings/guards.json holds the guard contract")
    })
}

/// How often the engine's epoch advances: the deadline's resolution.
pub fn tick() -> Duration {
    Duration::from_millis(contract().tick_ms)
}

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
        let c = contract();
        Self { memory_bytes: c.memory_bytes.default as usize, time: Duration::from_millis(c.time_ms.default) }
    }
}

impl Guards {
    /// Both limits within the contract's bounds, or what is wrong.
    pub fn validate(&self) -> Result<(), String> {
        let c = contract();
        let memory = self.memory_bytes as u64;
        if !(c.memory_bytes.min..=c.memory_bytes.max).contains(&memory) {
            return Err(format!(
                "the guest memory limit must be from {} to {} bytes, got {memory}",
                c.memory_bytes.min, c.memory_bytes.max
            ));
        }
        let millis = self.time.as_millis();
        if !(u128::from(c.time_ms.min)..=u128::from(c.time_ms.max)).contains(&millis) {
            return Err(format!(
                "the guest time limit must be from {} to {} ms, got {:?}",
                c.time_ms.min, c.time_ms.max, self.time
            ));
        }
        Ok(())
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
#[error("the component ran for more than {0:?} without returning and was stopped")]
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
/// [`tick`]; the backend counts its calls, so a callback that sees the count
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_and_bounds_come_from_the_shared_contract() {
        let defaults = Guards::default();
        assert_eq!(defaults, Guards { memory_bytes: 512 << 20, time: Duration::from_secs(10) });
        assert!(defaults.validate().is_ok());
        assert_eq!(tick(), Duration::from_millis(10));
        let too_big = Guards { memory_bytes: (4 << 30) + 1, ..defaults };
        assert!(too_big.validate().unwrap_err().contains("4294967296"));
        assert!(Guards { memory_bytes: 1 << 19, ..defaults }.validate().is_err());
        assert!(Guards { time: Duration::ZERO, ..defaults }.validate().is_err());
        assert!(Guards { time: Duration::from_secs(2 * 86_400), ..defaults }.validate().is_err());
        assert!(Guards { memory_bytes: 4 << 30, time: Duration::from_millis(1) }.validate().is_ok());
    }
}
