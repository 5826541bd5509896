//! Continuous batching: eight sessions on eight threads sharing one context
//! have their tokens decoded together, and with `Batching::Exact` each one's
//! greedy output for the conformance prompts held to llama.cpp's own (the
//! cases marked `llama_cpp` in tests/conformance/cases.json) is token for
//! token what it generates alone. With `Batching::Fast` (all in one decode)
//! they share more and may differ: the test prints where, with the two best
//! logits there. Cancelling one session leaves the others generating, and a
//! conversation in a shared context reuses its cache.

use inf_wasi_ggml::profile::SamplingConfig;
use inf_wasi_ggml::{batching_stats, Batching, CancelFlag, LoadOptions, ModelRegistry, NamedTensor, Session, Tensor};
use llama_cpp_2::context::params::LlamaContextParams;
use llama_cpp_2::llama_batch::LlamaBatch;
use llama_cpp_2::model::params::LlamaModelParams;
use llama_cpp_2::model::LlamaModel;
use llama_cpp_2::token::LlamaToken;
use serde_json::{json, Value};
use std::num::NonZeroU32;
use std::sync::{Arc, Barrier};

mod common;
use common::{serial, Next};

const CONTEXT: u32 = 256;

#[derive(Clone)]
struct Case {
    id: String,
    prompt: String,
    max_tokens: usize,
}

/// The conformance cases whose greedy output is checked against llama.cpp's.
fn cases() -> Vec<Case> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/conformance/cases.json");
    let file: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let cases = file["cases"].as_array().unwrap().iter().filter(|case| case["llama_cpp"] == true);
    cases
        .map(|case| {
            let step = &case["steps"][0];
            Case {
                id: case["id"].as_str().unwrap().into(),
                prompt: step["complete"].as_str().unwrap().into(),
                max_tokens: step["options"]["max_tokens"].as_u64().unwrap() as usize,
            }
        })
        .collect()
}

fn registry(parallel: u32, batching: Batching) -> ModelRegistry {
    let mut registry = ModelRegistry::new();
    let options = LoadOptions { threads: 1, context_size: CONTEXT, parallel, batching, ..LoadOptions::default() };
    registry.register("m", common::model_path(), options);
    registry
}

fn text(name: &str, s: &str) -> NamedTensor {
    NamedTensor::new(name, Tensor::bytes(s.as_bytes().to_vec()))
}

fn status(out: &mut Vec<NamedTensor>) -> Value {
    serde_json::from_slice(&out.pop().expect("a status").tensor.data).unwrap()
}

/// Sends a greedy `prompt`; returns its status.
fn prompt(session: &mut Session, text_in: &str) -> Value {
    let config = SamplingConfig { temperature: 0.0, ..SamplingConfig::default() };
    let config = NamedTensor::new("config", Tensor::bytes(inf_wasi_ggml::profile::encode(&config)));
    status(&mut session.compute(vec![text("op", "prompt"), text("text", text_in), config]))
}

/// A session's greedy tokens for `case`, through `Session::compute`, and the
/// status that ended them (a token's, when `max_tokens` ended them).
fn generate(session: &mut Session, case: &Case) -> (Vec<i32>, Value) {
    let started = prompt(session, &case.prompt);
    assert!(started.get("error").is_none(), "{}: {started}", case.id);
    let mut tokens = Vec::new();
    loop {
        let next = common::next(session);
        match next.token() {
            Some(token) if tokens.len() + 1 < case.max_tokens => tokens.push(token),
            Some(token) => {
                tokens.push(token);
                return (tokens, json!({ "token": token }));
            }
            None => return (tokens, next.status()),
        }
    }
}

/// Each case's greedy tokens from a session alone, made once for all the tests.
fn alone(cases: &[Case]) -> Vec<Vec<i32>> {
    static ALONE: std::sync::OnceLock<Vec<Vec<i32>>> = std::sync::OnceLock::new();
    let all = ALONE.get_or_init(|| {
        let registry = registry(1, Batching::Exact);
        let model = registry.get("m").unwrap();
        self::cases().iter().map(|case| generate(&mut Session::new(model.clone()), case).0).collect()
    });
    all[..cases.len()].to_vec()
}

/// Each case's tokens from sessions on threads of their own, all started
/// together in a model shared by `cases.len()`; `cancel_after` cancels the
/// first session after that many tokens. Also returns the jobs per decode step.
fn together(cases: Arc<Vec<Case>>, batching: Batching, cancel_after: Option<usize>) -> (Vec<(Vec<i32>, Value)>, f64) {
    let registry = registry(cases.len() as u32, batching);
    let model = registry.get("m").unwrap().clone();
    let start = Arc::new(Barrier::new(cases.len()));
    let (steps_before, jobs_before) = batching_stats();
    let threads: Vec<_> = (0..cases.len())
        .map(|i| {
            let (model, cases, start) = (model.clone(), cases.clone(), start.clone());
            std::thread::spawn(move || {
                let cancel = CancelFlag::new();
                let mut session = Session::with_cancel(model, cancel.clone());
                start.wait();
                match cancel_after.filter(|_| i == 0) {
                    None => generate(&mut session, &cases[i]),
                    Some(n) => {
                        let case = Case { max_tokens: n, ..cases[i].clone() };
                        let (tokens, _) = generate(&mut session, &case);
                        cancel.cancel();
                        let after = common::next(&mut session).status();
                        (tokens, after)
                    }
                }
            })
        })
        .collect();
    let outputs = threads.into_iter().map(|thread| thread.join().unwrap()).collect();
    let (steps, jobs) = batching_stats();
    (outputs, (jobs - jobs_before) as f64 / (steps - steps_before) as f64)
}

/// The logits after `prompt` and `generated`, evaluated as a session alone
/// evaluates them (the prompt in one batch, then a token at a time), in a
/// context of llama.cpp's own.
fn reference_logits(prompt: &str, generated: &[i32]) -> Vec<f32> {
    let backend = inf_wasi_ggml::llama_backend().unwrap();
    let model = LlamaModel::load_from_file(backend, common::model_path(), &LlamaModelParams::default()).unwrap();
    let params =
        LlamaContextParams::default().with_n_ctx(NonZeroU32::new(CONTEXT)).with_n_threads(1).with_n_threads_batch(1);
    let mut ctx = model.new_context(backend, params).unwrap();
    let tokens = model.vocab().tokenize(prompt.as_bytes(), true, true);
    let mut batch = LlamaBatch::new(CONTEXT as usize, 1);
    batch.add_sequence(&tokens, 0, false).unwrap();
    ctx.decode(&mut batch).unwrap();
    for (i, &token) in generated.iter().enumerate() {
        batch.clear();
        batch.add(LlamaToken(token), (tokens.len() + i) as i32, &[0], true).unwrap();
        ctx.decode(&mut batch).unwrap();
    }
    ctx.get_logits_ith(-1).to_vec()
}

#[test]
fn exact_batching_generates_what_each_session_generates_alone() {
    let _serial = serial();
    let cases = cases();
    assert_eq!(cases.len(), 8, "the conformance file's llama.cpp-checked cases");
    let alone = alone(&cases);
    let (together, shared) = together(Arc::new(cases.clone()), Batching::Exact, None);
    eprintln!("exact: {shared:.2} sessions per decode step");
    assert!(shared > 1.5, "the sessions did not share decodes: {shared:.2} per step");
    for ((case, alone), (together, _)) in cases.iter().zip(&alone).zip(&together) {
        assert_eq!(&together, &alone, "{}: batched and alone differ", case.id);
    }
}

#[test]
fn fast_batching_shares_every_step_and_says_where_outputs_part() {
    let _serial = serial();
    let cases = cases();
    let alone = alone(&cases);
    let (together, shared) = together(Arc::new(cases.clone()), Batching::Fast, None);
    eprintln!("fast: {shared:.2} sessions per decode step");
    assert!(shared > 4.0, "the sessions did not share decodes: {shared:.2} per step");
    for ((case, alone), (together, _)) in cases.iter().zip(&alone).zip(&together) {
        assert!(!together.is_empty(), "{}: no tokens", case.id);
        let Some(at) = alone.iter().zip(together).position(|(a, b)| a != b) else { continue };
        let logits = reference_logits(&case.prompt, &alone[..at]);
        let (a, b) = (logits[alone[at] as usize], logits[together[at] as usize]);
        eprintln!(
            "fast: {} parts at token {at}: alone {} (logit {a}), batched {} (logit {b})",
            case.id, alone[at], together[at]
        );
    }
}

#[test]
fn cancelling_one_session_leaves_the_others_generating() {
    let _serial = serial();
    let cases: Vec<Case> = cases().into_iter().take(4).collect();
    let alone = alone(&cases);
    let (together, _) = together(Arc::new(cases.clone()), Batching::Exact, Some(3));
    let (first, after) = &together[0];
    assert_eq!(first.len(), 3);
    assert_eq!(after["error"]["code"], "cancelled", "{after}");
    for ((case, alone), (together, _)) in cases.iter().zip(&alone).zip(&together).skip(1) {
        assert_eq!(&together, &alone, "{}: a cancel elsewhere changed this session", case.id);
    }
}

#[test]
fn a_conversation_in_a_shared_context_reuses_its_cache() {
    let _serial = serial();
    let registry = registry(2, Batching::Exact);
    let model = registry.get("m").unwrap();
    let (mut a, mut b) = (Session::new(model.clone()), Session::new(model.clone()));
    let first = prompt(&mut a, "The capital of France is");
    let other = prompt(&mut b, "Water boils at");
    assert!(first.get("error").is_none() && other.get("error").is_none(), "{first} {other}");
    let mut pieces = String::new();
    for _ in 0..4 {
        let Next::Token(_, piece) = common::next(&mut a) else { panic!("a token") };
        pieces.push_str(&String::from_utf8(piece).unwrap());
    }
    let prompt_tokens = first["prompt_tokens"].as_u64().unwrap();
    let again = prompt(&mut a, &format!("The capital of France is{pieces} And"));
    // At least the first prompt comes from the cache (the reply too, where it tokenizes the same way again).
    assert!(again["cached_tokens"].as_u64().unwrap() >= prompt_tokens, "{again}");
}
