//! Holds a call's markup back from a stream: text flows through until a
//! trigger (`<tool_call>`, `[TOOL_CALLS]`) appears, and from there on the
//! output is kept for the parser. A possible start of a trigger is held until
//! the next piece shows whether it is one.

use super::CallFormat;

#[derive(Debug)]
pub struct CallCapture {
    triggers: &'static [&'static str],
    only_at_start: bool,
    /// Text that may be the start of a trigger, not yet released.
    held: String,
    /// From the trigger on, once one was found.
    captured: Option<String>,
    /// No trigger can come any more (`only_at_start` and text came first).
    off: bool,
}

impl CallCapture {
    pub fn new(format: CallFormat) -> Self {
        Self {
            triggers: format.triggers(),
            only_at_start: format.calls_only_at_start(),
            held: String::new(),
            captured: None,
            off: false,
        }
    }

    /// Takes the next text; returns what may be shown now.
    pub fn push(&mut self, text: &str) -> String {
        if let Some(captured) = self.captured.as_mut() {
            captured.push_str(text);
            return String::new();
        }
        if self.off {
            return text.to_string();
        }
        self.held.push_str(text);
        let found = self.triggers.iter().filter_map(|t| self.held.find(t)).min();
        if let Some(at) = found {
            if self.only_at_start && !self.held[..at].trim().is_empty() {
                self.off = true;
                return std::mem::take(&mut self.held);
            }
            let captured = self.held.split_off(at);
            self.captured = Some(captured);
            return std::mem::take(&mut self.held);
        }
        if self.only_at_start && !self.held.trim().is_empty() {
            self.off = true;
            return std::mem::take(&mut self.held);
        }
        // Keep the longest tail that a trigger starts with.
        let keep = (0..self.held.len())
            .filter(|&i| self.held.is_char_boundary(i))
            .find(|&i| self.triggers.iter().any(|t| t.starts_with(&self.held[i..])))
            .unwrap_or(self.held.len());
        if self.only_at_start && keep > 0 && self.held[..keep].trim().is_empty() {
            return String::new();
        }
        let rest = self.held.split_off(keep);
        std::mem::replace(&mut self.held, rest)
    }

    /// At the end: the text still held, and the captured markup, if any.
    pub fn finish(&mut self) -> (String, Option<String>) {
        (std::mem::take(&mut self.held), self.captured.take())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(format: CallFormat, pieces: &[&str]) -> (Vec<String>, String, Option<String>) {
        let mut capture = CallCapture::new(format);
        let shown = pieces.iter().map(|p| capture.push(p)).collect();
        let (held, captured) = capture.finish();
        (shown, held, captured)
    }

    #[test]
    fn text_flows_until_a_trigger_split_across_pieces() {
        let (shown, held, captured) = run(CallFormat::Hermes, &["Let me check. <to", "ol_ca", "ll>\n{\"na", "me\"}"]);
        assert_eq!(shown, ["Let me check. ", "", "", ""]);
        assert_eq!(held, "");
        assert_eq!(captured.as_deref(), Some("<tool_call>\n{\"name\"}"));
    }

    #[test]
    fn a_false_start_is_released() {
        let (shown, held, captured) = run(CallFormat::Hermes, &["a <to", "y> b", " <"]);
        assert_eq!(shown, ["a ", "<toy> b", " "]);
        assert_eq!((held.as_str(), captured), ("<", None));
    }

    #[test]
    fn llama3_calls_count_only_at_the_start() {
        let (_, _, captured) = run(CallFormat::Llama3, &["  ", "{\"name\": \"f\"}"]);
        assert_eq!(captured.as_deref(), Some("{\"name\": \"f\"}"));
        let (shown, _, captured) = run(CallFormat::Llama3, &["Here: ", "{\"a\": 1}"]);
        assert_eq!((shown.concat(), captured), ("Here: {\"a\": 1}".to_string(), None));
    }
}
