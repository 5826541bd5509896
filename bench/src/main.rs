//! `just bench`: the same model, threads, prompt and generation length, driven
//! (a) natively through llama-cpp-2 in a tight loop (the ceiling), and (b)
//! through the component with the Rust host. Each run is a fresh process (so
//! peak RSS is its own); runs alternate between the rows; the table prints
//! medians, the spread, and ratios to native. Nothing here asserts a target.

mod measure;
mod native;
mod through_component;

use measure::{Sample, Settings};
use std::process::Command;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let settings = Settings::from_env();
    match args.get(1).map(String::as_str) {
        Some("native") => println!("{}", native::run(&settings).to_json()),
        Some("component") => println!("{}", through_component::run(&settings).to_json()),
        _ => drive(&args[0], &settings),
    }
}

fn drive(exe: &str, settings: &Settings) {
    eprintln!(
        "model {}, {} thread(s), prompt ~{} tokens, {} generated tokens, {} runs per row",
        settings.model.display(),
        settings.threads,
        settings.prompt_repeats * 10,
        settings.gen_tokens,
        settings.runs
    );
    let load_before = measure::load_average();
    let mut rows: Vec<(&str, Vec<Sample>)> = vec![("native llama.cpp", vec![]), ("inf-wasi (Rust host)", vec![])];
    for run in 0..settings.runs {
        for (i, mode) in ["native", "component"].into_iter().enumerate() {
            let out = Command::new(exe).arg(mode).output().expect("run a benchmark child");
            if !out.status.success() {
                eprintln!("{mode} run failed: {}", String::from_utf8_lossy(&out.stderr));
                std::process::exit(1);
            }
            let sample = Sample::from_json(String::from_utf8_lossy(&out.stdout).trim());
            eprintln!("run {} {mode}: {}", run + 1, sample.to_json());
            rows[i].1.push(sample);
        }
    }
    let load_after = measure::load_average();
    println!("load average before: {load_before}, after: {load_after} (2 cores; the machine should be otherwise idle)");
    measure::print_table(&rows);
}
