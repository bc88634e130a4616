//! A counting global allocator: how often a parser asks the heap for memory.
//!
//! While counting is on, every `alloc`, `alloc_zeroed` and `realloc` call is counted (frees are
//! not: a parser that allocates once per event frees once per event too). The bench is
//! single-threaded, so the difference of [`calls`] around a parse is that parse's count.
//! Counting is only on for the untimed warm-up run: an atomic add per allocation would
//! otherwise slow the parsers that allocate most.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};

/// Allocation calls made while counting was on.
static CALLS: AtomicU64 = AtomicU64::new(0);

/// Whether allocations are being counted.
static COUNTING: AtomicBool = AtomicBool::new(false);

/// Counts one call, if counting is on.
fn count() {
    if COUNTING.load(Relaxed) {
        CALLS.fetch_add(1, Relaxed);
    }
}

/// The system allocator, counting the calls that ask for memory.
pub struct Counting;

// SAFETY: every method forwards to `System` with the caller's arguments unchanged.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count();
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

/// Allocation calls (`alloc` + `alloc_zeroed` + `realloc`) counted so far.
pub fn calls() -> u64 {
    CALLS.load(Relaxed)
}

/// Runs `f` with allocation counting on.
pub fn counted<T>(f: impl FnOnce() -> T) -> T {
    COUNTING.store(true, Relaxed);
    let result = f();
    COUNTING.store(false, Relaxed);
    result
}
