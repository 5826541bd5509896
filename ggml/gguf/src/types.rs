//! ggml's tensor types: block size and bytes per block, for the types a GGUF
//! file may use (the table is ggml's own; `inf-wasi-ggml` checks it against the
//! linked llama.cpp). Removed and unknown types are refused.

/// `(block size, bytes per block)` by ggml type number; `(0, 0)` for removed ones.
const TYPES: [(u64, u64); 43] = [
    (1, 4),
    (1, 2),
    (32, 18),
    (32, 20),
    (0, 0),
    (0, 0),
    (32, 22),
    (32, 24),
    (32, 34),
    (32, 36),
    (256, 84),
    (256, 110),
    (256, 144),
    (256, 176),
    (256, 210),
    (256, 292),
    (256, 66),
    (256, 74),
    (256, 98),
    (256, 50),
    (32, 18),
    (256, 110),
    (256, 82),
    (256, 136),
    (1, 1),
    (1, 2),
    (1, 4),
    (1, 8),
    (1, 8),
    (256, 56),
    (1, 2),
    (0, 0),
    (0, 0),
    (0, 0),
    (256, 54),
    (256, 66),
    (0, 0),
    (0, 0),
    (0, 0),
    (32, 17),
    (64, 36),
    (128, 18),
    (64, 18),
];

/// The table, for the cross-check against ggml.
pub fn table() -> &'static [(u64, u64)] {
    &TYPES
}

/// Bytes of a tensor of type `ty` and `shape`, or why it cannot exist.
pub fn tensor_bytes(ty: u32, shape: &[u64; 4]) -> Result<u64, String> {
    let (block, bytes) = *TYPES.get(ty as usize).ok_or_else(|| format!("unknown tensor type {ty}"))?;
    if block == 0 {
        return Err(format!("tensor type {ty} was removed from ggml"));
    }
    if !shape[0].is_multiple_of(block) {
        return Err(format!("a first dimension of {} is not a multiple of the type's block of {block}", shape[0]));
    }
    let elements = shape.iter().try_fold(1u64, |acc, &d| acc.checked_mul(d)).ok_or("too many elements")?;
    (elements / block).checked_mul(bytes).filter(|&b| b <= i64::MAX as u64).ok_or_else(|| "too many bytes".into())
}
