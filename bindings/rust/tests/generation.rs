//! Generation through the component with the default model: streaming, seeds,
//! stop strings, structured output, chat with KV-cache reuse, embeddings.

mod support;

use inf_wasi::{FinishReason, GenerateOptions, Message, Role, SessionOptions};

#[test]
fn streamed_pieces_concatenate_to_the_non_streamed_text() {
    let _serial = support::serial();
    let engine = support::engine();
    let options = GenerateOptions::greedy().max_tokens(32);
    let whole = engine.session("gemma").unwrap().complete("Once upon a time", &options).unwrap();
    let mut session = engine.session("gemma").unwrap();
    let mut stream = session.stream("Once upon a time", &options).unwrap();
    let mut joined = String::new();
    let mut pieces = 0;
    for piece in &mut stream {
        let piece = piece.unwrap();
        assert!(!piece.is_empty());
        joined.push_str(&piece);
        pieces += 1;
    }
    assert!(pieces > 1, "streaming yields several pieces");
    assert_eq!(joined, whole.text);
    assert_eq!(stream.completion().unwrap(), &whole);
}

#[test]
fn a_fixed_seed_reproduces_sampled_output() {
    let _serial = support::serial();
    let engine = support::engine();
    let sample = |seed| {
        let options =
            GenerateOptions::default().temperature(1.5).top_k(0).top_p(1.0).min_p(0.0).seed(seed).max_tokens(24);
        engine.session("gemma").unwrap().complete("My favourite animal is", &options).unwrap().text
    };
    let first = sample(42);
    assert_eq!(first, sample(42));
    let others = [sample(1), sample(2), sample(3)];
    assert!(others.iter().any(|o| o != &first), "different seeds give different samples");
}

#[test]
fn stop_strings_end_generation_even_across_token_boundaries() {
    let _serial = support::serial();
    let engine = support::engine();
    let mut session = engine.session("gemma").unwrap();
    let prompt = "The three primary colors are";
    let greedy = GenerateOptions::greedy().max_tokens(8);
    // A stop string made of the end of one piece (token), all of the next and the
    // start of the one after: it only appears across two token boundaries.
    let pieces: Vec<String> = session.stream(prompt, &greedy).unwrap().map(Result::unwrap).collect();
    assert!(pieces.len() >= 3, "{pieces:?}");
    let (a, b, c) = (&pieces[0], &pieces[1], &pieces[2]);
    let stop = format!("{}{b}{}", a.chars().last().unwrap(), c.chars().next().unwrap());
    let full: String = pieces.concat();
    let expected = &full[..full.find(&stop).unwrap()];
    assert!(expected.len() < a.len(), "the stop string starts inside the first piece");
    let stopped = session.complete(prompt, &greedy.clone().stop(stop.clone())).unwrap();
    assert_eq!(stopped.text, expected, "stop {stop:?} in {full:?}");
    assert_eq!(stopped.finish_reason, FinishReason::Stop);
    let streamed: String =
        session.stream(prompt, &greedy.clone().stop(stop.clone())).unwrap().map(Result::unwrap).collect();
    assert_eq!(streamed, expected);
}

#[test]
fn max_tokens_ends_with_finish_reason_length() {
    let _serial = support::serial();
    let mut session = support::engine().session("gemma").unwrap();
    let c = session.complete("Count: 1, 2, 3,", &GenerateOptions::greedy().max_tokens(5)).unwrap();
    assert_eq!(c.usage.completion_tokens, 5);
    assert_eq!(c.finish_reason, FinishReason::Length);
}

#[test]
fn json_schema_output_parses_and_matches_the_schema() {
    let _serial = support::serial();
    let schema = r#"{"type":"object","properties":{"name":{"type":"string","maxLength":24},
        "age":{"type":"integer"},"colors":{"type":"array","items":{"enum":["red","green","blue"]},"maxItems":3}},
        "required":["name","age","colors"]}"#;
    let mut session = support::engine().session("gemma").unwrap();
    let c = session
        .complete("A person described as JSON:", &GenerateOptions::greedy().max_tokens(96).json_schema(schema))
        .unwrap();
    assert_eq!(c.finish_reason, FinishReason::Stop, "{:?}", c.text);
    let value: serde_json::Value = serde_json::from_str(&c.text).unwrap_or_else(|e| panic!("{e}: {:?}", c.text));
    let object = value.as_object().unwrap();
    assert_eq!(object.len(), 3);
    assert!(object["name"].as_str().unwrap().chars().count() <= 24);
    assert!(object["age"].is_i64() || object["age"].is_u64());
    for color in object["colors"].as_array().unwrap() {
        assert!(["red", "green", "blue"].contains(&color.as_str().unwrap()));
    }
}

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
fn a_streamed_chat_reply_joins_the_history() {
    let _serial = support::serial();
    let mut session = support::engine().session("gemma").unwrap();
    let text: String = session
        .chat_stream(&[Message::user("Say hello.")], &GenerateOptions::greedy().max_tokens(8))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let history = session.history().unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[1].text(), text);
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

#[test]
fn model_info_and_tokenization() {
    let _serial = support::serial();
    let engine = support::engine();
    let info = engine.model_info("gemma").unwrap();
    assert_eq!(info.name, "gemma");
    assert_eq!(info.architecture, "gemma3");
    assert_eq!(info.embedding_size, 640);
    assert_eq!(info.vocab_size, 262144);
    assert!(info.context_length >= 32768);
    assert!(!info.vision);
    let with_bos = engine.tokenize("gemma", "Hello world", true).unwrap();
    let without = engine.tokenize("gemma", "Hello world", false).unwrap();
    assert_eq!(with_bos.len(), without.len() + 1);
    assert_eq!(engine.detokenize("gemma", &without).unwrap(), "Hello world");
}
