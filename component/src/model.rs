//! The exported `model` resource: a registered model opened by name.

use crate::bindings::exports::inf::wasi::inference::{GuestModel, Session};
use crate::bindings::exports::inf::wasi::types::{Error, ModelInfo, SessionOptions};
use crate::bindings::wasi::nn::graph::Graph;
use crate::nn::{self, Backend, Input};
use crate::options::Limits;
use crate::session::SessionResource;
use crate::template::ChatTemplate;
use serde_json::{json, Value};

pub struct ModelResource {
    graph: Graph,
    /// A context of its own for info, tokenization and embeddings, so those never
    /// disturb a conversation's KV cache.
    utility: Backend,
    metadata: Value,
}

impl ModelResource {
    fn chat_template(&self) -> ChatTemplate {
        let s = |k: &str| self.metadata.get(k).and_then(Value::as_str);
        ChatTemplate::for_model(
            s("chat_template"),
            s("architecture").unwrap_or(""),
            s("bos_token").unwrap_or(""),
            s("eos_token").unwrap_or(""),
        )
    }
}

impl GuestModel for ModelResource {
    fn open(name: String) -> Result<crate::bindings::exports::inf::wasi::inference::Model, Error> {
        if name.is_empty() {
            return Err(Error::InvalidInput("the model name is empty".into()));
        }
        let graph = nn::open(&name)?;
        let utility = Backend::new(&graph)?;
        // Loads the weights now, so a broken file is reported by `open`.
        let metadata = utility.call("info", &[])?.json("metadata")?;
        Ok(crate::bindings::exports::inf::wasi::inference::Model::new(Self { graph, utility, metadata }))
    }

    fn info(&self) -> Result<ModelInfo, Error> {
        let m = &self.metadata;
        let n = |k: &str| m.get(k).and_then(Value::as_u64).unwrap_or(0);
        let s = |k: &str| m.get(k).and_then(Value::as_str).map(str::to_string);
        Ok(ModelInfo {
            name: s("name").unwrap_or_default(),
            architecture: s("architecture").unwrap_or_default(),
            context_length: n("context_length") as u32,
            vocab_size: n("vocab_size") as u32,
            embedding_size: n("embedding_size") as u32,
            parameters: n("parameters"),
            size_bytes: n("size_bytes"),
            vision: m.get("vision").and_then(Value::as_bool).unwrap_or(false),
            chat_template: s("chat_template"),
        })
    }

    fn tokenize(&self, text: String, add_special: bool) -> Result<Vec<u32>, Error> {
        let config = json!({ "add-special": add_special, "parse-special": false }).to_string();
        let reply = self.utility.call(
            "tokenize",
            &[("text", Input::Bytes(text.as_bytes())), ("config", Input::Bytes(config.as_bytes()))],
        )?;
        Ok(reply.i32s("tokens")?.into_iter().map(|t| t as u32).collect())
    }

    fn detokenize(&self, tokens: Vec<u32>) -> Result<String, Error> {
        let ids: Vec<i32> = tokens
            .iter()
            .map(|&t| i32::try_from(t).map_err(|_| Error::InvalidInput(format!("token id {t} is out of range"))))
            .collect::<Result<_, _>>()?;
        self.utility.call("detokenize", &[("tokens", Input::I32s(&ids))])?.text("text")
    }

    fn embed(&self, texts: Vec<String>) -> Result<Vec<Vec<f32>>, Error> {
        // Embeddings run in a context of the model's default size.
        let context = self.metadata.get("default_context_size").and_then(Value::as_u64).unwrap_or(0) as u32;
        let limits = Limits::from_metadata(&self.metadata, context);
        texts
            .iter()
            .map(|text| {
                limits.check_prompt(text)?;
                self.utility.call("embed", &[("text", Input::Bytes(text.as_bytes()))])?.f32s("embedding")
            })
            .collect()
    }

    fn new_session(&self, options: SessionOptions) -> Result<Session, Error> {
        let backend = Backend::new(&self.graph)?;
        let config = match options.context_size {
            Some(0) => return Err(Error::InvalidInput("context-size must be at least 1 token".into())),
            Some(size) => json!({ "ctx-size": size }),
            None => json!({}),
        };
        // Sizes the session's context and makes it, so the session is ready for a prompt.
        let reply = backend.call("configure", &[("config", Input::Bytes(config.to_string().as_bytes()))])?;
        let limits = Limits::from_metadata(&self.metadata, reply.count("context_size"));
        let marker = self.metadata.get("media_marker").and_then(Value::as_str).map(str::to_string);
        Ok(Session::new(SessionResource::new(backend, self.chat_template(), limits, marker, options.system_prompt)))
    }
}
