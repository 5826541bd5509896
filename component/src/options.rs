//! Validation of generation options, and their translation into the backend's
//! `config` tensor. Every bad value gets an `invalid-input` error that names it.

use crate::bindings::exports::inf::wasi::types::{Error, GenerateOptions};
use crate::json_schema::schema_to_gbnf;
use serde_json::{json, Map, Value};

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
    pub fn from_metadata(metadata: &Value, context_size: u32) -> Self {
        let limit = |key: &str| metadata.get("limits").and_then(|l| l.get(key)).and_then(Value::as_u64);
        let token_bytes = metadata.get("max_token_bytes").and_then(Value::as_u64).unwrap_or(u64::MAX);
        Self {
            max_output_tokens: limit("max_output_tokens").map_or(ABSURD_TOKENS, |n| n.min(ABSURD_TOKENS as u64) as u32),
            max_image_bytes: limit("max_image_bytes").unwrap_or(u64::MAX),
            max_prompt_bytes: token_bytes.saturating_mul(context_size.max(1) as u64),
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
    /// The backend's sampling config (see docs/ggml-profile.md).
    pub config: Map<String, Value>,
    pub max_tokens: u32,
    pub stop: Vec<String>,
}

fn invalid(message: impl Into<String>) -> Error {
    Error::InvalidInput(message.into())
}

fn in_range(name: &str, value: Option<f32>, low: f32, high: f32, low_inclusive: bool) -> Result<Option<f32>, Error> {
    match value {
        None => Ok(None),
        Some(v) if v.is_finite() && (v > low || (low_inclusive && v == low)) && v <= high => Ok(Some(v)),
        Some(v) => {
            let open = if low_inclusive { "[" } else { "(" };
            Err(invalid(format!("{name} must be in {open}{low}, {high}], got {v}")))
        }
    }
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
    let mut config = Map::new();
    let mut put = |key: &str, value: Value| {
        config.insert(key.to_string(), value);
    };
    if let Some(t) = in_range("temperature", options.temperature, 0.0, 100.0, true)? {
        put("temp", json!(t));
    }
    if let Some(p) = in_range("top-p", options.top_p, 0.0, 1.0, true)? {
        put("top-p", json!(p));
    }
    if let Some(p) = in_range("min-p", options.min_p, 0.0, 1.0, true)? {
        put("min-p", json!(p));
    }
    if let Some(p) = in_range("repeat-penalty", options.repeat_penalty, 0.0, 10.0, false)? {
        put("repeat-penalty", json!(p));
    }
    if let Some(k) = options.top_k {
        if k > 1_000_000 {
            return Err(invalid(format!("top-k must be at most 1000000, got {k}")));
        }
        put("top-k", json!(k));
    }
    if let Some(n) = options.repeat_last_n {
        if n > ABSURD_TOKENS {
            return Err(invalid(format!("repeat-last-n must be at most {ABSURD_TOKENS}, got {n}")));
        }
        put("repeat-last-n", json!(n));
    }
    if let Some(seed) = options.seed {
        put("seed", json!(seed));
    }
    match (&options.grammar, &options.json_schema) {
        (Some(_), Some(_)) => return Err(invalid("give either grammar or json-schema, not both")),
        (Some(g), None) if g.trim().is_empty() => return Err(invalid("grammar is empty")),
        (Some(g), None) => put("grammar", json!(g)),
        (None, Some(schema)) => {
            let schema: Value =
                serde_json::from_str(schema).map_err(|e| invalid(format!("json-schema is not valid JSON: {e}")))?;
            let grammar = schema_to_gbnf(&schema).map_err(|e| invalid(format!("json-schema: {e}")))?;
            put("grammar", json!(grammar));
        }
        (None, None) => {}
    }
    Ok(Plan { config, max_tokens, stop: options.stop.clone() })
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn defaults_leave_the_config_empty() {
        let p = plan(&opts()).unwrap();
        assert!(p.config.is_empty());
        assert_eq!(p.max_tokens, DEFAULT_MAX_TOKENS);
    }

    #[test]
    fn values_pass_through_under_backend_names() {
        let p = plan(&GenerateOptions { temperature: Some(0.0), top_k: Some(5), seed: Some(7), ..opts() }).unwrap();
        assert_eq!(Value::Object(p.config), json!({"temp": 0.0, "top-k": 5, "seed": 7}));
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
        let metadata = json!({"limits": {"max_output_tokens": 100, "max_image_bytes": 5}, "max_token_bytes": 16});
        let from_host = Limits::from_metadata(&metadata, 64);
        assert_eq!(from_host, Limits { max_output_tokens: 100, max_image_bytes: 5, max_prompt_bytes: 1024 });
        assert!(from_host.check_prompt(&"x".repeat(1024)).is_ok());
        assert!(matches!(from_host.check_prompt(&"x".repeat(1025)), Err(Error::ContextOverflow(_))));
    }

    #[test]
    fn json_schema_becomes_a_grammar_and_bad_schemas_are_rejected() {
        let p = plan(&GenerateOptions { json_schema: Some(r#"{"type":"boolean"}"#.into()), ..opts() }).unwrap();
        assert!(p.config["grammar"].as_str().unwrap().contains("root ::="));
        rejects(GenerateOptions { json_schema: Some("{not json".into()), ..opts() }, "not valid JSON");
        rejects(GenerateOptions { json_schema: Some(r#"{"type":"banana"}"#.into()), ..opts() }, "json-schema");
        rejects(
            GenerateOptions { json_schema: Some("{}".into()), grammar: Some("root ::= \"a\"".into()), ..opts() },
            "not both",
        );
    }
}
