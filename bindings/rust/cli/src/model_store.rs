//! The model cache: resolving `--model`, `models pull` and `models list`.

use crate::fetch;
use crate::output::{note, Result};
use inf_wasi::models_dir;
use std::path::{Path, PathBuf};

/// What `--model` means when absent: the default chat model, an instruct model
/// that answers in sentences (the tests' base model only continues text).
pub fn default_name() -> &'static str {
    &inf_wasi::default_chat_model().name
}

fn known_names() -> String {
    inf_wasi::known_models().iter().map(|m| m.name.as_str()).collect::<Vec<_>>().join(", ")
}

/// Fetches a model if it is not cached and returns its path: a known model
/// (the default chat model when `spec` is None), `hf:OWNER/REPO/FILE.gguf`, or
/// an `https://` URL of a `.gguf`.
pub fn pull(spec: Option<&str>) -> Result<PathBuf> {
    let spec = spec.unwrap_or(default_name());
    if let Some(hub) = spec.strip_prefix("hf:") {
        return fetch::hugging_face(hub, &models_dir());
    }
    if spec.starts_with("https://") || spec.starts_with("http://") {
        return fetch::url(spec, &models_dir());
    }
    let model = inf_wasi::known_model(spec).ok_or_else(|| {
        format!("unknown model {spec:?}; known: {}, or hf:OWNER/REPO/FILE.gguf, or a URL", known_names())
    })?;
    let path = inf_wasi::cached_model_path(&model.name);
    if path.exists() {
        note(format!("{} is cached at {}", model.name, path.display()));
        return Ok(path);
    }
    std::fs::create_dir_all(models_dir())?;
    fetch::known(model, &path)?;
    note(format!("{} is ready at {}", model.name, path.display()));
    Ok(path)
}

pub fn list() -> Result {
    let dir = models_dir();
    let mut entries: Vec<(String, u64)> = std::fs::read_dir(&dir)
        .map(|read| {
            read.filter_map(|e| e.ok())
                .filter(|e| e.path().extension().is_some_and(|x| x == "gguf"))
                .map(|e| {
                    let name = e.path().file_stem().unwrap_or_default().to_string_lossy().into_owned();
                    (name, e.metadata().map(|m| m.len()).unwrap_or(0))
                })
                .collect()
        })
        .unwrap_or_default();
    entries.sort();
    if entries.is_empty() {
        note(format!("no models cached in {}; `inf-wasi models pull` fetches the default one", dir.display()));
    }
    for (name, size) in entries {
        let default = if name == default_name() { "  (default)" } else { "" };
        println!("{name}  {:.1} MB{default}", size as f64 / 1e6);
    }
    Ok(())
}

/// `--model` as a path: a known or cached name, a file path, `hf:` or a URL,
/// or (when absent) the default chat model; models not cached are fetched on
/// first use when `fetch`.
/// A packed file (`inf-wasi pack`): the component with its model inside.
pub fn is_packed(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "wasm")
}

pub fn resolve(model: Option<&str>, fetch: bool) -> Result<PathBuf> {
    match model {
        None | Some("default") => cached_or_fetched(default_name(), fetch),
        Some(name) if inf_wasi::known_model(name).is_some() => cached_or_fetched(name, fetch),
        Some(spec) if spec.starts_with("hf:") || spec.contains("://") => {
            if fetch {
                pull(Some(spec))
            } else {
                Err(format!("{spec} is fetched by `inf-wasi models pull {spec}`").into())
            }
        }
        Some(spec)
            if spec.ends_with(".gguf") || is_packed(Path::new(spec)) || spec.contains(std::path::MAIN_SEPARATOR) =>
        {
            let path = PathBuf::from(spec);
            if path.is_file() {
                Ok(path)
            } else {
                Err(format!("no model file at {spec}").into())
            }
        }
        Some(name) => {
            let path = inf_wasi::cached_model_path(name);
            if path.is_file() {
                Ok(path)
            } else {
                Err(format!("unknown model {name:?}; `inf-wasi models list` shows the cached ones").into())
            }
        }
    }
}

fn cached_or_fetched(name: &str, fetch: bool) -> Result<PathBuf> {
    let path = inf_wasi::cached_model_path(name);
    if path.exists() {
        Ok(path)
    } else if fetch {
        pull(Some(name))
    } else {
        Err(format!("the model {name} is not cached; run `inf-wasi models pull {name}`").into())
    }
}
