//! The layout of packed files (docs/packed-models.md): the component with a
//! model (and a projector) appended as custom sections, each GGUF starting on a
//! page boundary so that llama.cpp can open it in place.
//!
//! Like the GGUF check, this reads untrusted bytes: a packed `.wasm` may come
//! from anywhere. It walks the file's top-level sections and reads the headers
//! of ours, refusing anything out of bounds, and allocates nothing a size in the
//! file asks for beyond a name's bytes (at most 256). Hashing the GGUFs and
//! checking them is the caller's (`inf-wasi-ggml`), as is writing the bytes.

use std::io::{self, Read, Seek, SeekFrom};
use std::ops::Range;

pub const MODEL_SECTION: &str = "inf-wasi:model";
pub const PROJECTOR_SECTION: &str = "inf-wasi:projector";
const MAGIC: &[u8; 4] = b"IWPK";
const VERSION: u32 = 1;
/// Where every packed GGUF starts: a page boundary satisfies any alignment a GGUF declares up to it.
pub const ALIGN: u64 = 4096;
/// The longest model name, in bytes.
pub const MAX_NAME: usize = 256;
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

/// Walks the top-level sections of a file of `len` bytes, reading the headers
/// of the `inf-wasi:*` ones.
pub fn sections(input: &mut (impl Read + Seek), len: u64) -> Result<PackedFile, String> {
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

/// A packed model's name is 1 to [`MAX_NAME`] bytes.
pub fn check_name(name: &str) -> Result<(), String> {
    if name.is_empty() || name.len() > MAX_NAME {
        return Err(format!("a model name must be 1 to {MAX_NAME} bytes"));
    }
    Ok(())
}

/// What goes before a GGUF of `size` bytes packed as `section` at file offset
/// `at`: the section's id, size (5 bytes, always) and name, the payload's header
/// and the zeros that bring the GGUF to a page boundary. Returns those bytes and
/// the GGUF's file offset.
pub fn section_head(
    at: u64,
    section: &str,
    name: &str,
    sha256: &[u8; 32],
    size: u64,
) -> Result<(Vec<u8>, u64), String> {
    check_name(name)?;
    let mut header = Vec::new();
    header.extend_from_slice(MAGIC);
    header.extend_from_slice(&VERSION.to_le_bytes());
    header.extend_from_slice(&(name.len() as u16).to_le_bytes());
    header.extend_from_slice(name.as_bytes());
    header.extend_from_slice(sha256);
    // The section's id, size and name come before the payload.
    let payload_at = at + 1 + 5 + leb_len(section.len() as u32) + section.len() as u64;
    let header_end = payload_at + header.len() as u64 + 16;
    let gguf_at = header_end.div_ceil(ALIGN) * ALIGN;
    header.extend_from_slice(&(gguf_at - payload_at).to_le_bytes());
    header.extend_from_slice(&size.to_le_bytes());
    let body = leb_len(section.len() as u32) + section.len() as u64 + (gguf_at - payload_at) + size;
    let body = u32::try_from(body).map_err(|_| format!("{size} bytes are over 4 GiB, more than a section holds"))?;
    let mut head = vec![0];
    head.extend_from_slice(&leb_u32_padded(body));
    push_leb(&mut head, section.len() as u32);
    head.extend_from_slice(section.as_bytes());
    head.extend_from_slice(&header);
    head.resize(head.len() + (gguf_at - header_end) as usize, 0);
    Ok((head, gguf_at))
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

fn push_leb(out: &mut Vec<u8>, mut value: u32) {
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            return out.push(byte);
        }
        out.push(byte | 0x80);
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
