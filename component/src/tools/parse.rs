//! The model's calls, read back from its output in the format its template
//! taught it. Anything that does not read as calls to the given tools is an
//! error here, and the caller keeps the output as text.

use super::{CallFormat, ToolRequest};
use serde_json::Value;

/// A call as the model wrote it, arguments as compact JSON text.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedCall {
    pub name: String,
    pub arguments: String,
    /// The id the model gave the call (Mistral's may), if any.
    pub id: Option<String>,
}

/// The calls in `output`, which starts where the format's first trigger was
/// found. `cut`: the output was cut short (max tokens, a full context), so a
/// last Hermes block left unfinished is dropped if whole calls came before it.
pub fn parse_calls(
    format: CallFormat,
    output: &str,
    request: &ToolRequest,
    cut: bool,
) -> Result<Vec<ParsedCall>, String> {
    let values = match format {
        CallFormat::Hermes => tagged(output, cut)?,
        CallFormat::Fallback => match output.trim_start().starts_with(['{', '[']) {
            true => bare(output)?,
            false => tagged(output, cut)?,
        },
        CallFormat::Llama3 => bare(output.trim_start().strip_prefix("<|python_tag|>").unwrap_or(output))?,
        CallFormat::Mistral => {
            let rest = output.trim_start().strip_prefix("[TOOL_CALLS]").ok_or("no [TOOL_CALLS] marker")?;
            bare(rest)?
        }
    };
    if values.is_empty() {
        return Err("no calls".into());
    }
    if !request.parallel && values.len() > 1 {
        return Err(format!("{} calls where one was allowed", values.len()));
    }
    values.into_iter().map(|v| call(v, request)).collect()
}

/// `<tool_call>{…}</tool_call>` blocks, separated by whitespace; the last may
/// lack its closing tag (a model that stopped right after the JSON).
fn tagged(output: &str, cut: bool) -> Result<Vec<Value>, String> {
    let mut values = Vec::new();
    let mut rest = output.trim_start();
    while !rest.is_empty() {
        rest = rest.strip_prefix("<tool_call>").ok_or_else(|| format!("text after the calls: {}", excerpt(rest)))?;
        let (body, after, closed) = match rest.find("</tool_call>") {
            Some(end) => (&rest[..end], &rest[end + "</tool_call>".len()..], true),
            None => (rest, "", false),
        };
        match serde_json::from_str(body.trim()) {
            Ok(value) => values.push(value),
            Err(_) if cut && !closed && !values.is_empty() => break,
            Err(e) => return Err(format!("a call is not JSON ({e})")),
        }
        rest = after.trim_start();
    }
    Ok(values)
}

/// One or more JSON calls: an object, an array of them, or objects one after
/// another (separated by whitespace or `;`).
fn bare(output: &str) -> Result<Vec<Value>, String> {
    let mut values = Vec::new();
    let mut rest = output.trim_start();
    while !rest.is_empty() {
        let mut stream = serde_json::Deserializer::from_str(rest).into_iter::<Value>();
        match stream.next() {
            Some(Ok(Value::Array(items))) => values.extend(items),
            Some(Ok(value)) => values.push(value),
            Some(Err(e)) => return Err(format!("a call is not JSON ({e})")),
            None => break,
        }
        rest = rest[stream.byte_offset()..].trim_start();
        rest = rest.strip_prefix(';').unwrap_or(rest).trim_start();
    }
    Ok(values)
}

fn call(value: Value, request: &ToolRequest) -> Result<ParsedCall, String> {
    let Value::Object(mut object) = value else {
        return Err("a call is not a JSON object".into());
    };
    let name = match object.remove("name") {
        Some(Value::String(name)) => name,
        _ => return Err("a call has no name".into()),
    };
    if request.tool(&name).is_none() {
        return Err(format!("the model called {:?}, which is not one of the tools", excerpt(&name)));
    }
    let arguments = match object.remove("arguments").or_else(|| object.remove("parameters")) {
        None => Value::Object(Default::default()),
        // Some models write the arguments as a string of JSON.
        Some(Value::String(text)) => serde_json::from_str(&text).map_err(|_| "arguments are not JSON".to_string())?,
        Some(value) => value,
    };
    if !arguments.is_object() {
        return Err(format!("the arguments of {name:?} are not a JSON object"));
    }
    let id = match object.remove("id") {
        Some(Value::String(id)) if !id.is_empty() && id.len() <= 64 => Some(id),
        _ => None,
    };
    Ok(ParsedCall { name, arguments: arguments.to_string(), id })
}

fn excerpt(text: &str) -> String {
    text.chars().take(40).collect()
}

#[cfg(test)]
mod tests {
    use super::super::{Choice, Tool};
    use super::*;
    use serde_json::json;

    fn request(parallel: bool) -> ToolRequest {
        let tool = |name: &str| Tool { name: name.into(), description: None, parameters: json!({"type": "object"}) };
        ToolRequest { tools: vec![tool("get_weather"), tool("get_time")], choice: Choice::Auto, parallel }
    }

    fn parse(format: CallFormat, output: &str) -> Result<Vec<(String, String)>, String> {
        parse_calls(format, output, &request(true), false)
            .map(|calls| calls.into_iter().map(|c| (c.name, c.arguments)).collect())
    }

    fn one(name: &str, arguments: &str) -> Vec<(String, String)> {
        vec![(name.to_string(), arguments.to_string())]
    }

    #[test]
    fn hermes_blocks() {
        let out = "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call>\n\
                   <tool_call>\n{\"name\": \"get_time\", \"arguments\": {}}\n</tool_call>";
        let calls = parse(CallFormat::Hermes, out).unwrap();
        assert_eq!(calls, [one("get_weather", r#"{"city":"Paris"}"#), one("get_time", "{}")].concat());
        // A last block without its closing tag still reads.
        let open = "<tool_call>\n{\"name\": \"get_time\", \"arguments\": {}}";
        assert_eq!(parse(CallFormat::Hermes, open).unwrap(), one("get_time", "{}"));
    }

    #[test]
    fn llama3_json_with_or_without_the_python_tag() {
        let out = r#"{"name": "get_weather", "parameters": {"city": "Oslo"}}"#;
        assert_eq!(parse(CallFormat::Llama3, out).unwrap(), one("get_weather", r#"{"city":"Oslo"}"#));
        let tagged = format!("<|python_tag|>{out}; {{\"name\": \"get_time\", \"parameters\": {{}}}}");
        assert_eq!(parse(CallFormat::Llama3, &tagged).unwrap().len(), 2);
    }

    #[test]
    fn mistral_arrays_keep_their_ids() {
        let out = r#"[TOOL_CALLS][{"name": "get_time", "arguments": {"zone": "UTC"}, "id": "abcDEF123"}]"#;
        let calls = parse_calls(CallFormat::Mistral, out, &request(true), false).unwrap();
        assert_eq!(calls[0].id.as_deref(), Some("abcDEF123"));
        assert_eq!(calls[0].arguments, r#"{"zone":"UTC"}"#);
    }

    #[test]
    fn the_fallback_reads_blocks_and_bare_json_and_string_arguments() {
        let bare = r#"{"name": "get_time", "arguments": "{\"zone\": \"UTC\"}"}"#;
        assert_eq!(parse(CallFormat::Fallback, bare).unwrap(), one("get_time", r#"{"zone":"UTC"}"#));
        let block = "<tool_call>{\"name\": \"get_time\"}</tool_call>";
        assert_eq!(parse(CallFormat::Fallback, block).unwrap(), one("get_time", "{}"));
    }

    #[test]
    fn malformed_output_is_an_error_never_a_panic() {
        for (format, bad) in [
            (CallFormat::Hermes, "<tool_call>\n{\"name\": \"get_weather\", \"argu"),
            (CallFormat::Hermes, "<tool_call>not json</tool_call>"),
            (CallFormat::Hermes, "<tool_call>{\"name\": \"launch_missiles\"}</tool_call>"),
            (CallFormat::Hermes, "<tool_call>{\"name\": \"get_time\"}</tool_call> and some prose"),
            (CallFormat::Hermes, "<tool_call>[1, 2]</tool_call>"),
            (CallFormat::Hermes, "<tool_call>{\"name\": \"get_time\", \"arguments\": [1]}</tool_call>"),
            (CallFormat::Hermes, "<tool_call></tool_call>"),
            (CallFormat::Llama3, "{\"name\": 42}"),
            (CallFormat::Llama3, "{\"nom\": \"get_time\"}"),
            (CallFormat::Mistral, "[TOOL_CALLS]["),
            (CallFormat::Mistral, "[TOOL_CALLS][]"),
            (CallFormat::Mistral, "TOOL_CALLS"),
            (CallFormat::Fallback, "{\"name\": \"get_time\", \"arguments\": \"{oops\"}"),
            (CallFormat::Fallback, "\u{0}\u{ffff}<tool_call>"),
        ] {
            assert!(parse(format, bad).is_err(), "{format:?} read {bad:?} as calls");
        }
    }

    #[test]
    fn one_call_only_when_calls_are_not_parallel() {
        let two = "<tool_call>{\"name\": \"get_time\"}</tool_call><tool_call>{\"name\": \"get_time\"}</tool_call>";
        assert!(parse_calls(CallFormat::Hermes, two, &request(false), false).is_err());
        assert_eq!(parse_calls(CallFormat::Hermes, two, &request(true), false).unwrap().len(), 2);
    }

    #[test]
    fn a_cut_short_last_block_is_dropped_only_after_whole_calls() {
        let cut = "<tool_call>{\"name\": \"get_time\"}</tool_call>\n<tool_call>\n{\"name\": \"get_ti";
        assert!(parse_calls(CallFormat::Hermes, cut, &request(true), false).is_err());
        assert_eq!(parse_calls(CallFormat::Hermes, cut, &request(true), true).unwrap().len(), 1);
        let only = "<tool_call>\n{\"name\": \"get_ti";
        assert!(parse_calls(CallFormat::Hermes, only, &request(true), true).is_err());
    }
}
