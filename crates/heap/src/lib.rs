//! How the kiosk's process gives freed memory back to the system.
//!
//! glibc's allocator serves a block of 128 KB or more from a mapping of its own, returned to the system
//! when the block is freed, but raises that threshold to the size of any such block freed (up to 32 MB),
//! and with it the size at which its heaps are trimmed. In the kiosk such a block is soon freed (the
//! demo's argon2 staff-code hash at start: 19 MB; a copy of the glyph atlas: 8 MB), so from then on
//! camera frames, detector pyramids and key generation's numbers come from the per-thread
//! heaps, and what they leave when freed stays resident: about 70 MB after one face reception of the
//! demo (docs/benchmarks.md, issue 17). Fixing the threshold at glibc's default keeps large blocks in
//! mappings of their own again, given back as soon as they are freed, at the cost of a mapping and its
//! page faults per large block (a few per camera frame).
//!
//! This is the workspace's only `unsafe` code, kept in a crate of its own so every other crate still
//! forbids it.

/// Keep blocks of 128 KB and more out of the heaps and trim the heaps from 128 KB free (glibc's
/// defaults, without their growth). Call it first thing in `main`. Returns whether the allocator took
/// the setting (always `false` where the C library is not glibc, which has no such setting).
pub fn return_large_blocks_to_the_system() -> bool {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        const BYTES: libc::c_int = 128 * 1024;
        // SAFETY: `mallopt` changes two parameters of glibc's allocator and takes its own locks; it
        // touches no memory of the caller's, so it is sound to call at any time from any thread.
        #[expect(unsafe_code, reason = "glibc's allocator is set only through its C function")]
        let set = unsafe {
            libc::mallopt(libc::M_MMAP_THRESHOLD, BYTES) == 1
                && libc::mallopt(libc::M_TRIM_THRESHOLD, BYTES) == 1
        };
        set
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// On glibc the setting is taken, and a large block freed after it is given back: the resident
    /// memory does not keep it.
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    #[test]
    fn a_large_block_freed_is_given_back() {
        fn resident_kb() -> u64 {
            std::fs::read_to_string("/proc/self/status")
                .ok()
                .and_then(|s| {
                    s.lines()
                        .find(|l| l.starts_with("VmRSS:"))
                        .and_then(|l| l.split_whitespace().nth(1))
                        .and_then(|v| v.parse().ok())
                })
                .unwrap_or(0)
        }
        assert!(return_large_blocks_to_the_system());
        // Without the setting, freeing this 24 MB block would raise glibc's threshold, and the 8 MB
        // blocks after it would stay in the heap once freed.
        drop(std::hint::black_box(vec![1u8; 24 << 20]));
        let before = resident_kb();
        let blocks: Vec<Vec<u8>> = (0..8)
            .map(|i| std::hint::black_box(vec![i as u8 + 1; 8 << 20]))
            .collect();
        let filled = resident_kb();
        drop(blocks);
        let after = resident_kb();
        assert!(filled >= before + 60 * 1024, "{before} → {filled} kB");
        assert!(
            after < before + 8 * 1024,
            "{before} → {filled} → {after} kB: the freed blocks stayed"
        );
    }
}
