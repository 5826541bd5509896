//! The backend's token choice under a grammar (the model's own choice checked
//! first, the whole vocabulary masked only when the grammar refuses it) picks
//! exactly the tokens of llama.cpp's grammar-first chain, greedy, with and
//! without a repeat penalty, and the cases do reach the refused-choice path.

use inf_wasi_ggml::profile::SamplingConfig;
use inf_wasi_ggml::{LoadOptions, ModelRegistry, NamedTensor, Session, Tensor};
use llama_cpp_2::context::params::LlamaContextParams;
use llama_cpp_2::llama_batch::LlamaBatch;
use llama_cpp_2::model::params::LlamaModelParams;
use llama_cpp_2::model::LlamaModel;
use llama_cpp_2::sampling::LlamaSampler;
use llama_cpp_2::token::LlamaToken;
use serde_json::Value;
use std::num::NonZeroU32;

mod common;

const CONTEXT: u32 = 256;
const MAX_TOKENS: usize = 32;

fn text(name: &str, s: &str) -> NamedTensor {
    NamedTensor::new(name, Tensor::bytes(s.as_bytes().to_vec()))
}

fn status(out: &mut Vec<NamedTensor>) -> Value {
    serde_json::from_slice(&out.pop().expect("a status").tensor.data).unwrap()
}

/// The backend's tokens for `prompt` under `config`, through `Session::compute`.
fn through_backend(config: &SamplingConfig, prompt: &str) -> Vec<i32> {
    let mut registry = ModelRegistry::new();
    registry.register(
        "m",
        common::model_path(),
        LoadOptions { threads: 1, context_size: CONTEXT, ..LoadOptions::default() },
    );
    let mut session = Session::new(registry.get("m").unwrap().clone());
    let config = NamedTensor::new("config", Tensor::bytes(inf_wasi_ggml::profile::encode(config)));
    let started = status(&mut session.compute(vec![text("op", "prompt"), text("text", prompt), config]));
    assert!(started.get("error").is_none(), "{started}");
    let mut tokens = Vec::new();
    while tokens.len() < MAX_TOKENS {
        match common::next(&mut session).token() {
            Some(token) => tokens.push(token),
            None => break,
        }
    }
    tokens
}

/// llama.cpp's chain with the grammar first: its tokens, and how many times the
/// grammar refused the unconstrained favourite.
fn through_chain(config: &SamplingConfig, prompt: &str) -> (Vec<i32>, usize) {
    let backend = inf_wasi_ggml::llama_backend().unwrap();
    let model = LlamaModel::load_from_file(backend, common::model_path(), &LlamaModelParams::default()).unwrap();
    let params =
        LlamaContextParams::default().with_n_ctx(NonZeroU32::new(CONTEXT)).with_n_threads(1).with_n_threads_batch(1);
    let mut ctx = model.new_context(backend, params).unwrap();
    let prompt_tokens = model.vocab().tokenize(prompt.as_bytes(), true, true);
    let mut chain = vec![LlamaSampler::grammar(&model, config.grammar.as_deref().unwrap(), "root").unwrap()];
    if config.repeat_penalty != 1.0 {
        let mut penalties =
            LlamaSampler::penalties(model.n_vocab(), config.repeat_last_n as i32, config.repeat_penalty, 0.0, 0.0);
        penalties.accept_many(&prompt_tokens);
        chain.push(penalties);
    }
    chain.push(LlamaSampler::greedy());
    let mut sampler = LlamaSampler::chain_simple(chain);
    let mut batch = LlamaBatch::new(CONTEXT as usize, 1);
    batch.add_sequence(&prompt_tokens, 0, false).unwrap();
    ctx.decode(&mut batch).unwrap();
    let (mut tokens, mut refused) = (Vec::new(), 0);
    let mut pos = prompt_tokens.len() as i32;
    while tokens.len() < MAX_TOKENS {
        let logits = ctx.get_logits_ith(-1);
        let favourite = (0..logits.len()).fold(0, |best, i| if logits[i] > logits[best] { i } else { best });
        let token = sampler.sample(&ctx, -1);
        if model.vocab().is_eog(token) {
            break;
        }
        refused += usize::from(token.0 as usize != favourite);
        tokens.push(token.0);
        batch.clear();
        batch.add(LlamaToken(token.0), pos, &[0], true).unwrap();
        ctx.decode(&mut batch).unwrap();
        pos += 1;
    }
    (tokens, refused)
}

#[test]
fn grammar_choice_matches_the_grammar_first_chain() {
    let schema = serde_json::json!({"type": "object", "properties": {"name": {"type": "string", "maxLength": 24},
        "age": {"type": "integer"}}, "required": ["name", "age"]});
    let json = inf_wasi_component::json_schema::schema_to_gbnf(&schema).unwrap();
    let cases = [
        ("A person as JSON:", json.clone(), 1.0),
        ("A person as JSON:", json, 1.3),
        ("Is water wet? Answer:", "root ::= \" yes\" | \" no\"".to_string(), 1.0),
    ];
    let mut refused_anywhere = 0;
    for (prompt, grammar, repeat_penalty) in cases {
        let config =
            SamplingConfig { temperature: 0.0, grammar: Some(grammar), repeat_penalty, ..SamplingConfig::default() };
        let (expected, refused) = through_chain(&config, prompt);
        assert_eq!(through_backend(&config, prompt), expected, "{prompt:?}, repeat penalty {repeat_penalty}");
        refused_anywhere += refused;
    }
    assert!(refused_anywhere > 0, "no case made the grammar refuse the model's favourite token");
}
