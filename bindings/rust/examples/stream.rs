//! Streams an answer from the default model through the component:
//! `cargo run --release -p inf-wasi --example stream -- "Why is the sky blue?"`

use inf_wasi::{Engine, GenerateOptions, Message};
use std::io::Write;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let prompt = std::env::args().nth(1).unwrap_or_else(|| "Why is the sky blue?".into());
    let path = inf_wasi::default_model_path();
    if !path.exists() {
        return Err(format!("no model at {}; fetch it with `python3 ci/fetch_model.py`", path.display()).into());
    }
    let engine = Engine::builder().model("gemma", path).build()?;
    let mut session = engine.session("gemma")?;
    let mut stream = session.chat_stream(&[Message::user(prompt)], &GenerateOptions::default().max_tokens(200))?;
    for piece in &mut stream {
        print!("{}", piece?);
        std::io::stdout().flush()?;
    }
    println!();
    Ok(())
}
