//! The time generated tokens spend in llama.cpp's decode, process-wide.
//!
//! The benchmark holds each row's generation time against it: whatever is left
//! is the cost of everything else per token (choosing the token, the
//! component, the language's loop), measured on the same tokens, so the
//! machine's drift cancels out of the share where it swamps a comparison
//! between two processes. With `INF_WASI_DECODE_CLOCK=1` in the environment
//! the process also prints it to stderr as it exits, which is how the Python,
//! Node and Java benchmark rows report it.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Once;
use std::time::{Duration, Instant};

static DECODES: AtomicU64 = AtomicU64::new(0);
static NANOS: AtomicU64 = AtomicU64::new(0);
static REPORT_AT_EXIT: Once = Once::new();

/// How many generated tokens were decoded in this process, and the time their decodes took.
pub fn decode_clock() -> (u64, Duration) {
    (DECODES.load(Ordering::Relaxed), Duration::from_nanos(NANOS.load(Ordering::Relaxed)))
}

/// Runs `decode` (one generated token's decode) on the clock.
pub(crate) fn timed<T>(decode: impl FnOnce() -> T) -> T {
    REPORT_AT_EXIT.call_once(|| {
        if std::env::var_os("INF_WASI_DECODE_CLOCK").is_some_and(|v| v == "1") {
            // SAFETY: `report` is a plain function that only reads atomics and
            // writes to stderr; it stays loaded until exit (no host unloads the backend).
            unsafe { libc::atexit(report) };
        }
    });
    let start = Instant::now();
    let result = decode();
    NANOS.fetch_add(start.elapsed().as_nanos() as u64, Ordering::Relaxed);
    DECODES.fetch_add(1, Ordering::Relaxed);
    result
}

extern "C" fn report() {
    let (decodes, time) = decode_clock();
    eprintln!("inf-wasi decode clock: {decodes} decodes, {} ns", time.as_nanos());
}
