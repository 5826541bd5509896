//! Messages to and from bytes. A `status` is either the operation's reply or
//! `{"error": ProfileError}`.

use crate::ProfileError;
use alloc::format;
use alloc::vec::Vec;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ErrorStatus {
    error: ProfileError,
}

/// A message as JSON bytes.
pub fn encode<T: Serialize>(message: &T) -> Vec<u8> {
    // Serialising these types to JSON cannot fail: every key is a string.
    serde_json::to_vec(message).unwrap_or_default()
}

/// The `status` output of an operation.
pub fn encode_status<T: Serialize>(result: &Result<T, ProfileError>) -> Vec<u8> {
    match result {
        Ok(reply) => encode(reply),
        Err(error) => encode(&ErrorStatus { error: error.clone() }),
    }
}

/// A request, as the backend reads it from a guest it cannot trust: anything
/// that is not exactly the message is an `invalid-input` error naming `what`.
pub fn decode_request<T: DeserializeOwned>(what: &str, bytes: &[u8]) -> Result<T, ProfileError> {
    serde_json::from_slice(bytes).map_err(|e| ProfileError::invalid_input(format!("bad {what}: {e}")))
}

/// A `status` as the component reads it: `Ok(reply)` or `Err(the backend's error)`.
/// A status that is neither is itself a `backend` error: the two sides disagree.
pub fn decode_reply<T: DeserializeOwned>(what: &str, bytes: &[u8]) -> Result<T, ProfileError> {
    let value: serde_json::Value = serde_json::from_slice(bytes)
        .map_err(|e| ProfileError::backend(format!("the status of {what} is not JSON: {e}")))?;
    let malformed =
        |e: serde_json::Error| ProfileError::backend(format!("the status of {what} breaks the profile: {e}"));
    if value.get("error").is_some() {
        return Err(ErrorStatus::deserialize(value).map_err(malformed)?.error);
    }
    T::deserialize(value).map_err(malformed)
}
