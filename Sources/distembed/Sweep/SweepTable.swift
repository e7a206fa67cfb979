import Wire

/// Sweeps in the `list` and `status` tables.
enum SweepTable {
    /// `list`: each sweep's experiments folded into one row where its first experiment was, with the sweep's
    /// state and counts; `status SWEEP` lists them one by one.
    static func collapsed(_ list: [ExperimentSummary]) -> [ExperimentSummary] {
        var members: [String: [ExperimentSummary]] = [:]
        for s in list where !s.sweepId.isEmpty { members[s.sweepId, default: []].append(s) }
        var shown: Set<String> = []
        return list.compactMap { s in
            guard !s.sweepId.isEmpty else { return s }
            guard shown.insert(s.sweepId).inserted, let group = members[s.sweepId] else { return nil }
            let progress = SweepProgress(group.map(\.state))
            var row = group.first { $0.state == .running } ?? s
            row.id = s.sweepId
            row.state = progress.state
            row.message = "\(group.count) seeds: \(progress.counts) (status \(s.sweepId) for each)"
            return row
        }
    }

    /// `status SWEEP`: the sweep's row, then one row per seed.
    static func text(_ sweep: ExperimentSummary) -> String {
        let seeds = sweep.sweepExperiments.map { s in
            var row = s
            row.sweepId = ""
            row.message = "seed \(s.seed)" + (s.message.isEmpty ? "" : ": \(s.message)")
            return row
        }
        var whole = sweep
        whole.sweepExperiments = []
        return SummaryTable.text([whole]) + "\n" + SummaryTable.text(seeds).split(separator: "\n").dropFirst()
            .joined(separator: "\n")
    }
}
