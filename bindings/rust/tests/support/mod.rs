//! Shared by the integration tests: the default model, a serialised engine,
//! and llama.cpp driven directly as the reference.
#![allow(dead_code)]

pub mod reference;

use inf_wasi::Engine;
use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard, OnceLock};

pub const CONTEXT: u32 = 2048;

/// The default model, fetched into the cache by `ci/fetch_model.py` if missing.
pub fn model_path() -> PathBuf {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        if let Some(p) = std::env::var_os("INF_WASI_MODEL") {
            return PathBuf::from(p);
        }
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../ci/fetch_model.py");
        let out = std::process::Command::new("python3").arg(script).output().expect("run python3 ci/fetch_model.py");
        assert!(out.status.success(), "fetching the default model failed: {}", String::from_utf8_lossy(&out.stderr));
        PathBuf::from(String::from_utf8(out.stdout).unwrap().trim())
    })
    .clone()
}

/// Model tests run one at a time with one inference thread: on two cores,
/// ggml's threads collapse when anything else runs.
pub fn serial() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

/// An engine with the default model registered as `gemma`.
pub fn engine() -> Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE
        .get_or_init(|| {
            Engine::builder().model("gemma", model_path()).threads(1).context_size(CONTEXT).build().unwrap()
        })
        .clone()
}

/// A folder of this test process's own in the target folder's scratch space, not
/// the system's temporary folder, where it would stay behind.
pub fn scratch_dir(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A copy of the default model whose chat template is `template`, made by
/// `tests/fixtures/template-model.py` (the same script the other bindings' tests use).
pub fn template_model(name: &str, template: &str) -> PathBuf {
    let dir = scratch_dir("templates");
    let path = dir.join(format!("{name}.gguf"));
    if !path.exists() {
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/template-model.py");
        let out = std::process::Command::new("python3")
            .arg(script)
            .arg(model_path())
            .arg(&path)
            .arg(template)
            .output()
            .expect("run python3 tests/fixtures/template-model.py");
        assert!(out.status.success(), "template-model.py failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    path
}

/// A chat template that never ends: 10^10 iterations of an empty loop.
pub const LOOPING_TEMPLATE: &str =
    "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}{{ messages[0].content }}";

/// A chat template that ends, but only after 2 million iterations of an empty
/// loop: within its instruction budget, far past a short time limit.
pub const SLOW_TEMPLATE: &str =
    "{% for i in range(2000) %}{% for j in range(1000) %}{% endfor %}{% endfor %}{{ messages[0].content }}";

/// A chat template that renders 64 bytes 10^10 times.
pub const BLOATING_TEMPLATE: &str = "{% for i in range(100000) %}{% for j in range(100000) %}\
    0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef{% endfor %}{% endfor %}";

/// The process's anonymous resident memory, in bytes (Linux): what a leak would
/// grow. File-backed pages (the mapped model) come and go with the page cache.
pub fn anonymous_rss_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("RssAnon:")).expect("RssAnon in /proc/self/status");
    line.split_whitespace().nth(1).unwrap().parse::<u64>().unwrap() * 1024
}

/// `tests/fixtures/SCRIPT OUT` (OUT named `name` in a scratch folder), run once per test process.
fn fixture(script: &str, name: &str, once: &'static OnceLock<PathBuf>) -> PathBuf {
    once.get_or_init(|| {
        let path = scratch_dir("fixtures").join(name);
        let script_path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures").join(script);
        let out = std::process::Command::new("python3").arg(script_path).arg(&path).output().expect("run python3");
        assert!(out.status.success(), "{script} failed: {}", String::from_utf8_lossy(&out.stderr));
        path
    })
    .clone()
}

/// A tiny random-weight projector for the default model (tests/fixtures/tiny-mmproj.py):
/// every image becomes 4 embeddings.
pub fn tiny_projector() -> PathBuf {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    fixture("tiny-mmproj.py", "tiny-mmproj.gguf", &PATH)
}

/// A tiny random-weight Ultravox projector for the default model
/// (tests/fixtures/tiny-audio-mmproj.py): every 30-second chunk becomes 50 embeddings.
#[allow(dead_code)] // the audio tests' own
pub fn tiny_audio_projector() -> PathBuf {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    fixture("tiny-audio-mmproj.py", "tiny-audio-mmproj.gguf", &PATH)
}

/// The shared test images (tests/fixtures/test-images.py), by file name.
pub fn image(name: &str) -> Vec<u8> {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    std::fs::read(fixture("test-images.py", "images", &DIR).join(name)).unwrap()
}

/// The test audio (tests/fixtures/test-audio.py), by file name.
#[allow(dead_code)] // the audio tests' own
pub fn audio(name: &str) -> Vec<u8> {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    std::fs::read(fixture("test-audio.py", "audio", &DIR).join(name)).unwrap()
}

/// A Python plugin by name (`python-pipeline`: examples/plugins/python;
/// `python-sandbox`: tests/plugins/python-sandbox), built by ci/plugins.sh with
/// componentize-py (which that script installs in its own venv).
#[allow(dead_code)] // the plugin tests' own
pub fn python_plugin(name: &str) -> PathBuf {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
        let out =
            std::process::Command::new("bash").arg(repo.join("ci/plugins.sh")).output().expect("run ci/plugins.sh");
        assert!(out.status.success(), "ci/plugins.sh failed: {}", String::from_utf8_lossy(&out.stderr));
        PathBuf::from(String::from_utf8(out.stdout).unwrap().trim())
    })
    .join(format!("{name}.wasm"))
}
