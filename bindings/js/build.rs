fn main() {
    // On Linux: `-Wl,-z,nodelete`, so the library stays mapped after a worker's
    // environment is torn down (the process-wide model registry lives in it).
    napi_build::setup();
    // llama.cpp's shared libraries and ggml's CPU variants travel beside the addon.
    println!("cargo:rustc-link-arg-cdylib=-Wl,-rpath,$ORIGIN");
}
