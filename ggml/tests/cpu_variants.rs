//! The portable build's CPU variants agree: the same model and prompts, greedy,
//! on the variant chosen for this CPU, on the baseline `x64` variant (what a CPU
//! without AVX gets), on `haswell` (AVX2, no AVX-512) and with AMX kept out
//! (`INF_WASI_AMX=0`), each in a process of its own (a process loads one variant).
//!
//! Kernels of different instruction sets round differently, so a greedy choice
//! may flip where two tokens score almost the same. The test demands that at
//! every step both runs reached by the same tokens the logits agree within
//! `MAX_ROUNDING`, and that where the choice flips, the top two logits were
//! closer than the two runs' own difference there (or within 1e-3): a flip the
//! rounding explains. It names the prompt and position of each flip.
#![cfg(feature = "portable")]

mod common;

use llama_cpp_2::context::params::LlamaContextParams;
use llama_cpp_2::llama_batch::LlamaBatch;
use llama_cpp_2::model::params::LlamaModelParams;
use llama_cpp_2::model::LlamaModel;
use llama_cpp_2::token::LlamaToken;
use std::num::NonZeroU32;
use std::process::Command;

const CHILD: &str = "INF_WASI_TEST_VARIANT_CHILD";
const PROMPTS: [&str; 3] = ["The capital of France is", "def fibonacci(n):", "Ein kurzer Satz auf Deutsch:"];
const TOKENS: usize = 12;
const NEAR_TIE: f32 = 1e-3;
/// The most two variants' logits may differ by at a step both reached by the same
/// tokens. Measured on Gemma 3 270M Q4_K_M: up to 0.88 between `zen4` (AVX-512)
/// and `x64` or `haswell` (AVX2), whose matrix kernels (repacked or not, other
/// accumulation orders) round differently layer after layer; a wrong kernel is
/// off by whole units.
const MAX_ROUNDING: f32 = 1.5;

/// The best tokens and their logits at each step, best first.
const TOP: usize = 8;

/// One greedy run: per prompt, per generated token, the `TOP` best (token, logit) pairs.
#[derive(Debug)]
struct Run {
    variant: String,
    steps: Vec<Vec<Vec<(i32, f32)>>>,
}

/// The child's half: runs only when the parent starts this test binary with `CHILD` set.
#[test]
fn child_greedy_with_gaps() {
    if std::env::var_os(CHILD).is_none() {
        return;
    }
    let backend = inf_wasi_ggml::llama_backend().unwrap();
    let variant = inf_wasi_ggml::cpu_variant().unwrap().expect("a portable build").name.clone();
    let model = LlamaModel::load_from_file(backend, common::model_path(), &LlamaModelParams::default()).unwrap();
    let mut lines = vec![format!("variant {variant}")];
    for prompt in PROMPTS {
        let params =
            LlamaContextParams::default().with_n_ctx(NonZeroU32::new(512)).with_n_threads(1).with_n_threads_batch(1);
        let mut ctx = model.new_context(backend, params).unwrap();
        let prompt_tokens = model.vocab().tokenize(prompt.as_bytes(), true, true);
        let mut batch = LlamaBatch::new(512, 1);
        batch.add_sequence(&prompt_tokens, 0, false).unwrap();
        ctx.decode(&mut batch).unwrap();
        let mut steps = Vec::new();
        for pos in (prompt_tokens.len()..prompt_tokens.len() + TOKENS).map(|p| p as i32) {
            let mut ranked: Vec<(usize, f32)> =
                ctx.get_logits_ith(batch.n_tokens() - 1).iter().copied().enumerate().collect();
            ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
            let best = ranked[0].0 as i32;
            steps.push(ranked[..TOP].iter().map(|(t, l)| format!("{t}:{l}")).collect::<Vec<_>>().join(","));
            batch.clear();
            batch.add(LlamaToken(best), pos, &[0], true).unwrap();
            ctx.decode(&mut batch).unwrap();
        }
        lines.push(steps.join(";"));
    }
    println!("RESULT {}", lines.join(" | "));
}

fn run(env: &[(&str, &str)]) -> Run {
    let output = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "child_greedy_with_gaps", "--nocapture", "--test-threads=1"])
        .env(CHILD, "1")
        .envs(env.iter().copied())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let line = stdout
        .lines()
        .find_map(|l| l.split_once("RESULT ").map(|(_, result)| result))
        .unwrap_or_else(|| panic!("{env:?}: no result\n{stdout}\n{}", String::from_utf8_lossy(&output.stderr)));
    let mut fields = line.split(" | ");
    let variant = fields.next().unwrap().strip_prefix("variant ").unwrap().to_string();
    let pair = |p: &str| {
        let (t, l) = p.split_once(':').unwrap();
        (t.parse().unwrap(), l.parse().unwrap())
    };
    let steps =
        fields.map(|prompt| prompt.split(';').map(|step| step.split(',').map(pair).collect()).collect()).collect();
    Run { variant, steps }
}

/// The largest difference between two runs' logits for the tokens both rank in their top `TOP`.
fn deviation(a: &[(i32, f32)], b: &[(i32, f32)]) -> f32 {
    a.iter().filter_map(|(t, la)| b.iter().find(|(u, _)| u == t).map(|(_, lb)| (la - lb).abs())).fold(0.0, f32::max)
}

/// Over the steps where both runs saw the same tokens: the kernels' rounding
/// stays small, and a greedy choice flips only where the top two logits are
/// closer than that rounding (or than `NEAR_TIE`). Returns a report line.
fn agree(reference: &Run, other: &Run) -> String {
    let mut report = Vec::new();
    for (i, prompt) in PROMPTS.iter().enumerate() {
        let (a, b) = (&reference.steps[i], &other.steps[i]);
        let mut worst = 0.0f32;
        for (k, (sa, sb)) in a.iter().zip(b).enumerate() {
            let rounding = deviation(sa, sb);
            worst = worst.max(rounding);
            assert!(
                rounding < MAX_ROUNDING,
                "{} and {} compute different logits on {prompt:?} at generated token {k}: {rounding} apart",
                reference.variant,
                other.variant
            );
            if sa[0].0 != sb[0].0 {
                let gap = (sa[0].1 - sa[1].1).min(sb[0].1 - sb[1].1);
                assert!(
                    gap < NEAR_TIE.max(rounding),
                    "{} and {} choose differently on {prompt:?} at generated token {k} ({} vs {}): the top two logits are {gap} apart, more than the kernels' rounding there ({rounding})",
                    reference.variant,
                    other.variant,
                    sa[0].0,
                    sb[0].0
                );
                report.push(format!("{prompt:?} flips at token {k} (top two {gap:.4} apart, rounding {rounding:.4})"));
                break;
            }
        }
        report.push(format!("{prompt:?} max logit difference {worst:.4}"));
    }
    report.join("; ")
}

#[test]
fn variants_agree_on_greedy_tokens() {
    let chosen = run(&[]);
    eprintln!("chosen for this CPU: {}", chosen.variant);
    let mut others = vec![run(&[("INF_WASI_CPU_VARIANT", "x64")]), run(&[("INF_WASI_AMX", "0")])];
    // AVX2 without AVX-512, where this CPU has AVX2 (the variant scores 0 otherwise).
    if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
        others.push(run(&[("INF_WASI_CPU_VARIANT", "haswell")]));
    }
    assert_eq!(others[0].variant, "x64");
    for other in &others {
        eprintln!("{} vs {}: {}", chosen.variant, other.variant, agree(&chosen, other));
    }
    match inf_wasi_ggml::amx_tiles_work() {
        Ok(()) => assert_eq!(chosen.variant, "sapphirerapids", "AMX works here, so its variant is the best fit"),
        Err(reason) => {
            assert_ne!(chosen.variant, "sapphirerapids");
            eprintln!("AMX not compared: {reason}");
        }
    }
}

/// The child's error output when `INF_WASI_CPU_VARIANT` names `variant`.
fn forced_failure(variant: &str) -> String {
    let output = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "child_greedy_with_gaps", "--nocapture", "--test-threads=1"])
        .env(CHILD, "1")
        .env("INF_WASI_CPU_VARIANT", variant)
        .output()
        .unwrap();
    assert!(!output.status.success(), "{variant} loaded");
    format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
}

#[test]
fn a_forced_variant_this_cpu_cannot_run_is_a_clear_error() {
    if std::env::var_os(CHILD).is_some() {
        return;
    }
    let all = forced_failure("no-such-cpu");
    assert!(all.contains("the CPU variant no-such-cpu (INF_WASI_CPU_VARIANT) is not in"), "{all}");
    // Without working tiles, the AMX variant is refused with the probe's reason, never loaded.
    if let Err(reason) = inf_wasi_ggml::amx_tiles_work() {
        let all = forced_failure("sapphirerapids");
        assert!(all.contains("needs AMX, which cannot be used here") && all.contains(&reason), "{all}");
    }
}
