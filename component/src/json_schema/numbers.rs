//! Integers and numbers within bounds (`minimum`, `maximum`,
//! `exclusiveMinimum`, `exclusiveMaximum`), as digit grammars: every number the
//! grammar admits is in range, written canonically (no leading zeros, no `-0`),
//! with at most 16 integer digits, like the unbounded `integer` and `number`.
//! Numbers get whole-number bounds only, and no exponent.

use super::{Obj, Res};
use serde_json::Value;

/// The largest magnitude the grammars write: 16 digits, as the primitives.
const MAX_MAGNITUDE: u64 = 9_999_999_999_999_999;

/// A bound from the schema: its value and whether it is exclusive.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Bound {
    value: f64,
    exclusive: bool,
}

/// The bounds of `obj` (both drafts: `exclusiveMinimum` a number, or a boolean
/// that makes `minimum` exclusive), or `None` for either side when absent.
fn bounds(obj: &Obj, path: &str) -> Res<(Option<Bound>, Option<Bound>)> {
    let side = |inclusive: &str, exclusive: &str| -> Res<Option<Bound>> {
        let number = |key: &str| -> Res<Option<f64>> {
            match obj.get(key) {
                None => Ok(None),
                Some(Value::Number(n)) => Ok(n.as_f64()),
                Some(Value::Bool(_)) if key == exclusive => Ok(None),
                Some(v) => bail!(path, "`{key}` must be a number, got {v}"),
            }
        };
        let flag = matches!(obj.get(exclusive), Some(Value::Bool(true)));
        if flag && !obj.contains_key(inclusive) {
            bail!(path, "`{exclusive}`: true needs `{inclusive}`");
        }
        Ok(match (number(inclusive)?, number(exclusive)?) {
            (Some(a), Some(b)) => {
                // Both given: the tighter one applies.
                let lower = inclusive == "minimum";
                let exclusive_tighter = if lower { b >= a } else { b <= a };
                Some(if exclusive_tighter {
                    Bound { value: b, exclusive: true }
                } else {
                    Bound { value: a, exclusive: false }
                })
            }
            (Some(a), None) => Some(Bound { value: a, exclusive: flag }),
            (None, Some(b)) => Some(Bound { value: b, exclusive: true }),
            (None, None) => None,
        })
    };
    Ok((side("minimum", "exclusiveMinimum")?, side("maximum", "exclusiveMaximum")?))
}

/// Whether `obj` bounds its numbers (a numeric `format` such as `uint8` bounds them too).
pub fn is_bounded(obj: &Obj) -> bool {
    ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "format"].iter().any(|k| obj.contains_key(*k))
}

/// The range a numeric `format` implies (as schemars and OpenAPI write them:
/// `int8` to `uint64`, `float`, `double`); other formats on a number are refused.
fn format_range(obj: &Obj, path: &str) -> Res<(f64, f64)> {
    let all = (-(MAX_MAGNITUDE as f64), MAX_MAGNITUDE as f64);
    let Some(format) = obj.get("format") else {
        return Ok(all);
    };
    Ok(match format.as_str() {
        Some("int8") => (i8::MIN.into(), i8::MAX.into()),
        Some("uint8") => (0.0, u8::MAX.into()),
        Some("int16") => (i16::MIN.into(), i16::MAX.into()),
        Some("uint16") => (0.0, u16::MAX.into()),
        Some("int32") => (i32::MIN.into(), i32::MAX.into()),
        Some("uint32") => (0.0, u32::MAX.into()),
        Some("int64" | "int" | "integer" | "float" | "double") => all,
        Some("uint64" | "uint") => (0.0, all.1),
        _ => bail!(path, "unsupported `format` {format} on a number (int8 to uint64, float and double are)"),
    })
}

/// The integers within `obj`'s bounds.
pub fn integer(obj: &Obj, path: &str) -> Res {
    let (min, max) = bounds(obj, path)?;
    let (format_lo, format_hi) = format_range(obj, path)?;
    let lo = min.map(|b| if b.exclusive { b.value.floor() + 1.0 } else { b.value.ceil() });
    let hi = max.map(|b| if b.exclusive { b.value.ceil() - 1.0 } else { b.value.floor() });
    let lo = lo.map_or(format_lo, |v| v.max(format_lo));
    let hi = hi.map_or(format_hi, |v| v.min(format_hi));
    if lo > hi {
        bail!(path, "no integer lies within the bounds");
    }
    let (lo, hi) = (lo as i64, hi as i64);
    let mut alts = Vec::new();
    if lo < 0 {
        // Negative values: their magnitudes, from -min(hi, -1) up to -lo.
        let from = (-hi.min(-1)) as u64;
        alts.push(format!(r#""-" ( {} )"#, magnitudes(from, lo.unsigned_abs())));
    }
    if hi >= 0 {
        alts.push(magnitudes(lo.max(0) as u64, hi as u64));
    }
    Ok(alts.join(" | "))
}

/// The numbers within `obj`'s bounds, which must be whole numbers.
pub fn number(obj: &Obj, path: &str) -> Res {
    let (mut min, mut max) = bounds(obj, path)?;
    // A numeric format's range, where it is tighter than the bounds.
    let (format_lo, format_hi) = format_range(obj, path)?;
    let limit = MAX_MAGNITUDE as f64;
    if format_lo > -limit && min.is_none_or(|m| m.value < format_lo) {
        min = Some(Bound { value: format_lo, exclusive: false });
    }
    if format_hi < limit && max.is_none_or(|m| m.value > format_hi) {
        max = Some(Bound { value: format_hi, exclusive: false });
    }
    for (bound, key) in [(min, "minimum"), (max, "maximum")] {
        if let Some(b) = bound {
            if b.value.fract() != 0.0 || b.value.abs() > MAX_MAGNITUDE as f64 {
                bail!(path, "`{key}` of {} on a number: only whole-number bounds are supported", b.value);
            }
        }
    }
    if let (Some(a), Some(b)) = (min, max) {
        if a.value > b.value || (a.value == b.value && (a.exclusive || b.exclusive)) {
            bail!(path, "no number lies within the bounds");
        }
    }
    let whole = |b: Bound| (b.value.abs() as u64, b.exclusive);
    let mut alts = Vec::new();
    // Negative values, by magnitude: above -max (when max < 0) up to -min.
    if min.is_none_or(|m| m.value < 0.0) {
        let bottom = match max {
            Some(m) if m.value < 0.0 => whole(m),
            // Zero itself is written without a sign.
            _ => (0, true),
        };
        let negative = decimals(bottom, min.map(whole));
        if !negative.is_empty() {
            alts.push(format!(r#""-" ( {negative} )"#));
        }
    }
    if max.is_none_or(|m| m.value > 0.0 || (m.value == 0.0 && !m.exclusive)) {
        let bottom = match min {
            Some(m) if m.value >= 0.0 => whole(m),
            _ => (0, false),
        };
        let positive = decimals(bottom, max.map(whole));
        if !positive.is_empty() {
            alts.push(positive);
        }
    }
    if alts.is_empty() {
        bail!(path, "no number lies within the bounds");
    }
    Ok(alts.join(" | "))
}

/// Decimal magnitudes from `bottom` to `top` (`None`: unbounded), each a whole
/// number and whether it is excluded: an integer part, then an optional
/// fraction of up to 16 digits.
fn decimals((low, low_excluded): (u64, bool), top: Option<(u64, bool)>) -> String {
    let fraction = r#"( "." [0-9]{1,16} )?"#;
    let mut alts = Vec::new();
    let first = if low_excluded {
        // Just above `low`: its integer part with a fraction that is not all zeros.
        alts.push(format!(r#""{low}" "." [0-9]{{0,15}} [1-9]"#));
        low + 1
    } else {
        low
    };
    let last = match top {
        Some((high, _)) => high.checked_sub(1),
        None => Some(MAX_MAGNITUDE),
    };
    if let Some(last) = last.filter(|&last| last >= first) {
        alts.push(format!("( {} ) {fraction}", magnitudes(first, last)));
    }
    if let Some((high, false)) = top {
        if high >= first {
            alts.push(format!(r#""{high}" ( "." "0"{{1,16}} )?"#));
        }
    }
    alts.join(" | ")
}

/// The canonical decimal integers from `low` to `high` (`low <= high`), by
/// length: whole lengths in a row become one `[1-9] [0-9]{a,b}`.
fn magnitudes(low: u64, high: u64) -> String {
    let (first, last) = (digits(low), digits(high));
    let mut alts = Vec::new();
    let mut run: Option<(usize, usize)> = None;
    let whole_run = |(a, b): (usize, usize)| format!("[1-9] {}", repeat_digits(a - 1, b - 1));
    for length in first..=last {
        let (smallest, largest) = (10u64.pow(length as u32 - 1), 10u64.pow(length as u32) - 1);
        let start = if length == first { low } else { smallest };
        let end = if length == last { high } else { largest };
        if length > 1 && start == smallest && end == largest {
            run = Some(run.map_or((length, length), |(a, _)| (a, length)));
            continue;
        }
        alts.extend(run.take().map(whole_run));
        alts.push(same_length(&start.to_string(), &end.to_string()));
    }
    alts.extend(run.map(whole_run));
    alts.join(" | ")
}

fn digits(n: u64) -> usize {
    n.to_string().len()
}

/// `[0-9]` repeated `min..=max` times ("" for none).
fn repeat_digits(min: usize, max: usize) -> String {
    match (min, max) {
        (0, 0) => String::new(),
        (1, 1) => "[0-9]".into(),
        (a, b) if a == b => format!("[0-9]{{{a}}}"),
        (a, b) => format!("[0-9]{{{a},{b}}}"),
    }
}

/// The numbers from `low` to `high`, both written with the same number of digits.
fn same_length(low: &str, high: &str) -> String {
    let (l, h) = (low.as_bytes(), high.as_bytes());
    let common = l.iter().zip(h).take_while(|(a, b)| a == b).count();
    if common == l.len() {
        return format!(r#""{low}""#);
    }
    let prefix = if common > 0 { format!(r#""{}" "#, &low[..common]) } else { String::new() };
    let (a, b) = (l[common], h[common]);
    let rest = l.len() - common - 1;
    if rest == 0 {
        return format!("{prefix}{}", digit_class(a, b));
    }
    let (low_rest, high_rest) = (&low[common + 1..], &high[common + 1..]);
    let mut alts = Vec::new();
    // `a` then anything from low_rest up; full digits between; `b` then up to high_rest.
    let mut full_from = a;
    if low_rest.bytes().any(|d| d != b'0') {
        alts.push(format!("[{}] ( {} )", a as char, same_length(low_rest, &"9".repeat(rest))));
        full_from = a + 1;
    }
    let mut full_to = b;
    let high_alt = if high_rest.bytes().any(|d| d != b'9') {
        full_to = b - 1;
        Some(format!("[{}] ( {} )", b as char, same_length(&"0".repeat(rest), high_rest)))
    } else {
        None
    };
    if full_from <= full_to {
        alts.push(format!("{} {}", digit_class(full_from, full_to), repeat_digits(rest, rest)));
    }
    alts.extend(high_alt);
    format!("{prefix}( {} )", alts.join(" | "))
}

fn digit_class(a: u8, b: u8) -> String {
    if a == b {
        format!("[{}]", a as char)
    } else {
        format!("[{}-{}]", a as char, b as char)
    }
}
