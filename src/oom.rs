//! The binary's global allocator: the system's, except that an allocation
//! the system refuses (memory or address space exhausted, `ulimit -v`)
//! ends the program with a one-line error and exit code 1, instead of
//! Rust's abort (exit code 134, "memory allocation of N bytes failed" and
//! an empty backtrace). Rust's hook for this, `std::alloc::set_alloc_error_hook`,
//! is unstable, and a panic hook never sees an allocation failure, so the
//! check sits in the allocator: one comparison with null per allocation.
//!
//! What this cannot catch: the kernel's OOM killer, which ends a process
//! with SIGKILL when memory runs out after it was granted (Linux
//! overcommits), and allocations through `try_reserve`, which end the
//! program here too instead of returning an error (capsim uses none).

#![allow(unsafe_code)] // a GlobalAlloc is unsafe by definition; it forwards to System

use std::alloc::{GlobalAlloc, Layout, System};

/// The system allocator, ending the program cleanly when it fails.
pub(crate) struct Guarded;

// SAFETY: every call is forwarded unchanged to `System`, which upholds the
// GlobalAlloc contract; a null result (failure) never returns to the caller.
unsafe impl GlobalAlloc for Guarded {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's layout, as received.
        let p = unsafe { System.alloc(layout) };
        if p.is_null() {
            out_of_memory(layout.size());
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as `alloc`.
        let p = unsafe { System.alloc_zeroed(layout) };
        if p.is_null() {
            out_of_memory(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` was allocated by `System` (through this allocator)
        // with `layout`.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: as `dealloc`, with the caller's new size.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if p.is_null() {
            out_of_memory(new_size);
        }
        p
    }
}

/// Writes `error: out of memory ...` to stderr and exits with code 1,
/// allocating nothing (the message is built on the stack, written with one
/// `write`, and the process ends without running destructors: a lock file
/// left behind is taken over by the next run, as a killed run's is).
fn out_of_memory(bytes: usize) -> ! {
    let mut buf = [0u8; 256];
    let mut len = 0;
    let mut put = |part: &[u8]| {
        let n = part.len().min(buf.len() - len);
        buf[len..len + n].copy_from_slice(&part[..n]);
        len += n;
    };
    put(b"error: out of memory: could not allocate ");
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    let mut n = bytes;
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    put(&digits[i..]);
    put(b" more bytes; run fewer trials (or shards), fewer --threads, or a smaller scenario\n");
    write_stderr_and_exit(&buf[..len])
}

#[cfg(unix)]
fn write_stderr_and_exit(message: &[u8]) -> ! {
    // SAFETY: a valid buffer and length; `_exit` ends the process at once.
    unsafe {
        libc::write(2, message.as_ptr().cast(), message.len());
        libc::_exit(1)
    }
}

#[cfg(not(unix))]
fn write_stderr_and_exit(message: &[u8]) -> ! {
    use std::io::Write;
    let _ = std::io::stderr().write_all(message);
    std::process::exit(1)
}
