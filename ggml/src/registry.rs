//! The models an application registered, by name. The component can open these
//! and nothing else: it never sees a path.

use crate::model::{LoadOptions, Model};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Default, Clone)]
pub struct ModelRegistry {
    models: HashMap<String, Arc<Model>>,
}

impl ModelRegistry {
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers (or replaces) `name`. Nothing is read until a session needs the model.
    pub fn register(&mut self, name: impl Into<String>, path: impl Into<PathBuf>, options: LoadOptions) {
        let name = name.into();
        self.models.insert(name.clone(), Arc::new(Model::new(name, path, options)));
    }

    /// Registers (or replaces) `name`, the model packed in the file at `path`
    /// (docs/packed-models.md); its hash and GGUF check run when it is loaded.
    pub fn register_packed(&mut self, name: impl Into<String>, path: impl Into<PathBuf>, options: LoadOptions) {
        let name = name.into();
        self.models.insert(name.clone(), Arc::new(Model::packed(name, path, options)));
    }

    pub fn get(&self, name: &str) -> Option<&Arc<Model>> {
        self.models.get(name)
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.models.keys().map(String::as_str)
    }
}
