//! Images through the ggml profile: the default Gemma 3 model with a tiny
//! random-weight projector (tests/fixtures/tiny-mmproj.py; 4 embeddings per image,
//! and MobileVLM's tiny-ldp-mmproj.py; 144) runs end to end through llama.cpp's
//! multimodal library. What is deterministic is
//! checked: token counts, that generation runs, and that identical inputs give
//! identical greedy output. Bad images are `invalid-input` errors.

use inf_wasi_ggml::{packed, ErrorCode, LoadOptions, ModelRegistry, NamedTensor, Tensor};
use std::path::PathBuf;

mod common;
use common::media::{call, fixture, generate, info, placed, request, session, text, text_tokens_around_marker, MARKER};
use common::{greedy, model_path, serial};

/// The tiny projector, written once per test process.
fn projector() -> PathBuf {
    fixture("tiny-mmproj.py", &[], "tiny-mmproj.gguf")
}

fn image(index: usize, bytes: Vec<u8>) -> NamedTensor {
    NamedTensor::new(format!("image.{index}"), Tensor::bytes(bytes))
}

/// The shared test images (tests/fixtures/test-images.py), by file name.
fn image_file(name: &str) -> Vec<u8> {
    std::fs::read(fixture("test-images.py", &[], "images").join(name)).unwrap()
}

const PROMPT: &str = "<start_of_turn>user\n<__media__>\nWhat is in this picture?<end_of_turn>\n<start_of_turn>model\n";

#[test]
fn an_image_prompt_runs_end_to_end_and_repeats_exactly() {
    let _serial = serial();
    let mut s = session(Some(projector()));
    let meta = info(&mut s);
    assert_eq!((&meta["vision"], &meta["audio"]), (&true.into(), &false.into()));
    assert_eq!(meta["media_marker"], MARKER);

    let text_tokens = text_tokens_around_marker(&mut s, PROMPT);
    let (status, first) = generate(&mut s, PROMPT, vec![image(0, image_file("gradient.png"))], 8);
    // The text, <start_of_image> and <end_of_image> around the image, and its 4 embeddings.
    assert_eq!(status["prompt_tokens"].as_u64().unwrap() as usize, text_tokens + 2 + 4, "{status}");
    assert!(!first.is_empty());
    // Any size is resized to the projector's 32×32: the same count for a large image.
    let (again, second) = generate(&mut s, PROMPT, vec![image(0, image_file("gradient.png"))], 8);
    assert_eq!(again["prompt_tokens"], status["prompt_tokens"]);
    assert_eq!(first, second, "identical inputs give identical greedy output");
    let (large, _) = generate(&mut s, PROMPT, vec![image(0, image_file("large.png"))], 2);
    assert_eq!(large["prompt_tokens"], status["prompt_tokens"]);
    let (jpeg, _) = generate(&mut s, PROMPT, vec![image(0, image_file("gradient.jpg"))], 2);
    assert_eq!(jpeg["prompt_tokens"], status["prompt_tokens"], "a JPEG decodes to the same 4 tokens");
    // A text prompt afterwards works as before.
    let (plain, tokens) = generate(&mut s, "Water boils at", vec![], 4);
    assert!(plain["prompt_tokens"].as_u64().unwrap() >= 4 && !tokens.is_empty());
}

/// MobileVLM's projector (`ldp`: a CLIP tower, then depthwise-separable
/// blocks; tests/fixtures/tiny-ldp-mmproj.py): 144 embeddings per image, with
/// no text around them.
#[test]
fn a_mobilevlm_projector_reads_an_image_too() {
    let _serial = serial();
    let mut s = session(Some(fixture("tiny-ldp-mmproj.py", &[], "tiny-ldp-mmproj.gguf")));
    assert_eq!(info(&mut s)["vision"], true);
    let text_tokens = text_tokens_around_marker(&mut s, PROMPT);
    let (status, first) = generate(&mut s, PROMPT, vec![image(0, image_file("gradient.png"))], 6);
    assert_eq!(status["prompt_tokens"].as_u64().unwrap() as usize, text_tokens + 144, "{status}");
    let (_, second) = generate(&mut s, PROMPT, vec![image(0, image_file("large.png"))], 6);
    let (_, again) = generate(&mut s, PROMPT, vec![image(0, image_file("gradient.png"))], 6);
    assert!(!first.is_empty() && !second.is_empty());
    assert_eq!(first, again, "identical inputs give identical greedy output");
}

#[test]
fn bad_images_are_invalid_input_and_text_models_refuse_images() {
    let _serial = serial();
    let mut s = session(Some(projector()));
    let good = image_file("gradient.png");
    let cases = [
        ("truncated PNG", "truncated.png"),
        ("a text file named .jpg", "not-an-image.jpg"),
        ("0x0 image", "zero.png"),
        ("20000x20000 header", "huge-header.png"),
    ];
    for (what, file) in cases {
        let bytes = image_file(file);
        let [prompt, config] = placed(PROMPT);
        let (status, _) = call(&mut s, vec![text("op", "prompt"), prompt, config, image(0, bytes)]);
        assert_eq!(status["error"]["code"], "invalid-input", "{what}: {status}");
    }
    let [prompt, config] = placed(PROMPT);
    let (status, _) = call(&mut s, vec![text("op", "prompt"), prompt, config, image(0, Vec::new())]);
    assert_eq!(status["error"]["code"], "invalid-input", "empty: {status}");
    // Offsets and images must agree; an offset must fall on a character boundary.
    let (status, _) =
        call(&mut s, vec![text("op", "prompt"), text("text", "no offset"), greedy(), image(0, good.clone())]);
    assert_eq!(status["error"]["code"], "invalid-input", "{status}");
    let [prompt, config] = request("é", vec![1]);
    let (status, _) = call(&mut s, vec![text("op", "prompt"), prompt, config, image(0, good.clone())]);
    assert_eq!(status["error"]["code"], "invalid-input", "{status}");
    // Text that holds the marker is text: the one image goes where its offset says.
    let (before, after) = PROMPT.split_once(MARKER).unwrap();
    let marked = format!("{before}{}", after.replace("What", "<__media__> What"));
    let [prompt, config] = request(&marked, vec![before.len() as u32]);
    let (status, _) = call(&mut s, vec![text("op", "prompt"), prompt, config, image(0, good.clone())]);
    assert!(status.get("error").is_none(), "{status}");
    // The session still works.
    let (_, tokens) = generate(&mut s, PROMPT, vec![image(0, good.clone())], 2);
    assert!(!tokens.is_empty());

    let mut text_model = session(None);
    let [prompt, config] = placed(PROMPT);
    let (status, _) = call(&mut text_model, vec![text("op", "prompt"), prompt, config, image(0, good)]);
    assert_eq!(status["error"]["code"], "unsupported", "{status}");
}

/// A packed projector is unpacked into the cache under its hash (llama.cpp opens
/// projectors by path only); a copy there with other bytes is written again, and a
/// projector given besides the packed one is refused.
#[test]
fn a_packed_projector_is_unpacked_into_the_cache_and_a_damaged_copy_replaced() {
    let _serial = serial();
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("vision-{}.wasm", std::process::id()));
    let mut bytes = Vec::new();
    packed::pack(b"\0asm\x0d\x00\x01\x00", "m", &model_path(), Some(&projector()), &mut bytes).unwrap();
    std::fs::write(&path, bytes).unwrap();
    let sha256 = packed::read(&path).unwrap().projector.expect("a projector section").sha256;
    let hex: String = sha256.iter().map(|b| format!("{b:02x}")).collect();
    let copy = inf_wasi_ggml::cache_dir().join("projectors").join(format!("{hex}.gguf"));
    std::fs::create_dir_all(copy.parent().unwrap()).unwrap();
    std::fs::write(&copy, b"GGUF, but not the projector").unwrap();
    let open = |options: LoadOptions| {
        let mut registry = ModelRegistry::new();
        registry.register_packed("m", &path, LoadOptions { threads: 1, context_size: 256, ..options });
        let model = registry.get("m").unwrap().clone();
        model.get()
    };
    let loaded = open(LoadOptions::default()).unwrap();
    assert!(loaded.metadata().vision);
    assert_eq!(std::fs::read(&copy).unwrap(), std::fs::read(projector()).unwrap());
    let error = open(LoadOptions { projector: Some(projector()), ..LoadOptions::default() }).err().unwrap();
    assert_eq!(error.code, ErrorCode::InvalidInput, "{}", error.message);
}
