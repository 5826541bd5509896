//! Reading a `compute` call: the operation and its named input tensors.

use crate::error::ProfileError;
use crate::projector::Medium;
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

    /// A prompt's media in order: medium N is the `image.N` or the `audio.N`
    /// input (`U8`, the file's bytes), never both; one that came in several
    /// pieces under its name is joined.
    pub fn media(&self) -> Result<Vec<ReceivedMedium<'_>>, ProfileError> {
        let mut media = Vec::new();
        loop {
            let index = media.len();
            let image = self.joined(&tensors::image(index))?;
            let audio = self.joined(&tensors::audio(index))?;
            match (image, audio) {
                (None, None) => return Ok(media),
                (Some(bytes), None) => media.push(ReceivedMedium { audio: false, bytes }),
                (None, Some(bytes)) => media.push(ReceivedMedium { audio: true, bytes }),
                (Some(_), Some(_)) => {
                    return Err(ProfileError::invalid_input(format!("medium {index} is both an image and audio")))
                }
            }
        }
    }

    /// The `U8` input `name`, its pieces joined in order; `None` if absent.
    fn joined(&self, name: &str) -> Result<Option<Cow<'_, [u8]>>, ProfileError> {
        let pieces = self.0.iter().filter(|t| t.name == name).map(|t| &t.tensor);
        let pieces: Vec<&[u8]> = pieces
            .map(|t| match t.ty {
                TensorType::U8 => Ok(t.data.as_slice()),
                ty => Err(ProfileError::invalid_input(format!("input `{name}` must be U8, got {ty:?}"))),
            })
            .collect::<Result<_, _>>()?;
        Ok(match pieces.as_slice() {
            [] => None,
            [one] => Some(Cow::Borrowed(*one)),
            many => Some(Cow::Owned(many.concat())),
        })
    }

    pub fn i32s(&self, name: &str) -> Result<Vec<i32>, ProfileError> {
        let t = self.find(name).ok_or_else(|| ProfileError::invalid_input(format!("missing `{name}` input tensor")))?;
        t.to_i32s().ok_or_else(|| ProfileError::invalid_input(format!("input `{name}` must be I32")))
    }
}

/// A prompt's medium as it came: audio (`audio.N`) or an image (`image.N`), its pieces joined.
pub struct ReceivedMedium<'a> {
    audio: bool,
    bytes: Cow<'a, [u8]>,
}

impl ReceivedMedium<'_> {
    pub fn medium(&self) -> Medium<'_> {
        match self.audio {
            true => Medium::Audio(&self.bytes),
            false => Medium::Image(&self.bytes),
        }
    }
}
