use inf_wasi::Engine;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // A model, and a plugin: a component of inf-wasi's `plugin` world (examples/plugins/).
    let (model, plugin) = (std::env::var("INF_WASI_MODEL")?, std::env::var("INF_WASI_PLUGIN")?);
    let engine = Engine::builder().model("gemma", model).build()?;
    let plugin = engine.plugin(plugin)?;
    let run = plugin.run(r#"{"model": "gemma", "text": "Water boils at"}"#)?;
    match run.output {
        Ok(answer) => println!("{answer}"),
        Err(message) => eprintln!("the plugin failed: {message}"),
    }
    Ok(())
}
