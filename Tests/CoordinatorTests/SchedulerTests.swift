import Coordinator
import Testing

@Suite struct SchedulerTests {
    let key = StepKey(epoch: 0, step: 0, version: 0)

    func ready(_ ids: [WorkerID], options: Scheduler.Options = .init()) -> Scheduler {
        var s = Scheduler(options: options)
        s.experimentStarted()
        for id in ids {
            s.workerJoined(id, name: "w\(id)", at: 0)
            _ = s.workerReady(id, at: 0)
        }
        return s
    }

    func runs(_ directives: [Directive]) -> [WorkerID: Range<Int>] {
        var out: [WorkerID: Range<Int>] = [:]
        for case .assign(let id, _, let run) in directives { out[id] = run }
        return out
    }

    @Test func stepIsCutIntoOneContiguousRunPerWorker() {
        var s = ready([1, 2, 3])
        let d = s.beginStep(key, chunkCount: 4, at: 1)
        #expect(runs(d) == [1: 0..<1, 2: 1..<2, 3: 2..<4])
        #expect(s.resultArrived(from: 1, key: key, run: 0..<1, at: 2) == (true, []))
        #expect(s.resultArrived(from: 3, key: key, run: 2..<4, at: 2) == (true, []))
        #expect(s.resultArrived(from: 2, key: key, run: 1..<2, at: 2) == (true, [.stepComplete(key)]))
    }

    @Test func moreWorkersThanChunksLeavesSomeIdle() {
        var s = ready([1, 2, 3, 4, 5])
        #expect(runs(s.beginStep(key, chunkCount: 2, at: 0)) == [1: 0..<1, 2: 1..<2])
    }

    @Test func lostWorkersRunGoesToTheNextFreeWorker() {
        var s = ready([1, 2])
        _ = s.beginStep(key, chunkCount: 4, at: 0)
        #expect(s.workerLost(2, at: 1) == [])  // worker 1 is busy: the run waits
        #expect(s.resultArrived(from: 1, key: key, run: 0..<2, at: 2) == (true, [.assign(1, key, run: 2..<4)]))
        #expect(s.resultArrived(from: 1, key: key, run: 2..<4, at: 3) == (true, [.stepComplete(key)]))
        #expect(s.reassignedChunks == 2)
    }

    @Test func lateResultOfADroppedWorkerIsIgnored() {
        var s = ready([1, 2], options: .init(heartbeatTimeout: 100, resultTimeout: 5))
        _ = s.beginStep(key, chunkCount: 2, at: 0)
        _ = s.resultArrived(from: 1, key: key, run: 0..<1, at: 1)
        s.heard(from: 1, at: 5.5)
        let d = s.tick(at: 6)
        #expect(d.first == .drop(2, reason: "no result for epoch 1 step 1 after 6 s (result timeout 5 s)"))
        #expect(d.dropFirst().first == .assign(1, key, run: 1..<2))
        // Worker 2 wakes up and sends its stale result: not counted.
        #expect(s.resultArrived(from: 2, key: key, run: 1..<2, at: 7).accepted == false)
        #expect(s.resultArrived(from: 1, key: key, run: 1..<2, at: 7) == (true, [.stepComplete(key)]))
    }

    @Test func silentWorkerIsDropped() {
        var s = ready([1, 2], options: .init(heartbeatTimeout: 3, resultTimeout: 100))
        s.heard(from: 1, at: 4)
        let d = s.tick(at: 4)
        #expect(d.count == 1)
        if case .drop(let id, _) = d.first { #expect(id == 2) } else { Issue.record("expected a drop") }
        #expect(s.workerIDs == [1])
    }

    @Test func lastWorkerGoneMeansWaitingThenResume() {
        var s = ready([1])
        _ = s.beginStep(key, chunkCount: 3, at: 0)
        let d = s.workerLost(1, at: 1)
        #expect(d.count == 1)
        if case .waiting = d.first {} else { Issue.record("expected waiting, got \(d)") }
        s.workerJoined(7, name: "late", at: 2)
        #expect(s.workerReady(7, at: 2) == [.assign(7, key, run: 0..<3)])
    }

    @Test func wrongStepOrRunIsNotAccepted() {
        var s = ready([1])
        _ = s.beginStep(key, chunkCount: 2, at: 0)
        #expect(s.resultArrived(from: 1, key: StepKey(epoch: 0, step: 1, version: 1), run: 0..<2, at: 1).accepted
            == false)
        #expect(s.resultArrived(from: 1, key: key, run: 0..<1, at: 1).accepted == false)
        #expect(s.resultArrived(from: 9, key: key, run: 0..<2, at: 1).accepted == false)
        #expect(s.resultArrived(from: 1, key: key, run: 0..<2, at: 1).accepted == true)
    }

    @Test func shuffledDealingStillCoversEveryChunkOnce() {
        var s = ready([1, 2, 3], options: .init(shuffleSeed: 42))
        for step in 0..<20 {
            let k = StepKey(epoch: 0, step: step, version: UInt64(step))
            let assigned = runs(s.beginStep(k, chunkCount: 7, at: 0))
            let covered = assigned.values.sorted { $0.lowerBound < $1.lowerBound }.flatMap { Array($0) }
            #expect(covered == Array(0..<7))
            for (id, run) in assigned { _ = s.resultArrived(from: id, key: k, run: run, at: 0) }
        }
    }

    /// A worker that heartbeats but never answers the setup held back the first step for ever (issue 21).
    @Test func setupUnansweredPastTheTimeoutDropsTheWorker() {
        var s = Scheduler(options: .init(heartbeatTimeout: 100, resultTimeout: 100, setupTimeout: 5))
        s.experimentStarted()
        for id: WorkerID in [1, 2] {
            s.workerJoined(id, name: "w\(id)", at: 0)
            s.setupSent(to: id, at: 0)
        }
        _ = s.workerReady(1, at: 1)
        #expect(s.setupsPending)
        s.heard(from: 2, at: 4.9)
        #expect(s.tick(at: 5) == [])
        s.heard(from: 2, at: 5.9)
        #expect(s.tick(at: 6) == [.drop(2, reason: "no answer to the experiment's setup after 6 s (setup timeout 5 s)")])
        #expect(!s.setupsPending)
        #expect(s.workerIDs == [1])
    }

    @Test func answeredSetupsAreNotTimedOut() {
        var s = Scheduler(options: .init(heartbeatTimeout: 100, resultTimeout: 100, setupTimeout: 5))
        s.experimentStarted()
        s.workerJoined(1, name: "w1", at: 0)
        s.setupSent(to: 1, at: 0)
        _ = s.workerReady(1, at: 1)
        s.heard(from: 1, at: 50)
        #expect(s.tick(at: 50) == [])
    }

    /// A failed setup keeps the worker connected but idle, and deals its chunks to the others.
    @Test func failedSetupRedealsAndIdlesTheWorker() {
        var s = ready([1, 2])
        _ = s.beginStep(key, chunkCount: 4, at: 0)
        s.setupSent(to: 2, at: 1)
        #expect(s.setupFailed(2, at: 1) == [])  // worker 1 is busy: the run waits for it
        #expect(s.workerIDs == [1, 2])
        #expect(s.readyCount == 1)
        #expect(!s.setupsPending)
        #expect(s.resultArrived(from: 1, key: key, run: 0..<2, at: 2) == (true, [.assign(1, key, run: 2..<4)]))
    }

    /// `reassignedChunks` counts one experiment's: it once added up across experiments.
    @Test func reassignedChunksCountOneExperiment() {
        var s = ready([1, 2])
        _ = s.beginStep(key, chunkCount: 4, at: 0)
        _ = s.workerLost(2, at: 1)
        #expect(s.reassignedChunks == 2)
        s.experimentEnded()
        #expect(s.reassignedChunks == 2, "kept for the ended experiment's result")
        s.experimentStarted()
        #expect(s.reassignedChunks == 0)
    }

    /// With `auditFraction` 1 every run is computed again by another worker, which the recomputation names.
    @Test func auditedRunsAreComputedAgainByAnotherWorker() {
        var s = ready([1, 2])
        #expect(runs(s.beginStep(key, chunkCount: 4, auditFraction: 1, at: 0)) == [1: 0..<2, 2: 2..<4])
        #expect(s.checks(of: 1, key: key, run: 0..<2) == [])
        #expect(s.resultArrived(from: 1, key: key, run: 0..<2, at: 1) == (true, []))  // worker 2 is busy
        #expect(s.resultArrived(from: 2, key: key, run: 2..<4, at: 2)
            == (true, [.assign(1, key, run: 2..<4), .assign(2, key, run: 0..<2)]))
        #expect(s.checks(of: 1, key: key, run: 2..<4) == [2])
        #expect(s.checks(of: 2, key: key, run: 0..<2) == [1])
        #expect(s.checks(of: 2, key: key, run: 2..<4) == nil, "not its assignment")
        #expect(s.resultArrived(from: 1, key: key, run: 2..<4, at: 3) == (true, []))
        #expect(s.resultArrived(from: 2, key: key, run: 0..<2, at: 3) == (true, [.stepComplete(key)]))
        #expect(s.auditedRuns == 2)
    }

    @Test func oneWorkerOrNoFractionMeansNoAudit() {
        var alone = ready([1])
        _ = alone.beginStep(key, chunkCount: 4, auditFraction: 1, at: 0)
        #expect(alone.resultArrived(from: 1, key: key, run: 0..<4, at: 1) == (true, [.stepComplete(key)]))
        var two = ready([1, 2])
        _ = two.beginStep(key, chunkCount: 4, auditFraction: 0, at: 0)
        _ = two.resultArrived(from: 1, key: key, run: 0..<2, at: 1)
        #expect(two.resultArrived(from: 2, key: key, run: 2..<4, at: 1) == (true, [.stepComplete(key)]))
        #expect(alone.auditedRuns == 0 && two.auditedRuns == 0)
    }

    /// The same runs are audited whatever the timing: the draw depends on the key, the step and the run only.
    @Test func whichRunsAreAuditedIsAFixedDraw() {
        func audited(_ fraction: Double, key: UInt64 = 7) -> [Int] {
            var s = ready([1, 2], options: .init(auditKey: key))
            var out: [Int] = []
            for step in 0..<200 {
                let k = StepKey(epoch: 0, step: step, version: UInt64(step))
                _ = s.beginStep(k, chunkCount: 2, auditFraction: fraction, at: 0)
                _ = s.resultArrived(from: 1, key: k, run: 0..<1, at: 0)
                let d = s.resultArrived(from: 2, key: k, run: 1..<2, at: 0).directives
                if d != [.stepComplete(k)] { out.append(step) }
                for case .assign(let id, _, let run) in d { _ = s.resultArrived(from: id, key: k, run: run, at: 0) }
            }
            return out
        }
        let tenth = audited(0.1)
        #expect(tenth == audited(0.1))
        #expect(tenth != audited(0.1, key: 8), "another key draws other runs")
        #expect((5...40).contains(tenth.count), "\(tenth.count) of 200 steps audited at 0.1")
        #expect(audited(1).count == 200)
    }

    /// An audit that disagrees goes to a third worker, which checks both; with no third worker nobody can tell.
    @Test func aDisputeGoesToAThirdWorker() {
        var s = ready([1, 2, 3])
        _ = s.beginStep(key, chunkCount: 3, at: 0)
        let dealt = s.disputed(0..<1, between: [1, 2])
        #expect(dealt)
        _ = s.resultArrived(from: 2, key: key, run: 1..<2, at: 1)
        let d = s.resultArrived(from: 3, key: key, run: 2..<3, at: 1).directives
        #expect(d == [.assign(3, key, run: 0..<1)], "the tie-break goes to worker 3, not to worker 2")
        #expect(s.checks(of: 3, key: key, run: 0..<1) == [1, 2])
        var two = ready([1, 2])
        _ = two.beginStep(key, chunkCount: 2, at: 0)
        let nobody = two.disputed(0..<1, between: [1, 2])
        #expect(!nobody)
    }
}
