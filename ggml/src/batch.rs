//! Continuous batching. Sessions over one model that ask for the same context
//! size share a llama.cpp context, each in a sequence of its own (up to the
//! model's `parallel` option), and each decode step evaluates the pending work
//! of all of them in one `llama_decode`: a token for every session that is
//! generating and, in the room the step has left, chunks of the prompts being
//! read. A session submits its work and waits for the step that finishes it:
//! a shared context's own thread runs the steps, and a session with a context
//! to itself (`parallel` 1) runs them on its own thread, as without batching.
//!
//! `batch/pool.rs` gives each session a slot (a group and a sequence in it),
//! `batch/group.rs` queues the work and decides who steps and when, and
//! `batch/step.rs` builds one decode from the queued work and chooses each
//! finished job's next token.

mod group;
mod pool;
mod step;

pub(crate) use group::{Job, JobOutcome};
pub(crate) use pool::{Pool, Slot};

use std::sync::atomic::{AtomicU64, Ordering};

static STEPS: AtomicU64 = AtomicU64::new(0);
static JOBS: AtomicU64 = AtomicU64::new(0);

/// How many decode steps the groups of this process ran, and how many jobs
/// (one session's part of a step) they served: more jobs than steps means
/// sessions shared decodes.
pub fn batching_stats() -> (u64, u64) {
    (STEPS.load(Ordering::Relaxed), JOBS.load(Ordering::Relaxed))
}

fn count_step(jobs: usize) {
    STEPS.fetch_add(1, Ordering::Relaxed);
    JOBS.fetch_add(jobs as u64, Ordering::Relaxed);
}
