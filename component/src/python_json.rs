//! JSON as Python's `json.dumps` writes it, which is what Hugging Face chat
//! templates' `tojson` gives: the text models saw in training.

use serde_json::Value;

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
    use serde_json::json;

    #[test]
    fn json_is_written_as_python_writes_it() {
        let value = json!({"b": [1, 2.5, "é"], "a": {}, "c": {"d": null}});
        assert_eq!(python_json(&value), r#"{"b": [1, 2.5, "é"], "a": {}, "c": {"d": null}}"#);
        assert_eq!(python_json_indented(&json!({"a": [1]}), Some(2)), "{\n  \"a\": [\n    1\n  ]\n}");
    }
}
