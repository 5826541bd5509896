//! A structural check of a GGUF file, made before llama.cpp sees it.
//!
//! A model file is untrusted input, and llama.cpp aborts the whole process on
//! some malformed ones (a `GGML_ASSERT` while loading). This crate reads the
//! header, every metadata entry and every tensor description, and refuses the
//! file unless every count, length, type, dimension and offset is bounded and
//! consistent with the file's size, and the hyper-parameters llama.cpp sizes
//! fixed arrays by are in range. It allocates nothing a count in the file asks
//! for before checking that count against the bytes left, so a hostile file
//! cannot make it allocate more than the file's own size.

mod limits;
pub mod packed;
mod reader;
mod types;

pub use limits::Limits;
use reader::Reader;
use std::collections::HashSet;
use std::fmt;
use std::io::Read;
pub use types::table as tensor_types;

/// Why a file was refused: where, and what was wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GgufError {
    pub offset: u64,
    pub message: String,
}

impl fmt::Display for GgufError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (at byte {})", self.message, self.offset)
    }
}

impl std::error::Error for GgufError {}

/// What the check learned about a valid file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub version: u32,
    pub architecture: String,
    pub metadata_entries: u64,
    pub tensors: u64,
    pub alignment: u64,
    /// Where the tensor data starts.
    pub data_offset: u64,
}

/// A metadata value, kept only where the check needs it (scalars and strings).
#[derive(Debug, Clone, PartialEq)]
enum Value {
    Int(i128),
    Float,
    Bool,
    Str(String),
    Array { len: u64 },
}

/// Checks the GGUF file `input` of `file_len` bytes with the default limits.
pub fn check(input: impl Read, file_len: u64) -> Result<Summary, GgufError> {
    check_with(input, file_len, &Limits::default())
}

pub fn check_with(input: impl Read, file_len: u64, limits: &Limits) -> Result<Summary, GgufError> {
    let mut r = Reader::new(input, file_len);
    let magic = r.bytes(4)?;
    if magic != b"GGUF" {
        return Err(r.error_at(0, "not a GGUF file (bad magic)"));
    }
    let version = r.u32()?;
    if !(2..=3).contains(&version) {
        return Err(r.error_at(4, format!("unsupported GGUF version {version}")));
    }
    let tensors = r.count("tensor count", 8 + 4 + 8 + 4 + 8, limits.max_tensors)?;
    let entries = r.count("metadata entry count", 8 + 4, limits.max_metadata_entries)?;

    let mut keys = HashSet::new();
    let mut scalars = std::collections::HashMap::new();
    for _ in 0..entries {
        let at = r.position();
        let key = r.string(limits.max_key_len, "metadata key")?;
        if key.is_empty() {
            return Err(r.error_at(at, "empty metadata key"));
        }
        if !keys.insert(key.clone()) {
            return Err(r.error_at(at, format!("duplicate metadata key {key:?}")));
        }
        let value = read_value(&mut r, limits, 0)?;
        scalars.insert(key, value);
    }

    let alignment = match scalars.get("general.alignment") {
        None => 32,
        Some(Value::Int(a)) if *a > 0 && *a <= 1 << 16 && (*a as u64).is_power_of_two() => *a as u64,
        Some(v) => return Err(r.error(format!("general.alignment must be a power of two up to 65536, got {v:?}"))),
    };
    let architecture = match scalars.get("general.architecture") {
        Some(Value::Str(a)) if valid_identifier(a) => a.clone(),
        Some(v) => return Err(r.error(format!("general.architecture must be a name, got {v:?}"))),
        None => return Err(r.error("general.architecture is missing")),
    };
    limits::check_hyperparameters(&architecture, &scalars, limits).map_err(|m| r.error(m))?;

    let mut names = HashSet::new();
    let mut extents = Vec::with_capacity(tensors as usize);
    for _ in 0..tensors {
        let at = r.position();
        let name = r.string(limits.max_tensor_name_len, "tensor name")?;
        if !names.insert(name.clone()) {
            return Err(r.error_at(at, format!("duplicate tensor {name:?}")));
        }
        let dims = r.u32()?;
        if !(1..=4).contains(&dims) {
            return Err(r.error_at(at, format!("tensor {name:?} has {dims} dimensions (1 to 4 allowed)")));
        }
        let mut shape = [1u64; 4];
        for d in shape.iter_mut().take(dims as usize) {
            *d = r.u64()?;
            if *d == 0 || *d > i64::MAX as u64 {
                return Err(r.error_at(at, format!("tensor {name:?} has a dimension of {d}")));
            }
        }
        let ty = r.u32()?;
        let size = types::tensor_bytes(ty, &shape).map_err(|m| r.error_at(at, format!("tensor {name:?}: {m}")))?;
        let offset = r.u64()?;
        if offset % alignment != 0 {
            return Err(r.error_at(at, format!("tensor {name:?} starts at {offset}, not a multiple of {alignment}")));
        }
        extents.push((name, offset, size));
    }

    let data_offset = r.position().div_ceil(alignment) * alignment;
    // A file without tensors need not carry the padding before its (empty) data.
    let data_len = file_len.saturating_sub(data_offset);
    for (name, offset, size) in &extents {
        if offset.checked_add(*size).is_none_or(|end| end > data_len) {
            return Err(r.error(format!(
                "tensor {name:?} ({size} bytes at {offset}) lies outside the {data_len} bytes of tensor data"
            )));
        }
    }
    Ok(Summary { version, architecture, metadata_entries: entries, tensors, alignment, data_offset })
}

/// Checks the file at `path`.
pub fn check_file(path: &std::path::Path) -> Result<Summary, GgufError> {
    let err = |m: String| GgufError { offset: 0, message: m };
    let file = std::fs::File::open(path).map_err(|e| err(format!("cannot open {}: {e}", path.display())))?;
    let meta = file.metadata().map_err(|e| err(format!("cannot stat {}: {e}", path.display())))?;
    if !meta.is_file() {
        return Err(err(format!("{} is not a file", path.display())));
    }
    check(std::io::BufReader::with_capacity(1 << 16, file), meta.len())
}

fn valid_identifier(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.')
}

fn read_value<R: Read>(r: &mut Reader<R>, limits: &Limits, depth: u32) -> Result<Value, GgufError> {
    let at = r.position();
    let ty = r.u32()?;
    read_typed(r, ty, limits, depth).map_err(|e| if e.offset == 0 { r.error_at(at, e.message) } else { e })
}

fn read_typed<R: Read>(r: &mut Reader<R>, ty: u32, limits: &Limits, depth: u32) -> Result<Value, GgufError> {
    Ok(match ty {
        0 => Value::Int(r.bytes(1)?[0] as i128),
        1 => Value::Int(r.bytes(1)?[0] as i8 as i128),
        2 => Value::Int(u16::from_le_bytes(r.array()?) as i128),
        3 => Value::Int(i16::from_le_bytes(r.array()?) as i128),
        4 => Value::Int(r.u32()? as i128),
        5 => Value::Int(i32::from_le_bytes(r.array()?) as i128),
        6 => {
            r.bytes(4)?;
            Value::Float
        }
        7 => match r.bytes(1)?[0] {
            0 | 1 => Value::Bool,
            b => return Err(r.error(format!("a bool of value {b}"))),
        },
        8 => Value::Str(r.string(limits.max_string_len, "metadata string")?),
        9 => {
            if depth > 0 {
                return Err(r.error("an array of arrays"));
            }
            let item = r.u32()?;
            let size = match item {
                0 | 1 | 7 => 1,
                2 | 3 => 2,
                4..=6 => 4,
                10..=12 => 8,
                8 => 8, // at least its length
                9 => return Err(r.error("an array of arrays")),
                t => return Err(r.error(format!("an array of unknown type {t}"))),
            };
            let len = r.count("array length", size, limits.max_array_len)?;
            for _ in 0..len {
                read_typed(r, item, limits, depth + 1)?;
            }
            Value::Array { len }
        }
        10 => Value::Int(r.u64()? as i128),
        11 => Value::Int(i64::from_le_bytes(r.array()?) as i128),
        12 => {
            r.bytes(8)?;
            Value::Float
        }
        t => return Err(r.error(format!("unknown metadata type {t}"))),
    })
}
