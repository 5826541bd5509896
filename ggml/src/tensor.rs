//! Tensors as the profile sees them: a name, a type, dimensions and raw bytes.
//! A runtime-neutral mirror of wasi-nn's `tensor`, so hosts convert without loss.

/// The wasi-nn tensor types this profile uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TensorType {
    /// Bytes: UTF-8 text, JSON, raw token pieces, image files.
    U8,
    /// Token ids.
    I32,
    /// Embeddings.
    Fp32,
    /// Any other wasi-nn type; the profile rejects it with `invalid-input`.
    Other,
}

impl TensorType {
    /// The type of a wasi-nn tensor-type case name (`"U8"`, `"I32"`, `"FP32"`), as
    /// hosts that pass names (Python, Node) spell it.
    pub fn from_wasi_nn_name(name: &str) -> Self {
        match name {
            "U8" => TensorType::U8,
            "I32" => TensorType::I32,
            "FP32" => TensorType::Fp32,
            _ => TensorType::Other,
        }
    }

    /// The wasi-nn case name of this type (outputs are never `Other`).
    pub fn wasi_nn_name(self) -> &'static str {
        match self {
            TensorType::U8 | TensorType::Other => "U8",
            TensorType::I32 => "I32",
            TensorType::Fp32 => "FP32",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Tensor {
    pub dimensions: Vec<u32>,
    pub ty: TensorType,
    pub data: Vec<u8>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct NamedTensor {
    pub name: String,
    pub tensor: Tensor,
}

impl Tensor {
    pub fn bytes(data: Vec<u8>) -> Self {
        Self { dimensions: vec![data.len() as u32], ty: TensorType::U8, data }
    }

    pub fn i32s(values: &[i32]) -> Self {
        let data = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        Self { dimensions: vec![values.len() as u32], ty: TensorType::I32, data }
    }

    pub fn f32s(rows: u32, cols: u32, values: &[f32]) -> Self {
        let data = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        Self { dimensions: vec![rows, cols], ty: TensorType::Fp32, data }
    }

    /// Little-endian `I32` data as values; `None` for another type or a ragged length.
    pub fn to_i32s(&self) -> Option<Vec<i32>> {
        if self.ty != TensorType::I32 || !self.data.len().is_multiple_of(4) {
            return None;
        }
        Some(self.data.chunks_exact(4).map(|c| i32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect())
    }
}

impl NamedTensor {
    pub fn new(name: impl Into<String>, tensor: Tensor) -> Self {
        Self { name: name.into(), tensor }
    }
}
