import Foundation
import Testing

/// A diverging run on a coordinator fails at the step that diverged, says why, and stores no NaN (issue 21).
@Suite struct DivergenceProcessTests {
    @Test func aDivergingRunFailsWithTheReasonAndTheNextRunIsFine() throws {
        let cluster = try TestCluster()
        try cluster.startCoordinator()
        try cluster.startWorker("w1")
        let spec = DistributedTrainingTests.spec
        let short = DistributedTrainingTests.short
        let diverging = try Binary.run(
            ["submit", spec, "--coordinator", cluster.endpoint, "--wait"] + short
                + ["--set", "training.learningRate=1e30"])
        #expect(diverging.status != 0)
        #expect(diverging.stderr.contains("training diverged at epoch 1"), "\(diverging.stderr)")
        #expect(diverging.stderr.contains("training.learningRate"), "\(diverging.stderr)")
        let log = cluster.log("coordinator")
        #expect(!log.contains("NOT NULL constraint failed"), "\(log)")
        let next = try Binary.run(["submit", spec, "--coordinator", cluster.endpoint, "--wait", "--json"] + short)
        #expect(next.status == 0, "\(next.stderr)")
        #expect(try Binary.json(next)["weightsSha256"] as? String == DistributedTrainingTests.localHash.get())
    }
}
