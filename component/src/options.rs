//! Validation of generation options, and their translation into the backend's
//! sampling request. Every bad value gets an `invalid-input` error that names
//! it; the numeric bounds and defaults are the profile's one table.

use crate::bindings::exports::inf::wasi::types::{Error, GenerateOptions};
use crate::json_schema::schema_to_gbnf;
use crate::nn::interface_error;
use crate::tools::{self, CallFormat, Choice, ToolRequest};
use inf_wasi_profile::{ModelMetadata, SamplingConfig};
use inf_wasi_profile::{MIN_P, REPEAT_LAST_N, REPEAT_PENALTY, TEMPERATURE, TOP_K, TOP_P};
use serde_json::Value;

pub const DEFAULT_MAX_TOKENS: u32 = 256;
/// Beyond this a value is a mistake, not a wish (no context is this large).
const ABSURD_TOKENS: u32 = 1 << 24;
const MAX_STOP_STRINGS: usize = 64;
const MAX_STOP_LEN: usize = 1024;

/// The host's limits on a session's requests, from the model's metadata
/// (`limits`, `max_token_bytes`) and the session's context size.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limits {
    pub max_output_tokens: u32,
    pub max_image_bytes: u64,
    /// No prompt longer than this fits in the session's context: it is refused
    /// before it crosses into the backend (some hosts cap what one call may copy).
    pub max_prompt_bytes: u64,
}

impl Limits {
    pub fn from_metadata(metadata: &ModelMetadata, context_size: u32) -> Self {
        Self {
            max_output_tokens: metadata.limits.max_output_tokens.min(ABSURD_TOKENS),
            max_image_bytes: metadata.limits.max_image_bytes,
            max_prompt_bytes: u64::from(metadata.max_token_bytes.max(1)).saturating_mul(u64::from(context_size.max(1))),
        }
    }

    /// A prompt too long for any tokenization to fit is a context overflow.
    pub fn check_prompt(&self, prompt: &str) -> Result<(), Error> {
        if prompt.len() as u64 > self.max_prompt_bytes {
            return Err(Error::ContextOverflow(format!(
                "the prompt is {} bytes; the session's context cannot hold more than {} bytes of text",
                prompt.len(),
                self.max_prompt_bytes
            )));
        }
        Ok(())
    }
}

/// What the component needs to run one generation.
#[derive(Debug, PartialEq)]
pub struct Plan {
    /// The backend's sampling request, every option filled in (see docs/ggml-profile.md).
    pub config: SamplingConfig,
    pub max_tokens: u32,
    pub stop: Vec<String>,
    /// The tools a chat may call, if the options give any.
    pub tools: Option<ToolRequest>,
}

impl Plan {
    /// Constrains sampling to the tools' calls in `format`: from the first
    /// token for `required` or a named function, from the format's trigger
    /// (a lazy grammar) for `auto`.
    pub fn constrain_to_calls(&mut self, format: CallFormat) -> Result<(), Error> {
        let Some(request) = self.tools.as_ref().filter(|r| r.calls_allowed()) else {
            return Ok(());
        };
        self.config.grammar = Some(tools::calls_grammar(request, format).map_err(invalid)?);
        if request.choice == Choice::Auto {
            self.config.grammar_triggers = format.grammar_triggers().iter().map(|t| t.to_string()).collect();
        }
        self.config.validate().map_err(interface_error)
    }
}

fn invalid(message: impl Into<String>) -> Error {
    Error::InvalidInput(message.into())
}

pub fn plan(options: &GenerateOptions, limits: Limits) -> Result<Plan, Error> {
    let cap = limits.max_output_tokens;
    let max_tokens = options.max_tokens.unwrap_or(DEFAULT_MAX_TOKENS.min(cap));
    if max_tokens == 0 || max_tokens > cap {
        return Err(invalid(format!(
            "max-tokens must be between 1 and {cap} (the engine's max output tokens), got {max_tokens}"
        )));
    }
    if options.stop.len() > MAX_STOP_STRINGS {
        return Err(invalid(format!("at most {MAX_STOP_STRINGS} stop strings, got {}", options.stop.len())));
    }
    if let Some(bad) = options.stop.iter().find(|s| s.is_empty() || s.len() > MAX_STOP_LEN) {
        return Err(invalid(format!("stop strings must be 1 to {MAX_STOP_LEN} bytes long, got {:?}", bad.len())));
    }
    let tools = ToolRequest::from_options(options)?;
    let grammar = match (&options.grammar, &options.json_schema) {
        (Some(_), Some(_)) => return Err(invalid("give either grammar or json-schema, not both")),
        (Some(g), None) => Some(g.clone()),
        (None, Some(schema)) => {
            let schema: Value =
                serde_json::from_str(schema).map_err(|e| invalid(format!("json-schema is not valid JSON: {e}")))?;
            Some(schema_to_gbnf(&schema).map_err(|e| invalid(format!("json-schema: {e}")))?)
        }
        (None, None) => None,
    };
    let config = SamplingConfig {
        temperature: options.temperature.unwrap_or(TEMPERATURE.default),
        top_k: options.top_k.unwrap_or(TOP_K.default),
        top_p: options.top_p.unwrap_or(TOP_P.default),
        min_p: options.min_p.unwrap_or(MIN_P.default),
        repeat_penalty: options.repeat_penalty.unwrap_or(REPEAT_PENALTY.default),
        repeat_last_n: options.repeat_last_n.unwrap_or(REPEAT_LAST_N.default),
        seed: options.seed,
        grammar,
        ..SamplingConfig::default()
    };
    // The bounds and a blank grammar, checked as the backend checks them (one
    // table): the error names the option and its range.
    config.validate().map_err(interface_error)?;
    Ok(Plan { config, max_tokens, stop: options.stop.clone(), tools })
}

#[cfg(test)]
mod tests {
    use super::*;
    use inf_wasi_profile::EngineLimits;

    fn opts() -> GenerateOptions {
        GenerateOptions {
            max_tokens: None,
            stop: vec![],
            temperature: None,
            top_k: None,
            top_p: None,
            min_p: None,
            repeat_penalty: None,
            repeat_last_n: None,
            seed: None,
            grammar: None,
            json_schema: None,
            tools: vec![],
            tool_choice: None,
            parallel_tool_calls: None,
        }
    }

    fn metadata() -> ModelMetadata {
        ModelMetadata {
            name: "m".into(),
            architecture: "gemma3".into(),
            context_length: 2048,
            vocab_size: 100,
            embedding_size: 8,
            parameters: 1,
            size_bytes: 1,
            vision: false,
            audio: false,
            media_marker: None,
            chat_template: None,
            bos_token: None,
            eos_token: None,
            add_bos: true,
            default_context_size: 64,
            session_context_size: 64,
            max_token_bytes: 1,
            limits: EngineLimits { max_context_size: 64, max_output_tokens: 1, max_image_bytes: 1 },
        }
    }

    const NO_LIMITS: Limits =
        Limits { max_output_tokens: ABSURD_TOKENS, max_image_bytes: u64::MAX, max_prompt_bytes: u64::MAX };

    fn plan(options: &GenerateOptions) -> Result<Plan, Error> {
        super::plan(options, NO_LIMITS)
    }

    fn rejects(o: GenerateOptions, needle: &str) {
        match plan(&o) {
            Err(Error::InvalidInput(m)) => assert!(m.contains(needle), "{m:?} lacks {needle:?}"),
            other => panic!("expected invalid-input mentioning {needle:?}, got {other:?}"),
        }
    }

    #[test]
    fn defaults_come_from_the_profile_table() {
        let p = plan(&opts()).unwrap();
        assert_eq!(p.config, SamplingConfig::default());
        assert_eq!(p.config.temperature, TEMPERATURE.default);
        assert_eq!(p.max_tokens, DEFAULT_MAX_TOKENS);
    }

    #[test]
    fn given_values_pass_through() {
        let p = plan(&GenerateOptions { temperature: Some(0.0), top_k: Some(5), seed: Some(7), ..opts() }).unwrap();
        let expected = SamplingConfig { temperature: 0.0, top_k: 5, seed: Some(7), ..SamplingConfig::default() };
        assert_eq!(p.config, expected);
    }

    #[test]
    fn bad_values_are_named() {
        rejects(GenerateOptions { temperature: Some(-0.5), ..opts() }, "temperature");
        rejects(GenerateOptions { temperature: Some(f32::NAN), ..opts() }, "temperature");
        rejects(GenerateOptions { top_p: Some(1.5), ..opts() }, "top-p");
        rejects(GenerateOptions { min_p: Some(-1.0), ..opts() }, "min-p");
        rejects(GenerateOptions { repeat_penalty: Some(0.0), ..opts() }, "repeat-penalty");
        rejects(GenerateOptions { max_tokens: Some(0), ..opts() }, "max-tokens");
        rejects(GenerateOptions { max_tokens: Some(u32::MAX), ..opts() }, "max-tokens");
        rejects(GenerateOptions { top_k: Some(u32::MAX), ..opts() }, "top-k");
        rejects(GenerateOptions { stop: vec![String::new()], ..opts() }, "stop");
        rejects(GenerateOptions { repeat_last_n: Some(REPEAT_LAST_N.max + 1), ..opts() }, "repeat-last-n");
        rejects(GenerateOptions { grammar: Some(" ".into()), ..opts() }, "grammar is empty");
    }

    #[test]
    fn max_tokens_is_held_to_the_limit_and_the_default_fits_under_it() {
        let tight = Limits { max_output_tokens: 8, max_image_bytes: 1, max_prompt_bytes: 10 };
        assert_eq!(super::plan(&opts(), tight).unwrap().max_tokens, 8);
        assert_eq!(super::plan(&GenerateOptions { max_tokens: Some(8), ..opts() }, tight).unwrap().max_tokens, 8);
        match super::plan(&GenerateOptions { max_tokens: Some(9), ..opts() }, tight) {
            Err(Error::InvalidInput(m)) => assert!(m.contains("max output tokens"), "{m}"),
            other => panic!("{other:?}"),
        }
        let metadata = ModelMetadata {
            max_token_bytes: 16,
            limits: EngineLimits { max_context_size: 64, max_output_tokens: 100, max_image_bytes: 5 },
            ..metadata()
        };
        let from_host = Limits::from_metadata(&metadata, 64);
        assert_eq!(from_host, Limits { max_output_tokens: 100, max_image_bytes: 5, max_prompt_bytes: 1024 });
        assert!(from_host.check_prompt(&"x".repeat(1024)).is_ok());
        assert!(matches!(from_host.check_prompt(&"x".repeat(1025)), Err(Error::ContextOverflow(_))));
    }

    #[test]
    fn json_schema_becomes_a_grammar_and_bad_schemas_are_rejected() {
        let p = plan(&GenerateOptions { json_schema: Some(r#"{"type":"boolean"}"#.into()), ..opts() }).unwrap();
        assert!(p.config.grammar.unwrap().contains("root ::="));
        rejects(GenerateOptions { json_schema: Some("{not json".into()), ..opts() }, "not valid JSON");
        rejects(GenerateOptions { json_schema: Some(r#"{"type":"banana"}"#.into()), ..opts() }, "json-schema");
        rejects(
            GenerateOptions { json_schema: Some("{}".into()), grammar: Some("root ::= \"a\"".into()), ..opts() },
            "not both",
        );
    }
}
