//! Typed structured output: a `schemars` type in, a value of it out, with the
//! instruct test model on several seeds; the README's example runs.

mod support;

use inf_wasi::schemars::JsonSchema;
use inf_wasi::{Engine, Error, GenerateOptions, Message};
use serde::Deserialize;
use std::path::PathBuf;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
enum Colour {
    Red,
    Green,
    Blue,
}

#[derive(Debug, Deserialize, JsonSchema)]
struct Address {
    #[schemars(length(max = 40))]
    street: String,
    #[schemars(regex(pattern = r"^\d{5}$"))]
    zip: String,
}

#[derive(Debug, Deserialize, JsonSchema)]
struct Person {
    #[schemars(length(min = 1, max = 30))]
    name: String,
    #[schemars(range(min = 0, max = 120))]
    age: u8,
    favourite: Colour,
    home: Address,
    #[schemars(length(max = 2))]
    previous: Vec<Address>,
    #[allow(dead_code)] // optional: generated or not, it must deserialise
    nickname: Option<String>,
}

fn chat_engine() -> Engine {
    let path = inf_wasi::cached_model_path("smollm2-135m-instruct-q4_1");
    Engine::builder().model("chat", path).threads(1).context_size(2048).build().unwrap()
}

#[test]
fn a_schemars_type_comes_back_as_a_value() {
    let _serial = support::serial();
    let engine = chat_engine();
    for seed in [1, 2, 3] {
        let question = [Message::user("Describe a made-up person as JSON.")];
        let options = GenerateOptions::default().seed(seed).max_tokens(400);
        let person: Person = engine.session("chat").unwrap().chat_as(&question, &options).unwrap();
        assert!(person.age <= 120 && person.home.zip.len() == 5 && person.previous.len() <= 2, "{person:?}");
        assert!(matches!(person.favourite, Colour::Red | Colour::Green | Colour::Blue));
        assert!(!person.name.is_empty() && person.home.street.len() <= 40, "{person:?}");
    }
    let cut =
        engine.session("chat").unwrap().complete_as::<Person>("A person:", &GenerateOptions::greedy().max_tokens(3));
    assert!(matches!(&cut, Err(Error::InvalidInput(m)) if m.contains("raise max_tokens")), "{cut:?}");
}

/// The README's typed example, compiled in here to run it.
mod readme_example {
    include!("../examples/typed.rs");

    pub fn run() -> Result<(), Box<dyn std::error::Error>> {
        main()
    }
}

#[test]
fn the_readme_typed_example_is_verbatim_and_runs() {
    let readme = std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../README.md")).unwrap();
    let example = include_str!("../examples/typed.rs");
    assert!(readme.contains(&format!("```rust,no_run\n{example}```")), "README lacks examples/typed.rs verbatim");
    let _serial = support::serial();
    std::env::set_var("INF_WASI_MODEL", support::model_path());
    readme_example::run().unwrap();
}
