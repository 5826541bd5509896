//! `cargo run --release -p inf-wasi-gguf --example check -- FILE.gguf...`: checks
//! each file as inf-wasi does before loading it, and says how long it took.

fn main() {
    let mut failed = false;
    for path in std::env::args_os().skip(1) {
        let start = std::time::Instant::now();
        let verdict = inf_wasi_gguf::check_file(path.as_ref());
        let ms = start.elapsed().as_secs_f64() * 1e3;
        match verdict {
            Ok(s) => println!("{}: ok in {ms:.1} ms: {s:?}", path.to_string_lossy()),
            Err(e) => {
                failed = true;
                println!("{}: refused in {ms:.1} ms: {e}", path.to_string_lossy());
            }
        }
    }
    std::process::exit(failed as i32);
}
