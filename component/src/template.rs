//! Chat templates: the model's own Jinja template from its GGUF metadata
//! (`tokenizer.chat_template`), rendered here in the sandbox, or a built-in
//! template for models that ship none.

use minijinja::{context, Environment, Error, ErrorKind};
use serde::Serialize;

/// Gemma's turn format (the default model ships no template). System text is
/// folded into the first user turn, as Gemma has no system role.
const GEMMA: &str = concat!(
    "{{ bos_token }}",
    "{%- if messages and messages[0]['role'] == 'system' -%}",
    "{%- set first_user_prefix = messages[0]['content'] + '\n\n' -%}{%- set loop_messages = messages[1:] -%}",
    "{%- else -%}{%- set first_user_prefix = '' -%}{%- set loop_messages = messages -%}{%- endif -%}",
    "{%- for message in loop_messages -%}",
    "{%- set role = 'model' if message['role'] == 'assistant' else 'user' -%}",
    "{{ '<start_of_turn>' + role + '\n' + (first_user_prefix if loop.first else '') }}",
    "{{ message['content'] | trim }}{{ '<end_of_turn>\n' }}",
    "{%- endfor -%}",
    "{%- if add_generation_prompt -%}{{ '<start_of_turn>model\n' }}{%- endif -%}",
);

/// ChatML, the most common format, for any other model without a template.
const CHATML: &str = concat!(
    "{%- for message in messages -%}",
    "{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>\n' }}",
    "{%- endfor -%}",
    "{%- if add_generation_prompt -%}{{ '<|im_start|>assistant\n' }}{%- endif -%}",
);

/// The template instructions one rendering may run (minijinja's fuel): far
/// more than any real template needs for a conversation that fits a context,
/// and so few that a template that loops for ever fails in well under a
/// second, the same way in every host (instructions, not time, are counted).
pub const RENDER_FUEL: u64 = 10_000_000;

/// Why a template could not be rendered.
#[derive(Debug, PartialEq)]
pub enum RenderError {
    /// The messages do not suit it (`raise_exception`, a bad value).
    Input(String),
    /// The template itself is at fault: it ran out of its instruction budget.
    Template(String),
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Turn {
    pub role: String,
    pub content: String,
    /// An assistant's calls, in Hugging Face's shape (`tools::calls_for_template`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tool_calls: Option<serde_json::Value>,
    /// A tool result: the call it answers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tool_call_id: Option<String>,
}

impl Turn {
    pub fn new(role: impl Into<String>, content: impl Into<String>) -> Self {
        Self { role: role.into(), content: content.into(), tool_calls: None, tool_call_id: None }
    }
}

/// A chat template and the special tokens it refers to.
pub struct ChatTemplate {
    source: String,
    bos_token: String,
    eos_token: String,
}

impl ChatTemplate {
    /// The model's own template, or the built-in one for its architecture.
    pub fn for_model(template: Option<&str>, architecture: &str, bos_token: &str, eos_token: &str) -> Self {
        let source = match template {
            Some(t) if !t.trim().is_empty() => t.to_string(),
            _ if architecture.starts_with("gemma") => GEMMA.to_string(),
            _ => CHATML.to_string(),
        };
        Self { source, bos_token: bos_token.to_string(), eos_token: eos_token.to_string() }
    }

    /// Whether the tokenizer must add BOS to `rendered`: not when the template
    /// wrote it itself (a second BOS would change the model's input).
    pub fn needs_bos(&self, rendered: &str) -> bool {
        self.bos_token.is_empty() || !rendered.starts_with(&self.bos_token)
    }

    /// The template's source, which tells how it renders tools (`tools::CallFormat`).
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Renders `turns`, ending with the assistant's opening when `add_generation_prompt`.
    pub fn render(&self, turns: &[Turn], add_generation_prompt: bool) -> Result<String, RenderError> {
        self.render_with_tools(turns, None, add_generation_prompt)
    }

    /// Renders `turns` with `tools` (Hugging Face's shape) for the template's `tools`.
    pub fn render_with_tools(
        &self,
        turns: &[Turn],
        tools: Option<&serde_json::Value>,
        add_generation_prompt: bool,
    ) -> Result<String, RenderError> {
        let mut env = Environment::new();
        env.set_fuel(Some(RENDER_FUEL));
        env.set_unknown_method_callback(minijinja_contrib::pycompat::unknown_method_callback);
        env.add_function("raise_exception", |message: String| -> Result<String, Error> {
            Err(Error::new(ErrorKind::InvalidOperation, message))
        });
        // The component has no clock; templates that print today's date get a fixed one.
        env.add_function("strftime_now", |_format: String| "01 Jan 2026".to_string());
        // Hugging Face's `tojson`: Python's separators, key order and non-ASCII
        // kept, as the templates' models saw it in training (minijinja's own
        // is compact and escapes HTML).
        env.add_filter("tojson", |value: minijinja::Value, kwargs: minijinja::value::Kwargs| {
            let indent: Option<usize> = kwargs.get("indent")?;
            kwargs.assert_all_used()?;
            let json = serde_json::to_value(&value)
                .map_err(|e| Error::new(ErrorKind::InvalidOperation, format!("tojson: {e}")))?;
            Ok(minijinja::Value::from_safe_string(crate::python_json::python_json_indented(&json, indent)))
        });
        env.add_template("chat", &self.source)
            .map_err(|e| RenderError::Input(format!("the chat template does not parse: {e}")))?;
        let template = env.get_template("chat").map_err(|e| RenderError::Input(e.to_string()))?;
        template
            .render(context! {
                messages => turns,
                tools => tools,
                add_generation_prompt => add_generation_prompt,
                bos_token => self.bos_token,
                eos_token => self.eos_token,
            })
            .map_err(|e| match e.kind() {
                ErrorKind::OutOfFuel => RenderError::Template(format!(
                    "the model's chat template ran more than {RENDER_FUEL} instructions and was stopped \
                     (a template that loops for ever?)"
                )),
                _ => RenderError::Input(format!("the chat template failed: {e}")),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn turn(role: &str, content: &str) -> Turn {
        Turn::new(role, content)
    }

    #[test]
    fn gemma_fallback_renders_turns_and_folds_the_system_prompt() {
        let t = ChatTemplate::for_model(None, "gemma3", "<bos>", "<eos>");
        let out = t
            .render(
                &[turn("system", "Be brief."), turn("user", "Hi"), turn("assistant", "Hello!"), turn("user", "Bye")],
                true,
            )
            .unwrap();
        assert_eq!(
            out,
            "<bos><start_of_turn>user\nBe brief.\n\nHi<end_of_turn>\n<start_of_turn>model\nHello!<end_of_turn>\n\
             <start_of_turn>user\nBye<end_of_turn>\n<start_of_turn>model\n"
        );
    }

    #[test]
    fn a_conversation_renders_as_a_prefix_of_its_continuation() {
        // KV-cache reuse depends on this: turn N's prompt plus the reply is a prefix of turn N+1's.
        let t = ChatTemplate::for_model(None, "gemma3", "<bos>", "<eos>");
        let first = t.render(&[turn("user", "Hi")], true).unwrap();
        let second = t.render(&[turn("user", "Hi"), turn("assistant", "Hello!"), turn("user", "More")], true).unwrap();
        assert!(second.starts_with(&(first + "Hello!")));
    }

    #[test]
    fn chatml_for_other_architectures() {
        let t = ChatTemplate::for_model(None, "llama", "<s>", "</s>");
        assert_eq!(
            t.render(&[turn("user", "Hi")], true).unwrap(),
            "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n"
        );
    }

    #[test]
    fn the_models_own_template_wins_and_python_methods_work() {
        let src = "{% for m in messages %}[{{ m['role'].upper() }}]{{ m['content'].strip() }}{% endfor %}{% if add_generation_prompt %}[A]{% endif %}";
        let t = ChatTemplate::for_model(Some(src), "gemma3", "", "");
        assert_eq!(t.render(&[turn("user", "  hi  ")], true).unwrap(), "[USER]hi[A]");
    }

    #[test]
    fn raise_exception_becomes_an_error() {
        let t = ChatTemplate::for_model(Some("{{ raise_exception('no system role') }}"), "x", "", "");
        let error = t.render(&[turn("system", "x")], true).unwrap_err();
        assert!(matches!(&error, RenderError::Input(m) if m.contains("no system role")), "{error:?}");
    }

    #[test]
    fn a_broken_template_is_an_error_not_a_panic() {
        let t = ChatTemplate::for_model(Some("{% for %}"), "x", "", "");
        let error = t.render(&[], true).unwrap_err();
        assert!(matches!(&error, RenderError::Input(m) if m.contains("does not parse")), "{error:?}");
    }

    #[test]
    fn a_template_that_loops_for_ever_runs_out_of_fuel() {
        let looping = "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}";
        let t = ChatTemplate::for_model(Some(looping), "x", "", "");
        let started = std::time::Instant::now();
        let error = t.render(&[turn("user", "hi")], true).unwrap_err();
        eprintln!("out of fuel after {:?}", started.elapsed());
        assert!(matches!(&error, RenderError::Template(m) if m.contains("loops for ever")), "{error:?}");
    }

    #[test]
    fn two_million_empty_steps_are_within_the_fuel() {
        // The tests' slow template (a deadline test in every language) relies on this.
        let slow =
            "{% for i in range(2000) %}{% for j in range(1000) %}{% endfor %}{% endfor %}{{ messages[0].content }}";
        let t = ChatTemplate::for_model(Some(slow), "x", "", "");
        let started = std::time::Instant::now();
        assert_eq!(t.render(&[turn("user", "hi")], true), Ok("hi".to_string()));
        eprintln!("two million steps rendered in {:?}", started.elapsed());
    }

    #[test]
    fn a_long_conversation_is_well_within_the_fuel() {
        // 4,000 turns, more than any context here holds, with the built-in Gemma template.
        let t = ChatTemplate::for_model(None, "gemma3", "<bos>", "<eos>");
        let turns: Vec<Turn> =
            (0..4000).map(|i| turn(if i % 2 == 0 { "user" } else { "assistant" }, "a few words")).collect();
        assert!(t.render(&turns, true).is_ok());
    }
}
