import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Puts the worker's threads under Linux's `SCHED_BATCH` policy, as a CPU-bound throughput task.
///
/// A worker wakes for every step's assignment. Under the default policy a waking worker preempts whatever runs
/// on its core, and on two cores that is often the coordinator's I/O thread halfway through sending the other
/// worker its assignment: that worker then starts a whole chunk gradient (about a millisecond) late, in one step
/// of five. A `SCHED_BATCH` thread does not preempt on wakeup; the coordinator finishes sending first. Measured on
/// two cores, full exercise at two workers: 13.5 → 11.1–12.0 s of training (Docs/Performance.md). The policy
/// needs no privilege and only ever yields to other processes; it is not fairer or less fair otherwise.
public enum BatchScheduling {
    /// Applies the policy to every thread of this process; threads created afterwards inherit it. Returns why it
    /// could not be applied, or nil (also on systems without the policy, where it is not needed).
    @discardableResult
    public static func apply() -> String? {
        #if os(Linux)
        let schedBatch: Int32 = 3  // SCHED_BATCH in <sched.h>, which Swift's Glibc module does not export.
        var parameters = sched_param()
        parameters.sched_priority = 0
        let threads = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? ["0"]
        for thread in threads {
            guard let tid = Int32(thread), sched_setscheduler(tid, schedBatch, &parameters) == 0 else {
                return "sched_setscheduler(SCHED_BATCH) for thread \(thread): \(String(cString: strerror(errno)))"
            }
        }
        #endif
        return nil
    }
}
