//! `inf-wasi embed "text"`: the embedding as a JSON array on stdout.

use crate::cli::EmbedArgs;
use crate::from_flags;
use crate::output::Result;

pub fn embed(args: EmbedArgs) -> Result {
    let (engine, model) = from_flags::engine(&args.model, true)?;
    let vectors = engine.embed(&model, &[args.text.as_str()])?;
    println!("{}", serde_json::to_string(&vectors[0])?);
    Ok(())
}
