fn main() {
    // llama.cpp's shared libraries and ggml's CPU variants travel beside the JNI library.
    println!("cargo:rustc-link-arg-cdylib=-Wl,-rpath,$ORIGIN");
}
