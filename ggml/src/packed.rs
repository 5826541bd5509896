//! Packed files: the component with its model (and projector) appended as
//! custom sections, each GGUF page-aligned so that llama.cpp can open it in
//! place. The format is described once, in docs/packed-models.md, and its
//! layout is read and written by `inf_wasi_gguf::packed` (no dependencies,
//! fuzzed); this module adds the files, the hashes and the GGUF check: it
//! writes packed files (`pack`) and reads them (`read`), checking everything a
//! hostile file could get wrong before any GGUF parser sees the bytes.

use crate::error::{ErrorCode, ProfileError};
use inf_wasi_gguf::packed as layout;
pub use inf_wasi_gguf::packed::{PackedFile, PackedGguf, ALIGN, MAX_NAME, MODEL_SECTION, PROJECTOR_SECTION};
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom, Write};
use std::path::Path;

fn invalid(path: &Path, message: impl std::fmt::Display) -> ProfileError {
    ProfileError::new(ErrorCode::InvalidModel, format!("{} is not a valid packed model: {message}", path.display()))
}

/// Reads and checks the packed file at `path`: its sections' structure, each
/// GGUF's hash, and the GGUF check every model file passes, run on the
/// section's bytes. Reads each GGUF once (to hash it); maps nothing.
pub fn read(path: &Path) -> Result<PackedFile, ProfileError> {
    let (layout, mut input) = open(path)?;
    for gguf in std::iter::once(&layout.model).chain(&layout.projector) {
        verify(&mut input, gguf).map_err(|e| invalid(path, format!("section of `{}`: {e}", gguf.name)))?;
    }
    Ok(layout)
}

/// The sections' structure alone (no hashing): what registering a packed
/// model needs; [`read`] checks the rest when the model is loaded.
pub fn layout(path: &Path) -> Result<PackedFile, ProfileError> {
    open(path).map(|(layout, _)| layout)
}

fn open(path: &Path) -> Result<(PackedFile, BufReader<File>), ProfileError> {
    let file = File::open(path).map_err(|e| invalid(path, format!("cannot open it: {e}")))?;
    let len = file.metadata().map_err(|e| invalid(path, e))?.len();
    let mut input = BufReader::with_capacity(1 << 16, file);
    let layout = layout::sections(&mut input, len).map_err(|e| invalid(path, e))?;
    Ok((layout, input))
}

/// What a host needs to register a packed file: its model's name and its
/// component (to check that it is the host's own build). Headers only.
pub fn model_and_component(path: &Path) -> Result<(String, Vec<u8>), ProfileError> {
    let layout = layout(path)?;
    let component = component_bytes(path, &layout).map_err(|e| invalid(path, format!("cannot read it: {e}")))?;
    Ok((layout.model.name, component))
}

/// The component: the file without its `inf-wasi:*` sections.
pub fn component_bytes(path: &Path, packed: &PackedFile) -> io::Result<Vec<u8>> {
    let mut file = File::open(path)?;
    let mut bytes = Vec::new();
    for range in &packed.component {
        file.seek(SeekFrom::Start(range.start))?;
        (&mut file).take(range.end - range.start).read_to_end(&mut bytes)?;
    }
    Ok(bytes)
}

/// Hashes the GGUF and runs the GGUF check on its bytes.
fn verify(input: &mut (impl Read + Seek), gguf: &PackedGguf) -> Result<(), String> {
    input.seek(SeekFrom::Start(gguf.offset)).map_err(|e| e.to_string())?;
    if sha256(input.take(gguf.size)).map_err(|e| e.to_string())? != gguf.sha256 {
        return Err("its SHA-256 does not match its bytes".into());
    }
    input.seek(SeekFrom::Start(gguf.offset)).map_err(|e| e.to_string())?;
    inf_wasi_gguf::check(input.take(gguf.size), gguf.size).map(|_| ()).map_err(|e| format!("not a valid GGUF: {e}"))
}

/// The SHA-256 of everything `input` yields.
pub(crate) fn sha256(mut input: impl Read) -> io::Result<[u8; 32]> {
    let mut hasher = Sha256::new();
    io::copy(&mut input, &mut HashWriter(&mut hasher))?;
    Ok(hasher.finalize().into())
}

/// Feeds what is written into a hash.
struct HashWriter<'a>(&'a mut Sha256);

impl Write for HashWriter<'_> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.0.update(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Writes `component` followed by the model's section (and the projector's),
/// streaming each GGUF (read twice: once to hash it, once to copy it).
pub fn pack(
    component: &[u8],
    name: &str,
    model: &Path,
    projector: Option<&Path>,
    out: &mut impl Write,
) -> io::Result<u64> {
    // Checked before anything is written.
    layout::check_name(name).map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
    out.write_all(component)?;
    let mut at = component.len() as u64;
    for (section, path) in std::iter::once((MODEL_SECTION, model)).chain(projector.map(|p| (PROJECTOR_SECTION, p))) {
        at = write_section(out, at, section, name, path)?;
    }
    Ok(at)
}

/// One section at file offset `at`; returns the offset after it.
fn write_section(out: &mut impl Write, at: u64, section: &str, name: &str, path: &Path) -> io::Result<u64> {
    let size = std::fs::metadata(path)?.len();
    let hash = sha256(BufReader::new(File::open(path)?))?;
    let (head, gguf_at) = layout::section_head(at, section, name, &hash, size)
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, format!("{}: {e}", path.display())))?;
    out.write_all(&head)?;
    let copied = io::copy(&mut BufReader::new(File::open(path)?).take(size), out)?;
    if copied != size {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            format!("{} changed while it was packed", path.display()),
        ));
    }
    Ok(gguf_at + size)
}
