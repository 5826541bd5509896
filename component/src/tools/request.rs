//! A generation's tools and how it may use them, checked (`ToolRequest::from_options`).

use serde_json::Value;

/// A tool, checked: its name, description and arguments' schema.
#[derive(Debug, Clone, PartialEq)]
pub struct Tool {
    pub name: String,
    pub description: Option<String>,
    /// A JSON Schema of the arguments object.
    pub parameters: Value,
}

/// What a generation may or must call.
#[derive(Debug, Clone, PartialEq)]
pub enum Choice {
    Auto,
    None,
    Required,
    Function(String),
}

/// A generation's tools and how it may use them.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolRequest {
    pub tools: Vec<Tool>,
    pub choice: Choice,
    pub parallel: bool,
}

impl ToolRequest {
    /// Whether the model may call tools in this generation.
    pub fn calls_allowed(&self) -> bool {
        self.choice != Choice::None
    }

    pub fn tool(&self, name: &str) -> Option<&Tool> {
        self.tools.iter().find(|t| t.name == name)
    }
}

/// The id of the `n`th call of a conversation (from 1): nine letters and
/// digits, which every template accepts (Mistral's insists on nine).
pub fn call_id(n: usize) -> String {
    format!("call{:05}", n % 100_000)
}
