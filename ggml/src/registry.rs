//! The models an application registered, by name. The component can open these
//! and nothing else: it never sees a path.

use crate::error::ProfileError;
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

    /// Registers the model packed in the file at `path` under the name its
    /// section gives, which it returns. Reads the sections' headers only: the
    /// hash and the GGUF check run when the model is loaded.
    pub fn register_packed(&mut self, path: impl Into<PathBuf>, options: LoadOptions) -> Result<String, ProfileError> {
        let path = path.into();
        let name = crate::packed::layout(&path)?.model.name;
        self.models.insert(name.clone(), Arc::new(Model::packed(name.clone(), path, options)));
        Ok(name)
    }

    pub fn get(&self, name: &str) -> Option<&Arc<Model>> {
        self.models.get(name)
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.models.keys().map(String::as_str)
    }
}
