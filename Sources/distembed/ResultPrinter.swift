import Core
import Foundation

/// Human-readable results.
enum ResultPrinter {
    static func text(_ r: TrainingResult) -> String {
        var lines: [String] = []
        lines.append("experiment     \(PrintableText.escaped(r.name, limit: 200)) (seed \(r.seed))")
        if let workers = r.workers { lines.append("workers        \(workers)") }
        lines.append(String(format: "training       %.2f s, %.0f samples/s, %d steps", r.trainSeconds,
                            r.samplesPerSecond, r.steps))
        if let last = r.epochs.last {
            lines.append(String(format: "final epoch    loss %.4f, accuracy %.4f", last.loss, last.accuracy))
        }
        if let acc = r.testAccuracy { lines.append(String(format: "test accuracy  %.4f", acc)) }
        if let q = r.embeddingQuality {
            lines.append(String(format: "kNN accuracy   k=1 %.4f, k=5 %.4f (%d test images against %d training images)",
                                q.knn1Accuracy, q.knn5Accuracy, q.queryCount, q.galleryCount))
            lines.append(String(format: "recall@1       %.4f", q.recallAt1))
        }
        if let l = r.losses {
            lines.append(String(format: "contrastive    before %.4f, after %.4f", l.contrastive.before,
                                l.contrastive.after))
            lines.append(String(format: "triplet        before %.4f, after %.4f", l.triplet.before, l.triplet.after))
        }
        if let draws = r.drawSeeds { lines += DrawSeedText.lines(draws) }
        if let answer = r.exerciseAnswer {
            let verdict = answer == .none ? "no option holds" : "answer \(answer.label)"
            lines.append("exercise 4     \(verdict): \(answer.statement)")
        }
        if let e = r.events, e.workersLost + e.workersJoined + e.reassignedChunks + e.resumes > 0 {
            lines.append("events         \(e.workersLost) workers lost, \(e.workersJoined) joined, "
                + "\(e.reassignedChunks) chunks reassigned, \(e.resumes) resumes")
        }
        if let e = r.events, let audited = e.auditedRuns, audited > 0 {
            lines.append("audit          \(audited) runs of chunks computed twice, "
                + "\(e.auditMismatches ?? 0) with different bits")
        }
        if let e = r.events, let mismatches = e.replicaMismatches, mismatches > 0 {
            lines.append("replicas       \(mismatches) result\(mismatches == 1 ? "" : "s") computed with weights that "
                + "differed from the coordinator's, refused and computed again")
        }
        if let e = r.events, let groups = e.shardedGroups {
            let rollbacks = e.shardedRollbacks ?? 0
            lines.append("reduction      by the workers in \(groups) sharded group\(groups == 1 ? "" : "s"), \(rollbacks) "
                + "rolled back to their last gathered state")
        }
        lines.append("weightsSha256  \(r.weightsSha256)")
        return lines.joined(separator: "\n")
    }
}
