//! Printing a streamed answer as it arrives, with `--verbose` timings.

use crate::output::{note, write_piece, Result};
use std::time::{Duration, Instant};

/// Timing of one streamed answer, for `--verbose`.
pub struct Timer {
    start: Instant,
    first: Option<Duration>,
}

impl Timer {
    pub fn start() -> Self {
        Self { start: Instant::now(), first: None }
    }

    pub fn piece(&mut self) {
        self.first.get_or_insert_with(|| self.start.elapsed());
    }

    pub fn report(&self, completion: Option<&inf_wasi::Completion>) {
        let total = self.start.elapsed();
        let Some(c) = completion else { return };
        let first = self.first.unwrap_or(total);
        let generating = total.saturating_sub(first).as_secs_f64();
        let rate = if generating > 0.0 { c.usage.completion_tokens.saturating_sub(1) as f64 / generating } else { 0.0 };
        note(format!(
            "time to first token {:.1} ms, {} tokens at {:.1} tokens/s, prompt {} tokens ({} cached), finish {}",
            first.as_secs_f64() * 1e3,
            c.usage.completion_tokens,
            rate,
            c.usage.prompt_tokens,
            c.usage.cached_tokens,
            match c.finish_reason {
                inf_wasi::FinishReason::Stop => "stop",
                inf_wasi::FinishReason::Length => "length",
                inf_wasi::FinishReason::ContextFull => "context-full",
                inf_wasi::FinishReason::ToolCalls => "tool-calls",
            }
        ));
        if let Some(variant) = inf_wasi::cpu_variant() {
            note(format!("ggml CPU code: {variant}"));
        }
    }
}

/// Writes a stream to stdout as it arrives, then a newline; `--verbose` adds timings.
/// `timer` starts before the stream is requested: starting a stream evaluates the
/// prompt, which the time to first token includes.
pub fn print_stream(mut timer: Timer, mut stream: inf_wasi::TextStream<'_>, verbose: bool) -> Result {
    for piece in &mut stream {
        let piece = piece?;
        timer.piece();
        write_piece(&piece)?;
    }
    write_piece("\n")?;
    if verbose {
        timer.report(stream.completion());
    }
    Ok(())
}
