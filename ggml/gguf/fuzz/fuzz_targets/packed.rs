//! The packed-file layout reader over arbitrary bytes: it must return, never
//! panic, hang or allocate beyond the input, and whatever it accepts must lie
//! inside the file as the format says. Half the inputs are built by the writer
//! (a name and a GGUF's bytes taken from the input), then cut short or changed
//! at one byte: a file packed and left alone must read back exactly.
#![no_main]

use inf_wasi_gguf::packed::{section_head, sections, PackedFile, ALIGN, MODEL_SECTION, PROJECTOR_SECTION};
use libfuzzer_sys::fuzz_target;
use std::io::Cursor;

const PREAMBLE: &[u8] = b"\0asm\x0d\x00\x01\x00";

fuzz_target!(|data: &[u8]| {
    let Some((&mode, data)) = data.split_first() else { return };
    if mode % 2 == 0 {
        check(data);
        return;
    }
    // [name length, edit at (2 bytes), edit value, cut (2 bytes)] then the name and the GGUF's bytes.
    let Some((head, rest)) = data.split_at_checked(6) else { return };
    let name_len = usize::from(head[0]).clamp(1, rest.len().max(1));
    let Some((name, gguf)) = rest.split_at_checked(name_len) else { return };
    let Ok(name) = std::str::from_utf8(name) else { return };
    let mut file = PREAMBLE.to_vec();
    for section in [MODEL_SECTION, PROJECTOR_SECTION].into_iter().take(1 + usize::from(head[3] & 1)) {
        let (bytes, gguf_at) = section_head(file.len() as u64, section, name, &[7; 32], gguf.len() as u64).unwrap();
        file.extend_from_slice(&bytes);
        assert_eq!(file.len() as u64, gguf_at);
        file.extend_from_slice(gguf);
    }
    let (edit_at, edit, cut) = (u16::from_le_bytes([head[1], head[2]]), head[3], u16::from_le_bytes([head[4], head[5]]));
    if edit_at == 0 && cut == 0 {
        let read = check(&file).expect("a packed file reads back");
        assert_eq!((read.model.name.as_str(), read.model.size), (name, gguf.len() as u64));
        assert_eq!(read.component, vec![0..PREAMBLE.len() as u64]);
        return;
    }
    if let Some(byte) = file.get_mut(usize::from(edit_at)) {
        *byte ^= edit | 1;
    }
    file.truncate(file.len().saturating_sub(usize::from(cut)));
    check(&file);
});

/// Reads `file`; what it accepts lies inside the file, aligned.
fn check(file: &[u8]) -> Option<PackedFile> {
    let len = file.len() as u64;
    let read = sections(&mut Cursor::new(file), len).ok()?;
    for gguf in std::iter::once(&read.model).chain(&read.projector) {
        assert_eq!(gguf.offset % ALIGN, 0);
        assert!(gguf.offset + gguf.size <= len);
    }
    let mut end = 0;
    for range in &read.component {
        assert!(range.start >= end && range.start < range.end && range.end <= len, "{range:?}");
        end = range.end;
    }
    Some(read)
}
