//! `just bench`: the same model, threads, prompt and generation length, driven
//! (a) natively through llama-cpp-2 in a tight loop (the ceiling), and (b)
//! through the component with the Rust host. Each run is a fresh process (so
//! peak RSS is its own); runs alternate between the rows; the table prints
//! medians, the spread, and ratios to native. Nothing here asserts a target.

mod bare_batched;
mod batched;
mod chart;
mod llama_bench;
mod measure;
mod native;
mod sampling;
mod serving;
mod through_component;

use measure::{Sample, Settings};
use std::process::Command;

const NATIVE_BUILD_ROW: &str = "native, this CPU only";
const LLAMA_BENCH_ROW: &str = "llama-bench (decode only)";

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let settings = Settings::from_env();
    match args.get(1).map(String::as_str) {
        Some("native") => println!("{}", native::run(&settings).to_json()),
        Some("component") => println!("{}", through_component::run(&settings).to_json()),
        Some("llama-bench") => println!("{}", llama_bench::run(&settings).to_json()),
        Some("batched") => batched::print_table(&settings),
        Some("serving") => serving::print_table(&settings),
        Some("bare-batched") => {
            let sequences = args.get(2).and_then(|n| n.parse().ok()).unwrap_or(8);
            let (rate, step) = bare_batched::run(&settings, sequences);
            println!("{sequences} sequences: {rate:.1} tokens/s, {step:.1} ms a step");
        }
        _ => drive(&args[0], &settings),
    }
}

fn drive(exe: &str, settings: &Settings) {
    let sampling = sampling::Sampling::from_env();
    eprintln!(
        "model {}, {} thread(s), prompt ~{} tokens, {} generated tokens, {} runs per row, sampling {:?}",
        settings.model.display(),
        settings.threads,
        settings.prompt_repeats * 10,
        settings.gen_tokens,
        settings.runs,
        sampling
    );
    // Each row is a command that prints one JSON sample; the Python and Node rows
    // run only when the driver is given an interpreter or project that has the package.
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/python_row.py");
    let mut rows: Vec<(String, Vec<String>)> = vec![
        ("native llama.cpp".into(), vec![exe.into(), "native".into()]),
        ("inf-wasi Rust host".into(), vec![exe.into(), "component".into()]),
    ];
    // The same native loop from a build for this CPU alone (GGML_NATIVE, no
    // run-time choice of CPU code): what the portable build must match.
    if let Ok(native_build) = std::env::var("BENCH_NATIVE_BUILD") {
        rows.push((NATIVE_BUILD_ROW.into(), vec![native_build, "native".into()]));
    }
    // llama.cpp's own benchmark, the ceiling every row is held to (ci/llama-bench.sh builds it).
    if std::env::var_os("BENCH_LLAMA_BENCH").is_some() {
        rows.push((LLAMA_BENCH_ROW.into(), vec![exe.into(), "llama-bench".into()]));
    }
    if let Ok(python) = std::env::var("BENCH_PYTHON") {
        rows.push(("inf-wasi Python".into(), vec![python, script.into(), "inf-wasi".into()]));
    }
    // The peers' rows generate greedily only.
    let greedy = sampling == sampling::Sampling::Greedy;
    if let (Ok(python), true) = (std::env::var("BENCH_LLAMA_CPP_PYTHON"), greedy) {
        rows.push(("llama-cpp-python".into(), vec![python, script.into(), "llama-cpp-python".into()]));
    }
    if let Ok(jar) = std::env::var("BENCH_JAVA_JAR") {
        let row = concat!(env!("CARGO_MANIFEST_DIR"), "/JavaRow.java");
        rows.push(("inf-wasi Java".into(), vec!["java".into(), "-cp".into(), jar, row.into()]));
    }
    // The Node rows run node_row.mjs from a project that has the package installed.
    let node_row = |dir: String, which: &str| vec!["node".into(), format!("{dir}/node_row.mjs"), which.into()];
    if let Ok(dir) = std::env::var("BENCH_NODE_APP") {
        rows.push(("inf-wasi Node".into(), node_row(dir, "inf-wasi")));
    }
    if let (Ok(dir), true) = (std::env::var("BENCH_NODE_LLAMA_CPP"), greedy) {
        rows.push(("node-llama-cpp".into(), node_row(dir, "node-llama-cpp")));
    }
    measure_rows(rows, settings, sampling);
}

/// Runs every row `settings.runs` times, alternating, and prints the table, the
/// ratios and the chart.
fn measure_rows(rows: Vec<(String, Vec<String>)>, settings: &Settings, sampling: sampling::Sampling) {
    let load_before = measure::load_average();
    let mut samples: Vec<Vec<Sample>> = vec![Vec::new(); rows.len()];
    for run in 0..settings.runs {
        for (i, (name, command)) in rows.iter().enumerate() {
            let out = Command::new(&command[0])
                .args(&command[1..])
                .env("INF_WASI_MODEL", &settings.model)
                .env("BENCH_PROMPT", settings.prompt())
                .env("BENCH_CONTEXT", settings.context.to_string())
                .envs(sampling.child_env())
                .env("INF_WASI_DECODE_CLOCK", "1")
                .output()
                .expect("run a benchmark child");
            if !out.status.success() {
                eprintln!("{name} run failed: {}", String::from_utf8_lossy(&out.stderr));
                std::process::exit(1);
            }
            let stdout = String::from_utf8_lossy(&out.stdout);
            let mut sample = Sample::from_json(stdout.lines().last().unwrap_or("").trim());
            sample.read_decode_clock(&String::from_utf8_lossy(&out.stderr));
            if sample.derive_prompt_speed() && run == 0 {
                eprintln!("{name}: prompt tok/s derived from the time to first token");
            }
            eprintln!("run {} {name}: {}", run + 1, sample.to_json());
            samples[i].push(sample);
        }
    }
    let load_after = measure::load_average();
    println!("load average before: {load_before}, after: {load_after} (2 cores; the machine should be otherwise idle)");
    let table: Vec<(&str, Vec<Sample>)> = rows.iter().map(|(n, _)| n.as_str()).zip(samples).collect();
    measure::print_table(&table);
    let ceiling = table.iter().position(|(name, _)| *name == LLAMA_BENCH_ROW);
    if let Some(ceiling) = ceiling {
        measure::print_ratios_to(&table, ceiling);
    }
    // The chart beside the table (BENCH_CHART names the file; the README shows one).
    let chart = std::env::var("BENCH_CHART").unwrap_or_else(|_| "target/bench.svg".into());
    let caption = format!(
        "{}, {} thread(s), {} prompt tokens, {} generated, {:?} sampling, medians of {} runs; dashed: llama-bench",
        settings.model.file_name().map(|n| n.to_string_lossy()).unwrap_or_default(),
        settings.threads,
        table[0].1[0].prompt_tokens,
        settings.gen_tokens,
        sampling,
        settings.runs
    );
    match std::fs::write(&chart, chart::svg(&table, ceiling, &caption)) {
        Ok(()) => println!("chart: {chart}"),
        Err(e) => eprintln!("could not write the chart {chart}: {e}"),
    }
    if let Some((_, built)) = table.iter().find(|(name, _)| *name == NATIVE_BUILD_ROW) {
        let portable = &table[0].1;
        let ratio = |get: fn(&Sample) -> f64| {
            let med = |s: &[Sample]| measure::median(&mut s.iter().map(get).collect::<Vec<_>>());
            med(portable) / med(built)
        };
        println!(
            "portable build vs a build for this CPU only: prompt {:.3}x, gen {:.3}x",
            ratio(|s| s.pp),
            ratio(|s| s.tg)
        );
    }
}
