//! Serving, measured end to end over HTTP: `inf-wasi serve` (exact and fast
//! batching) and llama.cpp's `llama-server` (built by `ci/llama-bench.sh
//! llama-server`, given the CPU variant inf-wasi chose), the same model,
//! threads, slots, prompt length and output length. 1, 4 and 8 clients each
//! stream one `/v1/completions` request at the same moment; the table gives
//! the aggregate generated tokens/s, the median and 95th-percentile time to
//! first token, the scaling from one client, and each server's peak RSS.

use crate::measure::{median, peak_rss_mib_of, Settings};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

/// Slots of every server: as many as the most clients.
const SLOTS: usize = 8;
const CLIENTS: [usize; 3] = [1, 4, 8];

struct Server {
    child: Child,
    url: String,
    /// The model name requests carry.
    model: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port").port()
}

/// Waits until `GET /health` answers 200 (llama-server answers 503 while loading).
fn wait_healthy(server: &mut Server) {
    let deadline = Instant::now() + Duration::from_secs(120);
    while ureq::get(&format!("{}/health", server.url)).call().is_err() {
        if let Ok(Some(status)) = server.child.try_wait() {
            panic!("the server at {} exited: {status}", server.url);
        }
        assert!(Instant::now() < deadline, "the server at {} never became healthy", server.url);
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn inf_wasi_serve(s: &Settings, fast: bool) -> Server {
    let exe = std::env::current_exe().expect("the bench's path").with_file_name("inf-wasi");
    let port = free_port();
    let mut command = Command::new(exe);
    command.args(["serve", "--port", &port.to_string(), "--threads", &s.threads.to_string()]);
    command.args(["--parallel", &SLOTS.to_string(), "--ctx-size", "512", "--queue", "0"]);
    command.arg("--model").arg(&s.model);
    command.args(["--batching", if fast { "fast" } else { "exact" }]);
    let child = command.stdout(Stdio::null()).stderr(Stdio::null()).spawn().expect("start inf-wasi serve");
    let model = s.model.file_stem().expect("a model file").to_string_lossy().into_owned();
    let mut server = Server { child, url: format!("http://127.0.0.1:{port}"), model };
    wait_healthy(&mut server);
    server
}

fn llama_server(s: &Settings, binary: &PathBuf) -> Server {
    crate::llama_bench::place_variant(binary.parent().expect("llama-server lies in a folder"));
    let port = free_port();
    let threads = s.threads.to_string();
    // The same context per slot as inf-wasi's (512), split from one context of
    // SLOTS x 512; a unified KV cache off, as llama.h advises for independent prompts.
    let context = (SLOTS * 512).to_string();
    let child = Command::new(binary)
        .args(["--port", &port.to_string(), "-t", &threads, "-tb", &threads, "-np", &SLOTS.to_string()])
        .args(["-c", &context, "--no-kv-unified", "--no-webui", "-m"])
        .arg(&s.model)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start llama-server");
    let mut server = Server { child, url: format!("http://127.0.0.1:{port}"), model: "model".into() };
    wait_healthy(&mut server);
    server
}

/// One streamed completion: tokens generated and the time to the first one (ms).
fn one_request(server_url: &str, model: &str, prompt: &str, max_tokens: u32) -> (u64, f64) {
    let body = json!({
        "model": model, "prompt": prompt, "max_tokens": max_tokens, "temperature": 0,
        "stream": true, "stream_options": { "include_usage": true },
    });
    let begun = Instant::now();
    let response = ureq::post(&format!("{server_url}/v1/completions"))
        .set("Content-Type", "application/json")
        .send_string(&body.to_string())
        .expect("a streamed completion");
    let (mut first, mut pieces, mut reported) = (None, 0u64, None);
    for line in BufReader::new(response.into_reader()).lines() {
        let line = line.expect("a line of the stream");
        let Some(data) = line.strip_prefix("data: ") else { continue };
        if data == "[DONE]" {
            break;
        }
        let chunk: Value = serde_json::from_str(data).expect("a JSON chunk");
        if chunk["choices"][0]["text"].as_str().is_some_and(|t| !t.is_empty()) {
            first.get_or_insert_with(|| begun.elapsed());
            pieces += 1;
        }
        // The usage, where the server sends it; llama-server also has its own timings.
        reported = reported
            .or_else(|| chunk["usage"]["completion_tokens"].as_u64())
            .or_else(|| chunk["timings"]["predicted_n"].as_u64());
    }
    (reported.unwrap_or(pieces), first.unwrap_or_else(|| begun.elapsed()).as_secs_f64() * 1e3)
}

/// `clients` requests sent at the same moment: aggregate tokens/s and each time to first token.
fn round(server: &Server, s: &Settings, clients: usize) -> (f64, Vec<f64>) {
    // Every prompt of a run differs from every other from its first token, as
    // independent users' do: no server finds any of it in a cache.
    static ROUND: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let round = ROUND.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let start = Arc::new(Barrier::new(clients + 1));
    let threads: Vec<_> = (0..clients)
        .map(|i| {
            let (url, model, start) = (server.url.clone(), server.model.clone(), start.clone());
            let prompt = format!("Reader {i} of round {round} asks: {}", s.prompt());
            let max_tokens = s.gen_tokens;
            std::thread::spawn(move || {
                start.wait();
                one_request(&url, &model, &prompt, max_tokens)
            })
        })
        .collect();
    start.wait();
    let begun = Instant::now();
    let results: Vec<(u64, f64)> = threads.into_iter().map(|t| t.join().expect("a client thread")).collect();
    let wall = begun.elapsed().as_secs_f64();
    let tokens: u64 = results.iter().map(|(n, _)| n).sum();
    (tokens as f64 / wall, results.iter().map(|(_, ttft)| *ttft).collect())
}

/// The nearest-rank 95th percentile.
fn p95(values: &[f64]) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    v[((v.len() as f64 * 0.95).ceil() as usize).clamp(1, v.len()) - 1]
}

/// Starts one kind of server.
type Starter<'a> = Box<dyn Fn() -> Server + 'a>;

pub fn print_table(s: &Settings) {
    let mut servers: Vec<(&str, Starter)> = vec![
        ("inf-wasi exact", Box::new(|| inf_wasi_serve(s, false))),
        ("inf-wasi fast", Box::new(|| inf_wasi_serve(s, true))),
    ];
    match std::env::var_os("BENCH_LLAMA_SERVER").map(PathBuf::from) {
        Some(binary) => servers.push(("llama-server", Box::new(move || llama_server(s, &binary)))),
        None => {
            eprintln!("BENCH_LLAMA_SERVER is not set: no llama-server rows (ci/llama-bench.sh llama-server builds it)")
        }
    }
    println!(
        "serving over HTTP ({} thread(s), {SLOTS} slots, prompt ~{} tokens, {} tokens per request, best of 2 rounds):",
        s.threads,
        s.prompt_repeats * 10,
        s.gen_tokens
    );
    println!(
        "{:<15} {:>7} {:>14} {:>12} {:>12} {:>8} {:>13}",
        "server", "clients", "aggregate t/s", "TTFT med ms", "TTFT p95 ms", "vs 1", "peak RSS MiB"
    );
    for (name, start) in &servers {
        let server = start();
        // One request first: the first decode of a process pays for warming up.
        one_request(&server.url, &server.model, "Hello", 4);
        let mut one = f64::NAN;
        for clients in CLIENTS {
            let rounds = [round(&server, s, clients), round(&server, s, clients)];
            let (rate, mut ttft) = rounds.into_iter().max_by(|a, b| a.0.total_cmp(&b.0)).expect("two rounds");
            if clients == 1 {
                one = rate;
            }
            let slow = p95(&ttft);
            println!(
                "{name:<15} {clients:>7} {rate:>14.1} {:>12.0} {slow:>12.0} {:>7.2}x {:>13.0}",
                median(&mut ttft),
                rate / one,
                peak_rss_mib_of(server.child.id())
            );
        }
    }
}
