//! The one table of bounds and defaults. The component checks a user's options
//! against it (to name the option that is wrong), and the backend checks every
//! request against it again (it cannot trust its caller): both from here, so
//! the two cannot disagree.

use crate::ProfileError;
use alloc::format;
use alloc::string::String;
use core::fmt::{Display, Write};

/// A numeric sampling option: its interface name, its range and its default.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bound<T> {
    /// The option's name in the interface (`generate-options`), for messages.
    pub option: &'static str,
    pub min: T,
    /// Whether `min` itself is allowed (`repeat-penalty` must be above 0).
    pub min_inclusive: bool,
    pub max: T,
    pub default: T,
}

/// What a bound compares: whole numbers, and floats that must be finite.
pub trait Number: Copy + PartialOrd + Display {
    fn is_finite(self) -> bool;
}

impl Number for f32 {
    fn is_finite(self) -> bool {
        f32::is_finite(self)
    }
}

impl Number for u32 {
    fn is_finite(self) -> bool {
        true
    }
}

impl<T: Number> Bound<T> {
    pub fn contains(&self, value: T) -> bool {
        value.is_finite() && (value > self.min || (self.min_inclusive && value == self.min)) && value <= self.max
    }

    /// The value, or an `invalid-input` error naming the option and its range.
    pub fn check(&self, value: T) -> Result<T, ProfileError> {
        if self.contains(value) {
            return Ok(value);
        }
        Err(ProfileError::invalid_input(format!("{} must be in {}, got {value}", self.option, self.range())))
    }

    /// `[0, 100]`, or `(0, 10]` where the lower end is excluded.
    pub fn range(&self) -> String {
        let open = if self.min_inclusive { "[" } else { "(" };
        format!("{open}{}, {}]", self.min, self.max)
    }
}

pub const TEMPERATURE: Bound<f32> =
    Bound { option: "temperature", min: 0.0, min_inclusive: true, max: 100.0, default: 0.8 };
/// 0 disables top-k.
pub const TOP_K: Bound<u32> = Bound { option: "top-k", min: 0, min_inclusive: true, max: 1_000_000, default: 40 };
pub const TOP_P: Bound<f32> = Bound { option: "top-p", min: 0.0, min_inclusive: true, max: 1.0, default: 0.95 };
pub const MIN_P: Bound<f32> = Bound { option: "min-p", min: 0.0, min_inclusive: true, max: 1.0, default: 0.05 };
/// 1 is off.
pub const REPEAT_PENALTY: Bound<f32> =
    Bound { option: "repeat-penalty", min: 0.0, min_inclusive: false, max: 10.0, default: 1.0 };
/// llama.cpp keeps a ring of this many tokens, so the bound is also a memory bound.
pub const REPEAT_LAST_N: Bound<u32> =
    Bound { option: "repeat-last-n", min: 0, min_inclusive: true, max: 1_000_000, default: 64 };

/// The largest context a session may ask for, in tokens, unless the application says otherwise.
pub const DEFAULT_MAX_CONTEXT_SIZE: u32 = 32_768;
/// The most tokens one generation may produce, unless the application says otherwise.
pub const DEFAULT_MAX_OUTPUT_TOKENS: u32 = 4_096;
/// The largest image a message may carry, in bytes, unless the application says otherwise.
pub const DEFAULT_MAX_IMAGE_BYTES: u64 = 20 << 20;
/// The longest audio clip a message may carry, in seconds (ten minutes), unless the application says otherwise.
pub const DEFAULT_MAX_AUDIO_SECONDS: u32 = 600;

/// The sampling bounds as the Markdown table docs/ggml-profile.md shows (a test
/// checks the page holds exactly this).
pub fn sampling_bounds_markdown() -> String {
    let mut table = String::from("| key | option | default | range |\n|---|---|---|---|\n");
    let mut row = |key: &str, option: &str, default: &dyn Display, range: String| {
        let _ = writeln!(table, "| `{key}` | `{option}` | {default} | {range} |");
    };
    row("temperature", TEMPERATURE.option, &TEMPERATURE.default, TEMPERATURE.range());
    row("top_k", TOP_K.option, &TOP_K.default, TOP_K.range());
    row("top_p", TOP_P.option, &TOP_P.default, TOP_P.range());
    row("min_p", MIN_P.option, &MIN_P.default, MIN_P.range());
    row("repeat_penalty", REPEAT_PENALTY.option, &REPEAT_PENALTY.default, REPEAT_PENALTY.range());
    row("repeat_last_n", REPEAT_LAST_N.option, &REPEAT_LAST_N.default, REPEAT_LAST_N.range());
    table
}
