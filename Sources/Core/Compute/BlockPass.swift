import CKernels
import Foundation
import Synchronization

/// Runs an element-wise pass as blocks that the caller's thread and one helper thread claim one at a time: for
/// the coordinator's Adam step, during which every worker waits and a CPU is free.
///
/// The helper sleeps between passes, and waking a thread on an idle vCPU takes tens of microseconds here, about
/// half of the exercise's pass. So the caller may wake it ahead (``wakeHelper()``), never waits for it to arrive,
/// and the helper takes blocks from wherever the caller has got to; the caller waits only for a block the helper
/// has started. A helper that arrives before its pass yields its CPU while it waits, since the scheduler may have
/// put it on the caller's, and the caller must run to start the pass. Each element is computed alone, so who did
/// which block does not change a bit.
public final class BlockPass: Sendable {
    private let shared = Shared()

    /// Starts the helper thread; it ends when this object goes away.
    public init() {
        let shared = self.shared
        let thread = Thread { shared.serve() }
        thread.name = "distembed-block-pass"
        thread.start()
    }

    deinit {
        shared.stop()
    }

    /// Wakes the helper ahead of the next ``run(count:blockSize:_:)``, so that its wake-up overlaps what the caller
    /// does before. Call it between passes, from the thread that runs them.
    public func wakeHelper() {
        shared.wakeAhead()
    }

    /// Calls `body` on disjoint ranges covering `0..<count`, each at most `blockSize` long and starting at a
    /// multiple of it, on this thread and on the helper if it comes in time (woken now, unless ``wakeHelper()``
    /// already did), and returns when all are done.
    public func run(count: Int, blockSize: Int = 2048, _ body: (Range<Int>) -> Void) {
        precondition(blockSize > 0)
        // The claim word holds the block count in 16 bits: bigger passes take bigger blocks.
        let size = max(blockSize, (count + Shared.mostBlocks - 1) / Shared.mostBlocks)
        let blocks = (count + size - 1) / size
        guard blocks > 1 else {
            if count > 0 { body(0..<count) }
            return
        }
        withoutActuallyEscaping(body) { body in
            shared.run(Job(body: body, count: count, blockSize: size, blocks: blocks))
        }
    }

    /// One pass; the caller waits until its last block is done before `body` goes out of scope.
    struct Job: @unchecked Sendable {
        let body: (Range<Int>) -> Void
        let count: Int
        let blockSize: Int
        let blocks: Int

        func callAsFunction(block: Int) {
            let start = block * blockSize
            body(start..<min(start + blockSize, count))
        }
    }

    /// What the two threads share. `claim` packs the pass's generation (32 bits), its block count and the next
    /// unclaimed block (16 bits each): claiming a block is one compare-and-swap that also checks the pass is still
    /// the current one. The caller writes `job` only between passes, when no block is left to claim, and a thread
    /// reads it only after claiming a block of its pass, which the caller then waits for; so it never changes under
    /// a reader.
    final class Shared: @unchecked Sendable {
        static let mostBlocks = 0xFFFF
        /// How long a helper woken ahead waits for its pass to start.
        static let waitNanoseconds: UInt64 = 200_000

        private let claim = Atomic<UInt64>(0)
        private let done = Atomic<Int>(0)
        /// The generation of the pass the helper was woken for.
        private let wanted = Atomic<UInt64>(0)
        private let awake = Atomic<Bool>(false)
        private let stopping = Atomic<Bool>(false)
        private let bell = DispatchSemaphore(value: 0)
        private var job: Job?
        private var generation: UInt64 = 0

        /// Wakes the helper for pass `target`, published or next.
        private func wake(for target: UInt64) {
            wanted.store(target, ordering: .releasing)
            if !awake.exchange(true, ordering: .acquiringAndReleasing) { bell.signal() }
        }

        func wakeAhead() {
            wake(for: Self.after(generation))
        }

        private static func after(_ generation: UInt64) -> UInt64 {
            (generation + 1) & 0xFFFF_FFFF
        }

        func stop() {
            stopping.store(true, ordering: .releasing)
            bell.signal()
        }

        /// The caller's side of a pass.
        func run(_ pass: Job) {
            job = pass
            generation = Self.after(generation)
            done.store(0, ordering: .relaxed)
            claim.store(generation << 32 | UInt64(pass.blocks) << 16, ordering: .releasing)
            wake(for: generation)
            var mine = 0
            while let block = claimBlock(ofGeneration: generation) {
                pass(block: block)
                mine += 1
            }
            // Blocks the helper claimed: at most one is still running.
            while done.load(ordering: .acquiring) + mine < pass.blocks { distembed_spin_pause() }
            job = nil
        }

        /// Claims the next block of pass `generation`, or returns nil when none is left or another pass is current.
        private func claimBlock(ofGeneration generation: UInt64) -> Int? {
            var current = claim.load(ordering: .acquiring)
            while true {
                let next = Int(current & 0xFFFF)
                let blocks = Int(current >> 16 & 0xFFFF)
                guard current >> 32 == generation, next < blocks else { return nil }
                let (exchanged, seen) = claim.compareExchange(
                    expected: current, desired: current + 1, successOrdering: .acquiringAndReleasing,
                    failureOrdering: .acquiring)
                if exchanged { return next }
                current = seen
            }
        }

        /// The helper thread's loop: sleep until woken, then take blocks of the latest pass it was woken for, if it
        /// has not seen it yet and blocks are left. A wake-up for a pass already over (the helper came too late)
        /// costs one look.
        func serve() {
            var seen: UInt64 = 0
            while true {
                bell.wait()
                if stopping.load(ordering: .acquiring) { return }
                // From here a wake-up signals again, so none is lost while this one is served.
                awake.store(false, ordering: .releasing)
                var target = wanted.load(ordering: .acquiring)
                while target != seen {
                    takeBlocks(ofGeneration: target)
                    seen = target
                    target = wanted.load(ordering: .acquiring)
                }
            }
        }

        /// Takes blocks of pass `generation` until none is left. Before the pass starts, waits for it up to
        /// ``waitNanoseconds``, yielding the CPU in between; after it, returns at once.
        private func takeBlocks(ofGeneration generation: UInt64) {
            var deadline: UInt64?
            while true {
                let current = claim.load(ordering: .acquiring) >> 32
                if current == generation {
                    while let block = claimBlock(ofGeneration: generation) {
                        job!(block: block)
                        done.add(1, ordering: .releasing)
                    }
                    return
                }
                // Anything but the pass before it means this one is over.
                guard Self.after(current) == generation else { return }
                let now = DispatchTime.now().uptimeNanoseconds
                if deadline == nil { deadline = now + Self.waitNanoseconds }
                if now > deadline! { return }
                sched_yield()
            }
        }
    }
}
