//! Counters for `GET /metrics`, in Prometheus' text format.

use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};

#[derive(Default)]
pub struct Metrics {
    pub requests: AtomicU64,
    pub failed: AtomicU64,
    pub rejected: AtomicU64,
    pub cancelled: AtomicU64,
    pub prompt_tokens: AtomicU64,
    pub cached_tokens: AtomicU64,
    pub completion_tokens: AtomicU64,
}

/// One model's gauges, read when the metrics are asked for.
pub struct Gauges<'a> {
    pub model: &'a str,
    pub running: usize,
    pub queued: usize,
}

impl Metrics {
    pub fn render(&self, gauges: &[Gauges<'_>]) -> String {
        let mut out = String::new();
        let counters = [
            ("inf_wasi_requests_total", "Generation and embedding requests received.", &self.requests),
            ("inf_wasi_requests_failed_total", "Requests that ended in an error.", &self.failed),
            ("inf_wasi_requests_rejected_total", "Requests refused because the queue was full.", &self.rejected),
            (
                "inf_wasi_requests_cancelled_total",
                "Generations cancelled because the client went away.",
                &self.cancelled,
            ),
            ("inf_wasi_prompt_tokens_total", "Prompt tokens of finished generations.", &self.prompt_tokens),
            (
                "inf_wasi_prompt_tokens_cached_total",
                "Prompt tokens served from a slot's KV cache.",
                &self.cached_tokens,
            ),
            ("inf_wasi_completion_tokens_total", "Tokens generated.", &self.completion_tokens),
        ];
        for (name, help, value) in counters {
            let _ =
                writeln!(out, "# HELP {name} {help}\n# TYPE {name} counter\n{name} {}", value.load(Ordering::Relaxed));
        }
        type Read = fn(&Gauges<'_>) -> usize;
        let per_model: [(&str, &str, Read); 2] = [
            ("inf_wasi_requests_running", "Requests generating now.", |g| g.running),
            ("inf_wasi_requests_queued", "Requests waiting for a slot.", |g| g.queued),
        ];
        for (name, help, read) in per_model {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge");
            for g in gauges {
                let _ = writeln!(out, "{name}{{model=\"{}\"}} {}", g.model.replace(['"', '\\', '\n'], "_"), read(g));
            }
        }
        out
    }
}
