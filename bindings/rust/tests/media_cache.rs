//! A chat turn after one with an image or audio reuses the cache over them:
//! the conversation's media are not encoded again. The follow-up's greedy
//! reply equals a fresh session's over the same conversation, which reuses
//! nothing. Default model, the tiny random-weight projectors.

mod support;

use inf_wasi::{ContentPart, Engine, GenerateOptions, Message};

fn engine() -> Engine {
    Engine::builder()
        .model_with_projector("vision", support::model_path(), support::tiny_projector())
        .model_with_projector("audio", support::model_path(), support::tiny_audio_projector())
        .threads(1)
        .context_size(512)
        .build()
        .unwrap()
}

/// Asks about `medium`, then `follow_up` (which may bring media of its own) in
/// the same session; returns the two turns' prompt and cached token counts,
/// after checking the second turn against a fresh session's.
fn two_turns(engine: &Engine, model: &str, medium: ContentPart, follow_up: Message) -> [(u32, u32); 2] {
    let asked = Message::user_with_parts("What is this? ", [medium]);
    let (short, long) = (GenerateOptions::greedy().max_tokens(6), GenerateOptions::greedy().max_tokens(8));
    let mut session = engine.session(model).unwrap();
    let first = session.chat(std::slice::from_ref(&asked), &short).unwrap();
    let second = session.chat(std::slice::from_ref(&follow_up), &long).unwrap();
    let conversation = [asked, Message::assistant(first.text.clone()), follow_up];
    let fresh = engine.session(model).unwrap().chat(&conversation, &long).unwrap();
    assert_eq!(fresh.usage.cached_tokens, 0);
    assert_eq!(second.usage.prompt_tokens, fresh.usage.prompt_tokens);
    assert_eq!(second.text, fresh.text, "a reused cache gives the reply a fresh one does");
    [first, second].map(|c| (c.usage.prompt_tokens, c.usage.cached_tokens))
}

#[test]
fn a_follow_up_reuses_the_cache_over_an_image_and_over_audio() {
    let _serial = support::serial();
    let engine = engine();
    for (model, medium) in [
        ("vision", ContentPart::Image(support::image("gradient.png"))),
        ("audio", ContentPart::Audio(support::audio("tones-1s.wav"))),
    ] {
        let [(first_prompt, first_cached), (_, cached)] = two_turns(&engine, model, medium, Message::user("And then?"));
        assert_eq!(first_cached, 0, "{model}");
        // The first prompt, its medium within, and the reply, as far as it reads back as generated.
        assert!(cached > first_prompt, "{model}: {cached} cached of a first prompt of {first_prompt}");
    }
}

#[test]
fn a_new_image_in_a_follow_up_is_encoded_and_the_earlier_one_reused() {
    let _serial = support::serial();
    let engine = engine();
    let follow_up = Message::user_with_parts("And this? ", [ContentPart::Image(support::image("large.png"))]);
    let [(first_prompt, _), (prompt, cached)] =
        two_turns(&engine, "vision", ContentPart::Image(support::image("gradient.png")), follow_up);
    assert!(cached > first_prompt && cached < prompt, "{cached} cached of {prompt}; the first prompt {first_prompt}");
}
