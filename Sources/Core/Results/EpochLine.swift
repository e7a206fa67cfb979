import Foundation

/// One human line per epoch, shared by the coordinator's events and the CLI.
public enum EpochLine {
    /// `epoch 11/20 (stage 2/2, triplet)  loss 0.1234  accuracy 0.7600  0.52 s`. The stage and objective are
    /// named wherever they are not plain cross-entropy training in one stage: in a metric stage "accuracy" is the
    /// fraction of pairs or triplets that already meet the margin, not a classification accuracy.
    public static func text(_ m: EpochMetrics, of training: TrainingSpec) -> String {
        "epoch \(m.epoch)/\(training.epochs)" + stageNote(epoch: m.epoch, of: training.stages)
            + String(format: "  loss %.4f  accuracy %.4f  %.2f s", m.loss, m.accuracy, m.seconds)
    }

    /// ` (stage 2/2, triplet)`, ` (triplet)` for a metric objective in one stage, or nothing.
    private static func stageNote(epoch: Int, of stages: [TrainingStage]) -> String {
        var last = 0
        for (index, stage) in stages.enumerated() {
            last += stage.epochs
            guard epoch <= last else { continue }
            if stages.count > 1 { return " (stage \(index + 1)/\(stages.count), \(stage.objective.rawValue))" }
            return stage.objective == .crossEntropy ? "" : " (\(stage.objective.rawValue))"
        }
        return ""
    }
}

/// The JSON encoding of results: sorted keys, so equal results are equal text.
public enum ResultJSON {
    public static var encoder: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }
}
