//! Bounds on what a GGUF file may declare. The counts and lengths keep the
//! check's own memory small; the hyper-parameters are the ones llama.cpp sizes
//! fixed arrays by, where an absurd value would make it abort.

use crate::Value;
use std::collections::HashMap;

/// Limits on what a file may declare; the defaults fit every model llama.cpp runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    pub max_tensors: u64,
    pub max_metadata_entries: u64,
    pub max_key_len: u64,
    pub max_string_len: u64,
    pub max_array_len: u64,
    pub max_tensor_name_len: u64,
    /// llama.cpp's `LLAMA_MAX_LAYERS`.
    pub max_layers: i128,
    /// llama.cpp's `LLAMA_MAX_EXPERTS`.
    pub max_experts: i128,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_tensors: 1 << 16,
            max_metadata_entries: 1 << 16,
            max_key_len: 1 << 16,
            max_string_len: 1 << 26,
            max_array_len: 1 << 24,
            // ggml's GGML_MAX_NAME, including its terminating zero.
            max_tensor_name_len: 63,
            max_layers: 512,
            max_experts: 512,
        }
    }
}

/// Hyper-parameters that must be whole numbers in range when present.
pub(crate) fn check_hyperparameters(
    arch: &str,
    values: &HashMap<String, Value>,
    limits: &Limits,
) -> Result<(), String> {
    let bounded = [
        ("block_count", 1, limits.max_layers),
        ("expert_count", 0, limits.max_experts),
        ("expert_used_count", 0, limits.max_experts),
        ("context_length", 1, 1 << 24),
        ("embedding_length", 1, 1 << 20),
        ("feed_forward_length", 0, 1 << 22),
        ("attention.head_count", 0, 1 << 14),
        ("attention.head_count_kv", 0, 1 << 14),
        ("attention.key_length", 0, 1 << 16),
        ("attention.value_length", 0, 1 << 16),
        ("vocab_size", 1, 1 << 24),
    ];
    for (suffix, min, max) in bounded {
        let key = format!("{arch}.{suffix}");
        match values.get(&key) {
            None => {}
            Some(Value::Int(v)) if (min..=max).contains(v) => {}
            // Per-layer values come as arrays: at most one per layer.
            Some(Value::Array { len }) if (*len as i128) <= limits.max_layers => {}
            Some(v) => return Err(format!("{key} must be a whole number from {min} to {max}, got {v:?}")),
        }
    }
    Ok(())
}
