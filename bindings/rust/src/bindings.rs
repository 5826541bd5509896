//! The `inf:wasi` types as wasmtime generates them from `wit/`, plus the small
//! conveniences (defaults, constructors) that make them pleasant in Rust.

wasmtime::component::bindgen!({
    path: "wit",
    world: "inf:wasi/embedder",
    additional_derives: [PartialEq],
});

pub use exports::inf::wasi::types::{
    Completion, ContentPart, Error as WitError, FinishReason, GenerateOptions, Message, ModelInfo, Role,
    SessionOptions, Usage,
};

impl Default for GenerateOptions {
    fn default() -> Self {
        Self {
            max_tokens: None,
            stop: Vec::new(),
            temperature: None,
            top_k: None,
            top_p: None,
            min_p: None,
            repeat_penalty: None,
            repeat_last_n: None,
            seed: None,
            grammar: None,
            json_schema: None,
        }
    }
}

impl GenerateOptions {
    /// Greedy decoding: always the most likely token (temperature 0).
    pub fn greedy() -> Self {
        Self { temperature: Some(0.0), ..Self::default() }
    }
    pub fn max_tokens(mut self, n: u32) -> Self {
        self.max_tokens = Some(n);
        self
    }
    pub fn stop(mut self, s: impl Into<String>) -> Self {
        self.stop.push(s.into());
        self
    }
    pub fn temperature(mut self, t: f32) -> Self {
        self.temperature = Some(t);
        self
    }
    pub fn top_k(mut self, k: u32) -> Self {
        self.top_k = Some(k);
        self
    }
    pub fn top_p(mut self, p: f32) -> Self {
        self.top_p = Some(p);
        self
    }
    pub fn min_p(mut self, p: f32) -> Self {
        self.min_p = Some(p);
        self
    }
    pub fn repeat_penalty(mut self, p: f32) -> Self {
        self.repeat_penalty = Some(p);
        self
    }
    pub fn seed(mut self, seed: u32) -> Self {
        self.seed = Some(seed);
        self
    }
    pub fn grammar(mut self, gbnf: impl Into<String>) -> Self {
        self.grammar = Some(gbnf.into());
        self
    }
    pub fn json_schema(mut self, schema: impl Into<String>) -> Self {
        self.json_schema = Some(schema.into());
        self
    }
}

impl Default for SessionOptions {
    fn default() -> Self {
        Self { context_size: None, system_prompt: None }
    }
}

impl SessionOptions {
    pub fn context_size(mut self, tokens: u32) -> Self {
        self.context_size = Some(tokens);
        self
    }
    pub fn system_prompt(mut self, text: impl Into<String>) -> Self {
        self.system_prompt = Some(text.into());
        self
    }
}

impl ContentPart {
    /// An image part read from a PNG or JPEG file; a file that cannot be read
    /// is an [`Error::InvalidInput`](crate::Error::InvalidInput).
    pub fn image_file(path: impl AsRef<std::path::Path>) -> crate::Result<Self> {
        let path = path.as_ref();
        std::fs::read(path)
            .map(ContentPart::Image)
            .map_err(|e| crate::Error::InvalidInput(format!("the image {} could not be read: {e}", path.display())))
    }
}

impl Message {
    /// A user message: text, then images (PNG or JPEG file bytes).
    pub fn user_with_images(text: impl Into<String>, images: impl IntoIterator<Item = ContentPart>) -> Self {
        let mut message = Self::user(text);
        message.content.extend(images);
        message
    }

    pub fn new(role: Role, text: impl Into<String>) -> Self {
        Self { role, content: vec![ContentPart::Text(text.into())] }
    }
    pub fn system(text: impl Into<String>) -> Self {
        Self::new(Role::System, text)
    }
    pub fn user(text: impl Into<String>) -> Self {
        Self::new(Role::User, text)
    }
    pub fn assistant(text: impl Into<String>) -> Self {
        Self::new(Role::Assistant, text)
    }
    /// The text parts joined.
    pub fn text(&self) -> String {
        self.content
            .iter()
            .filter_map(|p| match p {
                ContentPart::Text(t) => Some(t.as_str()),
                ContentPart::Image(_) => None,
            })
            .collect()
    }
}
