//! Reading a `compute` call: the operation and its named input tensors.

use crate::error::ProfileError;
use crate::tensor::{NamedTensor, Tensor, TensorType};
use inf_wasi_profile::{decode_request, tensors, Op};
use serde::de::DeserializeOwned;
use std::borrow::Cow;

/// The inputs of one `compute` call, by name.
pub struct Inputs(Vec<NamedTensor>);

impl Inputs {
    pub fn new(tensors: Vec<NamedTensor>) -> Self {
        Self(tensors)
    }

    fn find(&self, name: &str) -> Option<&Tensor> {
        self.0.iter().find(|t| t.name == name).map(|t| &t.tensor)
    }

    /// The `op` input's operation; a call with no inputs is `next`, the one
    /// made per token, so that it needs no tensor made for it.
    pub fn op(&self) -> Result<Op, ProfileError> {
        if self.0.is_empty() {
            return Ok(Op::Next);
        }
        let word = self.required_text(tensors::OP)?;
        Op::parse(&word).ok_or_else(|| ProfileError::invalid_input(format!("unknown op `{word}`")))
    }

    /// The operation's request, the `config` input: required, and exactly the message.
    pub fn config<T: DeserializeOwned>(&self, op: Op) -> Result<T, ProfileError> {
        let bytes = self.bytes(tensors::CONFIG)?.ok_or_else(|| {
            ProfileError::invalid_input(format!("missing `{}` input tensor for `{}`", tensors::CONFIG, op.name()))
        })?;
        decode_request(&format!("`{}` config", op.name()), bytes)
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

    /// The `image.0`, `image.1`, ... inputs (`U8`, image file bytes), in order;
    /// an image that came in several pieces under its name is joined.
    pub fn images(&self) -> Result<Vec<Cow<'_, [u8]>>, ProfileError> {
        let mut images = Vec::new();
        loop {
            let name = tensors::image(images.len());
            let pieces = self.0.iter().filter(|t| t.name == name).map(|t| &t.tensor);
            let pieces: Vec<&[u8]> = pieces
                .map(|t| match t.ty {
                    TensorType::U8 => Ok(t.data.as_slice()),
                    ty => Err(ProfileError::invalid_input(format!("input `{name}` must be U8, got {ty:?}"))),
                })
                .collect::<Result<_, _>>()?;
            match pieces.as_slice() {
                [] => return Ok(images),
                [one] => images.push(Cow::Borrowed(*one)),
                many => images.push(Cow::Owned(many.concat())),
            }
        }
    }

    pub fn i32s(&self, name: &str) -> Result<Vec<i32>, ProfileError> {
        let t = self.find(name).ok_or_else(|| ProfileError::invalid_input(format!("missing `{name}` input tensor")))?;
        t.to_i32s().ok_or_else(|| ProfileError::invalid_input(format!("input `{name}` must be I32")))
    }
}
