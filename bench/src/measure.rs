//! Settings, samples, medians and the table.

use serde_json::{json, Value};
use std::path::PathBuf;

pub struct Settings {
    pub model: PathBuf,
    pub threads: u32,
    pub prompt_repeats: usize,
    pub gen_tokens: u32,
    pub runs: usize,
    pub context: u32,
}

fn env_or<T: std::str::FromStr>(key: &str, default: T) -> T {
    std::env::var(key).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

impl Settings {
    pub fn from_env() -> Self {
        Self {
            model: std::env::var_os("INF_WASI_MODEL").map(PathBuf::from).unwrap_or_else(inf_wasi::default_model_path),
            threads: env_or("BENCH_THREADS", 1),
            prompt_repeats: env_or("BENCH_PROMPT_REPEATS", 12),
            gen_tokens: env_or("BENCH_GEN_TOKENS", 64),
            runs: env_or("BENCH_RUNS", 5),
            context: 2048,
        }
    }

    /// The same prompt for both rows: ~10 tokens per repeat.
    pub fn prompt(&self) -> String {
        "The quick brown fox jumps over the lazy dog near the river bank. ".repeat(self.prompt_repeats)
    }
}

/// One run's figures.
#[derive(Default, Clone)]
pub struct Sample {
    pub prompt_tokens: f64,
    pub generated: f64,
    /// Prompt evaluation, tokens/s.
    pub pp: f64,
    /// Generation after the first token, tokens/s.
    pub tg: f64,
    /// From submitting the prompt to the first token's text, ms.
    pub ttft_ms: f64,
    /// Creating a session ready for a prompt (a llama.cpp context; plus instantiation for the component), ms.
    pub session_ms: f64,
    pub peak_rss_mib: f64,
    /// Generated tokens per second of llama.cpp's decode alone (the decode
    /// clock's count over its time): `tg` over this is the share of generation
    /// time spent decoding, the rest being the row's own cost per token.
    pub decode_tg: f64,
}

impl Sample {
    pub fn to_json(&self) -> String {
        json!({"prompt_tokens": self.prompt_tokens, "generated": self.generated, "pp": self.pp, "tg": self.tg,
               "ttft_ms": self.ttft_ms, "session_ms": self.session_ms, "peak_rss_mib": self.peak_rss_mib, "decode_tg": self.decode_tg})
        .to_string()
    }

    /// Where a row cannot time prompt evaluation apart (the Node APIs stream the
    /// first token as the first event), its prompt speed from the time to first
    /// token less one generated token's time. Returns whether it was derived.
    pub fn derive_prompt_speed(&mut self) -> bool {
        let prompt_seconds = self.ttft_ms / 1e3 - 1.0 / self.tg;
        if !self.pp.is_nan() || !prompt_seconds.is_finite() || prompt_seconds <= 0.0 {
            return false;
        }
        self.pp = self.prompt_tokens / prompt_seconds;
        true
    }

    /// Reads the decode clock's exit report (`INF_WASI_DECODE_CLOCK=1`, see
    /// ggml/src/decode_clock.rs) from a child's stderr, where the row did not time its decodes itself.
    pub fn read_decode_clock(&mut self, stderr: &str) {
        let report = stderr.lines().rev().find_map(|l| l.strip_prefix("inf-wasi decode clock: "));
        let figures = report.and_then(|r| {
            let (decodes, rest) = r.split_once(" decodes, ")?;
            Some((decodes.parse::<f64>().ok()?, rest.strip_suffix(" ns")?.parse::<f64>().ok()?))
        });
        if let (Some((decodes, nanos)), true) = (figures, self.decode_tg.is_nan()) {
            self.decode_tg = decodes / (nanos / 1e9);
        }
    }

    pub fn from_json(s: &str) -> Self {
        let v: Value = serde_json::from_str(s).unwrap_or_else(|e| panic!("bad sample {s:?}: {e}"));
        let f = |k: &str| v[k].as_f64().unwrap_or(f64::NAN);
        Self {
            prompt_tokens: f("prompt_tokens"),
            generated: f("generated"),
            pp: f("pp"),
            tg: f("tg"),
            ttft_ms: f("ttft_ms"),
            session_ms: f("session_ms"),
            peak_rss_mib: f("peak_rss_mib"),
            decode_tg: f("decode_tg"),
        }
    }
}

/// A memory figure of this process from /proc/self/status (`VmHWM`, `VmRSS`), MiB.
fn proc_status_mib(key: &str) -> f64 {
    status_mib("/proc/self/status", key)
}

/// Another process's peak resident set, MiB (a server the bench started).
pub fn peak_rss_mib_of(pid: u32) -> f64 {
    status_mib(&format!("/proc/{pid}/status"), "VmHWM")
}

fn status_mib(file: &str, key: &str) -> f64 {
    let status = std::fs::read_to_string(file).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(key)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map(|kb| kb / 1024.0)
        .unwrap_or(f64::NAN)
}

/// This process's peak resident set, MiB.
pub fn peak_rss_mib() -> f64 {
    proc_status_mib("VmHWM")
}

/// This process's current resident set, MiB.
pub fn rss_mib() -> f64 {
    proc_status_mib("VmRSS")
}

pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

/// The median of the figures that exist (a row may lack one: NaN), or NaN.
pub fn median(values: &mut [f64]) -> f64 {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| !x.is_nan()).collect();
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

pub fn print_table(rows: &[(&str, Vec<Sample>)]) {
    type Get = fn(&Sample) -> f64;
    let figures: [(&str, Get, bool); 5] = [
        ("prompt tok/s", |s| s.pp, true),
        ("gen tok/s", |s| s.tg, true),
        ("TTFT ms", |s| s.ttft_ms, false),
        ("new session ms", |s| s.session_ms, false),
        ("peak RSS MiB", |s| s.peak_rss_mib, false),
    ];
    let stats = |samples: &[Sample], get: Get| {
        let mut v: Vec<f64> = samples.iter().map(get).collect();
        let (lo, hi) =
            (v.iter().cloned().fold(f64::INFINITY, f64::min), v.iter().cloned().fold(f64::NEG_INFINITY, f64::max));
        (median(&mut v), lo, hi)
    };
    println!(
        "{:<22} {:>26} {:>26} {:>26} {:>26} {:>26}",
        "row", figures[0].0, figures[1].0, figures[2].0, figures[3].0, figures[4].0
    );
    let native = &rows[0].1;
    for (name, samples) in rows {
        let mut line = format!("{name:<22}");
        for (_, get, _) in figures {
            let (m, lo, hi) = stats(samples, get);
            let (base, _, _) = stats(native, get);
            let cell = format!("{m:.2} [{lo:.2}-{hi:.2}] {:.3}x", m / base);
            line.push_str(&format!(" {cell:>26}"));
        }
        println!("{line}");
    }
    let med = |samples: &[Sample], get: Get| stats(samples, get).0;
    let host = &rows[1].1;
    for (name, samples) in &rows[1..] {
        let mut line = format!(
            "{name}: vs native TTFT {:+.2} ms, new session {:+.3} ms, peak RSS {:+.1} MiB",
            med(samples, |s| s.ttft_ms) - med(native, |s| s.ttft_ms),
            med(samples, |s| s.session_ms) - med(native, |s| s.session_ms),
            med(samples, |s| s.peak_rss_mib) - med(native, |s| s.peak_rss_mib),
        );
        if !std::ptr::eq(samples, host) {
            line.push_str(&format!(
                "; vs Rust host: prompt {:.3}x, gen {:.3}x, TTFT {:+.2} ms",
                med(samples, |s| s.pp) / med(host, |s| s.pp),
                med(samples, |s| s.tg) / med(host, |s| s.tg),
                med(samples, |s| s.ttft_ms) - med(host, |s| s.ttft_ms),
            ));
        }
        println!("{line}");
    }
    println!("cells: median [min-max] and the ratio to native");
    println!("prompt tokens {}, generated tokens {}", rows[0].1[0].prompt_tokens, rows[0].1[0].generated);
}

/// Each row's prompt and generation speed as a share of row `ceiling`'s: the
/// ratio of the medians, and the median of the ratios run by run. The rows run
/// one after another within a run, so each run's ratio compares two
/// measurements seconds apart: the machine's slow drifts (another tenant, the
/// clock) cancel out of it, where they widen the spread of each row's median.
pub fn print_ratios_to(rows: &[(&str, Vec<Sample>)], ceiling: usize) {
    type Get = fn(&Sample) -> f64;
    let med = |samples: &[Sample], get: Get| median(&mut samples.iter().map(get).collect::<Vec<_>>());
    let (name, top) = (&rows[ceiling].0, &rows[ceiling].1);
    println!("against {name} (ratio of medians; median [min-max] of the run-by-run ratios):");
    for (row, samples) in rows.iter().filter(|(row, _)| row != name) {
        let paired = |get: Get| {
            let mut r: Vec<f64> = samples.iter().zip(top).map(|(s, t)| get(s) / get(t)).collect();
            let (lo, hi) = r
                .iter()
                .filter(|x| !x.is_nan())
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &x| (lo.min(x), hi.max(x)));
            format!("{:.3}x [{lo:.3}-{hi:.3}]", median(&mut r))
        };
        println!(
            "  {row:<22} prompt {:.3}x; {}, gen {:.3}x; {}",
            med(samples, |s| s.pp) / med(top, |s| s.pp),
            paired(|s| s.pp),
            med(samples, |s| s.tg) / med(top, |s| s.tg),
            paired(|s| s.tg),
        );
    }
    println!("time in llama.cpp's decode (the decode clock): decode-only gen tok/s, its ratio to {name}'s, and the share of generation time it takes (medians; min-max of the share):");
    for (row, samples) in rows.iter().filter(|(row, s)| row != name && s.iter().any(|s| !s.decode_tg.is_nan())) {
        let mut shares: Vec<f64> = samples.iter().map(|s| s.tg / s.decode_tg).collect();
        let (lo, hi) = shares.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &x| (lo.min(x), hi.max(x)));
        println!(
            "  {row:<22} {:.2} tok/s, {:.3}x; share {:.3} [{lo:.3}-{hi:.3}]",
            med(samples, |s| s.decode_tg),
            med(samples, |s| s.decode_tg) / med(top, |s| s.tg),
            median(&mut shares),
        );
    }
}
