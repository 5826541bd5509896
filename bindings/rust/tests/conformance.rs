//! The shared conformance cases (tests/conformance/cases.json) through the Rust
//! host. This runner is the reference: it checks the greedy cases against
//! llama.cpp driven directly, token for token, and writes every case's outcome
//! to target/conformance/reference.json, which the Python, JS and Java runners
//! compare theirs with. The file's format: tests/conformance/README.md.

mod support;

use inf_wasi::{
    ContentPart, Engine, GenerateOptions, Message, Role, Session, SessionOptions, StreamEvent, Tool, ToolCall,
    ToolChoice,
};
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

const REPO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

fn read_json(path: impl AsRef<Path>) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The engines with their fixtures resolved to paths, made by tests/conformance/fixtures.py.
fn fixtures() -> Value {
    let out = std::process::Command::new("python3")
        .arg(format!("{REPO}/tests/conformance/fixtures.py"))
        .env("INF_WASI_MODEL", support::model_path())
        .output()
        .expect("run python3 tests/conformance/fixtures.py");
    assert!(out.status.success(), "fixtures.py failed: {}", String::from_utf8_lossy(&out.stderr));
    read_json(String::from_utf8(out.stdout).unwrap().trim())
}

fn build_engine(spec: &Value) -> Engine {
    let mut builder = Engine::builder()
        .threads(spec["threads"].as_u64().unwrap() as u32)
        .context_size(spec["context_size"].as_u64().unwrap() as u32);
    for (name, model) in spec["models"].as_object().unwrap() {
        let path = model["path"].as_str().unwrap();
        builder = match model["projector"].as_str() {
            Some(projector) => builder.model_with_projector(name, path, projector),
            None => builder.model(name, path),
        };
    }
    if let Some(ms) = spec["guest_time_limit_ms"].as_u64() {
        builder = builder.guest_time_limit(Duration::from_millis(ms));
    }
    if let Some(bytes) = spec["guest_memory_limit"].as_u64() {
        builder = builder.guest_memory_limit(bytes as usize);
    }
    if let Some(seconds) = spec["max_audio_seconds"].as_u64() {
        builder = builder.max_audio_seconds(seconds as u32);
    }
    builder.build().unwrap()
}

/// A string in the file: literal, or `{"repeat": s, "times": n}`.
fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        _ => v["repeat"].as_str().unwrap().repeat(v["times"].as_u64().unwrap() as usize),
    }
}

fn options(v: &Value) -> GenerateOptions {
    let mut o = GenerateOptions::default();
    let f = |k: &str| v.get(k).and_then(Value::as_f64).map(|x| x as f32);
    let n = |k: &str| v.get(k).and_then(Value::as_u64).map(|x| u32::try_from(x).unwrap());
    o.max_tokens = n("max_tokens");
    o.temperature = f("temperature");
    o.top_k = n("top_k");
    o.top_p = f("top_p");
    o.min_p = f("min_p");
    o.repeat_penalty = f("repeat_penalty");
    o.repeat_last_n = n("repeat_last_n");
    o.seed = n("seed");
    o.stop = v.get("stop").map(|s| s.as_array().unwrap().iter().map(text).collect()).unwrap_or_default();
    o.grammar = v.get("grammar").map(text);
    o.json_schema = v.get("json_schema").map(|s| if s.is_string() { text(s) } else { s.to_string() });
    for tool in v.get("tools").and_then(Value::as_array).into_iter().flatten() {
        let mut t = Tool::function(tool["name"].as_str().unwrap());
        t.description = tool.get("description").map(text);
        t.parameters = tool.get("parameters").map(|p| if p.is_string() { text(p) } else { p.to_string() });
        o = o.tool(t);
    }
    o.tool_choice = v.get("tool_choice").map(|c| match c.as_str() {
        Some("auto") => ToolChoice::Auto,
        Some("none") => ToolChoice::None,
        Some("required") => ToolChoice::Required,
        _ => ToolChoice::Function(c["function"].as_str().unwrap().into()),
    });
    o.parallel_tool_calls = v.get("parallel_tool_calls").and_then(Value::as_bool);
    o
}

fn tool_call(c: &Value) -> ToolCall {
    ToolCall {
        id: c["id"].as_str().unwrap().into(),
        name: c["name"].as_str().unwrap().into(),
        arguments: c["arguments"].as_str().unwrap().into(),
    }
}

fn tool_calls_json(calls: &[ToolCall]) -> Value {
    calls.iter().map(|c| json!({ "id": c.id, "name": c.name, "arguments": c.arguments })).collect()
}

fn role(name: &str) -> Role {
    match name {
        "system" => Role::System,
        "user" => Role::User,
        "assistant" => Role::Assistant,
        "tool" => Role::Tool,
        other => panic!("unknown role {other}"),
    }
}

fn role_name(role: Role) -> &'static str {
    match role {
        Role::System => "system",
        Role::User => "user",
        Role::Assistant => "assistant",
        Role::Tool => "tool",
    }
}

fn messages(v: &Value, media: &Path) -> Vec<Message> {
    let file = |name: &Value| media.join(name.as_str().unwrap());
    let part = |p: &Value| match (p.get("image"), p.get("audio")) {
        (Some(image), _) => ContentPart::image_file(file(image)).unwrap(),
        (_, Some(audio)) => ContentPart::audio_file(file(audio)).unwrap(),
        _ => ContentPart::Text(text(&p["text"])),
    };
    let message = |m: &Value| {
        let content = match &m["content"] {
            Value::Array(parts) => parts.iter().map(part).collect(),
            c => vec![ContentPart::Text(text(c))],
        };
        let calls = m.get("tool_calls").and_then(Value::as_array);
        Message {
            role: role(m["role"].as_str().unwrap()),
            content,
            tool_calls: calls.into_iter().flatten().map(tool_call).collect(),
            tool_call_id: m.get("tool_call_id").map(text),
        }
    };
    v.as_array().unwrap().iter().map(message).collect()
}

fn error(e: inf_wasi::Error) -> Value {
    json!({ "error": e.code() })
}

fn completion(c: &inf_wasi::Completion) -> Value {
    let finish = match c.finish_reason {
        inf_wasi::FinishReason::Stop => "stop",
        inf_wasi::FinishReason::Length => "length",
        inf_wasi::FinishReason::ContextFull => "context-full",
        inf_wasi::FinishReason::ToolCalls => "tool-calls",
    };
    json!({ "text": c.text, "finish_reason": finish, "usage": {
        "prompt_tokens": c.usage.prompt_tokens, "cached_tokens": c.usage.cached_tokens,
        "completion_tokens": c.usage.completion_tokens }, "tool_calls": tool_calls_json(&c.tool_calls) })
}

/// A chat stream read as events: its text pieces, and its calls, which must be the completion's.
fn evented(stream: inf_wasi::Result<inf_wasi::EventStream<'_>>) -> Value {
    let mut stream = match stream {
        Ok(s) => s,
        Err(e) => return error(e),
    };
    let (mut pieces, mut calls) = (Vec::new(), Vec::new());
    for event in stream.by_ref() {
        match event {
            Ok(StreamEvent::Text(p)) => pieces.push(p),
            Ok(StreamEvent::ToolCall(c)) => calls.push(c),
            Err(e) => return error(e),
        }
    }
    let completion = stream.completion().expect("a finished stream has its completion");
    assert_eq!(calls, completion.tool_calls, "the streamed calls are the completion's");
    let mut outcome = self::completion(completion);
    outcome["pieces"] = json!(pieces);
    outcome
}

fn streamed(stream: inf_wasi::Result<inf_wasi::TextStream<'_>>) -> Value {
    let mut stream = match stream {
        Ok(s) => s,
        Err(e) => return error(e),
    };
    let mut pieces = Vec::new();
    for piece in stream.by_ref() {
        match piece {
            Ok(p) => pieces.push(p),
            Err(e) => return error(e),
        }
    }
    let mut outcome = completion(stream.completion().expect("a finished stream has its completion"));
    outcome["pieces"] = json!(pieces);
    outcome
}

fn step(session: &mut Session, step: &Value, media: &Path) -> Value {
    let o = || options(&step["options"]);
    let done = |r: inf_wasi::Result<inf_wasi::Completion>| r.map_or_else(error, |c| completion(&c));
    if let Some(p) = step.get("complete") {
        done(session.complete(&text(p), &o()))
    } else if let Some(p) = step.get("stream") {
        streamed(session.stream(&text(p), &o()))
    } else if let Some(m) = step.get("chat") {
        done(session.chat(&messages(m, media), &o()))
    } else if let Some(m) = step.get("chat_stream") {
        evented(session.chat_events(&messages(m, media), &o()))
    } else if step.get("history").is_some() {
        let history: Vec<Value> = session
            .history()
            .unwrap()
            .iter()
            .map(|m| {
                let images = m.content.iter().filter(|p| matches!(p, ContentPart::Image(_))).count();
                let audio = m.content.iter().filter(|p| matches!(p, ContentPart::Audio(_))).count();
                json!({ "role": role_name(m.role), "text": m.text(), "images": images, "audio": audio,
                    "tool_calls": tool_calls_json(&m.tool_calls), "tool_call_id": m.tool_call_id })
            })
            .collect();
        json!({ "history": history })
    } else if step.get("reset").is_some() {
        session.reset().map_or_else(error, |()| json!({}))
    } else {
        panic!("unknown step {step}")
    }
}

fn run(engine: &Engine, case: &Value, media: &Path) -> Value {
    let model = case["model"].as_str().unwrap_or("gemma");
    let r = |v: inf_wasi::Result<Value>| v.unwrap_or_else(error);
    match case["op"].as_str().unwrap() {
        "session" => {
            let mut o = SessionOptions::default();
            if let Some(n) = case["session"].get("context_size") {
                o = o.context_size(n.as_u64().unwrap() as u32);
            }
            if let Some(s) = case["session"].get("system_prompt") {
                o = o.system_prompt(text(s));
            }
            match engine.session_with(model, &o) {
                Ok(mut session) => {
                    let steps = case["steps"].as_array().unwrap().iter().map(|s| step(&mut session, s, media));
                    json!({ "steps": steps.collect::<Vec<_>>() })
                }
                Err(e) => error(e),
            }
        }
        "embed" => {
            let texts: Vec<String> = case["texts"].as_array().unwrap().iter().map(text).collect();
            let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
            r(engine.embed(model, &refs).map(|v| json!({ "vectors": v })))
        }
        "tokenize" => r(engine
            .tokenize(model, &text(&case["text"]), case["add_special"].as_bool().unwrap())
            .map(|t| json!({ "tokens": t }))),
        "tokenize_chat" => {
            r(engine.tokenize_chat(model, &messages(&case["messages"], media)).map(|t| json!({ "tokens": t })))
        }
        "detokenize" => {
            let tokens: Vec<u32> = serde_json::from_value(case["tokens"].clone()).unwrap();
            r(engine.detokenize(model, &tokens).map(|t| json!({ "text": t })))
        }
        "model_info" => r(engine.model_info(model).map(|i| {
            json!({ "name": i.name, "architecture": i.architecture, "context_length": i.context_length,
                "vocab_size": i.vocab_size, "embedding_size": i.embedding_size, "parameters": i.parameters,
                "size_bytes": i.size_bytes, "vision": i.vision, "audio": i.audio, "chat_template": i.chat_template })
        })),
        op => panic!("unknown op {op}"),
    }
}

/// `outcome` holds everything `expect` says: objects by key, arrays element by element.
fn contains(outcome: &Value, expect: &Value) -> bool {
    match (outcome, expect) {
        (Value::Object(o), Value::Object(e)) => e.iter().all(|(k, v)| o.get(k).is_some_and(|x| contains(x, v))),
        (Value::Array(o), Value::Array(e)) => o.len() == e.len() && o.iter().zip(e).all(|(x, y)| contains(x, y)),
        _ => outcome == expect,
    }
}

/// What every runner checks besides `expect`: a stream's pieces join to its text.
fn invariants(outcome: &Value) -> bool {
    outcome["steps"].as_array().into_iter().flatten().all(|s| match s["pieces"].as_array() {
        Some(pieces) => pieces.iter().map(|p| p.as_str().unwrap()).collect::<String>() == s["text"],
        None => true,
    })
}

/// The reference's own checks: greedy cases equal llama.cpp's tokens, and
/// schema-constrained text parses as JSON.
fn reference_checks(engine: &Engine, case: &Value, outcome: &Value) -> Result<(), String> {
    // Message text in a chat prompt is text: its own tokens (`tokenize`, no
    // special-token parsing) stand in the prompt, whatever control-token text it holds.
    if let (Some(tokens), Some(messages)) = (outcome["tokens"].as_array(), case["messages"].as_array()) {
        let tokens: Vec<u32> = tokens.iter().map(|t| t.as_u64().unwrap() as u32).collect();
        for content in messages.iter().filter_map(|m| m["content"].as_str()).filter(|c| !c.is_empty()) {
            let model = case["model"].as_str().unwrap_or("gemma");
            let own = engine.tokenize(model, content, false).map_err(|e| e.to_string())?;
            if !tokens.windows(own.len()).any(|window| window == own) {
                return Err(format!("the prompt {tokens:?} does not hold {content:?} as its own tokens {own:?}"));
            }
        }
    }
    let steps = case["steps"].as_array().into_iter().flatten().zip(outcome["steps"].as_array().into_iter().flatten());
    for (step, got) in steps {
        if step["options"].get("json_schema").is_some() && got.get("text").is_some() {
            serde_json::from_str::<Value>(got["text"].as_str().unwrap())
                .map_err(|e| format!("schema output is not JSON ({e}): {}", got["text"]))?;
        }
        for call in got["tool_calls"].as_array().into_iter().flatten() {
            let tools = step["options"]["tools"].as_array().ok_or("a call without tools")?;
            if !tools.iter().any(|t| t["name"] == call["name"]) {
                return Err(format!("a call of an unknown tool: {call}"));
            }
            let arguments: Value = serde_json::from_str(call["arguments"].as_str().unwrap())
                .map_err(|e| format!("a call's arguments are not JSON ({e}): {call}"))?;
            if !arguments.is_object() {
                return Err(format!("a call's arguments are not an object: {call}"));
            }
        }
        if case["llama_cpp"] == true {
            let prompt = text(&step["complete"]);
            let max = step["options"]["max_tokens"].as_u64().unwrap() as usize;
            let want = support::reference::greedy(&support::model_path(), &prompt, max, support::CONTEXT);
            if got["text"] != want.text.as_str() || got["usage"]["completion_tokens"] != want.tokens.len() {
                return Err(format!(
                    "llama.cpp says {:?} ({} tokens), the component {got}",
                    want.text,
                    want.tokens.len()
                ));
            }
        }
    }
    Ok(())
}

#[test]
fn every_shared_case_through_the_rust_host() {
    let _serial = support::serial();
    let cases = read_json(format!("{REPO}/tests/conformance/cases.json"));
    let fixtures = fixtures();
    let media = PathBuf::from(fixtures["media"].as_str().unwrap());
    let mut engines: HashMap<String, Engine> = HashMap::new();
    let mut reference = Map::new();
    let mut failures = Vec::new();
    for case in cases["cases"].as_array().unwrap() {
        let id = case["id"].as_str().unwrap();
        let engine_name = case["engine"].as_str().unwrap_or("default");
        let engine =
            engines.entry(engine_name.into()).or_insert_with(|| build_engine(&fixtures["engines"][engine_name]));
        let outcome = run(engine, case, &media);
        eprintln!("{id}: {}", short(&outcome));
        if let Some(expect) = case.get("expect").filter(|e| !contains(&outcome, e)) {
            failures.push(format!("{id}: expected {expect}, got {outcome}"));
        }
        if !invariants(&outcome) {
            failures.push(format!("{id}: a stream's pieces do not join to its text: {outcome}"));
        }
        if let Err(e) = reference_checks(engine, case, &outcome) {
            failures.push(format!("{id}: {e}"));
        }
        reference.insert(id.into(), outcome);
    }
    let cases_run = reference.len();
    assert!(cases_run >= 40, "only {cases_run} cases");
    let dir = format!("{REPO}/target/conformance");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(format!("{dir}/reference.json"), serde_json::to_string_pretty(&reference).unwrap()).unwrap();
    assert!(failures.is_empty(), "{} of {cases_run} cases failed:\n{}", failures.len(), failures.join("\n"));
}

/// An outcome for the log, without the embedding vectors.
fn short(outcome: &Value) -> String {
    let s = outcome.to_string();
    if s.chars().count() > 300 {
        format!("{}…", s.chars().take(300).collect::<String>())
    } else {
        s
    }
}

#[test]
fn streamed_pieces_are_the_reference_tokens() {
    let _serial = support::serial();
    let engine = support::engine();
    let prompt = "The capital of France is";
    let want = support::reference::greedy(&support::model_path(), prompt, 24, support::CONTEXT);
    let mut session = engine.session("gemma").unwrap();
    let pieces: Vec<String> =
        session.stream(prompt, &GenerateOptions::greedy().max_tokens(24)).unwrap().map(Result::unwrap).collect();
    let tokenized: Vec<String> = want
        .tokens
        .iter()
        .map(|&t| engine.detokenize("gemma", &[t as u32]).unwrap())
        .filter(|p| !p.is_empty())
        .collect();
    // Every piece here is whole ASCII/Latin text, so pieces map one to one onto tokens.
    assert_eq!(pieces, tokenized);
}
