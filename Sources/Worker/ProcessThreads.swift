import Foundation

/// The threads of this process, for the scheduling settings Linux applies per thread (policy, affinity).
enum ProcessThreads {
    /// Calls `body` with each thread id (from `/proc/self/task`; just 0, the caller, where that cannot be read)
    /// until it returns a problem; returns that problem, or nil.
    static func apply(_ body: (Int32) -> String?) -> String? {
        let threads = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
        for tid in threads.isEmpty ? [0] : threads.compactMap(Int32.init) {
            if let problem = body(tid) { return problem }
        }
        return nil
    }
}
