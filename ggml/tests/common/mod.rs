//! What the model tests share: the default model's path.

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
