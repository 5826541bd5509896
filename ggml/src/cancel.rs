//! Cancellation of a running generation from another thread.
//!
//! A host hands one flag to the sessions of a conversation and raises it from
//! any thread. The session looks at it before each prompt batch and each token,
//! and llama.cpp's abort callback (through the patched `set_abort_flag`, see
//! ci/vendor-llama-cpp-2.sh) looks at it between the graph nodes of a decode,
//! so even a long prompt stops within milliseconds.
//!
//! The flag also counts the prompt batches its sessions begin to evaluate, so
//! that whoever holds it can wait for prompt evaluation to be under way (the
//! cancellation tests aim a cancel there instead of sleeping a guessed time).

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

#[derive(Clone, Debug, Default)]
pub struct CancelFlag {
    cancelled: Arc<AtomicBool>,
    prompt_batches: Arc<AtomicU64>,
}

impl CancelFlag {
    pub fn new() -> Self {
        Self::default()
    }

    /// Asks the generation in progress to stop; it ends with a `cancelled` error.
    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::SeqCst);
    }

    /// Lowers the flag: hosts call this as a new request starts, so that a
    /// cancel aimed at an earlier one does not stop it.
    pub fn clear(&self) {
        self.cancelled.store(false, Ordering::SeqCst);
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::SeqCst)
    }

    /// How many prompt batches the sessions holding this flag have begun to
    /// evaluate, ever. Rises as each batch's decode starts.
    pub fn prompt_batches_started(&self) -> u64 {
        self.prompt_batches.load(Ordering::SeqCst)
    }

    pub(crate) fn note_prompt_batch(&self) {
        self.prompt_batches.fetch_add(1, Ordering::SeqCst);
    }

    /// The flag itself, for llama.cpp's abort callback.
    pub(crate) fn shared(&self) -> Arc<AtomicBool> {
        self.cancelled.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flag_is_shared_by_its_clones() {
        let flag = CancelFlag::new();
        let other = flag.clone();
        other.cancel();
        assert!(flag.is_cancelled());
        flag.clear();
        assert!(!other.is_cancelled());
    }
}
