import Wire

/// Sweeps in the `list` and `status` tables.
enum SweepTable {
    /// `list`: each sweep's experiments folded into one row where its first experiment was; `status SWEEP` lists
    /// them one by one.
    static func collapsed(_ list: [ExperimentSummary]) -> [ExperimentSummary] {
        var members: [String: [ExperimentSummary]] = [:]
        for s in list where !s.sweepId.isEmpty { members[s.sweepId, default: []].append(s) }
        var shown: Set<String> = []
        return list.compactMap { s in
            guard !s.sweepId.isEmpty else { return s }
            guard shown.insert(s.sweepId).inserted, let group = members[s.sweepId] else { return nil }
            return row(s.sweepId, group)
        }
    }

    /// A sweep's row: its state and counts, and the epoch of the seed running (or of the last to leave the
    /// queue). No loss or accuracy: those are each seed's own.
    static func row(_ sweepId: String, _ group: [ExperimentSummary]) -> ExperimentSummary {
        let progress = SweepProgress(group.map(\.state))
        let current = group.first { $0.state == .running } ?? group.last { $0.state != .queued }
        var row = current ?? group[0]
        row.id = sweepId
        row.name = group[0].name
        row.state = progress.state
        row.loss = 0
        row.accuracy = 0
        if current == nil { row.epochs = 0 }
        row.message = "\(group.count) seeds: \(progress.counts)"
            + (current.map { "; seed \($0.seed) \($0.state)" } ?? "") + " (status \(sweepId) for each)"
        return row
    }

    /// `status SWEEP`: the sweep's row, then one row per seed.
    static func text(_ sweep: ExperimentSummary) -> String {
        let seeds = sweep.sweepExperiments.map { s in
            var row = s
            row.sweepId = ""
            row.message = "seed \(s.seed)" + (s.message.isEmpty ? "" : ": \(s.message)")
            return row
        }
        return SummaryTable.text([row(sweep.id, sweep.sweepExperiments)] + seeds)
    }
}
