//! Plugins: components that import `inf:wasi/inference` and export
//! `inf:wasi/handler` (the `plugin` world of `wit/inf-wasi.wit`).
//!
//! A host runs a plugin by composing it with the engine component: the
//! plugin's `inf:wasi` imports are wired to the engine's exports, and what is
//! left is one component that imports wasi:nn (served by the host's backend,
//! which shares the engine's loaded models and limits) and, for plugins whose
//! language runtime needs it (CPython), WASI with nothing behind it. Every host
//! composes here, so every host accepts and refuses the same plugins.

mod imports;

pub use imports::{check_imports, GRANTED};

use wac_graph::types::{Package, Types};
use wac_graph::{CompositionGraph, EncodeOptions};

/// What a plugin exports and a host calls.
pub const HANDLER: &str = "inf:wasi/handler@0.1.0";
/// The interfaces a plugin may import from the engine.
const ENGINE_INTERFACES: [&str; 2] = ["inf:wasi/types@0.1.0", "inf:wasi/inference@0.1.0"];

/// Why a file is not a plugin this engine runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PluginError {
    /// Not a component of the `plugin` world (or not a component at all).
    NotAPlugin(String),
    /// It imports something plugins are not given.
    Refused(String),
}

impl std::fmt::Display for PluginError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PluginError::NotAPlugin(m) | PluginError::Refused(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for PluginError {}

/// `plugin` composed with `engine` (the inf-wasi component): one component
/// exporting [`HANDLER`], importing wasi:nn and whatever WASI the plugin
/// imports. A plugin that imports anything else is [`PluginError::Refused`].
pub fn compose(engine: &[u8], plugin: &[u8]) -> Result<Vec<u8>, PluginError> {
    let not_a_plugin = |why: String| PluginError::NotAPlugin(format!("not an inf-wasi plugin: {why}"));
    let mut graph = CompositionGraph::new();
    let plugin = Package::from_bytes("plugin:guest", None, plugin.to_vec(), graph.types_mut())
        .map_err(|e| not_a_plugin(format!("{e:#}")))?;
    let (imports, exports) = names(graph.types(), &plugin);
    check_imports(&imports)?;
    if !exports.iter().any(|e| e == HANDLER) {
        return Err(not_a_plugin(format!("it exports no {HANDLER} (its exports: {})", list(&exports))));
    }
    let engine = Package::from_bytes("inf:wasi", None, engine.to_vec(), graph.types_mut())
        .map_err(|e| PluginError::NotAPlugin(format!("the engine component is not readable: {e:#}")))?;
    let composing = |e: &dyn std::fmt::Display| not_a_plugin(format!("it does not fit this engine's interface: {e}"));
    let plugin = graph.register_package(plugin).map_err(|e| composing(&e))?;
    let engine = graph.register_package(engine).map_err(|e| composing(&e))?;
    let engine = graph.instantiate(engine);
    let guest = graph.instantiate(plugin);
    for name in ENGINE_INTERFACES.iter().filter(|n| imports.iter().any(|i| i == *n)) {
        let export = graph.alias_instance_export(engine, name).map_err(|e| composing(&e))?;
        graph.set_instantiation_argument(guest, name, export).map_err(|e| composing(&e))?;
    }
    let handler = graph.alias_instance_export(guest, HANDLER).map_err(|e| composing(&e))?;
    graph.export(handler, HANDLER).map_err(|e| composing(&e))?;
    graph.encode(EncodeOptions::default()).map_err(|e| composing(&format!("{e:#}")))
}

/// A package's import and export names.
fn names(types: &Types, package: &Package) -> (Vec<String>, Vec<String>) {
    let world = &types[package.ty()];
    (world.imports.keys().cloned().collect(), world.exports.keys().cloned().collect())
}

fn list(names: &[String]) -> String {
    if names.is_empty() {
        "none".into()
    } else {
        names.join(", ")
    }
}
