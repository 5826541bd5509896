fn main() {
    // llama.cpp's shared libraries and ggml's CPU variants sit beside the binary
    // (target/release, where the inf-wasi-ggml build puts them).
    println!("cargo:rustc-link-arg-bins=-Wl,-rpath,$ORIGIN");
}
