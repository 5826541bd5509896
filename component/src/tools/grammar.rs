//! The grammar that holds output to calls of the given tools, each call's
//! arguments to its tool's schema (the JSON-schema converter writes those
//! rules), in the layout of the model's call format.

use super::{CallFormat, Choice, ToolRequest};
use crate::json_schema::{gbnf_literal, schemas_to_gbnf_rules};

/// A GBNF grammar (root `root`) for one or more calls, as `request` allows
/// (one named function, or any tool), in `format`'s layout. Its root starts
/// with the format's grammar trigger, so it also serves as a lazy grammar.
pub fn calls_grammar(request: &ToolRequest, format: CallFormat) -> Result<String, String> {
    let tools: Vec<_> = match &request.choice {
        Choice::Function(name) => request.tools.iter().filter(|t| &t.name == name).collect(),
        _ => request.tools.iter().collect(),
    };
    let names: Vec<String> = (0..tools.len()).map(|i| format!("root-args-{i}")).collect();
    let schemas: Vec<(&str, &serde_json::Value)> =
        names.iter().map(String::as_str).zip(tools.iter().map(|t| &t.parameters)).collect();
    let rules = schemas_to_gbnf_rules(&schemas).map_err(|e| format!("a tool's parameters: {e}"))?;
    let key = if format == CallFormat::Llama3 { "parameters" } else { "arguments" };
    let calls: Vec<String> = tools
        .iter()
        .zip(&names)
        .map(|(tool, rule)| {
            let opening = format!("{{\"name\": \"{}\", \"{key}\": ", tool.name);
            format!("{} {rule} \"}}\"", gbnf_literal(&opening))
        })
        .collect();
    let (start, call, separator, end) = match format {
        CallFormat::Hermes | CallFormat::Fallback => {
            ("\"<tool_call>\\n\"", "call", "\"\\n</tool_call>\\n<tool_call>\\n\"", "\"\\n</tool_call>\"")
        }
        CallFormat::Mistral => ("\"[TOOL_CALLS][\"", "call", "\", \"", "\"]\""),
        CallFormat::Llama3 => ("\"<|python_tag|>\"?", "call", "", ""),
    };
    let root = if request.parallel && !separator.is_empty() {
        format!("root ::= {start} {call} ( {separator} {call} )* {end}")
    } else {
        format!("root ::= {start} {call} {end}")
    };
    Ok(format!("{root}\ncall ::= {}\n{rules}", calls.join(" | ")))
}

#[cfg(test)]
mod tests {
    use super::super::Tool;
    use super::*;
    use serde_json::json;

    #[test]
    fn one_named_function_in_hermes_layout() {
        let tool = |name: &str| Tool { name: name.into(), description: None, parameters: json!({"type": "boolean"}) };
        let request =
            ToolRequest { tools: vec![tool("a"), tool("b")], choice: Choice::Function("b".into()), parallel: true };
        let grammar = calls_grammar(&request, CallFormat::Hermes).unwrap();
        assert!(grammar.starts_with("root ::= \"<tool_call>\\n\" call ( "), "{grammar}");
        assert!(grammar.contains(r#"call ::= "{\"name\": \"b\", \"arguments\": " root-args-0 "}""#), "{grammar}");
        assert!(!grammar.contains("\\\"a\\\""), "{grammar}");
    }
}
