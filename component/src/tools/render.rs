//! Tools and calls as chat templates read them: Hugging Face's shapes for a
//! template that renders tools itself, and for one that does not, the
//! fallback: the tools described in the system turn, calls written as Hermes
//! blocks, and results as user turns.

use super::{Tool, ToolRequest};
use crate::bindings::exports::inf::wasi::types::{Message, Role, ToolCall};
use crate::python_json::python_json;
use serde_json::{json, Value};

/// The `tools` a template receives: `{"type": "function", "function": {…}}` each.
pub fn tools_for_template(tools: &[Tool]) -> Value {
    Value::Array(tools.iter().map(tool_value).collect())
}

fn tool_value(tool: &Tool) -> Value {
    let mut function = serde_json::Map::new();
    function.insert("name".into(), Value::String(tool.name.clone()));
    if let Some(description) = &tool.description {
        function.insert("description".into(), Value::String(description.clone()));
    }
    function.insert("parameters".into(), tool.parameters.clone());
    json!({"type": "function", "function": function})
}

/// An assistant message's calls as templates read them, the arguments as an
/// object (templates write them with `tojson`). Arguments that are not a JSON
/// object are refused: a template cannot render them faithfully.
fn calls_for_template(calls: &[ToolCall]) -> Result<Value, String> {
    let mut out = Vec::with_capacity(calls.len());
    for call in calls {
        out.push(json!({
            "id": call.id,
            "type": "function",
            "function": {"name": call.name, "arguments": arguments(call)?},
        }));
    }
    Ok(Value::Array(out))
}

/// A call's arguments, which must be a JSON object.
fn arguments(call: &ToolCall) -> Result<Value, String> {
    let arguments: Value = serde_json::from_str(&call.arguments)
        .map_err(|e| format!("the arguments of tool call {:?} are not valid JSON: {e}", call.id))?;
    match arguments.is_object() {
        true => Ok(arguments),
        false => Err(format!("the arguments of tool call {:?} are not a JSON object", call.id)),
    }
}

/// The fallback's system text: what the tools are and how to call them.
pub fn fallback_preamble(request: &ToolRequest) -> String {
    let mut text = String::from(
        "You can call these functions. Their JSON Schema signatures are within <tools></tools> tags:\n<tools>",
    );
    for tool in &request.tools {
        text.push('\n');
        text.push_str(&python_json(&tool_value(tool)));
    }
    text.push_str(
        "\n</tools>\nTo call a function, answer with a JSON object of its name and arguments within \
         <tool_call></tool_call> tags, one block per call:\n<tool_call>\n{\"name\": <function-name>, \
         \"arguments\": <args-json-object>}\n</tool_call>",
    );
    text
}

/// An assistant's calls as the fallback writes them (and asks the model to).
fn fallback_calls(calls: &[ToolCall]) -> Result<String, String> {
    let mut text = String::new();
    for call in calls {
        if !text.is_empty() {
            text.push('\n');
        }
        let name = Value::String(call.name.clone());
        text.push_str(&format!(
            "<tool_call>\n{{\"name\": {}, \"arguments\": {}}}\n</tool_call>",
            python_json(&name),
            python_json(&arguments(call)?)
        ));
    }
    Ok(text)
}

/// A tool result as the fallback's user turn wraps it.
const FALLBACK_RESULT_OPEN: &str = "<tool_response>\n";
const FALLBACK_RESULT_CLOSE: &str = "\n</tool_response>";

/// How one message's tool calls, or its answer to one, enter its turn: for a
/// template that knows tools, as the fields Hugging Face templates read; for
/// the fallback, as markup around and after the message's text.
#[derive(Default)]
pub struct TurnTools {
    /// The turn's role instead of the message's (the fallback's results are user turns).
    pub role: Option<&'static str>,
    /// Markup before and after the message's text.
    pub open: &'static str,
    pub close: String,
    /// The assistant's calls and the answered call's id, for the template.
    pub calls: Option<Value>,
    pub call_id: Option<String>,
}

impl TurnTools {
    /// What `message` brings besides its parts; its calls' arguments must be JSON objects.
    pub fn of(message: &Message, knows_tools: bool) -> Result<Self, String> {
        let mut tools = Self::default();
        if knows_tools {
            if !message.tool_calls.is_empty() {
                tools.calls = Some(calls_for_template(&message.tool_calls)?);
            }
            tools.call_id = message.tool_call_id.clone();
            return Ok(tools);
        }
        if message.role == Role::Tool {
            (tools.role, tools.open) = (Some("user"), FALLBACK_RESULT_OPEN);
            tools.close = FALLBACK_RESULT_CLOSE.into();
        }
        if !message.tool_calls.is_empty() {
            let separator = if message.content.is_empty() { "" } else { "\n" };
            tools.close = format!("{separator}{}", fallback_calls(&message.tool_calls)?);
        }
        Ok(tools)
    }

    /// Everything it writes into the prompt as markup, to be checked for control-token text.
    pub fn markup(&self) -> Vec<String> {
        let calls = self.calls.iter().map(Value::to_string);
        let written = [self.open.to_string(), self.close.clone()].into_iter().chain(calls);
        written.chain(self.call_id.clone()).filter(|m| !m.is_empty()).collect()
    }
}
