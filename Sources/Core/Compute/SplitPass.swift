import Foundation

/// Runs an element-wise pass in two halves at once: the upper half on a helper thread that sleeps between
/// passes, the lower half on the caller's thread.
///
/// For the coordinator's Adam step: while it runs, every worker is waiting for the new weights, so a core is
/// free, and the pass is bound by its square roots and divides (and by memory once the workers have evicted the
/// moments from the cache). Each element is computed exactly as in one pass, so the bits do not depend on the
/// split.
public final class SplitPass: Sendable {
    private let helper: Helper

    /// Starts the helper thread; it ends when this object goes away.
    public init() {
        helper = Helper()
        let helper = self.helper
        let thread = Thread { helper.serve() }
        thread.name = "distembed-split-pass"
        thread.start()
    }

    deinit {
        helper.stop()
    }

    /// Calls `body` with `0..<mid` on this thread and `mid..<count` on the helper, `mid` a multiple of
    /// `alignment` near the middle, and returns when both are done. A pass too small to split runs here whole.
    public func run(count: Int, alignment: Int = 8, _ body: (Range<Int>) -> Void) {
        let mid = count / 2 / alignment * alignment
        guard mid > 0 else {
            body(0..<count)
            return
        }
        withoutActuallyEscaping(body) { body in
            helper.post(Job(body: body, range: mid..<count))
            body(0..<mid)
            helper.waitUntilDone()
        }
    }

    /// One half-pass handed to the helper; the caller waits for it before `body` goes out of scope.
    private struct Job: @unchecked Sendable {
        let body: (Range<Int>) -> Void
        let range: Range<Int>
    }

    /// The state the helper thread and the caller share; the semaphores order every access to `job`.
    private final class Helper: @unchecked Sendable {
        private let start = DispatchSemaphore(value: 0)
        private let done = DispatchSemaphore(value: 0)
        private var job: Job?
        private var stopping = false

        func post(_ job: Job) {
            self.job = job
            start.signal()
        }

        func waitUntilDone() {
            done.wait()
            job = nil
        }

        func stop() {
            stopping = true
            start.signal()
        }

        func serve() {
            while true {
                start.wait()
                if stopping { return }
                if let job { job.body(job.range) }
                done.signal()
            }
        }
    }
}
