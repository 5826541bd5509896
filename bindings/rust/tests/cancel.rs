//! Cancellation from another thread: a running generation stops within
//! 100 ms, whether it is reading a long prompt or producing tokens, and the
//! session then answers exactly as a fresh one would; a cancelled chat turn
//! leaves no trace in the conversation.

mod support;

use inf_wasi::{Engine, Error, GenerateOptions, Message};
use std::sync::mpsc;
use std::time::{Duration, Instant};

fn engine() -> Engine {
    Engine::builder().model("gemma", support::model_path()).threads(1).context_size(2048).build().unwrap()
}

fn greedy_answer(session: &mut inf_wasi::Session) -> String {
    session.complete("The capital of France is", &GenerateOptions::greedy().max_tokens(8)).unwrap().text
}

/// The generation ended with `cancelled` within 100 ms of the cancel.
fn stopped_in_time(what: &str, error: Error, cancelled_at: Instant, finished_at: Instant) {
    let latency = finished_at.saturating_duration_since(cancelled_at);
    eprintln!("{what} stopped {latency:?} after the cancel");
    assert!(matches!(error, Error::Cancelled(_)), "{error:?}");
    assert!(latency < Duration::from_millis(100), "took {latency:?}");
}

/// After a cancel the KV cache is consistent: the session answers as a new one does.
fn answers_as_a_fresh_session(engine: &Engine, session: &mut inf_wasi::Session) {
    let mut fresh = engine.session("gemma").unwrap();
    assert_eq!(greedy_answer(session), greedy_answer(&mut fresh));
}

#[test]
fn a_long_prompt_stops_within_100_ms_of_a_cancel() {
    let _serial = support::serial();
    let engine = engine();
    let mut session = engine.session("gemma").unwrap();
    let cancel = session.cancel_handle();
    // About 1,800 tokens: seconds of prompt evaluation on one thread.
    let prompt = "The quick brown fox jumps over the lazy dog. ".repeat(180);
    let (done_tx, done_rx) = mpsc::channel();
    let worker = std::thread::spawn(move || {
        let result = session.complete(&prompt, &GenerateOptions::greedy().max_tokens(4));
        done_tx.send(Instant::now()).unwrap();
        (session, result)
    });
    // Cancel once prompt evaluation is under way (not after a guessed delay).
    let waiting_since = Instant::now();
    while cancel.prompt_batches_started() == 0 {
        assert!(waiting_since.elapsed() < Duration::from_secs(30), "prompt evaluation never started");
        std::thread::sleep(Duration::from_millis(1));
    }
    let cancelled_at = Instant::now();
    cancel.cancel();
    let finished_at = done_rx.recv_timeout(Duration::from_secs(30)).expect("the generation ended");
    let (mut session, result) = worker.join().unwrap();
    let error = result.expect_err("the generation was cancelled");
    stopped_in_time("prompt evaluation", error, cancelled_at, finished_at);
    answers_as_a_fresh_session(&engine, &mut session);
}

#[test]
fn a_stream_stops_within_100_ms_of_a_cancel() {
    let _serial = support::serial();
    let engine = engine();
    let mut session = engine.session("gemma").unwrap();
    let cancel = session.cancel_handle();
    let (piece_tx, piece_rx) = mpsc::channel();
    let worker = std::thread::spawn(move || {
        let mut outcome = Ok(0);
        let options = GenerateOptions::greedy().max_tokens(2000);
        for piece in session.stream("Write a long story about a dragon.", &options).unwrap() {
            match piece {
                Ok(_) => {
                    let _ = piece_tx.send(());
                    outcome = outcome.map(|n| n + 1);
                }
                Err(e) => {
                    outcome = Err((e, Instant::now()));
                    break;
                }
            }
        }
        (session, outcome)
    });
    for _ in 0..5 {
        piece_rx.recv_timeout(Duration::from_secs(30)).expect("pieces arrive");
    }
    let cancelled_at = Instant::now();
    cancel.cancel();
    let (mut session, outcome) = worker.join().unwrap();
    let (error, finished_at) = outcome.expect_err("the stream ended with an error");
    stopped_in_time("the stream", error, cancelled_at, finished_at);
    answers_as_a_fresh_session(&engine, &mut session);
}

#[test]
fn a_cancel_between_generations_does_not_stop_the_next_one() {
    let _serial = support::serial();
    let engine = engine();
    let mut session = engine.session("gemma").unwrap();
    session.cancel_handle().cancel();
    assert!(!greedy_answer(&mut session).is_empty());
}

#[test]
fn a_cancelled_chat_turn_leaves_no_trace() {
    let _serial = support::serial();
    let engine = engine();
    let options = GenerateOptions::greedy().max_tokens(8);
    let first = [Message::user("Name a colour.")];
    let next = [Message::user("Name a fruit.")];
    let mut session = engine.session("gemma").unwrap();
    session.chat(&first, &options).unwrap();
    let before = session.history().unwrap();
    let cancel = session.cancel_handle();
    let long = GenerateOptions::greedy().max_tokens(2000);
    let mut stream = session.chat_stream(&[Message::user("Write a long story about a dragon.")], &long).unwrap();
    for _ in 0..5 {
        stream.next().expect("pieces arrive").expect("a piece");
    }
    cancel.cancel();
    let error = stream.find_map(Result::err).expect("the stream ended with an error");
    drop(stream);
    assert!(matches!(error, Error::Cancelled(_)), "{error:?}");
    // Neither the question nor part of an answer stays behind.
    assert_eq!(session.history().unwrap(), before);
    let mut fresh = engine.session("gemma").unwrap();
    fresh.chat(&first, &options).unwrap();
    assert_eq!(session.chat(&next, &options).unwrap().text, fresh.chat(&next, &options).unwrap().text);
}
