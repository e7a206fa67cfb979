import Coordinator
import Testing
import Wire

/// The coordinator's bookkeeping of a worker's shared segment: weights written once per step, slots never
/// reused within a step, messages when they run out or the worker did not attach.
@Suite struct WorkerSegmentTests {
    let first = StepKey(epoch: 0, step: 0, version: 0)
    let second = StepKey(epoch: 0, step: 1, version: 1)

    func attached(slots: Int = 4, repliesInMailbox: Bool = true, readsSharedWeights: Bool = false) throws
        -> (WorkerSegment, SharedSegment)
    {
        var link = WorkerSegment(segment: try SharedSegment.create(parameterCount: 8, slotCount: slots))
        let worker = try SharedSegment.attach(link.segment.offer, parameterCount: 8)
        link.markAttached(repliesInMailbox: repliesInMailbox, readsSharedWeights: readsSharedWeights)
        return (link, worker)
    }

    @Test func slotCountIsTwiceTheTreeHeightWithinTheBudget() {
        #expect(WorkerSegment.slotCount(parameterCount: 72_842, chunkCount: 4) == 4)
        #expect(WorkerSegment.slotCount(parameterCount: 72_842, chunkCount: 1) == 1)
        #expect(WorkerSegment.slotCount(parameterCount: 72_842, chunkCount: 5) == 6)
        #expect(WorkerSegment.slotCount(parameterCount: 10_000_000, chunkCount: 64) == 5, "256 MiB of 40 MB regions")
        #expect(WorkerSegment.slotCount(parameterCount: 100_000_000, chunkCount: 4) == nil)
    }

    @Test func aWorkerThatDidNotAttachGetsMessages() throws {
        var link = WorkerSegment(segment: try SharedSegment.create(parameterCount: 8, slotCount: 4))
        #expect(link.assign(first, weights: [Float](repeating: 1, count: 8), subtrees: 1) == nil)
        #expect(link.assignedFirstSlot == nil)
    }

    @Test func slotsAreHandedOutOncePerStepAndTheWeightsWrittenPerStep() throws {
        var (link, worker) = try attached()
        #expect(link.assign(first, weights: [Float](repeating: 1, count: 8), subtrees: 2) == 0)
        #expect(worker.withWeights { $0[7] } == 1)
        // A second run of the same step (another worker was lost): new slots, the same weights.
        #expect(link.assign(first, weights: [Float](repeating: 9, count: 8), subtrees: 1) == 2)
        #expect(link.assignedFirstSlot == 2)
        #expect(worker.withWeights { $0[7] } == 1)
        // Out of slots: this run goes in messages.
        #expect(link.assign(first, weights: [Float](repeating: 1, count: 8), subtrees: 2) == nil)
        #expect(link.assignedFirstSlot == nil)
        // The next step starts from slot 0 with its own weights.
        #expect(link.assign(second, weights: [Float](repeating: 2, count: 8), subtrees: 2) == 0)
        #expect(worker.withWeights { $0[0] } == 2)
    }

    @Test func aWorkerReadingTheSharedWeightsGetsNoCopy() throws {
        var (link, worker) = try attached(readsSharedWeights: true)
        #expect(link.assign(first, weights: [Float](repeating: 7, count: 8), subtrees: 2) == 0)
        #expect(link.wasAssigned(first), "the step is still its own: it is nudged and posts its result")
        #expect(worker.withWeights { $0[0] } == 0, "its segment's weights region stays untouched")
        #expect(link.assign(second, weights: [Float](repeating: 8, count: 8), subtrees: 1) == 0, "slots start again each step")
        #expect(worker.withWeights { $0[7] } == 0)
    }

    @Test func aFreshAdamAtAStageBoundaryStillGetsItsWeights() throws {
        var (link, worker) = try attached()
        _ = link.assign(StepKey(epoch: 0, step: 1, version: 1), weights: [Float](repeating: 1, count: 8), subtrees: 1)
        // A later stage restarts the optimizer's step count: its second step has version 1 again.
        _ = link.assign(StepKey(epoch: 10, step: 1, version: 1), weights: [Float](repeating: 5, count: 8), subtrees: 1)
        #expect(worker.withWeights { $0[0] } == 5)
    }

    @Test func aPostedResultIsTakenOnceAndEndsTheWait() throws {
        var (link, worker) = try attached()
        #expect(link.repliesInMailbox)
        _ = link.assign(first, weights: [Float](repeating: 1, count: 8), subtrees: 1)
        #expect(link.wasAssigned(first) && !link.wasAssigned(second))
        link.expectPostedResult()
        #expect(link.awaitsPostedResult)
        #expect(link.takePostedResult() == nil, "nothing posted yet")
        #expect(link.awaitsPostedResult)
        #expect(worker.post([3, 1, 4], in: .results))
        #expect(link.takePostedResult() == [3, 1, 4])
        #expect(!link.awaitsPostedResult)
        #expect(link.takePostedResult() == nil, "a post is taken once")
        #expect(try !attached(repliesInMailbox: false).0.repliesInMailbox)
    }

    @Test func aSegmentTheWorkerDidNotAttachTookNoPartInAStep() throws {
        var link = WorkerSegment(segment: try SharedSegment.create(parameterCount: 8, slotCount: 4))
        _ = link.assign(first, weights: [Float](repeating: 1, count: 8), subtrees: 1)
        #expect(!link.wasAssigned(first), "not attached: its worker gets messages and no nudge")
    }
}
