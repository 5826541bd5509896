//! Tool calling, in the sandbox: the tools a generation may call, checked;
//! how the model's chat template is told about them ([`render`]); which
//! format the model writes calls in ([`CallFormat`]); the grammar that holds
//! `required` and named calls to the tools' schemas ([`grammar`]); and the
//! parser that turns the output back into calls ([`parse`]).

mod capture;
mod format;
mod grammar;
mod parse;
mod render;
mod request;
#[cfg(test)]
mod template_tests;

pub use capture::CallCapture;
pub use format::{template_knows_tools, CallFormat};
pub use grammar::calls_grammar;
pub use parse::parse_calls;
pub use render::{fallback_preamble, tools_for_template, TurnTools};
pub use request::{call_id, Choice, Tool, ToolRequest};

use crate::bindings::exports::inf::wasi::types::{Error, GenerateOptions, ToolChoice};

const MAX_TOOLS: usize = 128;
const MAX_NAME_LEN: usize = 64;

impl ToolRequest {
    /// The request `options` make, `None` when they give no tools.
    pub fn from_options(options: &GenerateOptions) -> Result<Option<Self>, Error> {
        let choice = match &options.tool_choice {
            None | Some(ToolChoice::Auto) => Choice::Auto,
            Some(ToolChoice::None) => Choice::None,
            Some(ToolChoice::Required) => Choice::Required,
            Some(ToolChoice::Function(name)) => Choice::Function(name.clone()),
        };
        if options.tools.is_empty() {
            return match choice {
                Choice::Required | Choice::Function(_) => {
                    Err(invalid("tool-choice `required` or a named function needs tools"))
                }
                _ => Ok(None),
            };
        }
        if options.tools.len() > MAX_TOOLS {
            return Err(invalid(format!("at most {MAX_TOOLS} tools, got {}", options.tools.len())));
        }
        let mut tools: Vec<Tool> = Vec::with_capacity(options.tools.len());
        for tool in &options.tools {
            check_name(&tool.name)?;
            if tools.iter().any(|t| t.name == tool.name) {
                return Err(invalid(format!("two tools are named {:?}", tool.name)));
            }
            let parameters = match &tool.parameters {
                None => serde_json::json!({"type": "object", "properties": {}}),
                Some(text) => serde_json::from_str(text)
                    .map_err(|e| invalid(format!("tool {:?}: parameters are not valid JSON: {e}", tool.name)))?,
            };
            if !parameters.is_object() {
                return Err(invalid(format!("tool {:?}: parameters must be a JSON Schema object", tool.name)));
            }
            tools.push(Tool { name: tool.name.clone(), description: tool.description.clone(), parameters });
        }
        if let Choice::Function(name) = &choice {
            if !tools.iter().any(|t| &t.name == name) {
                return Err(invalid(format!("tool-choice names {name:?}, which is not one of the tools")));
            }
        }
        if choice != Choice::None && (options.grammar.is_some() || options.json_schema.is_some()) {
            return Err(invalid("tools cannot be combined with grammar or json-schema (unless tool-choice is none)"));
        }
        Ok(Some(Self { tools, choice, parallel: options.parallel_tool_calls.unwrap_or(true) }))
    }
}

fn check_name(name: &str) -> Result<(), Error> {
    let fine = !name.is_empty()
        && name.len() <= MAX_NAME_LEN
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if fine {
        Ok(())
    } else {
        Err(invalid(format!(
            "a tool's name must be 1 to {MAX_NAME_LEN} letters, digits, `_` or `-`, got {:?}",
            name.chars().take(80).collect::<String>()
        )))
    }
}

fn invalid(message: impl Into<String>) -> Error {
    Error::InvalidInput(message.into())
}
