import Foundation

#if canImport(CLinuxScheduling)
import CLinuxScheduling
#endif

/// Pins a worker process to one CPU, as `distembed run` does for its workers when there are no more of them than
/// CPUs (like MPI's `--bind-to core`).
///
/// Unpinned on two cores, a worker woken for its assignment is often queued on the core where the other worker has
/// just started computing: it ran there a moment ago, so the kernel deems it cache-hot and leaves it there, and
/// under `SCHED_BATCH` it does not preempt; it starts a whole chunk gradient (about a millisecond) late, in one
/// step of ten. Pinned, each worker has its own core (Docs/Performance.md has the traces).
public enum CPUBinding {
    /// The CPUs this process may run on (its affinity mask), ascending; empty where that cannot be read.
    public static func allowedCPUs() -> [Int] {
        #if canImport(CLinuxScheduling)
        var cpus = [Int32](repeating: 0, count: 1024)
        let count = distembed_allowed_cpus(&cpus, Int32(cpus.count))
        return count > 0 ? cpus[0..<Int(count)].map(Int.init) : []
        #else
        return []
        #endif
    }

    /// Pins every thread of this process to `cpu`; threads created afterwards inherit it. Returns why it could not,
    /// or nil.
    public static func bind(to cpu: Int) -> String? {
        #if canImport(CLinuxScheduling)
        let allowed = allowedCPUs()
        guard allowed.contains(cpu) else {
            return "CPU \(cpu) is not one this process may use (allowed: "
                + allowed.map(String.init).joined(separator: ",") + ")"
        }
        return ProcessThreads.apply { tid in
            let code = distembed_bind_thread(tid, Int32(cpu))
            return code == 0 ? nil : "pinning thread \(tid) to CPU \(cpu): \(String(cString: strerror(code)))"
        }
        #else
        return "pinning to a CPU needs Linux"
        #endif
    }
}
