//! Turning flags into an engine and generation options.

use crate::cli::{ModelArgs, SamplingArgs};
use crate::model_store;
use crate::output::Result;
use inf_wasi::{Engine, EngineBuilder, GenerateOptions, SessionOptions};
use std::path::Path;

/// The name the CLI registers a model file under (a packed file names its own).
const MODEL: &str = "model";

/// The engine and the name of its one model.
pub fn engine(args: &ModelArgs, fetch_default: bool) -> Result<(Engine, String)> {
    engine_with_projector(args, None, fetch_default)
}

/// The engine and the name of its one model, registered with `projector`
/// (a packed file brings its own).
pub fn engine_with_projector(
    args: &ModelArgs,
    projector: Option<&Path>,
    fetch_default: bool,
) -> Result<(Engine, String)> {
    let path = model_store::resolve(args.model.as_deref(), fetch_default)?;
    let mut builder = Engine::builder();
    if let Some(threads) = args.threads {
        builder = builder.threads(threads);
    }
    if let Some(size) = args.ctx_size {
        builder = builder.context_size(size);
    }
    if model_store::is_packed(&path) {
        if projector.is_some() {
            return Err("a packed model brings its own projector: --mmproj is for a .gguf model".into());
        }
        let engine = builder.packed_file(path).build()?;
        let name = engine.model_names().pop().ok_or("the packed file registered no model")?;
        return Ok((engine, name));
    }
    let builder = match projector {
        Some(projector) => builder.model_with_projector(MODEL, path, projector),
        None => builder.model(MODEL, path),
    };
    Ok((builder.build()?, MODEL.to_string()))
}

pub fn session_options(args: &ModelArgs, system: Option<&str>) -> SessionOptions {
    SessionOptions { context_size: args.ctx_size, system_prompt: system.map(str::to_string) }
}

pub fn generate_options(args: &SamplingArgs) -> Result<GenerateOptions> {
    let json_schema = match &args.json_schema {
        Some(path) => Some(
            std::fs::read_to_string(path).map_err(|e| format!("cannot read JSON schema {}: {e}", path.display()))?,
        ),
        None => None,
    };
    Ok(GenerateOptions {
        max_tokens: args.max_tokens,
        stop: args.stop.clone(),
        temperature: args.temperature,
        top_k: args.top_k,
        top_p: args.top_p,
        min_p: args.min_p,
        repeat_penalty: args.repeat_penalty,
        repeat_last_n: None,
        seed: args.seed,
        json_schema,
        ..GenerateOptions::default()
    })
}

/// Registers each of `specs` (a known or cached model's name, a .gguf path,
/// hf:..., or a packed file) under its own name: a known model's name, a
/// file's stem, or what a packed file carries. `projector` goes with exactly one.
pub fn register_models(
    mut builder: EngineBuilder,
    specs: &[String],
    projector: Option<&Path>,
) -> Result<(EngineBuilder, Vec<String>)> {
    if projector.is_some() && specs.len() != 1 {
        return Err("--mmproj goes with exactly one --model".into());
    }
    let mut names = Vec::new();
    for spec in specs {
        let path = model_store::resolve(Some(spec), true)?;
        let packed = model_store::is_packed(&path);
        let name = if packed {
            inf_wasi::packed::layout(&path).map_err(|e| e.message)?.model.name
        } else if inf_wasi::known_model(spec).is_some() {
            spec.clone()
        } else {
            path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| spec.clone())
        };
        if names.contains(&name) {
            return Err(format!("two models would be registered as `{name}`").into());
        }
        builder = match projector {
            _ if packed => builder.packed_file(path),
            Some(projector) => builder.model_with_projector(&name, path, projector),
            None => builder.model(&name, path),
        };
        names.push(name);
    }
    Ok((builder, names))
}
