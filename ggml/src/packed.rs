//! Packed files: the component with its model (and projector) appended as
//! custom sections, each GGUF page-aligned so that llama.cpp can open it in
//! place. The format is described once, in docs/packed-models.md; this module
//! writes it (`pack`) and reads it (`read`), checking everything a hostile
//! file could get wrong before any GGUF parser sees the bytes.

use crate::error::{ErrorCode, ProfileError};
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom, Write};
use std::ops::Range;
use std::path::Path;

pub const MODEL_SECTION: &str = "inf-wasi:model";
pub const PROJECTOR_SECTION: &str = "inf-wasi:projector";
const MAGIC: &[u8; 4] = b"IWPK";
const VERSION: u32 = 1;
/// Where every packed GGUF starts: a page boundary satisfies any alignment a GGUF declares up to it.
pub const ALIGN: u64 = 4096;
const MAX_NAME: usize = 256;
/// A component's preamble (`\0asm`, version 13, layer 1) and a core module's (version 1).
const COMPONENT_PREAMBLE: [u8; 8] = *b"\0asm\x0d\x00\x01\x00";
const MODULE_PREAMBLE: [u8; 8] = *b"\0asm\x01\x00\x00\x00";

/// One packed GGUF: where it lies in the file and what it must hash to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackedGguf {
    /// The model's name, as the guest's `load-by-name` asks for it.
    pub name: String,
    /// The GGUF's first byte, from the start of the file.
    pub offset: u64,
    pub size: u64,
    pub sha256: [u8; 32],
}

/// What a packed file holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackedFile {
    pub model: PackedGguf,
    pub projector: Option<PackedGguf>,
    /// The file's bytes outside the `inf-wasi:*` sections, in order: the component.
    pub component: Vec<Range<u64>>,
}

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
    let layout = sections(&mut input, len).map_err(|e| invalid(path, e))?;
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

/// Walks the top-level sections, reading the headers of the `inf-wasi:*` ones.
fn sections(input: &mut (impl Read + Seek), len: u64) -> Result<PackedFile, String> {
    let mut preamble = [0u8; 8];
    input.read_exact(&mut preamble).map_err(|_| "shorter than a WebAssembly preamble".to_string())?;
    if preamble != COMPONENT_PREAMBLE && preamble != MODULE_PREAMBLE {
        return Err("not a WebAssembly component".into());
    }
    // The component's bytes start with the preamble.
    let preamble: Range<u64> = 0..8;
    let mut component = vec![preamble];
    let (mut model, mut projector) = (None, None);
    let mut at = 8u64;
    while at < len {
        let mut id = [0u8; 1];
        input.read_exact(&mut id).map_err(|e| format!("section at byte {at}: {e}"))?;
        let size = leb_u32(input).map_err(|e| format!("section at byte {at}: {e}"))?;
        let body = input.stream_position().map_err(|e| e.to_string())?;
        let end = body + u64::from(size);
        if end > len {
            return Err(format!("the section at byte {at} runs {} bytes past the end of the file", end - len));
        }
        let ours = if id[0] == 0 { custom_name(input)? } else { None };
        match ours.as_deref() {
            Some(name @ (MODEL_SECTION | PROJECTOR_SECTION)) => {
                let slot = if name == MODEL_SECTION { &mut model } else { &mut projector };
                if slot.is_some() {
                    return Err(format!("more than one `{name}` section"));
                }
                *slot = Some(payload(input, end)?);
            }
            _ => match component.last_mut() {
                Some(last) if last.end == at => last.end = end,
                _ => component.push(at..end),
            },
        }
        input.seek(SeekFrom::Start(end)).map_err(|e| e.to_string())?;
        at = end;
    }
    let model = model.ok_or_else(|| format!("no `{MODEL_SECTION}` section: a component without a model"))?;
    if let Some(p) = &projector {
        if p.name != model.name {
            return Err(format!("the projector is packed for `{}`, the model is `{}`", p.name, model.name));
        }
    }
    Ok(PackedFile { model, projector, component })
}

/// A custom section's name, if it is one of ours (longer names are not ours: left unread).
fn custom_name(input: &mut impl Read) -> Result<Option<String>, String> {
    let n = leb_u32(input)?;
    if n > 64 {
        return Ok(None);
    }
    let mut name = vec![0u8; n as usize];
    input.read_exact(&mut name).map_err(|_| "a custom section's name runs past the end of the file".to_string())?;
    Ok(String::from_utf8(name).ok().filter(|name| name.starts_with("inf-wasi:")))
}

/// The payload's header; the GGUF must lie, aligned, inside the section.
fn payload(input: &mut (impl Read + Seek), end: u64) -> Result<PackedGguf, String> {
    let start = input.stream_position().map_err(|e| e.to_string())?;
    let header_error = |e: io::Error| format!("a packed header at byte {start} is cut short: {e}");
    let mut magic = [0u8; 4];
    input.read_exact(&mut magic).map_err(header_error)?;
    if &magic != MAGIC {
        return Err(format!("the section at byte {start} has no packed-model header"));
    }
    let version = read_u32(input).map_err(header_error)?;
    if version != VERSION {
        return Err(format!("packed format version {version}; this inf-wasi reads version {VERSION}"));
    }
    let name_len = usize::from(read_u16(input).map_err(header_error)?);
    if name_len == 0 || name_len > MAX_NAME {
        return Err(format!("a model name of {name_len} bytes (1 to {MAX_NAME})"));
    }
    let mut name = vec![0u8; name_len];
    input.read_exact(&mut name).map_err(header_error)?;
    let name = String::from_utf8(name).map_err(|_| "the model name is not UTF-8".to_string())?;
    let mut sha256 = [0u8; 32];
    input.read_exact(&mut sha256).map_err(header_error)?;
    let gguf_offset = read_u64(input).map_err(header_error)?;
    let size = read_u64(input).map_err(header_error)?;
    let header_end = input.stream_position().map_err(|e| e.to_string())?;
    let offset = start.checked_add(gguf_offset).ok_or("the GGUF offset overflows")?;
    if offset < header_end || offset.checked_add(size).is_none_or(|gguf_end| gguf_end > end) {
        return Err(format!(
            "the GGUF of `{name}` ({size} bytes at payload offset {gguf_offset}) is not inside its section"
        ));
    }
    if offset % ALIGN != 0 {
        return Err(format!("the GGUF of `{name}` starts at byte {offset}, not a multiple of {ALIGN}"));
    }
    Ok(PackedGguf { name, offset, size, sha256 })
}

/// Hashes the GGUF and runs the GGUF check on its bytes.
fn verify(input: &mut (impl Read + Seek), gguf: &PackedGguf) -> Result<(), String> {
    input.seek(SeekFrom::Start(gguf.offset)).map_err(|e| e.to_string())?;
    let mut hasher = Sha256::new();
    io::copy(&mut input.take(gguf.size), &mut HashWriter(&mut hasher)).map_err(|e| e.to_string())?;
    if hasher.finalize().as_slice() != gguf.sha256 {
        return Err("its SHA-256 does not match its bytes".into());
    }
    input.seek(SeekFrom::Start(gguf.offset)).map_err(|e| e.to_string())?;
    inf_wasi_gguf::check(input.take(gguf.size), gguf.size).map(|_| ()).map_err(|e| format!("not a valid GGUF: {e}"))
}

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
    if name.is_empty() || name.len() > MAX_NAME {
        return Err(io::Error::new(io::ErrorKind::InvalidInput, format!("a model name must be 1 to {MAX_NAME} bytes")));
    }
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
    let mut hasher = Sha256::new();
    io::copy(&mut BufReader::new(File::open(path)?), &mut HashWriter(&mut hasher))?;
    let mut header = Vec::new();
    header.extend_from_slice(MAGIC);
    header.extend_from_slice(&VERSION.to_le_bytes());
    header.extend_from_slice(&(name.len() as u16).to_le_bytes());
    header.extend_from_slice(name.as_bytes());
    header.extend_from_slice(&hasher.finalize());
    // The section's id, size and name come before the payload.
    let payload_at = at + 1 + 5 + leb_len(section.len() as u32) + section.len() as u64;
    let header_end = payload_at + header.len() as u64 + 16;
    let gguf_at = header_end.div_ceil(ALIGN) * ALIGN;
    header.extend_from_slice(&(gguf_at - payload_at).to_le_bytes());
    header.extend_from_slice(&size.to_le_bytes());
    let body = leb_len(section.len() as u32) + section.len() as u64 + (gguf_at - payload_at) + size;
    let body = u32::try_from(body).map_err(|_| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{} is over 4 GiB, more than a section holds", path.display()),
        )
    })?;
    out.write_all(&[0])?;
    out.write_all(&leb_u32_padded(body))?;
    write_leb(out, section.len() as u32)?;
    out.write_all(section.as_bytes())?;
    out.write_all(&header)?;
    io::copy(&mut io::repeat(0).take(gguf_at - header_end), out)?;
    let copied = io::copy(&mut BufReader::new(File::open(path)?).take(size), out)?;
    if copied != size {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            format!("{} changed while it was packed", path.display()),
        ));
    }
    Ok(gguf_at + size)
}

fn leb_u32(input: &mut impl Read) -> Result<u32, String> {
    let mut value = 0u32;
    for i in 0..5 {
        let mut byte = [0u8; 1];
        input.read_exact(&mut byte).map_err(|_| "a LEB128 number is cut short".to_string())?;
        let bits = u32::from(byte[0] & 0x7f);
        if i == 4 && bits > 0x0f {
            return Err("a LEB128 number over 32 bits".into());
        }
        value |= bits << (7 * i);
        if byte[0] & 0x80 == 0 {
            return Ok(value);
        }
    }
    Err("a LEB128 number longer than 5 bytes".into())
}

fn leb_len(mut value: u32) -> u64 {
    let mut n = 1;
    while value >= 0x80 {
        value >>= 7;
        n += 1;
    }
    n
}

fn write_leb(out: &mut impl Write, mut value: u32) -> io::Result<()> {
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            return out.write_all(&[byte]);
        }
        out.write_all(&[byte | 0x80])?;
    }
}

/// Always 5 bytes (a valid, non-minimal LEB128): the layout never depends on the value.
fn leb_u32_padded(value: u32) -> [u8; 5] {
    let mut bytes = [0u8; 5];
    for (i, byte) in bytes.iter_mut().enumerate() {
        *byte = ((value >> (7 * i)) & 0x7f) as u8 | if i < 4 { 0x80 } else { 0 };
    }
    bytes
}

fn read_u16(input: &mut impl Read) -> io::Result<u16> {
    let mut b = [0u8; 2];
    input.read_exact(&mut b)?;
    Ok(u16::from_le_bytes(b))
}

fn read_u32(input: &mut impl Read) -> io::Result<u32> {
    let mut b = [0u8; 4];
    input.read_exact(&mut b)?;
    Ok(u32::from_le_bytes(b))
}

fn read_u64(input: &mut impl Read) -> io::Result<u64> {
    let mut b = [0u8; 8];
    input.read_exact(&mut b)?;
    Ok(u64::from_le_bytes(b))
}
