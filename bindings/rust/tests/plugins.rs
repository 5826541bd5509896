//! Plugins through the Rust host: the example plugin (examples/plugins/rust)
//! and the misbehaving probes (probe/plugins.wit), which build.rs writes to
//! the target folder's `inf-wasi-plugins`.

mod support;

use inf_wasi::{Engine, Error, GenerateOptions, Message};
use serde_json::{json, Value};
use std::path::PathBuf;
use std::time::{Duration, Instant};

fn plugin_file(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).parent().unwrap().join("inf-wasi-plugins").join(name)
}

fn engine() -> Engine {
    Engine::builder()
        .model("gemma", support::model_path())
        .threads(1)
        .context_size(512)
        .guest_time_limit(Duration::from_millis(500))
        .build()
        .unwrap()
}

/// What the example plugin does, made here through the binding directly.
fn pipeline_directly(engine: &Engine, text: &str) -> Value {
    let completion =
        engine.session("gemma").unwrap().complete(text, &GenerateOptions::greedy().max_tokens(12)).unwrap();
    let schema = json!({
        "type": "object",
        "properties": { "topic": { "enum": ["science", "cooking", "sports", "other"] } },
        "required": ["topic"],
    });
    let question =
        format!("Which topic is this about: science, cooking, sports or other?\n\n{text}{}", completion.text);
    let options = GenerateOptions::greedy().max_tokens(24).json_schema(schema.to_string());
    let answer = engine.session("gemma").unwrap().chat(&[Message::user(question)], &options).unwrap();
    let topic: Value = serde_json::from_str(&answer.text).unwrap();
    json!({ "completion": completion.text, "topic": topic["topic"] })
}

#[test]
fn the_example_plugin_answers_as_the_same_calls_made_directly() {
    let _serial = support::serial();
    let engine = engine();
    let plugin = engine.plugin(plugin_file("rust-pipeline.wasm")).unwrap();
    let text = "Water boils at";
    let run = plugin.run(&json!({ "model": "gemma", "text": text }).to_string()).unwrap();
    let output: Value = serde_json::from_str(run.output.as_ref().unwrap()).unwrap();
    assert_eq!(output, pipeline_directly(&engine, text));
    assert!(run.stdout.is_empty() && run.stderr.is_empty());
    // The plugin's own errors come back as its answer; the engine's as its message.
    let run = plugin.run("not JSON").unwrap();
    assert!(run.output.unwrap_err().contains("not JSON"));
    let run = plugin.run(&json!({ "model": "nope", "text": text }).to_string()).unwrap();
    assert!(run.output.unwrap_err().contains("ModelNotFound"));
}

#[test]
fn the_python_plugin_answers_as_the_rust_one_and_reaches_no_files_or_network() {
    let _serial = support::serial();
    let engine = engine();
    let python = engine.plugin(support::python_plugin("python-pipeline")).unwrap();
    let input = json!({ "model": "gemma", "text": "Bread needs" }).to_string();
    let run = python.run(&input).unwrap();
    let output: Value = serde_json::from_str(run.output.as_ref().unwrap()).unwrap();
    assert_eq!(output, pipeline_directly(&engine, "Bread needs"));
    let rust = engine.plugin(plugin_file("rust-pipeline.wasm")).unwrap().run(&input).unwrap();
    assert_eq!(run.output, rust.output, "the same calls, the same answer, in either language");
    assert!(python.run("{").unwrap().output.unwrap_err().contains("not JSON"));

    // What the README says a plugin can reach, tried from inside one.
    let sandbox = engine.plugin(support::python_plugin("python-sandbox")).unwrap().run("hello").unwrap();
    let report: Value = serde_json::from_str(sandbox.output.as_ref().unwrap()).unwrap();
    assert_eq!(report["read_file"], "FileNotFoundError", "{report}");
    assert_eq!(report["list_root"], "FileNotFoundError", "{report}");
    assert_eq!(report["environment"], json!({}), "{report}");
    assert_eq!(report["arguments"], json!([]), "{report}");
    assert!(report["connect"].as_str().unwrap().ends_with("Error"), "{report}");
    assert_eq!((report["clock_moves"].clone(), report["random_bytes"].clone()), (json!(true), json!(8)));
    assert_eq!(String::from_utf8_lossy(&sandbox.stdout), "to stdout: hello\n");
    assert_eq!(String::from_utf8_lossy(&sandbox.stderr), "to stderr: hello\n");
}

#[test]
fn what_is_not_a_plugin_or_asks_for_more_is_refused_before_it_runs() {
    let engine = engine();
    let refused = engine.plugin(plugin_file("wants-http.wasm")).map(|_| ()).unwrap_err();
    assert!(matches!(&refused, Error::InvalidInput(m) if m.contains("wasi:http/outgoing-handler")), "{refused:?}");
    let engine_itself = engine.plugin_from_bytes(inf_wasi::COMPONENT).map(|_| ()).unwrap_err();
    assert!(matches!(&engine_itself, Error::InvalidInput(m) if m.contains("imports wasi:nn")), "{engine_itself:?}");
    let junk = engine.plugin_from_bytes(b"\0asm but not really").map(|_| ()).unwrap_err();
    assert!(matches!(&junk, Error::InvalidInput(m) if m.contains("not an inf-wasi plugin")), "{junk:?}");
    let missing = engine.plugin("/nonexistent/plugin.wasm").map(|_| ()).unwrap_err();
    assert!(matches!(&missing, Error::InvalidInput(m) if m.contains("could not be read")), "{missing:?}");
}

#[test]
fn a_plugin_that_loops_is_stopped_by_the_deadline_and_one_that_panics_is_an_error() {
    let _serial = support::serial();
    let engine = engine();
    let looping = engine.plugin(plugin_file("loops.wasm")).unwrap();
    let started = Instant::now();
    let stopped = looping.run("spin").unwrap_err();
    assert!(matches!(stopped, Error::Cancelled(_)), "{stopped:?}");
    assert!(started.elapsed() < Duration::from_secs(5), "stopped after {:?}", started.elapsed());
    let panicking = engine.plugin(plugin_file("panics.wasm")).unwrap();
    let trapped = panicking.run("boom").unwrap_err();
    assert!(matches!(trapped, Error::Backend(_)), "{trapped:?}");
    // The engine goes on: its sessions and its other plugins still answer.
    assert!(engine
        .session("gemma")
        .unwrap()
        .complete("Water boils at", &GenerateOptions::greedy().max_tokens(2))
        .is_ok());
    let pipeline = engine.plugin(plugin_file("rust-pipeline.wasm")).unwrap();
    assert!(pipeline.run(&json!({ "model": "gemma", "text": "Bread needs" }).to_string()).unwrap().output.is_ok());
}

/// The README's plugin example, compiled in here to run it.
mod readme_example {
    include!("../examples/plugin.rs");

    pub fn run() -> Result<(), Box<dyn std::error::Error>> {
        main()
    }
}

#[test]
fn the_readme_plugin_example_is_verbatim_and_runs() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md")).unwrap();
    let example = include_str!("../examples/plugin.rs");
    assert!(readme.contains(&format!("```rust,no_run\n{example}```")), "README lacks examples/plugin.rs verbatim");
    let _serial = support::serial();
    std::env::set_var("INF_WASI_MODEL", support::model_path());
    std::env::set_var("INF_WASI_PLUGIN", plugin_file("rust-pipeline.wasm"));
    readme_example::run().unwrap();
}

#[test]
fn a_plugins_compiled_code_is_kept_for_the_next_load_and_a_damaged_copy_is_compiled_anew() {
    let _serial = support::serial();
    let engine = engine();
    let plugin = std::fs::read(plugin_file("rust-pipeline.wasm")).unwrap();
    let composed = inf_wasi_plugin::compose(inf_wasi::COMPONENT, &plugin).unwrap();
    let cached = inf_wasi_ggml::compiled_plugin_path(&composed, "rust");
    let _ = std::fs::remove_file(&cached);
    engine.plugin_from_bytes(&plugin).unwrap();
    let kept = std::fs::read(&cached).expect("the compiled plugin is in the cache folder");
    std::fs::write(&cached, b"not compiled code").unwrap();
    let loaded = engine.plugin_from_bytes(&plugin).expect("wasmtime refuses the damaged file; it is compiled anew");
    assert!(loaded.run(&json!({ "model": "gemma", "text": "Hi" }).to_string()).unwrap().output.is_ok());
    assert_eq!(std::fs::read(&cached).unwrap(), kept, "the damaged copy was replaced");
}
