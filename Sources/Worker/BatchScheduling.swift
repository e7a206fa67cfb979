import Foundation

#if canImport(CLinuxScheduling)
import CLinuxScheduling
#endif

/// Puts the worker's threads under Linux's `SCHED_BATCH` policy, as a CPU-bound throughput task.
///
/// A worker wakes for every step's assignment. Under the default policy a waking worker preempts whatever runs
/// on its core, and on two cores that is often the coordinator's I/O thread halfway through sending the other
/// worker its assignment: that worker then starts a whole chunk gradient (about a millisecond) late, in one step
/// of five. A `SCHED_BATCH` thread does not preempt on wakeup; the coordinator finishes sending first. Measured on
/// two cores, full exercise at two workers: 13.5 → 11.1–12.0 s of training (Docs/Performance.md). The policy
/// needs no privilege and only ever yields to other processes.
public enum BatchScheduling {
    /// Applies the policy to every thread of this process; threads created afterwards inherit it. Returns why it
    /// could not be applied, or nil (also on systems without the policy, where it is not needed).
    @discardableResult
    public static func apply() -> String? {
        #if canImport(CLinuxScheduling)
        return ProcessThreads.apply { tid in
            let code = distembed_set_batch_policy(tid)
            return code == 0 ? nil : "SCHED_BATCH for thread \(tid): \(String(cString: strerror(code)))"
        }
        #else
        return nil
        #endif
    }
}
