//! An inf-wasi plugin in Rust: its one capability is the model.
//!
//! Input, as JSON: `{"model": NAME, "text": TEXT}`. The plugin completes TEXT
//! (greedy, 12 tokens), then asks the model, as a chat constrained by a JSON
//! schema, which topic the whole is about, parses that answer itself, and
//! returns `{"completion": ..., "topic": ...}`.

mod bindings {
    wit_bindgen::generate!({
        path: "../../../wit",
        world: "inf:wasi/plugin",
        generate_all,
    });
}

use bindings::exports::inf::wasi::handler::Guest;
use bindings::inf::wasi::inference::Model;
use bindings::inf::wasi::types::{ContentPart, Error, GenerateOptions, Message, Role, SessionOptions};
use serde_json::{json, Value};

/// The topics the model picks from, and the schema that holds it to them.
pub const TOPICS: [&str; 4] = ["science", "cooking", "sports", "other"];

struct Pipeline;

impl Guest for Pipeline {
    fn run(input: String) -> Result<String, String> {
        let input: Value = serde_json::from_str(&input).map_err(|e| format!("the input is not JSON: {e}"))?;
        let field = |key: &str| input[key].as_str().ok_or_else(|| format!("the input has no string {key:?}"));
        let (model, text) = (field("model")?, field("text")?);
        let model = Model::open(model).map_err(say)?;
        // Each session is dropped as soon as its answer is in: a session holds a
        // llama.cpp context, and one still open makes the next one allocate its own.
        let completion = model
            .new_session(&SessionOptions { context_size: None, system_prompt: None })
            .and_then(|s| s.complete(text, &greedy(12, None)))
            .map_err(say)?
            .text;
        let schema = json!({
            "type": "object",
            "properties": { "topic": { "enum": TOPICS } },
            "required": ["topic"],
        });
        let question = format!("Which topic is this about: science, cooking, sports or other?\n\n{text}{completion}");
        let asked = Message {
            role: Role::User,
            content: vec![ContentPart::Text(question)],
            tool_calls: Vec::new(),
            tool_call_id: None,
        };
        let answer = model
            .new_session(&SessionOptions { context_size: None, system_prompt: None })
            .and_then(|s| s.chat(&[asked], &greedy(24, Some(schema.to_string()))))
            .map_err(say)?;
        let topic: Value =
            serde_json::from_str(&answer.text).map_err(|e| format!("the model's answer is not JSON: {e}"))?;
        Ok(json!({ "completion": completion, "topic": topic["topic"] }).to_string())
    }
}

fn greedy(max_tokens: u32, json_schema: Option<String>) -> GenerateOptions {
    GenerateOptions {
        max_tokens: Some(max_tokens),
        stop: Vec::new(),
        temperature: Some(0.0),
        top_k: None,
        top_p: None,
        min_p: None,
        repeat_penalty: None,
        repeat_last_n: None,
        seed: None,
        grammar: None,
        json_schema,
        tools: Vec::new(),
        tool_choice: None,
        parallel_tool_calls: None,
    }
}

/// The engine's error as the plugin reports it.
fn say(e: Error) -> String {
    format!("{e:?}")
}

bindings::export!(Pipeline with_types_in bindings);
