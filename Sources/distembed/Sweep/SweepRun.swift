import Foundation
import Wire

/// `run --seeds`: follows the sweep on the local cluster (the coordinator runs its experiments one after
/// another), then prints the sweep's results; `--out DIR` gets each seed's files in `DIR/seed-N`.
struct SweepRun {
    let client: CoordinatorClient
    let cluster: LocalCluster
    let submitted: SubmitReply
    let output: ResultOptions

    func follow() throws {
        let summary = try ClusterFollow.follow(cluster: cluster, client: client, id: submitted.sweepId) { abort in
            var watcher = SweepWatcher(client: client, id: submitted.sweepId)
            watcher.shouldAbort = abort
            return try watcher.follow()
        }
        try SweepOutput.print(client: client, id: submitted.sweepId, json: output.json, report: output.report)
        if let out = output.out {
            for s in summary.sweepExperiments where s.state == .done {
                let folder = URL(fileURLWithPath: out).appendingPathComponent("seed-\(s.seed)").path
                try ArtifactsCopy.copy(from: cluster.storeFolder, experiment: s.id, to: folder)
            }
        }
    }
}
