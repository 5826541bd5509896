//! Before the component traps, it tells the host why (inf-wasi-profile's
//! `Abort`): a panic's message, or the size of the allocation that failed at
//! the memory cap. Both would otherwise end in the same bare `unreachable`.
//! Nothing here allocates: the allocator may be what failed.

// Natively (the unit tests) the allocator and the hook are not installed.
#![cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]

use crate::bindings::wasi::nn::graph;
use core::fmt::{self, Write};
use inf_wasi_profile::Abort;
use std::alloc::{GlobalAlloc, Layout, System};

/// The longest report, in bytes; a longer panic message is cut at a character.
const REPORT_BYTES: usize = 2048;

/// Hands the host the report, then returns: the caller traps.
fn report(abort: Abort<'_>) {
    let mut name = Buffer::new();
    let _ = write!(name, "{abort}");
    // The host answers a report with an error, which is dropped here.
    let _ = graph::load_by_name(name.as_str());
}

/// The system allocator, except that a failure is reported and stops the
/// component at once rather than coming back as a null pointer.
pub struct ReportingAllocator;

fn out_of_memory(bytes: usize) -> ! {
    report(Abort::OutOfMemory { bytes });
    std::process::abort()
}

// SAFETY: every call is passed unchanged to `System`; only a null result is
// acted on, and that never returns.
unsafe impl GlobalAlloc for ReportingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = System.alloc(layout);
        if p.is_null() {
            out_of_memory(layout.size());
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = System.alloc_zeroed(layout);
        if p.is_null() {
            out_of_memory(layout.size());
        }
        p
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = System.realloc(ptr, layout, new_size);
        if p.is_null() {
            out_of_memory(new_size);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }
}

#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: ReportingAllocator = ReportingAllocator;

/// Reports a panic's location and message; the panic then aborts (`unreachable`).
fn report_panic(info: &std::panic::PanicHookInfo<'_>) {
    let mut message = Buffer::new();
    let _ = write!(message, "{info}");
    report(Abort::Panic { message: message.as_str() });
}

extern "C" fn install_panic_hook() {
    std::panic::set_hook(Box::new(report_panic));
}

// A static constructor: wit-bindgen runs the module's constructors on the first
// call into any export, so the hook is in place before any code of ours runs.
#[cfg(target_arch = "wasm32")]
#[used]
#[link_section = ".init_array"]
static PANIC_HOOK: extern "C" fn() = install_panic_hook;

/// A fixed buffer that keeps what fits, cut at a character boundary.
struct Buffer {
    bytes: [u8; REPORT_BYTES],
    len: usize,
}

impl Buffer {
    fn new() -> Self {
        Self { bytes: [0; REPORT_BYTES], len: 0 }
    }

    fn as_str(&self) -> &str {
        // Only whole characters are ever written.
        core::str::from_utf8(&self.bytes[..self.len]).unwrap_or_default()
    }
}

impl Write for Buffer {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let room = REPORT_BYTES - self.len;
        let mut take = s.len().min(room);
        while !s.is_char_boundary(take) {
            take -= 1;
        }
        self.bytes[self.len..self.len + take].copy_from_slice(&s.as_bytes()[..take]);
        self.len += take;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_message_is_cut_at_a_character() {
        let mut buffer = Buffer::new();
        write!(buffer, "{}", "é".repeat(REPORT_BYTES)).unwrap();
        assert_eq!(buffer.len, REPORT_BYTES);
        assert_eq!(buffer.as_str().chars().count(), REPORT_BYTES / 2);
        let mut odd = Buffer::new();
        write!(odd, "a{}", "é".repeat(REPORT_BYTES)).unwrap();
        assert_eq!(odd.len, REPORT_BYTES - 1);
    }

    #[test]
    fn a_report_fits_the_profile() {
        let mut buffer = Buffer::new();
        write!(buffer, "{}", Abort::OutOfMemory { bytes: 65536 }).unwrap();
        assert_eq!(Abort::parse(buffer.as_str()), Some(Ok(Abort::OutOfMemory { bytes: 65536 })));
    }
}
