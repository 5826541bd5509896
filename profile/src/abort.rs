//! The component's last word. A trap tells a host only that the guest stopped
//! (a panic and a failed allocation both end in `unreachable`), and only as
//! text in wasmtime-py and V8. So just before it traps, the component says why
//! through the one door it has: `load-by-name` with a name under
//! [`ABORT_PREFIX`]. The host notes the reason, answers with an error, and
//! reports the trap that follows by its typed cause.
//!
//! The name is written without allocating (the allocator may be what failed):
//! `inf-wasi:abort:out-of-memory:BYTES` or `inf-wasi:abort:panic:MESSAGE`.

use alloc::format;
use alloc::string::String;
use core::fmt;

/// Graph names under this prefix are reports, never models.
pub const ABORT_PREFIX: &str = "inf-wasi:abort:";

/// Why the component is about to stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Abort<'a> {
    /// An allocation of `bytes` failed: the component's memory reached its cap.
    OutOfMemory { bytes: usize },
    /// A bug: the panic's location and message.
    Panic { message: &'a str },
}

const OUT_OF_MEMORY: &str = "out-of-memory:";
const PANIC: &str = "panic:";

impl<'a> Abort<'a> {
    /// The report in a graph name, or `None` for an ordinary name. A name under
    /// the prefix that says nothing known is an unknown reason, not a model.
    pub fn parse(name: &'a str) -> Option<Result<Self, &'a str>> {
        let report = name.strip_prefix(ABORT_PREFIX)?;
        if let Some(message) = report.strip_prefix(PANIC) {
            return Some(Ok(Abort::Panic { message }));
        }
        let bytes = report.strip_prefix(OUT_OF_MEMORY).and_then(|n| n.parse().ok());
        Some(bytes.map(|bytes| Abort::OutOfMemory { bytes }).ok_or(report))
    }

    /// What the application is told, given the host's memory cap.
    pub fn describe(&self, memory_cap: u64) -> String {
        match self {
            Abort::OutOfMemory { bytes } => format!(
                "the component reached its memory cap of {memory_cap} bytes and was stopped \
                 (an allocation of {bytes} bytes failed)"
            ),
            Abort::Panic { message } => {
                format!("the component panicked and was stopped (a bug in inf-wasi; please report it): {message}")
            }
        }
    }

    /// The same words for a report whose reason this host does not know.
    pub fn describe_unknown(report: &str) -> String {
        format!("the component stopped, giving a reason this host does not know: {report}")
    }
}

/// Writes the graph name that carries the report.
impl fmt::Display for Abort<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Abort::OutOfMemory { bytes } => write!(f, "{ABORT_PREFIX}{OUT_OF_MEMORY}{bytes}"),
            Abort::Panic { message } => write!(f, "{ABORT_PREFIX}{PANIC}{message}"),
        }
    }
}

/// A report read by a host: the sentence for the application, `None` for the
/// name of a model.
pub fn abort_report(name: &str, memory_cap: u64) -> Option<String> {
    Abort::parse(name).map(|report| match report {
        Ok(abort) => abort.describe(memory_cap),
        Err(unknown) => Abort::describe_unknown(unknown),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn a_report_reads_back_as_written() {
        for abort in [
            Abort::OutOfMemory { bytes: 1 << 20 },
            Abort::Panic { message: "panicked at src/stop.rs:3:1:\nindex out of bounds: the len is 0" },
            Abort::Panic { message: "" },
        ] {
            let name = abort.to_string();
            assert_eq!(Abort::parse(&name), Some(Ok(abort)));
        }
    }

    #[test]
    fn model_names_are_not_reports() {
        for name in ["gemma", "", "inf-wasi:abort", "inf-wasi-abort:panic:x"] {
            assert_eq!(Abort::parse(name), None);
            assert_eq!(abort_report(name, 1), None);
        }
    }

    #[test]
    fn the_sentence_names_the_cause() {
        let oom = abort_report("inf-wasi:abort:out-of-memory:4096", 67108864).unwrap();
        assert!(oom.contains("memory cap of 67108864 bytes") && oom.contains("4096 bytes failed"), "{oom}");
        let panic = abort_report("inf-wasi:abort:panic:boom", 1).unwrap();
        assert!(panic.contains("panicked") && panic.ends_with("boom"), "{panic}");
        let unknown = abort_report("inf-wasi:abort:out-of-memory:lots", 1).unwrap();
        assert!(unknown.contains("does not know: out-of-memory:lots"), "{unknown}");
    }
}
