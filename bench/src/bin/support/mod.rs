//! What the small benchmarks (`src/bin/*.rs`) share: settings from the
//! environment, medians, and the tests' fixtures.

use std::path::{Path, PathBuf};

/// The setting `name` from the environment, else `default`.
pub fn env(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

pub fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// Runs `tests/fixtures/SCRIPT OUT` into `target/bench-media` and returns OUT.
#[allow(dead_code)] // the media benchmarks'
pub fn fixture(script: &str, name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/bench-media");
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join(name);
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures").join(script);
    let status = std::process::Command::new("python3").arg(script).arg(&out).status().unwrap();
    assert!(status.success());
    out
}
