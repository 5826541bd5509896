//! The check against the real default model and against files made hostile from
//! it: truncated at many offsets, with counts, lengths, types, dimensions and
//! offsets corrupted. Every one must be refused with an error, never accepted,
//! never a panic.

use inf_wasi_gguf::{check, Summary};
use std::io::Cursor;
use std::path::PathBuf;

fn model_path() -> PathBuf {
    if let Some(p) = std::env::var_os("INF_WASI_MODEL") {
        return p.into();
    }
    let cache = std::env::var_os("INF_WASI_CACHE").map(PathBuf::from).unwrap_or_else(|| {
        let base = std::env::var_os("XDG_CACHE_HOME")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").expect("HOME")).join(".cache"));
        base.join("inf-wasi")
    });
    cache.join("models").join("gemma-3-270m-q4_k_m.gguf")
}

fn model() -> Vec<u8> {
    let path = model_path();
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e} (ci/fetch_model.py fetches it)", path.display()))
}

fn verdict(bytes: &[u8]) -> Result<Summary, inf_wasi_gguf::GgufError> {
    check(Cursor::new(bytes), bytes.len() as u64)
}

/// Offsets of the fields a hostile file would corrupt, found by walking the real header.
struct Layout {
    tensor_count: usize,
    entry_count: usize,
    first_key_len: usize,
    first_value_type: usize,
    first_tensor_name_len: usize,
    first_tensor_dims: usize,
    first_tensor_shape: usize,
    first_tensor_type: usize,
    first_tensor_offset: usize,
    data_offset: usize,
}

fn layout(bytes: &[u8], summary: &Summary) -> Layout {
    let u64_at = |i: usize| u64::from_le_bytes(bytes[i..i + 8].try_into().unwrap());
    let u32_at = |i: usize| u32::from_le_bytes(bytes[i..i + 4].try_into().unwrap());
    // Skip the metadata: walk it the way the format defines it.
    fn skip_value(bytes: &[u8], mut i: usize, ty: u32) -> usize {
        let u64_at = |i: usize| u64::from_le_bytes(bytes[i..i + 8].try_into().unwrap());
        match ty {
            0 | 1 | 7 => i + 1,
            2 | 3 => i + 2,
            4..=6 => i + 4,
            10..=12 => i + 8,
            8 => i + 8 + u64_at(i) as usize,
            9 => {
                let item = u32::from_le_bytes(bytes[i..i + 4].try_into().unwrap());
                let n = u64_at(i + 4);
                i += 12;
                for _ in 0..n {
                    i = skip_value(bytes, i, item);
                }
                i
            }
            _ => unreachable!(),
        }
    }
    let mut i = 24;
    let first_key_len = i;
    let first_value_type = i + 8 + u64_at(i) as usize;
    for _ in 0..summary.metadata_entries {
        i += 8 + u64_at(i) as usize;
        let ty = u32_at(i);
        i = skip_value(bytes, i + 4, ty);
    }
    let name_len = u64_at(i) as usize;
    let dims = i + 8 + name_len;
    Layout {
        tensor_count: 8,
        entry_count: 16,
        first_key_len,
        first_value_type,
        first_tensor_name_len: i,
        first_tensor_dims: dims,
        first_tensor_shape: dims + 4,
        first_tensor_type: dims + 4 + 8 * u32_at(dims) as usize,
        first_tensor_offset: dims + 4 + 8 * u32_at(dims) as usize + 4,
        data_offset: summary.data_offset as usize,
    }
}

#[test]
fn the_default_model_passes() {
    let bytes = model();
    let s = verdict(&bytes).expect("the default model is valid");
    assert_eq!((s.version, s.architecture.as_str(), s.alignment), (3, "gemma3", 32));
    assert!(s.tensors > 100 && s.metadata_entries > 10 && s.data_offset < bytes.len() as u64);
}

#[test]
fn every_truncation_is_refused() {
    let bytes = model();
    let s = verdict(&bytes).unwrap();
    let header = s.data_offset as usize;
    // The first 64 bytes one by one, 256 offsets spread through the header, and
    // 64 through the tensor data (the tensors then overrun the file).
    let mut cuts: Vec<usize> = (0..64).chain((64..header).step_by(header / 256)).collect();
    cuts.extend((1..=64).map(|k| header + (bytes.len() - header) * k / 65));
    cuts.push(bytes.len() - 1);
    for &cut in &cuts {
        assert!(verdict(&bytes[..cut]).is_err(), "accepted a file cut at {cut} of {}", bytes.len());
    }
    eprintln!("{} truncations refused", cuts.len());
}

#[test]
fn corrupted_counts_lengths_types_and_offsets_are_refused() {
    let original = model();
    let s = verdict(&original).unwrap();
    let at = layout(&original, &s);
    let header = &original[..at.data_offset];
    let file_len = original.len() as u64;
    // The header alone, with the file's length: no need to copy 250 MB per case.
    let refused = |patch: &dyn Fn(&mut Vec<u8>), what: &str| {
        let mut bytes = header.to_vec();
        patch(&mut bytes);
        let mut input = Cursor::new(bytes).chain(std::io::repeat(0));
        let verdict = check(&mut input, file_len);
        assert!(verdict.is_err(), "accepted: {what}");
        eprintln!("{what}: {}", verdict.unwrap_err());
    };
    use std::io::Read;
    let put64 = |b: &mut Vec<u8>, i: usize, v: u64| b[i..i + 8].copy_from_slice(&v.to_le_bytes());
    let put32 = |b: &mut Vec<u8>, i: usize, v: u32| b[i..i + 4].copy_from_slice(&v.to_le_bytes());
    type Damage = Box<dyn Fn(&mut Vec<u8>)>;
    let cases: Vec<(&str, Damage)> = vec![
        ("bad magic", Box::new(|b: &mut Vec<u8>| b[0] = b'X')),
        ("version 1", Box::new(move |b: &mut Vec<u8>| put32(b, 4, 1))),
        ("version 99", Box::new(move |b: &mut Vec<u8>| put32(b, 4, 99))),
        ("tensor count 2^62", Box::new(move |b: &mut Vec<u8>| put64(b, at.tensor_count, 1 << 62))),
        ("tensor count u64::MAX", Box::new(move |b: &mut Vec<u8>| put64(b, at.tensor_count, u64::MAX))),
        ("metadata count 2^40", Box::new(move |b: &mut Vec<u8>| put64(b, at.entry_count, 1 << 40))),
        ("metadata count + 1", Box::new(move |b: &mut Vec<u8>| put64(b, at.entry_count, s.metadata_entries + 1))),
        ("key length 2^63", Box::new(move |b: &mut Vec<u8>| put64(b, at.first_key_len, 1 << 63))),
        ("key length 0", Box::new(move |b: &mut Vec<u8>| put64(b, at.first_key_len, 0))),
        ("value type 99", Box::new(move |b: &mut Vec<u8>| put32(b, at.first_value_type, 99))),
        ("value type array", Box::new(move |b: &mut Vec<u8>| put32(b, at.first_value_type, 9))),
        ("tensor name length 2^40", Box::new(move |b: &mut Vec<u8>| put64(b, at.first_tensor_name_len, 1 << 40))),
        ("tensor name length 200", Box::new(move |b: &mut Vec<u8>| put64(b, at.first_tensor_name_len, 200))),
        ("tensor of 0 dimensions", Box::new(move |b: &mut Vec<u8>| put32(b, at.first_tensor_dims, 0))),
        ("tensor of 7 dimensions", Box::new(move |b: &mut Vec<u8>| put32(b, at.first_tensor_dims, 7))),
        ("dimension 0", Box::new(move |b: &mut Vec<u8>| put64(b, at.first_tensor_shape, 0))),
        ("dimension 2^62", Box::new(move |b: &mut Vec<u8>| put64(b, at.first_tensor_shape, 1 << 62))),
        ("dimension u64::MAX", Box::new(move |b: &mut Vec<u8>| put64(b, at.first_tensor_shape, u64::MAX))),
        ("tensor type 4 (removed)", Box::new(move |b: &mut Vec<u8>| put32(b, at.first_tensor_type, 4))),
        ("tensor type 200", Box::new(move |b: &mut Vec<u8>| put32(b, at.first_tensor_type, 200))),
        ("tensor offset unaligned", Box::new(move |b: &mut Vec<u8>| put64(b, at.first_tensor_offset, 3))),
        ("tensor offset past the end", Box::new(move |b: &mut Vec<u8>| put64(b, at.first_tensor_offset, 1 << 40))),
        (
            "tensor offset u64::MAX - 31",
            Box::new(move |b: &mut Vec<u8>| put64(b, at.first_tensor_offset, u64::MAX - 31)),
        ),
    ];
    for (what, patch) in &cases {
        refused(patch.as_ref(), what);
    }
    eprintln!("{} corrupted headers refused", cases.len());
}

/// A minimal GGUF: the given metadata entries and no tensors.
fn tiny(entries: &[(&str, u32, Vec<u8>)]) -> Vec<u8> {
    let mut b = b"GGUF".to_vec();
    b.extend(3u32.to_le_bytes());
    b.extend(0u64.to_le_bytes());
    b.extend((entries.len() as u64).to_le_bytes());
    for (key, ty, value) in entries {
        b.extend((key.len() as u64).to_le_bytes());
        b.extend(key.as_bytes());
        b.extend(ty.to_le_bytes());
        b.extend(value);
    }
    b
}

fn gguf_string(s: &str) -> Vec<u8> {
    let mut v = (s.len() as u64).to_le_bytes().to_vec();
    v.extend(s.as_bytes());
    v
}

#[test]
fn hostile_metadata_is_refused() {
    let arch = ("general.architecture", 8, gguf_string("llama"));
    assert!(verdict(&tiny(std::slice::from_ref(&arch))).is_ok(), "the minimal file itself is valid");
    let u32v = |v: u32| v.to_le_bytes().to_vec();
    type Entries<'a> = Vec<(&'a str, u32, Vec<u8>)>;
    let cases: Vec<(&str, Entries)> = vec![
        ("no architecture", vec![]),
        ("architecture not a string", vec![("general.architecture", 4, u32v(7))]),
        ("architecture with a slash", vec![("general.architecture", 8, gguf_string("../x"))]),
        ("absurd layer count", vec![arch.clone(), ("llama.block_count", 4, u32v(1_000_000))]),
        ("layer count 0", vec![arch.clone(), ("llama.block_count", 4, u32v(0))]),
        ("layer count as a string", vec![arch.clone(), ("llama.block_count", 8, gguf_string("32"))]),
        ("absurd expert count", vec![arch.clone(), ("llama.expert_count", 4, u32v(100_000))]),
        ("absurd context", vec![arch.clone(), ("llama.context_length", 10, (1u64 << 40).to_le_bytes().to_vec())]),
        ("alignment 3", vec![arch.clone(), ("general.alignment", 4, u32v(3))]),
        ("alignment 0", vec![arch.clone(), ("general.alignment", 4, u32v(0))]),
        ("duplicate key", vec![arch.clone(), arch.clone()]),
        ("bool of 2", vec![arch.clone(), ("x.flag", 7, vec![2])]),
        ("string not UTF-8", vec![arch.clone(), ("x.s", 8, vec![2, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xfe])]),
        (
            "array of arrays",
            vec![arch.clone(), ("x.a", 9, [9u32.to_le_bytes().to_vec(), 1u64.to_le_bytes().to_vec()].concat())],
        ),
        (
            "array of 2^40 u32",
            vec![arch.clone(), ("x.a", 9, [4u32.to_le_bytes().to_vec(), (1u64 << 40).to_le_bytes().to_vec()].concat())],
        ),
        (
            "array of unknown type",
            vec![arch.clone(), ("x.a", 9, [77u32.to_le_bytes().to_vec(), 1u64.to_le_bytes().to_vec()].concat())],
        ),
    ];
    for (what, entries) in &cases {
        assert!(verdict(&tiny(entries)).is_err(), "accepted: {what}");
    }
}

#[test]
fn random_corruption_of_the_header_never_panics() {
    // A fixed-seed xorshift: reproducible, no dependency.
    let original = model();
    let s = verdict(&original).unwrap();
    let header = &original[..s.data_offset as usize];
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut refused = 0;
    let cases = 2000;
    for _ in 0..cases {
        let mut bytes = header.to_vec();
        // Corrupt the fixed header and the first few kilobytes, where counts and lengths are.
        for _ in 0..1 + next() % 4 {
            let i = (next() % 4096.min(bytes.len() as u64)) as usize;
            bytes[i] = next() as u8;
        }
        let mut input = std::io::Read::chain(Cursor::new(bytes), std::io::repeat(0));
        if check(&mut input, original.len() as u64).is_err() {
            refused += 1;
        }
    }
    // Many single-byte changes land in token text and stay valid; none may panic.
    eprintln!("{refused} of {cases} randomly corrupted headers refused, the rest still valid GGUF");
}
