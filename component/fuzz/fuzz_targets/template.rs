//! Chat-template rendering with any template and any messages, under the
//! component's limits: its instruction budget (fuel, which the renderer sets
//! itself) and a memory cap like the guest's (`MEMORY_CAP`: past it an
//! allocation fails, as in the sandbox, and ends the rendering). A rendering
//! may fail; it must not panic otherwise, hang past the run's -timeout, or crash.
//!
//! Input: the template's source, a NUL, then messages separated by NULs, each a
//! role byte (system, user, assistant or tool, by its value mod 4) and its text.
#![no_main]
#![feature(alloc_error_hook)]

#[path = "../../src/python_json.rs"]
#[allow(dead_code)]
mod python_json;
#[path = "../../src/template.rs"]
#[allow(dead_code)] // the component's own calls, not the fuzzer's
mod template;

use libfuzzer_sys::fuzz_target;
use std::alloc::{GlobalAlloc, Layout, System};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use template::{ChatTemplate, Turn};

/// Smaller than the guest's default (512 MiB), to keep runs fast; the same rule.
const MEMORY_CAP: usize = 128 << 20;

static LIVE: AtomicUsize = AtomicUsize::new(0);

/// The system allocator, refusing whatever would take live memory past the cap.
struct Capped;

unsafe impl GlobalAlloc for Capped {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size() > MEMORY_CAP {
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
            return std::ptr::null_mut();
        }
        let ptr = unsafe { System.alloc(layout) };
        if ptr.is_null() {
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static ALLOCATOR: Capped = Capped;

/// The panic an allocation past the cap raises: the sandbox's memory cap, met.
struct OverCap;

fn turns(messages: &[u8]) -> Vec<Turn> {
    messages
        .split(|&b| b == 0)
        .filter_map(|m| m.split_first())
        .map(|(role, text)| {
            Turn::new(["system", "user", "assistant", "tool"][*role as usize % 4], String::from_utf8_lossy(text))
        })
        .collect()
}

fuzz_target!(
    init: {
        std::alloc::set_alloc_error_hook(|_| std::panic::panic_any(OverCap));
        // libFuzzer's hook aborts on a panic (a finding); the cap's panic is an outcome.
        let findings = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !info.payload().is::<OverCap>() {
                findings(info);
            }
        }));
    },
    |data: &[u8]| {
        let (source, messages) = data.split_at(data.iter().position(|&b| b == 0).unwrap_or(data.len()));
        let template = ChatTemplate::for_model(Some(&String::from_utf8_lossy(source)), "llama", "<s>", "</s>");
        let turns = turns(messages.get(1..).unwrap_or_default());
        if let Err(panic) = catch_unwind(AssertUnwindSafe(|| template.render(&turns, true))) {
            assert!(panic.is::<OverCap>(), "a panic that is not the memory cap");
        }
    }
);
