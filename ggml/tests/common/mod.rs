//! What the model tests share: the default model's path, a greedy request and a lock.

/// `INF_WASI_MODEL`, or the default model that ci/fetch_model.py fetches.
pub fn model_path() -> std::path::PathBuf {
    if let Some(p) = std::env::var_os("INF_WASI_MODEL") {
        return p.into();
    }
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../ci/fetch_model.py");
    let out = std::process::Command::new("python3").arg(script).output().unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap().trim().into()
}

/// A greedy `prompt` request (the profile's defaults otherwise), as its `config` input.
#[allow(dead_code)] // not every test binary prompts
pub fn greedy() -> inf_wasi_ggml::NamedTensor {
    use inf_wasi_ggml::profile::{encode, SamplingConfig};
    let config = SamplingConfig { temperature: 0.0, ..SamplingConfig::default() };
    inf_wasi_ggml::NamedTensor::new("config", inf_wasi_ggml::Tensor::bytes(encode(&config)))
}

/// Model tests run one at a time: on two cores, parallel ggml threads crawl.
#[allow(dead_code)] // not every test binary runs a model
pub fn serial() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}
