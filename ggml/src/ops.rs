//! Reading a `compute` call: the operation word and the named input tensors.

use crate::error::ProfileError;
use crate::tensor::{NamedTensor, Tensor, TensorType};

/// The operations of the ggml profile (see `docs/ggml-profile.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Info,
    Configure,
    Tokenize,
    Detokenize,
    Embed,
    Prompt,
    Next,
    Reset,
}

impl Op {
    fn parse(word: &str) -> Option<Self> {
        Some(match word {
            "info" => Self::Info,
            "configure" => Self::Configure,
            "tokenize" => Self::Tokenize,
            "detokenize" => Self::Detokenize,
            "embed" => Self::Embed,
            "prompt" => Self::Prompt,
            "next" => Self::Next,
            "reset" => Self::Reset,
            _ => return None,
        })
    }
}

/// The inputs of one `compute` call, by name.
pub struct Inputs(Vec<NamedTensor>);

impl Inputs {
    pub fn new(tensors: Vec<NamedTensor>) -> Self {
        Self(tensors)
    }

    fn find(&self, name: &str) -> Option<&Tensor> {
        self.0.iter().find(|t| t.name == name).map(|t| &t.tensor)
    }

    pub fn op(&self) -> Result<Op, ProfileError> {
        let word = self.text("op")?.ok_or_else(|| ProfileError::invalid_input("missing `op` input tensor"))?;
        Op::parse(&word).ok_or_else(|| ProfileError::invalid_input(format!("unknown op `{word}`")))
    }

    /// A `U8` input as bytes.
    pub fn bytes(&self, name: &str) -> Result<Option<&[u8]>, ProfileError> {
        match self.find(name) {
            None => Ok(None),
            Some(t) if t.ty == TensorType::U8 => Ok(Some(&t.data)),
            Some(t) => Err(ProfileError::invalid_input(format!("input `{name}` must be U8, got {:?}", t.ty))),
        }
    }

    /// A `U8` input that must be UTF-8 text.
    pub fn text(&self, name: &str) -> Result<Option<String>, ProfileError> {
        match self.bytes(name)? {
            None => Ok(None),
            Some(b) => String::from_utf8(b.to_vec())
                .map(Some)
                .map_err(|e| ProfileError::invalid_input(format!("input `{name}` is not valid UTF-8: {e}"))),
        }
    }

    pub fn required_text(&self, name: &str) -> Result<String, ProfileError> {
        self.text(name)?.ok_or_else(|| ProfileError::invalid_input(format!("missing `{name}` input tensor")))
    }

    /// The `image.0`, `image.1`, ... inputs (`U8`, image file bytes), in order.
    pub fn images(&self) -> Result<Vec<&[u8]>, ProfileError> {
        let mut images = Vec::new();
        while let Some(bytes) = self.bytes(&format!("image.{}", images.len()))? {
            images.push(bytes);
        }
        Ok(images)
    }

    pub fn i32s(&self, name: &str) -> Result<Vec<i32>, ProfileError> {
        let t = self.find(name).ok_or_else(|| ProfileError::invalid_input(format!("missing `{name}` input tensor")))?;
        t.to_i32s().ok_or_else(|| ProfileError::invalid_input(format!("input `{name}` must be I32")))
    }
}
