//! The component's memory cap in Node. V8 has no store limits, so the cap is
//! written into the core modules themselves: every memory a module defines
//! gets `bytes` as its maximum, and a `memory.grow` past it fails inside the
//! component, which aborts. Sections are walked with `wasmparser` and copied
//! byte for byte, all but the memory section, which `wasm-encoder` writes anew.

use wasm_encoder::{MemorySection, MemoryType, Module, RawSection};
use wasmparser::{Parser, Payload};

const PAGE: u64 = 65536;

/// `module` (core wasm) with every memory it defines capped at `bytes`.
/// Imported memories are left alone; they are capped where they are defined.
pub fn cap(module: &[u8], bytes: u64) -> Result<Vec<u8>, String> {
    let cap_pages = bytes / PAGE;
    let bad = |e: wasmparser::BinaryReaderError| format!("a core module of the component does not parse: {e}");
    let mut out = Module::new();
    for payload in Parser::new(0).parse_all(module) {
        match payload.map_err(bad)? {
            Payload::MemorySection(reader) => {
                let mut memories = MemorySection::new();
                for memory in reader {
                    let m = memory.map_err(bad)?;
                    if m.memory64 || m.shared {
                        return Err(
                            "the component defines a 64-bit or shared memory, which the cap does not cover".into()
                        );
                    }
                    // Never below what the module starts with.
                    let maximum = m.maximum.map_or(cap_pages, |max| max.min(cap_pages)).max(m.initial);
                    memories.memory(MemoryType { maximum: Some(maximum), ..memory_type(m) });
                }
                out.section(&memories);
            }
            other => {
                if let Some((id, range)) = other.as_section() {
                    out.section(&RawSection { id, data: &module[range] });
                }
            }
        }
    }
    Ok(out.finish())
}

fn memory_type(m: wasmparser::MemoryType) -> MemoryType {
    MemoryType {
        minimum: m.initial,
        maximum: m.maximum,
        memory64: m.memory64,
        shared: m.shared,
        page_size_log2: m.page_size_log2,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn memories(module: &[u8]) -> Vec<(u64, Option<u64>)> {
        let mut found = Vec::new();
        for payload in Parser::new(0).parse_all(module) {
            if let Payload::MemorySection(reader) = payload.unwrap() {
                found.extend(reader.into_iter().map(|m| m.map(|m| (m.initial, m.maximum)).unwrap()));
            }
        }
        found
    }

    #[test]
    fn defined_memories_are_capped_and_everything_else_is_kept() {
        let mut module = Module::new();
        let mut section = MemorySection::new();
        for (minimum, maximum) in [(1, None), (2, Some(1000)), (40, Some(50))] {
            section.memory(MemoryType { minimum, maximum, memory64: false, shared: false, page_size_log2: None });
        }
        module.section(&section);
        module.section(&wasm_encoder::CustomSection { name: "keep".into(), data: b"me".as_slice().into() });
        let capped = cap(&module.finish(), 32 * PAGE).unwrap();
        assert_eq!(memories(&capped), [(1, Some(32)), (2, Some(32)), (40, Some(40))]);
        assert!(capped.windows(6).any(|w| w == b"keepme"));
        assert!(cap(b"\0asm\x01\0\0\0\x05\x03\x01", PAGE).is_err(), "a truncated module is an error");
    }
}
