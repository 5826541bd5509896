//! The tool-call capture and parser, on any model output: streamed in any
//! pieces, the capture loses and repeats nothing (what it shows, holds and
//! captures is the output, and a capture starts at a trigger); the parser
//! never panics, and every call it reads is to a given tool with an object of
//! arguments, one call at most when calls are not parallel.
#![no_main]

// The component's tool modules that need no host; they find each other (`super::`) here.
#[path = "../../src/tools/capture.rs"]
#[allow(dead_code)] // the component's own calls, not the fuzzer's
mod capture;
#[path = "../../src/tools/format.rs"]
#[allow(dead_code)]
mod format;
#[path = "../../src/tools/parse.rs"]
mod parse;
#[path = "../../src/tools/request.rs"]
#[allow(dead_code)]
mod request;

use capture::CallCapture;
use format::CallFormat;
use libfuzzer_sys::fuzz_target;
use parse::parse_calls;
use request::{Choice, Tool, ToolRequest};

#[derive(arbitrary::Arbitrary, Debug)]
struct Input {
    format: u8,
    tools: Vec<String>,
    parallel: bool,
    cut: bool,
    pieces: Vec<String>,
}

const FORMATS: [CallFormat; 4] = [CallFormat::Hermes, CallFormat::Llama3, CallFormat::Mistral, CallFormat::Fallback];

fuzz_target!(|input: Input| {
    let format = FORMATS[usize::from(input.format) % FORMATS.len()];
    let mut capture = CallCapture::new(format);
    let shown: String = input.pieces.iter().map(|p| capture.push(p)).collect();
    let (held, captured) = capture.finish();
    let whole: String = input.pieces.concat();
    assert_eq!(format!("{shown}{held}{}", captured.as_deref().unwrap_or_default()), whole);
    let Some(captured) = captured else { return };
    assert!(format.triggers().iter().any(|t| captured.starts_with(t)), "{captured:?}");
    let tools = input.tools.iter().map(|name| Tool {
        name: name.clone(),
        description: None,
        parameters: serde_json::json!({"type": "object"}),
    });
    let request = ToolRequest { tools: tools.collect(), choice: Choice::Auto, parallel: input.parallel };
    if let Ok(calls) = parse_calls(format, &captured, &request, input.cut) {
        assert!(!calls.is_empty() && (input.parallel || calls.len() == 1));
        for call in calls {
            assert!(request.tool(&call.name).is_some(), "{call:?}");
            let arguments: serde_json::Value = serde_json::from_str(&call.arguments).unwrap();
            assert!(arguments.is_object(), "{call:?}");
        }
    }
});
