//! Cancellation of a running generation from another thread.
//!
//! A host hands one flag to the sessions of a conversation and raises it from
//! any thread. The session looks at it before each prompt batch and each token,
//! and llama.cpp's abort callback (through the patched `set_abort_flag`, see
//! ci/vendor-llama-cpp-2.sh) looks at it between the graph nodes of a decode,
//! so even a long prompt stops within milliseconds.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

#[derive(Clone, Debug, Default)]
pub struct CancelFlag(Arc<AtomicBool>);

impl CancelFlag {
    pub fn new() -> Self {
        Self::default()
    }

    /// Asks the generation in progress to stop; it ends with a `cancelled` error.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    /// Lowers the flag: hosts call this as a new request starts, so that a
    /// cancel aimed at an earlier one does not stop it.
    pub fn clear(&self) {
        self.0.store(false, Ordering::SeqCst);
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }

    /// The flag itself, for llama.cpp's abort callback.
    pub(crate) fn shared(&self) -> Arc<AtomicBool> {
        self.0.clone()
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
