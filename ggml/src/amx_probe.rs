//! Whether Intel AMX tiles really work in this process.
//!
//! A CPUID bit is not enough. On one virtual Xeon of the project's machine
//! kind, CPUID and XCR0 report AMX, yet a native build's first `ldtilecfg`
//! faulted. Linux also hands tile state out per process: `arch_prctl(ARCH_REQ_XCOMP_PERM)`
//! must succeed first, and it fails with ENOSPC while any thread has a signal
//! stack too small for a tile-sized signal frame (Rust gives each of its threads
//! an 8 KiB one). So the probe asks, in order: does the CPU report AMX, has the
//! OS enabled tile state, does the kernel grant it to this process, and do tile
//! instructions run, in a forked child, so that a fault kills the child and not
//! the application. Only then may a CPU variant with AMX kernels be chosen.

/// The answer, with the reason when AMX cannot be used.
pub fn tiles_work() -> Result<(), String> {
    imp::tiles_work()
}

#[cfg(all(target_arch = "x86_64", target_os = "linux"))]
mod imp {
    use std::arch::x86_64::{__cpuid, __cpuid_count};

    const ARCH_REQ_XCOMP_PERM: libc::c_long = 0x1023;
    const XFEATURE_XTILEDATA: libc::c_long = 18;
    /// XCR0's tile configuration (17) and tile data (18) bits.
    const XCR0_TILE_STATE: u64 = (1 << 17) | (1 << 18);
    /// A signal stack that holds a signal frame with tile state (about 11 KiB) with room to spare.
    const SIGNAL_STACK_BYTES: usize = 64 << 10;

    pub fn tiles_work() -> Result<(), String> {
        // CPUID exists on every x86-64 CPU; leaf 7 is valid when leaf 0 reports it.
        let (max_leaf, leaf1) = (__cpuid(0).eax, __cpuid(1));
        let leaf7 = if max_leaf >= 7 { __cpuid_count(7, 0) } else { return Err("CPUID has no leaf 7".into()) };
        if leaf7.edx & (1 << 24) == 0 || leaf7.edx & (1 << 25) == 0 {
            return Err("the CPU reports no AMX-TILE/AMX-INT8".into());
        }
        if leaf1.ecx & (1 << 27) == 0 {
            return Err("the OS has not enabled XSAVE (no OSXSAVE)".into());
        }
        if xcr0() & XCR0_TILE_STATE != XCR0_TILE_STATE {
            return Err("the OS has not enabled tile state in XCR0".into());
        }
        enlarge_own_signal_stack();
        // SAFETY: a plain system call with integer arguments.
        if unsafe { libc::syscall(libc::SYS_arch_prctl, ARCH_REQ_XCOMP_PERM, XFEATURE_XTILEDATA) } != 0 {
            let error = std::io::Error::last_os_error();
            return Err(match error.raw_os_error() {
                Some(libc::ENOSPC) => {
                    "the kernel refused tile state: a thread's signal stack is too small for it".into()
                }
                _ => format!("the kernel refused tile state: {error}"),
            });
        }
        tiles_run_in_a_child()
    }

    fn xcr0() -> u64 {
        let (eax, edx): (u32, u32);
        // SAFETY: XGETBV with ECX=0 is valid whenever OSXSAVE is set, checked by the caller.
        unsafe { std::arch::asm!("xgetbv", in("ecx") 0, out("eax") eax, out("edx") edx, options(nomem, nostack)) };
        (u64::from(edx) << 32) | u64::from(eax)
    }

    /// The calling thread usually initialises the backend before it starts others.
    /// If its signal stack is too small for a tile-sized frame (Rust's main thread
    /// gets 8 KiB), give it a larger one, so the kernel's check can pass. The old
    /// stack is left as it was; the new one lives as long as the process.
    fn enlarge_own_signal_stack() {
        // SAFETY: sigaltstack with a null new stack only reads the current one.
        let mut current: libc::stack_t = unsafe { std::mem::zeroed() };
        if unsafe { libc::sigaltstack(std::ptr::null(), &mut current) } != 0
            || current.ss_flags & libc::SS_DISABLE != 0
            || current.ss_flags & libc::SS_ONSTACK != 0
            || current.ss_size >= SIGNAL_STACK_BYTES
        {
            return;
        }
        let memory = Box::leak(vec![0u8; SIGNAL_STACK_BYTES].into_boxed_slice());
        let larger = libc::stack_t { ss_sp: memory.as_mut_ptr().cast(), ss_flags: 0, ss_size: memory.len() };
        // SAFETY: the stack is valid, writable memory that is never freed; the thread is not on its old one.
        unsafe { libc::sigaltstack(&larger, std::ptr::null_mut()) };
    }

    /// Configures a tile, zeroes it, stores it and releases the tiles, in a forked child.
    fn tiles_run_in_a_child() -> Result<(), String> {
        in_a_child(tile_sequence).map_err(|e| format!("tile instructions {e}"))
    }

    /// Exits 0 when a stored zero tile reads back as zeros.
    fn tile_sequence() -> i32 {
        // Palette 1; tile 0 is 16 rows of 64 bytes.
        let mut config = [0u8; 64];
        config[0] = 1;
        config[16..18].copy_from_slice(&64u16.to_le_bytes());
        config[48] = 16;
        let mut stored = [0xAAu8; 16 * 64];
        // SAFETY: ldtilecfg [rdi]; tilezero tmm0; tilestored [rsi+rdx], tmm0;
        // tilerelease (encoded as bytes: the assembler needs no AMX feature).
        // `config` and `stored` are valid for the reads and writes made.
        unsafe {
            std::arch::asm!(
                ".byte 0xc4, 0xe2, 0x78, 0x49, 0x07",
                ".byte 0xc4, 0xe2, 0x7b, 0x49, 0xc0",
                ".byte 0xc4, 0xe2, 0x7a, 0x4b, 0x04, 0x16",
                ".byte 0xc4, 0xe2, 0x78, 0x49, 0xc0",
                in("rdi") config.as_ptr(),
                in("rsi") stored.as_mut_ptr(),
                in("rdx") 64usize,
                options(nostack),
            );
        }
        if stored.iter().all(|&b| b == 0) {
            0
        } else {
            3
        }
    }

    /// Runs `probe` in a forked child: a fault ends the child, not the
    /// application, and the child's exit status is the answer.
    pub(super) fn in_a_child(probe: fn() -> i32) -> Result<(), String> {
        // SAFETY: fork is async-signal-safe; the child runs only `probe` (plain
        // instructions on its own stack) and `_exit`, touching no lock a parent
        // thread might have held.
        let pid = unsafe { libc::fork() };
        if pid < 0 {
            return Err(format!("could not be probed: fork failed: {}", std::io::Error::last_os_error()));
        }
        if pid == 0 {
            // SAFETY: `_exit` ends the child without running the parent's destructors or atexit handlers.
            unsafe { libc::_exit(probe()) };
        }
        let mut status = 0;
        // SAFETY: waits for the child forked above.
        if unsafe { libc::waitpid(pid, &mut status, 0) } != pid {
            return Err(format!("could not be probed: waitpid failed: {}", std::io::Error::last_os_error()));
        }
        if libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0 {
            Ok(())
        } else if libc::WIFSIGNALED(status) {
            Err(format!("faulted (signal {})", libc::WTERMSIG(status)))
        } else {
            Err("gave wrong results".into())
        }
    }
}

#[cfg(not(all(target_arch = "x86_64", target_os = "linux")))]
mod imp {
    pub fn tiles_work() -> Result<(), String> {
        Err("AMX is probed on x86-64 Linux only".into())
    }
}

#[cfg(test)]
mod tests {
    /// Whatever the machine, the probe answers (and never takes the process down).
    #[test]
    fn the_probe_answers() {
        match super::tiles_work() {
            Ok(()) => eprintln!("AMX tiles work here"),
            Err(reason) => assert!(!reason.is_empty()),
        }
    }

    /// The child guard turns a faulting instruction into an answer: what keeps an
    /// application alive on a machine whose tiles fault.
    #[cfg(all(target_arch = "x86_64", target_os = "linux"))]
    #[test]
    fn a_faulting_probe_is_an_error_not_a_crash() {
        fn illegal() -> i32 {
            // SAFETY: ud2 raises SIGILL, in the forked child only.
            unsafe { std::arch::asm!("ud2", options(nomem, nostack)) };
            0
        }
        fn fine() -> i32 {
            0
        }
        let error = super::imp::in_a_child(illegal).unwrap_err();
        assert!(error.contains("faulted (signal 4)"), "{error}");
        assert!(super::imp::in_a_child(fine).is_ok());
    }
}
