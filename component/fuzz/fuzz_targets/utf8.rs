//! UTF-8 reassembly of byte pieces against the standard library: whatever the
//! pieces, the text streamed out equals the lossy decoding of all the bytes.
#![no_main]

#[path = "../../src/utf8.rs"]
mod utf8;

use libfuzzer_sys::fuzz_target;
use utf8::Utf8Buffer;

fuzz_target!(|pieces: Vec<Vec<u8>>| {
    let mut buffer = Utf8Buffer::default();
    let mut text = String::new();
    for piece in &pieces {
        text.push_str(&buffer.push(piece));
    }
    text.push_str(&buffer.finish());
    assert_eq!(text, String::from_utf8_lossy(&pieces.concat()));
});
