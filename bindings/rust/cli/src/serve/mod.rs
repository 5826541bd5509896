//! `inf-wasi serve`: an OpenAI-compatible HTTP server. Every request's
//! generation runs through the component, like every other path; sessions of
//! a model share one llama.cpp context, so concurrent requests are decoded
//! together (continuous batching in the backend).

mod app;
mod error;
mod metrics;
mod pool;
mod request;
mod respond;
mod worker;

use crate::cli::{BatchingArg, ServeArgs};
use crate::output::{note, Result};
use crate::{from_flags, model_store};
use app::App;
use inf_wasi::{Batching, Engine};
use metrics::Metrics;
use pool::Pool;
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

pub fn serve(args: ServeArgs) -> Result {
    let specs = if args.model.is_empty() { vec![model_store::default_name().to_string()] } else { args.model.clone() };
    if args.parallel == 0 || args.parallel > 256 {
        return Err(format!("--parallel must be between 1 and 256, not {}", args.parallel).into());
    }
    let batching = match args.batching {
        BatchingArg::Exact => Batching::Exact,
        BatchingArg::Fast => Batching::Fast,
    };
    let mut builder = Engine::builder().parallel(args.parallel).batching(batching);
    if let Some(threads) = args.threads {
        builder = builder.threads(threads);
    }
    if let Some(size) = args.ctx_size {
        builder = builder.context_size(size);
    }
    let (builder, names) = from_flags::register_models(builder, &specs, args.mmproj.as_deref())?;
    let engine = builder.build()?;
    // Loading now, not at the first request: a bad model fails here, at start.
    for name in &names {
        engine.model_info(name)?;
    }
    let metrics = Arc::new(Metrics::default());
    let parallel = args.parallel as usize;
    let pools = names
        .iter()
        .map(|name| Arc::new(Pool::new(engine.clone(), name.clone(), parallel, args.queue, metrics.clone())))
        .collect();
    let app = Arc::new(App { pools, api_key: args.api_key.clone(), metrics, stopping: AtomicBool::new(false) });
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    let grace = Duration::from_secs_f64(args.shutdown_grace);
    runtime.block_on(listen(app, &args, grace))?;
    // Generations still running were cancelled; their threads end promptly.
    runtime.shutdown_timeout(grace + Duration::from_secs(5));
    note("inf-wasi serve: stopped");
    Ok(())
}

async fn listen(app: Arc<App>, args: &ServeArgs, grace: Duration) -> Result {
    let listener = tokio::net::TcpListener::bind((args.host.as_str(), args.port))
        .await
        .map_err(|e| format!("cannot listen on {}:{}: {e}", args.host, args.port))?;
    let address = listener.local_addr()?;
    // The one line on stdout: scripts and tests read the port from it.
    println!("inf-wasi serve: listening on http://{address}");
    std::io::stdout().flush()?;
    if !address.ip().is_loopback() {
        note("inf-wasi serve: reachable from other machines; anyone who can connect can use the model (set --api-key)");
    }
    let router = app::router(app.clone(), args.max_body_bytes);
    axum::serve(listener, router).with_graceful_shutdown(stop_signal(app, grace)).await?;
    Ok(())
}

/// Resolves on SIGTERM or Ctrl-C: new requests are refused from then on, and
/// generations still running after `grace` are cancelled.
async fn stop_signal(app: Arc<App>, grace: Duration) {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    let terminated = async {
        match term.as_mut() {
            Some(term) => {
                term.recv().await;
            }
            None => std::future::pending().await,
        }
    };
    tokio::select! {
        _ = terminated => {}
        _ = tokio::signal::ctrl_c() => {}
    }
    note("inf-wasi serve: stopping (finishing running requests)");
    app.stopping.store(true, Ordering::SeqCst);
    tokio::spawn(async move {
        tokio::time::sleep(grace).await;
        for pool in &app.pools {
            pool.cancel_all();
        }
    });
}
