//! What the model tests share: the default model's path, a greedy request and a lock.

#[allow(dead_code)] // the image and audio tests' own
pub mod media;

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

/// What one `next` answered: a token (its id and bytes), or a status (the
/// reason generation ended, or an error).
#[allow(dead_code)] // not every test binary generates
#[derive(Debug)]
pub enum Next {
    Token(i32, Vec<u8>),
    Status(serde_json::Value),
}

#[allow(dead_code)]
impl Next {
    pub fn token(&self) -> Option<i32> {
        match self {
            Next::Token(id, _) => Some(*id),
            Next::Status(_) => None,
        }
    }

    /// The status; a token's reply has none, so it reads as `{}`.
    pub fn status(&self) -> serde_json::Value {
        match self {
            Next::Token(..) => serde_json::json!({}),
            Next::Status(status) => status.clone(),
        }
    }
}

/// Sends `next` (a call with no inputs) and reads its one output.
#[allow(dead_code)]
pub fn next(session: &mut inf_wasi_ggml::Session) -> Next {
    let mut out = session.compute(Vec::new());
    assert_eq!(out.len(), 1, "`next` replies with one output: {:?}", out.iter().map(|t| &t.name).collect::<Vec<_>>());
    let reply = out.pop().unwrap();
    match reply.name.as_str() {
        "token" => {
            let (id, piece) = inf_wasi_ggml::profile::decode_token(&reply.tensor.data).unwrap();
            Next::Token(id, piece.to_vec())
        }
        "status" => Next::Status(serde_json::from_slice(&reply.tensor.data).unwrap()),
        other => panic!("`next` replied with an output named {other}"),
    }
}
