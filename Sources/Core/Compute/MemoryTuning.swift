#if canImport(Glibc)
import CMalloc
#endif

/// Process-wide allocator settings for the step loop.
public enum MemoryTuning {
    /// Keeps glibc from returning every large buffer (a 291 KB tensor) to the kernel with `munmap` and faulting
    /// fresh pages in for the next one: measured on this VM, a 72,842-float message took 345–550 µs to pack or
    /// unpack with fresh arrays and 20–28 µs once large blocks stayed in the heap. Blocks of 4 MB and more (the
    /// dataset) are still mapped and unmapped, so they go back to the system when freed. Call once at start-up.
    public static func keepLargeBuffersInHeap() {
        #if canImport(Glibc)
        _ = mallopt(M_MMAP_THRESHOLD, 4 << 20)
        _ = mallopt(M_TRIM_THRESHOLD, 32 << 20)
        #endif
    }
}
