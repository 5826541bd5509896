use inf_wasi::schemars::JsonSchema;
use inf_wasi::{Engine, GenerateOptions};
use serde::Deserialize;

/// What the answer must be: its JSON schema constrains generation.
#[derive(Deserialize, JsonSchema)]
struct City {
    #[schemars(length(max = 30))]
    name: String,
    #[schemars(length(max = 30))]
    country: String,
    #[schemars(range(min = 0, max = 50_000_000))]
    population: u32,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let engine = Engine::builder().model("gemma", std::env::var("INF_WASI_MODEL")?).build()?;
    let mut session = engine.session("gemma")?;
    let options = GenerateOptions::greedy().max_tokens(96);
    let city: City = session.complete_as("The largest city in France, as JSON:", &options)?;
    println!("{}, {}: {} people", city.name, city.country, city.population);
    Ok(())
}
