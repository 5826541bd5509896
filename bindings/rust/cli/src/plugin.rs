//! `inf-wasi plugin run PLUGIN.wasm INPUT`: one call of a plugin, whose one
//! capability is the models given with --model.

use crate::cli::PluginRunArgs;
use crate::output::Result;
use crate::{from_flags, model_store};
use inf_wasi::Engine;
use std::io::Write;
use std::time::Duration;

pub fn run(args: PluginRunArgs) -> Result {
    let specs = if args.model.is_empty() { vec![model_store::default_name().to_string()] } else { args.model.clone() };
    let mut builder = Engine::builder();
    if let Some(threads) = args.threads {
        builder = builder.threads(threads);
    }
    if let Some(seconds) = args.time_limit {
        if !(seconds.is_finite() && seconds > 0.0 && seconds <= 86_400.0) {
            return Err(format!("--time-limit must be between 0 and 86400 seconds, not {seconds}").into());
        }
        builder = builder.guest_time_limit(Duration::from_secs_f64(seconds));
    }
    let (builder, _) = from_flags::register_models(builder, &specs, None)?;
    let run = builder.build()?.plugin(&args.plugin)?.run(&args.input)?;
    let mut stderr = std::io::stderr().lock();
    stderr.write_all(&run.stdout)?;
    stderr.write_all(&run.stderr)?;
    match run.output {
        Ok(answer) => {
            println!("{answer}");
            Ok(())
        }
        Err(message) => Err(format!("the plugin answered with an error: {message}").into()),
    }
}
