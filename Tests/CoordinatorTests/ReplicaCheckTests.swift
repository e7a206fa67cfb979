import Coordinator
import Testing

@Suite struct ReplicaCheckTests {
    /// Every K-th step counted across epochs, and each epoch's last step; never with 0.
    @Test func checksEveryKthStepAndEachEpochsLast() {
        let check = ReplicaCheck(interval: 50)
        let steps = 63
        let checked = (0..<3).flatMap { epoch in
            (0..<steps).filter { check.checks(epoch: epoch, step: $0, stepsPerEpoch: steps) }.map { epoch * steps + $0 }
        }
        #expect(checked == [0, 50, 62, 100, 125, 150, 188])
        #expect((0..<steps).allSatisfy { ReplicaCheck(interval: 1).checks(epoch: 2, step: $0, stepsPerEpoch: steps) })
        #expect(!(0..<steps).contains { ReplicaCheck(interval: 0).checks(epoch: 0, step: $0, stepsPerEpoch: steps) })
    }

    /// A process is barred at its third mismatch; another process of the same host, or the same pid on another
    /// host, is not.
    @Test func barsAProcessAtItsThirdMismatch() {
        var check = ReplicaCheck(interval: 1)
        let bad = ReplicaCheck.Process(host: "node-7", pid: 4242)
        for strike in 1...ReplicaCheck.maxStrikes {
            #expect(!check.isBarred(bad))
            #expect(check.recordMismatch(of: bad) == strike)
        }
        #expect(check.isBarred(bad))
        #expect(!check.isBarred(ReplicaCheck.Process(host: "node-7", pid: 4243)))
        #expect(!check.isBarred(ReplicaCheck.Process(host: "node-8", pid: 4242)))
    }

    /// Peers name their own host and pid: however many processes mismatch, the table stays bounded, and the ones
    /// already refused are the last to be forgotten.
    @Test func remembersABoundedNumberOfProcesses() {
        var check = ReplicaCheck(interval: 1)
        let barred = ReplicaCheck.Process(host: "bad-host", pid: 1)
        for _ in 0..<ReplicaCheck.maxStrikes { _ = check.recordMismatch(of: barred) }
        for pid in 0..<Int32(3 * ReplicaCheck.maxRemembered) {
            _ = check.recordMismatch(of: ReplicaCheck.Process(host: "h", pid: pid))
        }
        #expect(check.rememberedCount <= ReplicaCheck.maxRemembered)
        #expect(check.isBarred(barred))
    }
}
