//! The formats models write tool calls in, told apart by their chat template.

/// How a model writes its tool calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallFormat {
    /// Hermes, as Qwen 2.5 and many fine-tunes write it:
    /// `<tool_call>\n{"name": …, "arguments": {…}}\n</tool_call>`, one block per call.
    Hermes,
    /// Llama 3.1 and later: the whole answer is `{"name": …, "parameters": {…}}`,
    /// optionally after `<|python_tag|>`.
    Llama3,
    /// Mistral: `[TOOL_CALLS][{"name": …, "arguments": {…}}, …]`.
    Mistral,
    /// A template that knows no tools: the component describes them in the
    /// system turn and asks for Hermes blocks; the parser also takes a bare
    /// JSON call.
    Fallback,
}

impl CallFormat {
    /// The format `template` (a chat template's source) renders calls in.
    pub fn detect(template: &str) -> Self {
        if !template_knows_tools(template) {
            CallFormat::Fallback
        } else if template.contains("[TOOL_CALLS]") {
            CallFormat::Mistral
        } else if template.contains("<|python_tag|>") || template.contains("ipython") {
            CallFormat::Llama3
        } else if template.contains("<tool_call>") {
            CallFormat::Hermes
        } else {
            CallFormat::Fallback
        }
    }

    /// Where calls start in the output; the parser reads from the first.
    pub fn triggers(self) -> &'static [&'static str] {
        match self {
            CallFormat::Hermes | CallFormat::Fallback => &["<tool_call>"],
            CallFormat::Llama3 => &["<|python_tag|>", "{"],
            CallFormat::Mistral => &["[TOOL_CALLS]"],
        }
    }

    /// Whether calls only count at the very start of the output (after
    /// whitespace): Llama 3's bare JSON would otherwise catch any JSON answer.
    pub fn calls_only_at_start(self) -> bool {
        self == CallFormat::Llama3
    }

    /// The words after which a lazy grammar (`auto`) holds the output to calls:
    /// each is where [`crate::tools::grammar`]'s root starts.
    pub fn grammar_triggers(self) -> &'static [&'static str] {
        match self {
            CallFormat::Hermes | CallFormat::Fallback => &["<tool_call>"],
            CallFormat::Llama3 => &["<|python_tag|>"],
            CallFormat::Mistral => &["[TOOL_CALLS]"],
        }
    }
}

/// Whether a template renders `tools` itself (Hugging Face's convention).
pub fn template_knows_tools(template: &str) -> bool {
    template.contains("tools")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_told_by_their_markers() {
        assert_eq!(CallFormat::detect("{% for m in messages %}{{ m.content }}{% endfor %}"), CallFormat::Fallback);
        assert_eq!(CallFormat::detect("{% if tools %}<tool_call>{% endif %}"), CallFormat::Hermes);
        assert_eq!(CallFormat::detect("{% if tools %}[TOOL_CALLS]{% endif %}"), CallFormat::Mistral);
        assert_eq!(CallFormat::detect("{% if tools %}<|python_tag|>{% endif %}"), CallFormat::Llama3);
        assert_eq!(CallFormat::detect("{% if tools %}{{ tools }}{% endif %}"), CallFormat::Fallback);
    }
}
