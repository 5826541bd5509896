//! OpenAI request bodies, parsed and turned into the engine's messages and
//! options. Fields the server cannot honour are refused by name, never ignored;
//! fields that change nothing here (`user`, `store`, `metadata`, ...) are accepted.

use super::error::ApiError;
use base64::Engine as _;
use inf_wasi::{ContentPart, GenerateOptions, Message, Role, Tool, ToolCall, ToolChoice};
use serde::Deserialize;
use serde_json::Value;

#[derive(Deserialize)]
pub struct ChatRequest {
    pub model: String,
    pub messages: Vec<ChatMessage>,
    #[serde(flatten)]
    pub sampling: Sampling,
}

#[derive(Deserialize)]
pub struct CompletionRequest {
    pub model: String,
    pub prompt: Strings,
    #[serde(flatten)]
    pub sampling: Sampling,
    #[serde(default)]
    pub echo: Option<bool>,
    #[serde(default)]
    pub suffix: Option<String>,
    #[serde(default)]
    pub best_of: Option<u32>,
}

#[derive(Deserialize)]
pub struct EmbeddingRequest {
    pub model: String,
    pub input: Strings,
    #[serde(default)]
    pub encoding_format: Option<String>,
    #[serde(default)]
    pub dimensions: Option<u32>,
}

/// A prompt, an embedding input or stop strings: one string or a list of them
/// (token arrays are refused).
#[derive(Deserialize, Clone)]
#[serde(untagged)]
pub enum Strings {
    One(String),
    Many(Vec<String>),
}

impl Strings {
    pub fn texts(self) -> Vec<String> {
        match self {
            Strings::One(text) => vec![text],
            Strings::Many(texts) => texts,
        }
    }
}

/// What both generation endpoints share.
#[derive(Deserialize, Default)]
pub struct Sampling {
    #[serde(default)]
    pub stream: bool,
    #[serde(default)]
    pub stream_options: Option<StreamOptions>,
    pub max_tokens: Option<u32>,
    pub max_completion_tokens: Option<u32>,
    pub temperature: Option<f32>,
    pub top_p: Option<f32>,
    pub seed: Option<i64>,
    pub stop: Option<Strings>,
    pub response_format: Option<ResponseFormat>,
    pub n: Option<u32>,
    pub logprobs: Option<Value>,
    pub tools: Option<Vec<ToolSpec>>,
    pub tool_choice: Option<Value>,
    pub parallel_tool_calls: Option<bool>,
    pub frequency_penalty: Option<f32>,
    pub presence_penalty: Option<f32>,
}

#[derive(Deserialize, Default)]
pub struct StreamOptions {
    #[serde(default)]
    pub include_usage: bool,
}

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ResponseFormat {
    Text,
    JsonObject,
    JsonSchema { json_schema: JsonSchemaFormat },
}

#[derive(Deserialize)]
pub struct JsonSchemaFormat {
    #[serde(default)]
    pub schema: Option<Value>,
}

#[derive(Deserialize)]
pub struct ChatMessage {
    pub role: String,
    #[serde(default)]
    pub content: Option<Content>,
    #[serde(default)]
    pub tool_calls: Option<Vec<CallSpec>>,
    #[serde(default)]
    pub tool_call_id: Option<String>,
}

/// A tool as OpenAI declares it: `{"type": "function", "function": {…}}`.
#[derive(Deserialize)]
pub struct ToolSpec {
    #[serde(rename = "type")]
    pub kind: String,
    pub function: FunctionSpec,
}

#[derive(Deserialize)]
pub struct FunctionSpec {
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub parameters: Option<Value>,
}

/// An assistant's call as a client sends it back: the arguments are JSON text.
#[derive(Deserialize)]
pub struct CallSpec {
    pub id: String,
    pub function: CalledFunction,
}

#[derive(Deserialize)]
pub struct CalledFunction {
    pub name: String,
    pub arguments: String,
}

#[derive(Deserialize)]
#[serde(untagged)]
pub enum Content {
    Text(String),
    Parts(Vec<Part>),
}

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Part {
    Text { text: String },
    ImageUrl { image_url: ImageUrl },
    InputAudio { input_audio: InputAudio },
}

#[derive(Deserialize)]
pub struct ImageUrl {
    pub url: String,
}

/// OpenAI's audio part: the file's bytes in base64 and its format. The format
/// is checked against the formats the backend reads; the bytes' own header
/// decides how they are read.
#[derive(Deserialize)]
pub struct InputAudio {
    pub data: String,
    pub format: Option<String>,
}

/// Parses a JSON body, naming what is wrong with it the way serde sees it.
pub fn parse<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|e| ApiError::bad_request(format!("the request body is not valid: {e}")))
}

impl Sampling {
    /// The engine's options for this request.
    pub fn options(&self) -> Result<GenerateOptions, ApiError> {
        if self.n.is_some_and(|n| n != 1) {
            return Err(ApiError::bad_param("n", "only one choice per request (`n` = 1) is supported"));
        }
        if self.logprobs.as_ref().is_some_and(|v| !matches!(v, Value::Null | Value::Bool(false))) {
            return Err(ApiError::bad_param("logprobs", "log probabilities are not supported"));
        }
        for (name, value) in
            [("frequency_penalty", self.frequency_penalty), ("presence_penalty", self.presence_penalty)]
        {
            if value.is_some_and(|v| v != 0.0) {
                return Err(ApiError::bad_param(name, format!("`{name}` is not supported; use 0 or leave it out")));
            }
        }
        let seed = match self.seed {
            None => None,
            Some(seed) => Some(u32::try_from(seed).map_err(|_| {
                ApiError::bad_param("seed", format!("`seed` must be between 0 and {}, not {seed}", u32::MAX))
            })?),
        };
        let stop = self.stop.clone().map(Strings::texts).unwrap_or_default();
        let json_schema = match &self.response_format {
            None | Some(ResponseFormat::Text) => None,
            Some(ResponseFormat::JsonObject) => Some(r#"{"type": "object"}"#.to_string()),
            Some(ResponseFormat::JsonSchema { json_schema }) => match &json_schema.schema {
                Some(schema) => Some(schema.to_string()),
                None => return Err(ApiError::bad_param("response_format", "`json_schema` needs a `schema`")),
            },
        };
        Ok(GenerateOptions {
            // The newer name wins where a client sends both.
            max_tokens: self.max_completion_tokens.or(self.max_tokens),
            stop,
            temperature: self.temperature,
            top_p: self.top_p,
            seed,
            json_schema,
            tools: self.tools()?,
            tool_choice: self.tool_choice()?,
            parallel_tool_calls: self.parallel_tool_calls,
            ..GenerateOptions::default()
        })
    }

    fn tools(&self) -> Result<Vec<Tool>, ApiError> {
        let specs = self.tools.as_deref().unwrap_or_default();
        let mut tools = Vec::with_capacity(specs.len());
        for spec in specs {
            if spec.kind != "function" {
                return Err(ApiError::bad_param(
                    "tools",
                    format!("only `function` tools are supported, not `{}`", spec.kind),
                ));
            }
            let f = &spec.function;
            tools.push(Tool {
                name: f.name.clone(),
                description: f.description.clone(),
                parameters: f.parameters.as_ref().map(Value::to_string),
            });
        }
        Ok(tools)
    }

    /// `"auto"`, `"none"`, `"required"` or `{"type": "function", "function": {"name": …}}`.
    fn tool_choice(&self) -> Result<Option<ToolChoice>, ApiError> {
        let bad =
            || ApiError::bad_param("tool_choice", "`tool_choice` must be `auto`, `none`, `required` or a function");
        Ok(match &self.tool_choice {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(match s.as_str() {
                "auto" => ToolChoice::Auto,
                "none" => ToolChoice::None,
                "required" => ToolChoice::Required,
                _ => return Err(bad()),
            }),
            Some(choice) => match choice.pointer("/function/name").and_then(Value::as_str) {
                Some(name) if choice["type"] == "function" => Some(ToolChoice::Function(name.into())),
                _ => return Err(bad()),
            },
        })
    }

    pub fn include_usage(&self) -> bool {
        self.stream_options.as_ref().is_some_and(|o| o.include_usage)
    }
}

impl ChatMessage {
    pub fn to_message(&self, index: usize) -> Result<Message, ApiError> {
        let param = || format!("messages[{index}]");
        let role = match self.role.as_str() {
            // OpenAI's newer name for the system turn.
            "system" | "developer" => Role::System,
            "user" => Role::User,
            "assistant" => Role::Assistant,
            "tool" => Role::Tool,
            other => return Err(ApiError::bad_param(&param(), format!("unknown role `{other}`"))),
        };
        let content = match &self.content {
            None => Vec::new(),
            Some(Content::Text(text)) => vec![ContentPart::Text(text.clone())],
            Some(Content::Parts(parts)) => {
                parts.iter().map(|part| part.to_content(&param())).collect::<Result<Vec<_>, _>>()?
            }
        };
        let tool_calls = self.tool_calls.as_deref().unwrap_or_default().iter().map(|call| ToolCall {
            id: call.id.clone(),
            name: call.function.name.clone(),
            arguments: call.function.arguments.clone(),
        });
        Ok(Message { role, content, tool_calls: tool_calls.collect(), tool_call_id: self.tool_call_id.clone() })
    }
}

impl Part {
    fn to_content(&self, param: &str) -> Result<ContentPart, ApiError> {
        match self {
            Part::Text { text } => Ok(ContentPart::Text(text.clone())),
            Part::ImageUrl { image_url } => image_from_data_url(&image_url.url)
                .map(ContentPart::Image)
                .map_err(|message| ApiError::bad_param(param, message)),
            Part::InputAudio { input_audio } => {
                audio_bytes(input_audio).map(ContentPart::Audio).map_err(|message| ApiError::bad_param(param, message))
            }
        }
    }
}

fn audio_bytes(audio: &InputAudio) -> Result<Vec<u8>, String> {
    if let Some(format) = audio.format.as_deref().filter(|f| !["wav", "mp3", "flac"].contains(f)) {
        return Err(format!("an `input_audio` format must be \"wav\", \"mp3\" or \"flac\", not {format:?}"));
    }
    base64::engine::general_purpose::STANDARD
        .decode(audio.data.trim())
        .map_err(|e| format!("the audio's base64 is not valid: {e}"))
}

/// The bytes of a `data:image/...;base64,` URL. The server fetches nothing from
/// the network, so other URLs are refused.
fn image_from_data_url(url: &str) -> Result<Vec<u8>, String> {
    let Some(rest) = url.strip_prefix("data:") else {
        return Err("an image must be a `data:` URL (base64); the server fetches no URLs".into());
    };
    let Some((kind, data)) = rest.split_once(',') else {
        return Err("a `data:` URL needs a comma before its data".into());
    };
    if !kind.ends_with(";base64") {
        return Err("an image `data:` URL must be base64-encoded".into());
    }
    base64::engine::general_purpose::STANDARD
        .decode(data.trim())
        .map_err(|e| format!("the image's base64 is not valid: {e}"))
}

pub fn messages(request: &ChatRequest) -> Result<Vec<Message>, ApiError> {
    if request.messages.is_empty() {
        return Err(ApiError::bad_param("messages", "`messages` must hold at least one message"));
    }
    request.messages.iter().enumerate().map(|(i, m)| m.to_message(i)).collect()
}
