//! Images in Rust: what only this binding has (reading image files, the README
//! example). The shared image cases are in tests/conformance, with the default
//! model and a tiny random-weight projector (tests/fixtures/tiny-mmproj.py).

mod support;

use inf_wasi::{ContentPart, Error};
use std::path::PathBuf;
use support::image;

#[test]
fn an_image_file_that_cannot_be_read_is_invalid_input() {
    let missing = ContentPart::image_file("/nonexistent/picture.png").expect_err("no file");
    assert!(matches!(missing, Error::InvalidInput(_)), "{missing:?}");
}

/// The README's Rust image example, compiled in here to run it.
mod readme_example {
    include!("../examples/vision.rs");

    pub fn run() -> Result<(), Box<dyn std::error::Error>> {
        main()
    }
}

#[test]
fn the_readme_image_example_is_verbatim_and_runs() {
    let readme = std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../README.md")).unwrap();
    let example = include_str!("../examples/vision.rs");
    assert!(readme.contains(&format!("```rust,no_run\n{example}```")), "README lacks examples/vision.rs verbatim");
    let _serial = support::serial();
    let dir = support::scratch_dir("example");
    let picture = dir.join("picture.png");
    std::fs::write(&picture, image("gradient.png")).unwrap();
    std::env::set_var("INF_WASI_MODEL", support::model_path());
    std::env::set_var("INF_WASI_PROJECTOR", support::tiny_projector());
    std::env::set_var("INF_WASI_IMAGE", &picture);
    readme_example::run().unwrap();
}
