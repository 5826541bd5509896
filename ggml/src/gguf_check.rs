//! Every model file is checked before llama.cpp sees it: llama.cpp aborts the
//! process on some malformed files, so a file that is not structurally sound
//! (see the `inf-wasi-gguf` crate) never reaches it.

use crate::error::{ErrorCode, ProfileError};
use std::path::Path;

pub fn check(path: &Path) -> Result<(), ProfileError> {
    inf_wasi_gguf::check_file(path).map(|_| ()).map_err(|e| {
        ProfileError::new(ErrorCode::InvalidModel, format!("{} is not a valid GGUF file: {e}", path.display()))
    })
}
