//! The component's guards and the engine's limits: a component that asks for
//! more than wasi:nn is refused, a chat template that loops for ever or
//! renders gigabytes is stopped, and context, output and image sizes are
//! capped. After each, the engine answers the next good request.

mod support;

use inf_wasi::{ContentPart, Engine, Error, FinishReason, GenerateOptions, Message, SessionOptions};
use std::time::{Duration, Instant};

fn good_answer(engine: &Engine) {
    let mut session = engine.session("gemma").unwrap();
    let c = session.complete("The capital of France is", &GenerateOptions::greedy().max_tokens(4)).unwrap();
    assert!(!c.text.is_empty());
}

#[test]
fn a_component_that_imports_a_filesystem_is_refused() {
    let error = inf_wasi::instantiate_capability_probe().expect_err("the probe must be refused");
    eprintln!("{error}");
    assert_eq!(error.code(), "backend");
    let message = error.to_string();
    assert!(message.contains("wasi:filesystem/preopens@0.2.0"), "{message}");
    assert!(message.contains("grants a component wasi:nn and nothing else"), "{message}");
}

/// The probe traps as the component does on a panic, after saying why: the
/// error is its own message, not a bare `unreachable` or a memory cap.
#[test]
fn a_component_that_panics_is_reported_by_its_own_words() {
    let error = inf_wasi::run_abort_probe();
    eprintln!("{error}");
    assert_eq!(error.code(), "backend");
    let message = error.to_string();
    assert!(message.contains("the component panicked"), "{message}");
    assert!(message.ends_with("the abort probe stops here on purpose"), "{message}");
}

#[test]
fn a_slow_chat_template_ends_with_a_deadline_error() {
    let _serial = support::serial();
    let engine = Engine::builder()
        .model("gemma", support::model_path())
        .model("slow", support::template_model("slow", support::SLOW_TEMPLATE))
        .threads(1)
        .context_size(256)
        .guest_time_limit(Duration::from_millis(50))
        .build()
        .unwrap();
    let mut session = engine.session("slow").unwrap();
    let started = Instant::now();
    let error = session.chat(&[Message::user("hi")], &GenerateOptions::greedy()).expect_err("stopped");
    eprintln!("stopped after {:?}: {error}", started.elapsed());
    assert!(matches!(error, Error::Cancelled(_)), "{error:?}");
    assert!(error.to_string().contains("50ms"), "{error}");
    assert!(started.elapsed() < Duration::from_secs(5));
    // The stopped instance says why on every later call; the engine goes on.
    let again = session.complete("Hello", &GenerateOptions::greedy()).expect_err("stopped session");
    assert!(again.to_string().contains("earlier failure"), "{again}");
    good_answer(&engine);
    // A completion on the same model needs no template and is not affected.
    let mut fresh = engine.session("slow").unwrap();
    assert!(fresh.complete("Hello", &GenerateOptions::greedy().max_tokens(2)).is_ok());
}

/// A template that would loop for ever runs out of its instruction budget in
/// the component long before the time limit, and the session stays usable.
#[test]
fn a_looping_chat_template_fails_fast_as_an_invalid_model() {
    let _serial = support::serial();
    let engine = Engine::builder()
        .model("gemma", support::model_path())
        .model("looping", support::template_model("looping", support::LOOPING_TEMPLATE))
        .threads(1)
        .context_size(256)
        .build()
        .unwrap();
    let mut session = engine.session("looping").unwrap();
    let started = Instant::now();
    let error = session.chat(&[Message::user("hi")], &GenerateOptions::greedy()).expect_err("stopped");
    let elapsed = started.elapsed();
    eprintln!("the looping template failed after {elapsed:?}: {error}");
    assert!(matches!(error, Error::InvalidModel(_)), "{error:?}");
    assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");
    assert!(session.complete("Hello", &GenerateOptions::greedy().max_tokens(2)).is_ok());
}

#[test]
fn a_template_that_renders_gigabytes_meets_the_memory_cap() {
    let _serial = support::serial();
    let engine = Engine::builder()
        .model("gemma", support::model_path())
        .model("bloating", support::template_model("bloating", support::BLOATING_TEMPLATE))
        .threads(1)
        .context_size(256)
        .guest_memory_limit(64 << 20)
        .guest_time_limit(Duration::from_secs(60))
        .build()
        .unwrap();
    let mut session = engine.session("bloating").unwrap();
    let error = session.chat(&[Message::user("hi")], &GenerateOptions::greedy()).expect_err("stopped");
    eprintln!("{error}");
    assert!(matches!(error, Error::Backend(_)), "{error:?}");
    assert!(error.to_string().contains("memory cap of 67108864 bytes"), "{error}");
    good_answer(&engine);
}

#[test]
fn the_default_guards_let_ordinary_work_through() {
    let _serial = support::serial();
    let engine = Engine::builder().model("gemma", support::model_path()).threads(1).context_size(512).build().unwrap();
    let mut session = engine.session("gemma").unwrap();
    let long_prompt = "word ".repeat(300);
    let c = session.chat(&[Message::user(long_prompt)], &GenerateOptions::greedy().max_tokens(4)).unwrap();
    assert!(c.usage.prompt_tokens > 300);
}

#[test]
fn bad_guard_settings_are_invalid_input() {
    let zero = Engine::builder().guest_time_limit(Duration::ZERO).build().expect_err("zero time");
    assert_eq!(zero.code(), "invalid-input");
    let tiny = Engine::builder().guest_memory_limit(1000).build().expect_err("tiny memory");
    assert_eq!(tiny.code(), "invalid-input");
    let none = Engine::builder().model("m", "x.gguf").max_output_tokens(0).build().expect_err("zero tokens");
    assert_eq!(none.code(), "invalid-input");
}

#[test]
fn context_output_and_image_sizes_are_capped() {
    let _serial = support::serial();
    let engine = Engine::builder()
        .model("gemma", support::model_path())
        .threads(1)
        .context_size(256)
        .max_context_size(512)
        .max_output_tokens(5)
        .max_image_bytes(1000)
        .build()
        .unwrap();

    let too_big = engine.session_with("gemma", &SessionOptions::default().context_size(1024)).expect_err("capped");
    assert!(matches!(too_big, Error::InvalidInput(ref m) if m.contains("max context size of 512")), "{too_big:?}");
    assert!(engine.session_with("gemma", &SessionOptions::default().context_size(512)).is_ok());

    let mut session = engine.session("gemma").unwrap();
    let over = session.complete("Once upon a time", &GenerateOptions::greedy().max_tokens(6)).expect_err("capped");
    assert!(matches!(over, Error::InvalidInput(ref m) if m.contains("max output tokens")), "{over:?}");
    // Without max-tokens, the default (256) is held to the cap.
    let c = session.complete("Once upon a time", &GenerateOptions::greedy()).unwrap();
    assert_eq!(c.usage.completion_tokens, 5);
    assert_eq!(c.finish_reason, FinishReason::Length);

    let image = |n: usize| Message::user_with_images("", [ContentPart::Image(vec![0u8; n])]);
    let big = session.chat(&[image(1001)], &GenerateOptions::greedy()).expect_err("capped");
    assert!(matches!(big, Error::InvalidInput(ref m) if m.contains("max image size is 1000 bytes")), "{big:?}");
    // Within the cap, an image meets the text model's own refusal.
    let small = session.chat(&[image(1000)], &GenerateOptions::greedy()).expect_err("text model");
    assert_eq!(small.code(), "unsupported");
    good_answer(&engine);
}
