//! The names of the tensors that operations take and return.

use alloc::format;
use alloc::string::String;

/// Every call but `next`'s (a call with no inputs): the operation's word (`U8`, UTF-8).
pub const OP: &str = "op";
/// Every reply but `next`'s with a token: the operation's status (`U8`, JSON), a reply type or an error.
pub const STATUS: &str = "status";
/// An operation's request (`U8`, JSON): `configure`, `tokenize`, `prompt`.
pub const CONFIG: &str = "config";
/// Text in (`U8`, UTF-8) for `tokenize`, `embed` and `prompt`; bytes out of `detokenize`.
pub const TEXT: &str = "text";
/// Token ids (`I32`): in to `detokenize`, out of `tokenize`.
pub const TOKENS: &str = "tokens";
/// `info`'s reply (`U8`, JSON [`crate::ModelMetadata`]).
pub const METADATA: &str = "metadata";
/// `next`'s reply with a token, its one output (`U8`): the id, then the
/// token's bytes ([`crate::encode_token`]).
pub const TOKEN: &str = "token";
/// `embed`'s vector (`FP32`, `[1, n]`).
pub const EMBEDDING: &str = "embedding";

/// The most bytes one tensor of an image or audio clip carries. A larger one
/// crosses as several tensors under its name, joined in order by the backend:
/// each tensor is made by its own host call, and wasmtime-py caps what one call
/// may copy (a few MiB).
pub const IMAGE_PIECE_BYTES: usize = 1 << 20;

/// The `index`th medium of a `prompt` when it is an image (`U8`, PNG or JPEG
/// file bytes), in one or more pieces of at most [`IMAGE_PIECE_BYTES`]. Media
/// (images and audio) are numbered together, one per media offset, in order.
pub fn image(index: usize) -> String {
    format!("image.{index}")
}

/// The `index`th medium of a `prompt` when it is audio (`U8`, WAV, FLAC or MP3
/// file bytes), in pieces like an image's.
pub fn audio(index: usize) -> String {
    format!("audio.{index}")
}
