//! Tool calling through the Rust host beyond the shared cases
//! (tests/conformance/cases.json): the README's example runs, and a stream's
//! events carry the completion's calls.

mod support;

use inf_wasi::{Engine, GenerateOptions, Message, StreamEvent, Tool, ToolChoice};
use std::path::PathBuf;

/// The README's tools example, compiled in here to run it.
mod readme_example {
    include!("../examples/tools.rs");

    pub fn run() -> Result<(), Box<dyn std::error::Error>> {
        main()
    }
}

#[test]
fn the_readme_tools_example_is_verbatim_and_runs() {
    let readme = std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../README.md")).unwrap();
    let example = include_str!("../examples/tools.rs");
    assert!(readme.contains(&format!("```rust,no_run\n{example}```")), "README lacks examples/tools.rs verbatim");
    let _serial = support::serial();
    readme_example::run().unwrap();
}

#[test]
fn a_streamed_call_comes_after_the_text_and_joins_the_history() {
    let _serial = support::serial();
    let path = inf_wasi::cached_model_path("smollm2-135m-instruct-q4_1");
    let engine = Engine::builder().model("chat", path).threads(1).context_size(1024).build().unwrap();
    let mut session = engine.session("chat").unwrap();
    let tool =
        Tool::function("get_time").parameters(r#"{"type": "object", "properties": {"zone": {"enum": ["UTC"]}}}"#);
    let options =
        GenerateOptions::greedy().max_tokens(48).tool(tool).tool_choice(ToolChoice::Function("get_time".into()));
    let mut stream = session.chat_events(&[Message::user("What time is it?")], &options).unwrap();
    let events: Vec<StreamEvent> = stream.by_ref().map(Result::unwrap).collect();
    let completion = stream.completion().unwrap().clone();
    drop(stream);
    let calls: Vec<_> =
        events.iter().filter_map(|e| if let StreamEvent::ToolCall(c) = e { Some(c) } else { None }).collect();
    assert!(!calls.is_empty() && calls.len() == completion.tool_calls.len(), "{events:?}");
    assert!(calls.iter().all(|c| c.name == "get_time" && c.arguments.starts_with('{')), "{calls:?}");
    let history = session.history().unwrap();
    assert_eq!(history.last().unwrap().tool_calls, completion.tool_calls);
}
