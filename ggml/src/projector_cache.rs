//! A packed projector, unpacked once into the cache folder under its SHA-256.
//!
//! llama.cpp's multimodal library opens a projector by path only
//! (`mtmd_init_from_file` → `clip_init` → `gguf_init_from_file(path)`: no FILE or
//! offset entry point, unlike models), and it reads the projector's weights into
//! its own buffers rather than mapping them. So a copy on disk costs nothing at
//! run time against mapping the section in place: it is made the first time a
//! packed file is opened, checked against the packed hash, and then reused by
//! every packed file that holds the same projector.

use crate::error::{ErrorCode, ProfileError};
use crate::packed::{sha256, PackedGguf};
use std::fs::{self, File};
use std::io::{self, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

/// The projector `gguf` of the packed file at `packed`, as a file of its own:
/// `projectors/<sha256>.gguf` in the cache folder, written now if it is not
/// there with the right bytes. The caller has already checked the section
/// (hash and GGUF check, `packed::read`).
pub fn unpacked(packed: &Path, gguf: &PackedGguf) -> Result<PathBuf, ProfileError> {
    let dir = crate::cache_dir().join("projectors");
    let hex: String = gguf.sha256.iter().map(|b| format!("{b:02x}")).collect();
    let target = dir.join(format!("{hex}.gguf"));
    if holds(&target, gguf) {
        return Ok(target);
    }
    let failed = |e: io::Error| {
        ProfileError::backend(format!(
            "cannot unpack the projector of {} into {}: {e}",
            packed.display(),
            dir.display()
        ))
    };
    fs::create_dir_all(&dir).map_err(failed)?;
    // Written beside the target and renamed into place, so that a reader never
    // sees half a file, and two processes unpacking at once do not collide.
    let partial = dir.join(format!("{hex}.gguf.{}.partial", std::process::id()));
    let written = copy_section(packed, gguf, &partial).map_err(failed);
    let checked = written.and_then(|()| {
        if holds(&partial, gguf) {
            fs::rename(&partial, &target).map_err(failed)
        } else {
            Err(ProfileError::new(
                ErrorCode::InvalidModel,
                format!("{}: the projector changed while it was unpacked", packed.display()),
            ))
        }
    });
    if checked.is_err() {
        let _ = fs::remove_file(&partial);
    }
    checked.map(|()| target)
}

/// Whether `path` holds exactly the packed projector's bytes.
fn holds(path: &Path, gguf: &PackedGguf) -> bool {
    let matches = |file: File| -> io::Result<bool> {
        if file.metadata()?.len() != gguf.size {
            return Ok(false);
        }
        Ok(sha256(BufReader::new(file))? == gguf.sha256)
    };
    File::open(path).and_then(matches).unwrap_or(false)
}

fn copy_section(packed: &Path, gguf: &PackedGguf, to: &Path) -> io::Result<()> {
    let mut input = File::open(packed)?;
    input.seek(SeekFrom::Start(gguf.offset))?;
    let mut out = File::create(to)?;
    let copied = io::copy(&mut BufReader::new(input).take(gguf.size), &mut out)?;
    if copied != gguf.size {
        return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "the packed file is shorter than its header says"));
    }
    out.sync_all()
}
