//! Why the conformance reference's numbers are right: what a second chat turn
//! evaluates, and what an embedding is. The shared behaviour itself (streaming,
//! seeds, stop strings, structured output, exact cached-token counts) is in
//! tests/conformance, run by tests/conformance.rs.

mod support;

use inf_wasi::{GenerateOptions, Message, Role, SessionOptions};

#[test]
fn a_second_chat_turn_evaluates_only_the_new_tokens() {
    let _serial = support::serial();
    let engine = support::engine();
    let mut session =
        engine.session_with("gemma", &SessionOptions::default().system_prompt("Answer briefly.")).unwrap();
    let options = GenerateOptions::greedy().max_tokens(12);
    let first = session.chat(&[Message::user("Name a fruit.")], &options).unwrap();
    assert_eq!(first.usage.cached_tokens, 0);
    let second = session.chat(&[Message::user("Name a vegetable.")], &options).unwrap();
    // Everything the first turn put in the cache is reused: its prompt, and its reply
    // except where the template normalises it (Gemma's template trims the reply, so a
    // trailing newline the model generated is evaluated again as the turn's end).
    let first_total = first.usage.prompt_tokens + first.usage.completion_tokens;
    assert!(second.usage.cached_tokens >= first_total - 2, "{first:?} {second:?}");
    assert!(second.usage.cached_tokens <= first_total, "{first:?} {second:?}");
    // ...and otherwise only the new turn is evaluated: the message and Gemma's ten turn
    // markers (`<end_of_turn>` `\n` `<start_of_turn>` `user` `\n`, then the same opening `model`).
    let message = engine.tokenize("gemma", "Name a vegetable.", false).unwrap().len() as u32;
    let evaluated = second.usage.prompt_tokens - second.usage.cached_tokens;
    let reevaluated = first_total - second.usage.cached_tokens;
    assert!(evaluated <= message + 10 + reevaluated, "{first:?} {second:?}");
    assert!(evaluated >= message + 10 - 1, "{first:?} {second:?}");
    let history = session.history().unwrap();
    let roles: Vec<Role> = history.iter().map(|m| m.role).collect();
    assert_eq!(roles, [Role::System, Role::User, Role::Assistant, Role::User, Role::Assistant]);
    assert_eq!(history[2].text(), first.text);
    session.reset().unwrap();
    assert_eq!(session.history().unwrap().len(), 1, "reset keeps the system prompt");
    let again = session.chat(&[Message::user("Name a fruit.")], &options).unwrap();
    assert_eq!(again.text, first.text, "after reset the conversation starts over");
}

#[test]
fn embeddings_have_the_models_dimension_and_are_deterministic() {
    let _serial = support::serial();
    let engine = support::engine();
    let info = engine.model_info("gemma").unwrap();
    let vectors = engine.embed("gemma", &["The cat sat on the mat.", "Quantum chromodynamics"]).unwrap();
    assert_eq!(vectors.len(), 2);
    for v in &vectors {
        assert_eq!(v.len(), info.embedding_size as usize);
        let norm: f32 = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-3, "normalised, got {norm}");
    }
    assert_ne!(vectors[0], vectors[1]);
    let again = engine.embed("gemma", &["The cat sat on the mat."]).unwrap();
    assert_eq!(again[0], vectors[0]);
}
