//! The exported `model` resource: a registered model opened by name.

use crate::bindings::exports::inf::wasi::inference::{GuestModel, Session};
use crate::bindings::exports::inf::wasi::types::{ContentPart, Error, Message, ModelInfo, SessionOptions};
use crate::bindings::wasi::nn::graph::Graph;
use crate::nn::{self, Backend, Input};
use crate::options::Limits;
use crate::prompt;
use crate::session::SessionResource;
use crate::template::ChatTemplate;
use inf_wasi_profile::{tensors, Configure, Configured, ModelMetadata, NoReply, Op, TokenizeConfig};

pub struct ModelResource {
    graph: Graph,
    /// A context of its own for info, tokenization and embeddings, so those never
    /// disturb a conversation's KV cache.
    utility: Backend,
    metadata: ModelMetadata,
}

impl ModelResource {
    fn chat_template(&self) -> ChatTemplate {
        let m = &self.metadata;
        ChatTemplate::for_model(
            m.chat_template.as_deref(),
            &m.architecture,
            m.bos_token.as_deref().unwrap_or(""),
            m.eos_token.as_deref().unwrap_or(""),
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
        let (NoReply {}, outputs) = utility.call(Op::Info, &[])?;
        let metadata = outputs.message(tensors::METADATA)?;
        Ok(crate::bindings::exports::inf::wasi::inference::Model::new(Self { graph, utility, metadata }))
    }

    fn info(&self) -> Result<ModelInfo, Error> {
        let m = &self.metadata;
        Ok(ModelInfo {
            name: m.name.clone(),
            architecture: m.architecture.clone(),
            context_length: m.context_length,
            vocab_size: m.vocab_size,
            embedding_size: m.embedding_size,
            parameters: m.parameters,
            size_bytes: m.size_bytes,
            vision: m.vision,
            audio: m.audio,
            chat_template: m.chat_template.clone(),
        })
    }

    fn tokenize(&self, text: String, add_special: bool) -> Result<Vec<u32>, Error> {
        let config = TokenizeConfig { add_special, parse_special: false, literal_spans: Vec::new() };
        Ok(self.utility.tokenize(&text, &config)?.into_iter().map(|t| t as u32).collect())
    }

    fn tokenize_chat(&self, messages: Vec<Message>) -> Result<Vec<u32>, Error> {
        if messages.is_empty() {
            return Err(Error::InvalidInput("a chat needs at least one message".into()));
        }
        if messages.iter().flat_map(|m| &m.content).any(|part| !matches!(part, ContentPart::Text(_))) {
            return Err(Error::InvalidInput(
                "tokenize-chat takes text only: an image's or audio's tokens are the projector's".into(),
            ));
        }
        let template = self.chat_template();
        let limits = Limits::from_metadata(&self.metadata, self.metadata.default_context_size);
        let utility = &self.utility;
        let (prompt, _) = prompt::render(&template, &messages, None, limits, None, |t| utility.holds_control_text(t))?;
        let add_special = template.needs_bos(&prompt.text);
        let config = TokenizeConfig { add_special, parse_special: true, literal_spans: prompt.literal_spans };
        Ok(self.utility.tokenize(&prompt.text, &config)?.into_iter().map(|t| t as u32).collect())
    }

    fn detokenize(&self, tokens: Vec<u32>) -> Result<String, Error> {
        let ids: Vec<i32> = tokens
            .iter()
            .map(|&t| i32::try_from(t).map_err(|_| Error::InvalidInput(format!("token id {t} is out of range"))))
            .collect::<Result<_, _>>()?;
        let (NoReply {}, outputs) = self.utility.call(Op::Detokenize, &[(tensors::TOKENS, Input::I32s(&ids))])?;
        outputs.text(tensors::TEXT)
    }

    fn embed(&self, texts: Vec<String>) -> Result<Vec<Vec<f32>>, Error> {
        // Embeddings run in a context of the model's default size.
        let limits = Limits::from_metadata(&self.metadata, self.metadata.default_context_size);
        texts
            .iter()
            .map(|text| {
                limits.check_prompt(text)?;
                let (NoReply {}, outputs) =
                    self.utility.call(Op::Embed, &[(tensors::TEXT, Input::Bytes(text.as_bytes()))])?;
                outputs.f32s(tensors::EMBEDDING)
            })
            .collect()
    }

    fn new_session(&self, options: SessionOptions) -> Result<Session, Error> {
        let backend = Backend::new(&self.graph)?;
        if options.context_size == Some(0) {
            return Err(Error::InvalidInput("context-size must be at least 1 token".into()));
        }
        // Sizes the session's context and makes it, so the session is ready for a prompt.
        let request = Configure { ctx_size: options.context_size };
        let (Configured { context_size }, _) = backend.call_with(Op::Configure, &request, &[])?;
        let limits = Limits::from_metadata(&self.metadata, context_size);
        let marker = self.metadata.media_marker.clone();
        Ok(Session::new(SessionResource::new(backend, self.chat_template(), limits, marker, options.system_prompt)))
    }
}
