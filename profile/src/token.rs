//! `next`'s reply for a token. It is the one reply made once per generated
//! token, so it is one output, [`tensors::TOKEN`], instead of a `status` and
//! a piece: every output costs each host several crossings between the
//! guest and the host (made, read, dropped), which in Python and Node are
//! a visible share of a token's time.
//!
//! [`tensors::TOKEN`]: crate::tensors::TOKEN

use crate::ProfileError;
use alloc::format;
use alloc::vec::Vec;

/// The bytes of the `token` output: the token id (4 bytes, little-endian),
/// then the token's piece (its raw bytes, possibly part of a UTF-8 character).
pub fn encode_token(id: i32, piece: &[u8]) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(4 + piece.len());
    bytes.extend_from_slice(&id.to_le_bytes());
    bytes.extend_from_slice(piece);
    bytes
}

/// The token id and piece of a `token` output; anything shorter than an id
/// is a `backend` error: the two sides disagree.
pub fn decode_token(bytes: &[u8]) -> Result<(i32, &[u8]), ProfileError> {
    match bytes.split_first_chunk::<4>() {
        Some((id, piece)) => Ok((i32::from_le_bytes(*id), piece)),
        None => Err(ProfileError::backend(format!("a `token` output of {} bytes has no token id", bytes.len()))),
    }
}
