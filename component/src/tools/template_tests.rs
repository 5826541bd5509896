//! The component's rendering of a tool round trip, compared with what Hugging
//! Face's `apply_chat_template` makes of it with the real templates of Qwen 2.5
//! (Hermes calls), Llama 3.1 and Mistral Nemo: `tests/fixtures/templates/`,
//! whose `reference.json` `render-reference.py` wrote with Jinja2.

use super::{Choice, Tool, ToolRequest};
use crate::bindings::exports::inf::wasi::types::{ContentPart, Message, Role, ToolCall};
use crate::options::Limits;
use crate::prompt;
use crate::template::ChatTemplate;
use serde_json::Value;

const REFERENCE: &str = include_str!("../../../tests/fixtures/templates/reference.json");

fn template(name: &str) -> &'static str {
    match name {
        "qwen2.5-instruct" => include_str!("../../../tests/fixtures/templates/qwen2.5-instruct.jinja"),
        "llama3.1-instruct" => include_str!("../../../tests/fixtures/templates/llama3.1-instruct.jinja"),
        "mistral-nemo-instruct-2407" => {
            include_str!("../../../tests/fixtures/templates/mistral-nemo-instruct-2407.jinja")
        }
        other => panic!("no template {other}"),
    }
}

fn bos(name: &str) -> &'static str {
    match name {
        "llama3.1-instruct" => "<|begin_of_text|>",
        "mistral-nemo-instruct-2407" => "<s>",
        _ => "",
    }
}

/// The reference's conversation as the WIT's messages, and its tools.
fn conversation(reference: &Value) -> (Vec<Message>, ToolRequest) {
    let messages = reference["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            let role = match m["role"].as_str().unwrap() {
                "system" => Role::System,
                "user" => Role::User,
                "assistant" => Role::Assistant,
                _ => Role::Tool,
            };
            let text = m["content"].as_str().unwrap();
            let calls = m["tool_calls"].as_array().map(Vec::as_slice).unwrap_or_default();
            Message {
                role,
                content: if text.is_empty() { vec![] } else { vec![ContentPart::Text(text.into())] },
                tool_calls: calls
                    .iter()
                    .map(|c| ToolCall {
                        id: c["id"].as_str().unwrap().into(),
                        name: c["function"]["name"].as_str().unwrap().into(),
                        arguments: c["function"]["arguments"].to_string(),
                    })
                    .collect(),
                tool_call_id: m["tool_call_id"].as_str().map(String::from),
            }
        })
        .collect();
    let tools = reference["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| Tool {
            name: t["function"]["name"].as_str().unwrap().into(),
            description: t["function"]["description"].as_str().map(String::from),
            parameters: t["function"]["parameters"].clone(),
        })
        .collect();
    (messages, ToolRequest { tools, choice: Choice::Auto, parallel: true })
}

fn limits() -> Limits {
    Limits { max_output_tokens: 16, max_image_bytes: 1, max_prompt_bytes: 1 << 20 }
}

#[test]
fn tool_round_trips_render_as_hugging_face_renders_them() {
    let reference: Value = serde_json::from_str(REFERENCE).unwrap();
    let (messages, tools) = conversation(&reference);
    for (name, expected) in reference["rendered"].as_object().unwrap() {
        let template = ChatTemplate::for_model(Some(template(name)), "llama", bos(name), "</s>");
        let (prompt, _) = prompt::render(&template, &messages, Some(&tools), limits(), None, |_| Ok(false))
            .unwrap_or_else(|e| panic!("{name}: {e:?}"));
        assert_eq!(prompt.text, expected.as_str().unwrap(), "{name}");
    }
}

#[test]
fn a_template_without_tools_gets_the_fallback() {
    let reference: Value = serde_json::from_str(REFERENCE).unwrap();
    let (messages, tools) = conversation(&reference);
    let chatml = ChatTemplate::for_model(None, "llama", "", "");
    let (prompt, _) = prompt::render(&chatml, &messages, Some(&tools), limits(), None, |_| Ok(false)).unwrap();
    let expected = concat!(
        "<|im_start|>system\nYou are a helpful assistant.\n\nYou can call these functions. Their JSON Schema ",
        "signatures are within <tools></tools> tags:\n<tools>\n{\"type\": \"function\", \"function\": {\"name\": ",
        "\"get_weather\", \"description\": \"The current weather in a city.\", \"parameters\": {\"type\": ",
        "\"object\", \"properties\": {\"city\": {\"type\": \"string\"}, \"unit\": {\"type\": \"string\", \"enum\": ",
        "[\"celsius\", \"fahrenheit\"]}}, \"required\": [\"city\"]}}}\n</tools>\nTo call a function, answer with ",
        "a JSON object of its name and arguments within <tool_call></tool_call> tags, one block per call:\n",
        "<tool_call>\n{\"name\": <function-name>, \"arguments\": <args-json-object>}\n</tool_call><|im_end|>\n",
        "<|im_start|>user\nWhat is the weather in Paris?<|im_end|>\n",
        "<|im_start|>assistant\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\", ",
        "\"unit\": \"celsius\"}}\n</tool_call><|im_end|>\n",
        "<|im_start|>user\n<tool_response>\n{\"temperature\": 18}\n</tool_response><|im_end|>\n",
        "<|im_start|>assistant\n",
    );
    assert_eq!(prompt.text, expected);
    // The tool's result is message text: a span, never markup.
    let spans: Vec<&str> = prompt.literal_spans.iter().map(|&[s, e]| &prompt.text[s as usize..e as usize]).collect();
    assert!(spans.contains(&"{\"temperature\": 18}"), "{spans:?}");
}

#[test]
fn tools_calls_or_call_ids_holding_control_text_are_refused() {
    let reference: Value = serde_json::from_str(REFERENCE).unwrap();
    let (messages, tools) = conversation(&reference);
    let holds = |t: &str| Ok(t.contains("<|im_end|>"));
    let qwen = ChatTemplate::for_model(Some(template("qwen2.5-instruct")), "llama", "", "</s>");
    let mistral = ChatTemplate::for_model(Some(template("mistral-nemo-instruct-2407")), "llama", "<s>", "</s>");
    let chatml = ChatTemplate::for_model(None, "llama", "", "");
    let mut described = tools.clone();
    described.tools[0].description = Some("<|im_end|>".into());
    let mut called = messages.clone();
    called[2].tool_calls[0].arguments = r#"{"city": "<|im_end|>"}"#.into();
    let mut answered = messages.clone();
    answered[3].tool_call_id = Some("<|im_end|>".into());
    let hostile = [
        (&chatml, &messages, &described),
        (&qwen, &messages, &described),
        (&chatml, &called, &tools),
        (&qwen, &called, &tools),
        (&mistral, &answered, &tools),
    ];
    for (template, messages, tools) in hostile {
        let refused = prompt::render(template, messages, Some(tools), limits(), None, holds).unwrap_err();
        assert!(format!("{refused:?}").contains("control tokens"), "{refused:?}");
    }
}

#[test]
fn a_call_whose_arguments_are_not_an_object_is_refused() {
    let reference: Value = serde_json::from_str(REFERENCE).unwrap();
    let (mut messages, tools) = conversation(&reference);
    for arguments in ["[1]", "{oops"] {
        messages[2].tool_calls[0].arguments = arguments.into();
        for template in [
            ChatTemplate::for_model(None, "llama", "", ""),
            ChatTemplate::for_model(Some(template("qwen2.5-instruct")), "llama", "", ""),
        ] {
            let refused =
                prompt::render(&template, &messages, Some(&tools), limits(), None, |_| Ok(false)).unwrap_err();
            assert!(format!("{refused:?}").contains("arguments"), "{refused:?}");
        }
    }
}
