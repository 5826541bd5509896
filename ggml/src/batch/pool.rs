//! Slots: a sequence of a shared context, lent to a session and given back,
//! its cache cleared, when the session lets go of it.

use super::group::{Group, Job, JobOutcome};
use crate::context::OwnedContext;
use crate::error::ProfileError;
use crate::model::LoadedModel;
use llama_cpp_2::token::LlamaToken;
use std::sync::{Arc, Mutex, Weak};

/// A model's groups, each a context with `parallel` sequences of one size.
#[derive(Default)]
pub(crate) struct Pool {
    groups: Mutex<Vec<Weak<Group>>>,
}

impl Pool {
    /// A free sequence of `n_ctx` tokens: in a group that has one, or else in a
    /// new group of `loaded.options.parallel` sequences.
    pub(crate) fn slot(&self, loaded: &Arc<LoadedModel>, n_ctx: u32) -> Result<Slot, ProfileError> {
        let mut groups = self.groups.lock().unwrap_or_else(|e| e.into_inner());
        groups.retain(|group| group.strong_count() > 0);
        for group in groups.iter().filter_map(Weak::upgrade) {
            if group.n_ctx_seq() == n_ctx {
                if let Some(seq) = group.take_seq() {
                    return Ok(Slot { group, seq });
                }
            }
        }
        let group = Arc::new(Group::new(loaded, n_ctx)?);
        let seq = group.take_seq().expect("a new group has a free sequence");
        groups.push(Arc::downgrade(&group));
        Ok(Slot { group, seq })
    }
}

/// One session's sequence in a shared context.
pub(crate) struct Slot {
    group: Arc<Group>,
    seq: i32,
}

impl Slot {
    pub(crate) fn seq(&self) -> i32 {
        self.seq
    }

    /// Queues `job` (for this slot's sequence) and waits for the step that finishes it.
    pub(crate) fn run(&self, job: Job) -> JobOutcome {
        debug_assert_eq!(job.seq, self.seq);
        self.group.run(job)
    }

    /// The shared context alone, between steps: to edit this sequence's cache,
    /// or to evaluate a prompt that cannot share a step (one with images).
    pub(crate) fn with_context<R>(&self, f: impl FnOnce(&mut OwnedContext) -> R) -> R {
        self.group.with_context(f)
    }

    /// Keeps the first `len` tokens of `history` and of this sequence's cache,
    /// which may hold more than the history (what a failed decode left). Where
    /// the cache cannot drop a suffix (sliding-window and recurrent caches),
    /// both are emptied instead.
    pub(crate) fn keep(&self, history: &mut Vec<LlamaToken>, len: usize) {
        history.truncate(len);
        let seq = Some(self.seq as u32);
        if !self.with_context(|ctx| ctx.clear_kv_cache_seq(seq, Some(len as u32), None).unwrap_or(false)) {
            self.clear();
            history.clear();
        }
    }

    /// Empties this sequence's cache (the other sequences keep theirs).
    pub(crate) fn clear(&self) {
        self.with_context(|ctx| ctx.clear_kv_cache_seq(Some(self.seq as u32), None, None).ok());
    }

    /// Says whether this slot's session is generating, so that a step waits a
    /// moment for its next token rather than leave it for a step of its own.
    pub(crate) fn set_generating(&self, generating: bool) {
        self.group.set_generating(self.seq, generating);
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.clear();
        self.group.give_back(self.seq);
    }
}
