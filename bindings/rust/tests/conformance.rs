//! The shared conformance cases (tests/conformance/cases.json): greedy output
//! through the component equals llama.cpp's own greedy output, token for token.

mod support;

use inf_wasi::{FinishReason, GenerateOptions};
use serde_json::Value;

fn cases() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/conformance/cases.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn greedy_output_through_the_component_equals_llama_cpp() {
    let _serial = support::serial();
    let engine = support::engine();
    let cases = cases();
    let greedy = cases["greedy"].as_array().unwrap();
    assert!(greedy.len() >= 5);
    let mut results = Vec::new();
    for case in greedy {
        let prompt = case["prompt"].as_str().unwrap();
        let max_tokens = case["max_tokens"].as_u64().unwrap() as u32;
        let mut session = engine.session("gemma").unwrap();
        let got = session.complete(prompt, &GenerateOptions::greedy().max_tokens(max_tokens)).unwrap();
        let want = support::reference::greedy(&support::model_path(), prompt, max_tokens as usize, support::CONTEXT);
        assert_eq!(got.text, want.text, "prompt {prompt:?}");
        assert_eq!(got.usage.completion_tokens as usize, want.tokens.len(), "prompt {prompt:?}");
        let expected_finish =
            if want.tokens.len() == max_tokens as usize { FinishReason::Length } else { FinishReason::Stop };
        assert_eq!(got.finish_reason, expected_finish, "prompt {prompt:?}");
        assert!(!got.text.is_empty(), "prompt {prompt:?}");
        eprintln!("{prompt:?} -> {:?} ({} tokens, identical)", got.text, want.tokens.len());
        let finish = if got.finish_reason == FinishReason::Length { "length" } else { "stop" };
        results.push(serde_json::json!({
            "prompt": prompt, "text": got.text, "completion_tokens": got.usage.completion_tokens,
            "finish_reason": finish, "tokens": want.tokens,
        }));
    }
    // The other bindings' suites compare their outputs with these.
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../target/conformance");
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(format!("{dir}/rust-greedy.json"), serde_json::to_string_pretty(&results).unwrap()).unwrap();
}

#[test]
fn streamed_pieces_are_the_reference_tokens() {
    let _serial = support::serial();
    let engine = support::engine();
    let prompt = cases()["greedy"][0]["prompt"].as_str().unwrap().to_string();
    let want = support::reference::greedy(&support::model_path(), &prompt, 24, support::CONTEXT);
    let mut session = engine.session("gemma").unwrap();
    let pieces: Vec<String> =
        session.stream(&prompt, &GenerateOptions::greedy().max_tokens(24)).unwrap().map(Result::unwrap).collect();
    let tokenized: Vec<String> = want
        .tokens
        .iter()
        .map(|&t| engine.detokenize("gemma", &[t as u32]).unwrap())
        .filter(|p| !p.is_empty())
        .collect();
    // Every piece here is whole ASCII/Latin text, so pieces map one to one onto tokens.
    assert_eq!(pieces, tokenized);
}
