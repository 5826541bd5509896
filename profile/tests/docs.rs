//! docs/ggml-profile.md is checked against this crate: the bounds table is the
//! one the crate renders, and every key, op, error code and finish reason of the
//! messages is named on the page.

use inf_wasi_profile::*;
use serde_json::Value;

fn page() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/ggml-profile.md")).unwrap()
}

fn keys(value: &Value, into: &mut Vec<String>) {
    if let Value::Object(map) = value {
        for (key, inner) in map {
            into.push(key.clone());
            keys(inner, into);
        }
    }
}

#[test]
fn the_page_shows_the_bounds_table() {
    assert!(
        page().contains(&sampling_bounds_markdown()),
        "expected in docs/ggml-profile.md:\n{}",
        sampling_bounds_markdown()
    );
}

#[test]
fn the_page_names_every_key_every_op_and_every_code() {
    let metadata = ModelMetadata {
        name: String::new(),
        architecture: String::new(),
        context_length: 0,
        vocab_size: 0,
        embedding_size: 0,
        parameters: 0,
        size_bytes: 0,
        vision: false,
        audio: false,
        media_marker: None,
        chat_template: None,
        bos_token: None,
        eos_token: None,
        add_bos: false,
        default_context_size: 0,
        session_context_size: 0,
        max_token_bytes: 0,
        limits: EngineLimits { max_context_size: 0, max_output_tokens: 0, max_image_bytes: 0 },
    };
    let messages = [
        serde_json::to_value(SamplingConfig::default()).unwrap(),
        serde_json::to_value(Configure { ctx_size: None }).unwrap(),
        serde_json::to_value(Configured { context_size: 0 }).unwrap(),
        serde_json::to_value(TokenizeConfig { add_special: true, parse_special: false, literal_spans: vec![] })
            .unwrap(),
        serde_json::to_value(Prompted { prompt_tokens: 0, cached_tokens: 0, context_size: 0 }).unwrap(),
        serde_json::to_value(Finished { finish: Finish::Eog }).unwrap(),
        serde_json::to_value(metadata).unwrap(),
    ];
    let mut names = Vec::new();
    for message in &messages {
        keys(message, &mut names);
    }
    names.extend(Op::ALL.iter().map(|op| op.name().to_string()));
    names.extend(ErrorCode::ALL.iter().map(|code| code.name().to_string()));
    for finish in [Finish::Eog, Finish::ContextFull, Finish::Length] {
        names.push(serde_json::to_value(finish).unwrap().as_str().unwrap().to_string());
    }
    let page = page();
    // Named as code (`key`) or as a key in a JSON example ("key").
    let named = |n: &String| page.contains(&format!("`{n}`")) || page.contains(&format!("\"{n}\""));
    let missing: Vec<_> = names.iter().filter(|n| !named(n)).collect();
    assert!(missing.is_empty(), "docs/ggml-profile.md does not name {missing:?}");
}
