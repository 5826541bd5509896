//! The GGUF check over arbitrary bytes: it must return, never panic, hang or
//! allocate beyond the input. The input is the start of a file whose remaining
//! bytes are zeros, up to 64 times the input's length, so that tensor offsets
//! and sizes have room to be valid as well as invalid.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::io::Read;

fuzz_target!(|data: &[u8]| {
    let file_len = data.len() as u64 * 64;
    let input = std::io::Cursor::new(data).chain(std::io::repeat(0));
    let _ = inf_wasi_gguf::check(input, file_len);
});
