//! How the allocator hands freed memory back to the system, set from the groups a process runs.
//!
//! glibc's malloc raises its mmap threshold each time a block above it is freed, up to 32 MiB.
//! After a snapshot's first row group the writer's buffers (its pages, the batch, the output
//! room) therefore come from the heap, whose freed pages stay resident and whose holes are
//! seldom reused whole: measured at 300,000 users, 107–117 MB peak RSS against 56–60 MB with
//! the threshold held at glibc's 128 KiB default, for the same CPU within noise.
//!
//! The System Log keeps the adaptive default. It writes a small part per page, so fresh
//! mappings for its page-sized buffers cost page faults on every page (about 10 % more CPU,
//! measured), while its peak RSS (28–77 MB measured) is well within a 128 MB Lambda either way.

use crate::resources::{Group, Kind};

/// glibc's own initial threshold; setting it (to any value) turns the raising off.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const MMAP_THRESHOLD: libc::c_int = 128 * 1024;

/// Holds the mmap threshold if `plan` reads any snapshot. It stays held for the rest of the
/// process: glibc cannot be told to adapt again, and a Lambda function runs one group.
pub fn tune_for<'a>(plan: impl IntoIterator<Item = &'a Group>) {
    if plan.into_iter().any(|g| g.kind == Kind::Snapshot) {
        hold_mmap_threshold();
    }
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn hold_mmap_threshold() {
    // SAFETY: mallopt only sets a malloc parameter; it takes the allocator's own lock.
    if unsafe { libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD) } != 1 {
        tracing::warn!("malloc refused a fixed mmap threshold; peak memory may be higher");
    }
}

/// Other allocators (musl's, macOS's) do not raise a threshold this way.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn hold_mmap_threshold() {}
