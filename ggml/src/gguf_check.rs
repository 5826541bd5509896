//! A cheap check that a file is a GGUF before llama.cpp sees it, so the common
//! mistakes (wrong path, wrong file, random bytes) get a precise message.
//! A full structural validation of hostile files is the security issue's work.

use crate::error::{ErrorCode, ProfileError};
use std::io::Read;
use std::path::Path;

const MAGIC: &[u8; 4] = b"GGUF";
/// Magic, version, tensor count and metadata count: the fixed header.
const HEADER_LEN: u64 = 4 + 4 + 8 + 8;

pub fn check_header(path: &Path) -> Result<(), ProfileError> {
    let invalid = |m: String| ProfileError::new(ErrorCode::InvalidModel, m);
    let mut file = std::fs::File::open(path).map_err(|e| invalid(format!("cannot open {}: {e}", path.display())))?;
    let len = file.metadata().map_err(|e| invalid(format!("cannot stat {}: {e}", path.display())))?.len();
    if !file.metadata().map(|m| m.is_file()).unwrap_or(false) {
        return Err(invalid(format!("{} is not a file", path.display())));
    }
    if len < HEADER_LEN {
        return Err(invalid(format!("{} is not a GGUF file: only {len} bytes", path.display())));
    }
    let mut header = [0u8; 8];
    file.read_exact(&mut header).map_err(|e| invalid(format!("cannot read {}: {e}", path.display())))?;
    if &header[..4] != MAGIC {
        return Err(invalid(format!("{} is not a GGUF file (bad magic)", path.display())));
    }
    let version = u32::from_le_bytes([header[4], header[5], header[6], header[7]]);
    if !(2..=3).contains(&version) {
        return Err(invalid(format!("{}: unsupported GGUF version {version}", path.display())));
    }
    Ok(())
}
