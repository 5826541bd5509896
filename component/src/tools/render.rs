//! Tools and calls as chat templates read them: Hugging Face's shapes for a
//! template that renders tools itself, and for one that does not, the
//! fallback: the tools described in the system turn, calls written as Hermes
//! blocks, and results as user turns.

use super::{Tool, ToolRequest};
use crate::bindings::exports::inf::wasi::types::ToolCall;
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
pub fn calls_for_template(calls: &[ToolCall]) -> Result<Value, String> {
    let mut out = Vec::with_capacity(calls.len());
    for call in calls {
        let arguments: Value = serde_json::from_str(&call.arguments)
            .map_err(|e| format!("the arguments of tool call {:?} are not valid JSON: {e}", call.id))?;
        if !arguments.is_object() {
            return Err(format!("the arguments of tool call {:?} are not a JSON object", call.id));
        }
        out.push(json!({
            "id": call.id,
            "type": "function",
            "function": {"name": call.name, "arguments": arguments},
        }));
    }
    Ok(Value::Array(out))
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
pub fn fallback_calls(calls: &[ToolCall]) -> String {
    let mut text = String::new();
    for call in calls {
        if !text.is_empty() {
            text.push('\n');
        }
        let arguments = serde_json::from_str::<Value>(&call.arguments).unwrap_or(Value::Null);
        let name = Value::String(call.name.clone());
        text.push_str(&format!(
            "<tool_call>\n{{\"name\": {}, \"arguments\": {}}}\n</tool_call>",
            python_json(&name),
            python_json(&arguments)
        ));
    }
    text
}

/// A tool result as the fallback's user turn wraps it.
pub const FALLBACK_RESULT_OPEN: &str = "<tool_response>\n";
pub const FALLBACK_RESULT_CLOSE: &str = "\n</tool_response>";

/// JSON as Python's `json.dumps` writes it (`", "` and `": "` between items,
/// non-ASCII kept), which is what Hugging Face templates' `tojson` gives and
/// what models were trained on. `indent` breaks lines as `json.dumps(indent=n)`.
pub fn python_json_indented(value: &Value, indent: Option<usize>) -> String {
    let mut out = String::new();
    write_json(value, indent, 0, &mut out);
    out
}

pub fn python_json(value: &Value) -> String {
    python_json_indented(value, None)
}

fn write_json(value: &Value, indent: Option<usize>, depth: usize, out: &mut String) {
    let newline = |out: &mut String, depth: usize| {
        if let Some(n) = indent {
            out.push('\n');
            out.push_str(&" ".repeat(n * depth));
        }
    };
    let separator = if indent.is_some() { "," } else { ", " };
    match value {
        Value::Array(items) if !items.is_empty() => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(separator);
                }
                newline(out, depth + 1);
                write_json(item, indent, depth + 1, out);
            }
            newline(out, depth);
            out.push(']');
        }
        Value::Object(map) if !map.is_empty() => {
            out.push('{');
            for (i, (key, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(separator);
                }
                newline(out, depth + 1);
                out.push_str(&Value::String(key.clone()).to_string());
                out.push_str(": ");
                write_json(item, indent, depth + 1, out);
            }
            newline(out, depth);
            out.push('}');
        }
        other => out.push_str(&other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_is_written_as_python_writes_it() {
        let value = json!({"b": [1, 2.5, "é"], "a": {}, "c": {"d": null}});
        assert_eq!(python_json(&value), r#"{"b": [1, 2.5, "é"], "a": {}, "c": {"d": null}}"#);
        assert_eq!(python_json_indented(&json!({"a": [1]}), Some(2)), "{\n  \"a\": [\n    1\n  ]\n}");
    }
}
