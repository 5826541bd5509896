//! The `inf-wasi` binary as a user runs it: argument errors, exit codes, one-line
//! errors without backtraces, and real runs through the component.

use std::io::Write;
use std::process::{Command, Output, Stdio};
use std::sync::Mutex;

static SERIAL: Mutex<()> = Mutex::new(());

fn inf_wasi(args: &[&str], stdin: Option<&str>) -> Output {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let mut child = Command::new(env!("CARGO_BIN_EXE_inf-wasi"))
        .args(args)
        .env("RUST_BACKTRACE", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin.unwrap_or("").as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A failure is exactly one `error:` line, exit code 1, no panic, no backtrace, no colour.
fn fails_cleanly(o: &Output, needle: &str) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "one line: {err:?}");
    assert!(lines[0].starts_with("error: "), "{err:?}");
    assert!(lines[0].contains(needle), "{err:?} lacks {needle:?}");
    assert!(!err.contains("panicked") && !err.contains("backtrace") && !err.contains('\x1b'), "{err:?}");
}

/// The tests' base model (Gemma 3 270M), greedy, short: outputs the tests can pin.
const FAST: [&str; 8] = ["--model", "gemma-3-270m-q4_k_m", "--threads", "1", "--temperature", "0", "--max-tokens", "8"];

#[test]
fn usage_errors_exit_with_2() {
    assert_eq!(inf_wasi(&[], None).status.code(), Some(2));
    assert_eq!(inf_wasi(&["run"], None).status.code(), Some(2));
    assert_eq!(inf_wasi(&["run", "x", "--no-such-flag"], None).status.code(), Some(2));
    assert_eq!(inf_wasi(&["run", "x", "--max-tokens", "lots"], None).status.code(), Some(2));
    assert_eq!(inf_wasi(&["models", "burn"], None).status.code(), Some(2));
    let help = inf_wasi(&["--help"], None);
    assert_eq!(help.status.code(), Some(0));
    for command in ["run", "chat", "embed", "models"] {
        assert!(stdout(&help).contains(command));
    }
}

#[test]
fn bad_values_are_one_clear_line() {
    fails_cleanly(&inf_wasi(&["run", "x", "--threads", "1", "--temperature", "-1"], None), "temperature");
    fails_cleanly(&inf_wasi(&["run", "x", "--threads", "1", "--top-p", "2"], None), "top-p");
    fails_cleanly(&inf_wasi(&["run", "x", "--threads", "1", "--ctx-size", "0"], None), "context size");
    fails_cleanly(&inf_wasi(&["run", "x", "--threads", "0"], None), "threads");
    fails_cleanly(&inf_wasi(&["run", "x", "--model", "/nonexistent/m.gguf"], None), "no model file");
    fails_cleanly(&inf_wasi(&["run", "x", "--model", "no-such-model"], None), "models list");
    fails_cleanly(&inf_wasi(&["run", "x", "--json-schema", "/nonexistent.json"], None), "cannot read JSON schema");
    fails_cleanly(&inf_wasi(&["run", "", "--threads", "1", "--raw"], None), "empty");
    let junk = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("cli-junk-{}.gguf", std::process::id()));
    std::fs::write(&junk, b"definitely not a model").unwrap();
    fails_cleanly(&inf_wasi(&["run", "x", "--model", junk.to_str().unwrap()], None), "invalid model");
}

#[test]
fn run_streams_an_answer_and_verbose_reports_speed() {
    let mut args = vec!["run", "--raw", "Water boils at", "--verbose"];
    args.extend(FAST);
    let o = inf_wasi(&args, None);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("100"), "{}", stdout(&o));
    assert!(!stdout(&o).contains('\x1b'), "no colour when piped");
    let err = stderr(&o);
    assert!(err.contains("time to first token") && err.contains("tokens/s"), "{err}");
}

#[test]
fn run_with_a_stop_string_and_a_json_schema() {
    let mut args = vec!["run", "--raw", "The three primary colors are", "--stop", ","];
    args.extend(FAST);
    let o = inf_wasi(&args, None);
    assert_eq!(stdout(&o), " red\n", "{}", stderr(&o));
    let schema =
        std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("cli-schema-{}.json", std::process::id()));
    std::fs::write(&schema, r#"{"type":"object","properties":{"ok":{"type":"boolean"}},"required":["ok"]}"#).unwrap();
    let o = inf_wasi(
        &[
            "run",
            "--raw",
            "JSON:",
            "--json-schema",
            schema.to_str().unwrap(),
            "--threads",
            "1",
            "--temperature",
            "0",
            "-m",
            "gemma-3-270m-q4_k_m",
        ],
        None,
    );
    let value: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    assert!(value["ok"].is_boolean());
}

/// The quick start's first command: the default chat model answers the README's
/// question in sentences (greedy, so the answer is the same every run).
#[test]
fn the_default_model_answers_in_sentences() {
    let o =
        inf_wasi(&["run", "Why is the sky blue?", "--threads", "1", "--temperature", "0", "--max-tokens", "64"], None);
    assert!(o.status.success(), "{}", stderr(&o));
    let answer = stdout(&o);
    let words: Vec<&str> = answer.split_whitespace().collect();
    assert!(words.len() >= 30, "{answer}");
    assert!(answer.contains(". "), "at least one whole sentence: {answer}");
    assert!(answer.to_lowercase().contains("light"), "on topic: {answer}");
    // Not a loop of one phrase (what a base model without a chat template produces).
    let distinct: std::collections::HashSet<&str> = words.iter().copied().collect();
    assert!(distinct.len() * 3 > words.len(), "{answer}");
}

#[test]
fn chat_keeps_a_conversation_resets_and_exits_on_end_of_input() {
    let mut args = vec!["chat", "--verbose"];
    args.extend(FAST);
    let o = inf_wasi(&args, Some("Hello there.\nWhat did I just say?\n/reset\nHello there.\n"));
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    let replies: Vec<&str> = out.lines().filter(|l| !l.is_empty()).collect();
    assert!(replies.len() >= 3, "{replies:?}");
    let err = stderr(&o);
    assert!(err.contains("(conversation reset)"), "{err}");
    // The second turn reused the first from the KV cache; after /reset nothing is cached.
    let cached: Vec<u32> =
        err.lines().filter_map(|l| l.split(" cached)").next()?.rsplit('(').next()?.parse().ok()).collect();
    assert_eq!(cached.len(), 3, "{err}");
    assert_eq!(cached[0], 0);
    assert!(cached[1] > 0);
    assert_eq!(cached[2], 0);
}

#[test]
fn embed_prints_a_json_vector() {
    let o = inf_wasi(&["embed", "hello world", "--threads", "1", "--model", "gemma-3-270m-q4_k_m"], None);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Vec<f32> = serde_json::from_str(stdout(&o).trim()).unwrap();
    assert_eq!(v.len(), 640);
}

#[test]
fn models_list_shows_the_cached_default() {
    let o = inf_wasi(&["models", "list"], None);
    assert!(o.status.success());
    let listed = stdout(&o);
    assert!(listed.contains("gemma-3-270m-q4_k_m"), "{listed}");
    assert!(
        listed.lines().any(|l| l.starts_with("smollm2-135m-instruct-q4_1") && l.ends_with("(default)")),
        "{listed}"
    );
    fails_cleanly(&inf_wasi(&["models", "pull", "no-such-model"], None), "unknown model");
    let o = inf_wasi(&["models", "pull"], None);
    assert!(o.status.success());
    assert!(stderr(&o).contains("cached"), "{}", stderr(&o));
}

/// `tests/fixtures/SCRIPT OUT` into this test's scratch folder.
fn fixture(script: &str, out: &std::path::Path) {
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../tests/fixtures").join(script);
    let o = Command::new("python3").arg(script).arg(out).output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn run_carries_audio_through_a_projector_and_refuses_what_it_cannot_read() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("cli-audio-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (projector, audio) = (dir.join("tiny-audio-mmproj.gguf"), dir.join("audio"));
    fixture("tiny-audio-mmproj.py", &projector);
    fixture("test-audio.py", &audio);
    let file = |name: &str| audio.join(name).to_str().unwrap().to_string();
    let with = |extra: &[&str]| {
        let mut args = vec!["run", "What do you hear?", "--mmproj", projector.to_str().unwrap()];
        args.extend(extra);
        args.extend(FAST);
        inf_wasi(&args, None)
    };
    let once = with(&["--audio", &file("tones-1s.wav")]);
    assert!(once.status.success(), "{}", stderr(&once));
    assert!(!stdout(&once).trim().is_empty(), "no answer");
    assert_eq!(stdout(&with(&["--audio", &file("tones-1s.wav")])), stdout(&once), "greedy: the same answer again");
    fails_cleanly(&with(&["--audio", &file("bad-absurd-rate.wav")]), "samples a second");
    fails_cleanly(&with(&["--audio", &file("no-such.wav")]), "could not be read");
    fails_cleanly(&with(&["--raw", "--audio", &file("tones-1s.wav")]), "--raw");
    let mut no_projector = vec!["run", "What do you hear?", "--audio"];
    let tones = file("tones-1s.wav");
    no_projector.push(&tones);
    no_projector.extend(FAST);
    fails_cleanly(&inf_wasi(&no_projector, None), "projector");

    // The README's audio command, as written there, with this `inf-wasi` on the PATH.
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../README.md")).unwrap();
    let section = &readme[readme.find("## Audio (speech in)").expect("the audio section")..];
    let start = section.find("```sh\n").expect("its command") + "```sh\n".len();
    let script = &section[start..start + section[start..].find("```").unwrap()];
    assert!(script.contains("inf-wasi run") && script.contains("--audio"), "{script}");
    let bin = std::path::Path::new(env!("CARGO_BIN_EXE_inf-wasi")).parent().unwrap();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    let model = inf_wasi::cached_model_path("gemma-3-270m-q4_k_m");
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let o = Command::new("bash")
        .args(["-euo", "pipefail", "-c", script])
        .env("PATH", path)
        .env("INF_WASI_MODEL", model)
        .env("INF_WASI_PROJECTOR", &projector)
        .env("INF_WASI_AUDIO", file("tones-1s.wav"))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    // The command samples (no seed), and the tiny projector's embeddings are noise: an
    // answer may be only spaces. What the stream printed before its closing newline:
    let answer = stdout(&o).strip_suffix('\n').map(str::to_owned).unwrap_or_default();
    assert!(!answer.is_empty(), "no answer: {}", stderr(&o));
}

#[test]
fn plugin_run_prints_the_plugins_answer_and_refuses_cleanly() {
    let plugins = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).parent().unwrap().join("inf-wasi-plugins");
    let plugin = |name: &str| plugins.join(name).to_str().unwrap().to_string();
    let model = ["--model", "gemma-3-270m-q4_k_m", "--threads", "1"];
    let input = r#"{"model": "gemma-3-270m-q4_k_m", "text": "Water boils at"}"#;
    let mut args = vec!["plugin", "run"];
    let pipeline = plugin("rust-pipeline.wasm");
    args.extend([pipeline.as_str(), input]);
    args.extend(model);
    let o = inf_wasi(&args, None);
    assert!(o.status.success(), "{}", stderr(&o));
    let answer: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    assert!(answer["completion"].is_string() && answer["topic"].is_string(), "{answer}");
    // The Python plugin (ci/plugins.sh builds it) makes the same calls: the same answer.
    let built =
        Command::new("bash").arg(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../ci/plugins.sh")).output().unwrap();
    assert!(built.status.success(), "{}", stderr(&built));
    let python = format!("{}/python-pipeline.wasm", String::from_utf8_lossy(&built.stdout).trim());
    args[2] = python.as_str();
    let o = inf_wasi(&args, None);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(serde_json::from_str::<serde_json::Value>(stdout(&o).trim()).unwrap(), answer);
    let run = |file: &str, extra: &[&str]| {
        let file = plugin(file);
        let mut args = vec!["plugin", "run", file.as_str(), "x"];
        args.extend(model);
        args.extend(extra);
        inf_wasi(&args, None)
    };
    fails_cleanly(&run("rust-pipeline.wasm", &[]), "the plugin answered with an error: the input is not JSON");
    fails_cleanly(&run("wants-http.wasm", &[]), "wasi:http/outgoing-handler");
    fails_cleanly(&run("loops.wasm", &["--time-limit", "0.2"]), "cancelled");
    fails_cleanly(&run("panics.wasm", &[]), "backend");
}

#[test]
fn pack_makes_one_file_that_runs_like_the_model() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("cli-pack-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let app = dir.join("app.wasm");
    let model = inf_wasi::cached_model_path("gemma-3-270m-q4_k_m");
    let o = inf_wasi(&["pack", model.to_str().unwrap(), "--name", "gemma", "-o", app.to_str().unwrap()], None);
    assert!(o.status.success(), "{}", stderr(&o));
    let mut args = vec!["run", "--raw", "Water boils at"];
    args.extend(FAST);
    let from_file = inf_wasi(&args, None);
    args[4] = app.to_str().unwrap();
    let from_pack = inf_wasi(&args, None);
    assert!(from_pack.status.success(), "{}", stderr(&from_pack));
    assert_eq!(stdout(&from_pack), stdout(&from_file));
}

/// The README's packed-model commands, run as written there by a shell that finds
/// this `inf-wasi` on its PATH and the default model where the README says it is.
#[test]
fn the_readme_pack_commands_run_as_written() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../README.md")).unwrap();
    let section = &readme[readme.find("## One file to deploy").expect("the packed-model section")..];
    let start = section.find("```sh\n").expect("its commands") + "```sh\n".len();
    let script = &section[start..start + section[start..].find("```").unwrap()];
    assert!(script.contains("inf-wasi pack") && script.contains("inf-wasi run"), "{script}");
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("readme-pack-{}", std::process::id()));
    let models = dir.join("home/.cache/inf-wasi/models");
    std::fs::create_dir_all(&models).unwrap();
    let model = inf_wasi::cached_model_path("gemma-3-270m-q4_k_m");
    let _ = std::fs::remove_file(models.join("gemma-3-270m-q4_k_m.gguf"));
    std::os::unix::fs::symlink(&model, models.join("gemma-3-270m-q4_k_m.gguf")).unwrap();
    let bin = std::path::Path::new(env!("CARGO_BIN_EXE_inf-wasi")).parent().unwrap();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let o = Command::new("bash")
        .args(["-euo", "pipefail", "-c", script])
        .current_dir(&dir)
        .env("HOME", dir.join("home"))
        .env("PATH", path)
        .env_remove("INF_WASI_CACHE")
        .env_remove("XDG_CACHE_HOME")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(dir.join("gemma.wasm").is_file());
    assert!(!stdout(&o).trim().is_empty(), "no answer: {}", stderr(&o));
}
