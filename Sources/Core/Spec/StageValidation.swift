/// Range checks on training stages: each stage's own fields where they were written (`training.stages[1].margin`,
/// or `training.margin` for a spec without stages), and what a metric objective needs of the rest of the spec.
enum StageValidation {
    static func problems(in stage: TrainingStage, path: String) -> [SpecError.Problem] {
        var p: [SpecError.Problem] = []
        if stage.epochs < 1 { p.append(.init(path: path + ".epochs", message: "must be at least 1")) }
        if !(stage.learningRate > 0) { p.append(.init(path: path + ".learningRate", message: "must be positive")) }
        if stage.objective.isMetric && !(stage.margin > 0) {
            p.append(.init(path: path + ".margin", message: "must be positive"))
        }
        return p
    }

    /// What to say when `training.epochs` disagrees with the stages' epochs (`total`, added up): the overrides that
    /// give the stages `given` epochs in all, each stage keeping its share and at least one epoch.
    static func epochsMismatch(given: Int, stages: [Int], total: Int) -> String {
        let start = "is \(given) but the stages add up to \(total) epochs; a staged run is as long as its stages: "
            + "leave training.epochs out and set each stage's epochs"
        // Only for sizes a spec can have: the shares' arithmetic must not trap on a hostile submit.
        guard (1...100_000).contains(given), stages.allSatisfy({ (1...100_000).contains($0) }) else {
            return start + " (training.stages.N.epochs)"
        }
        var shares = stages.map { max(1, $0 * given / total) }
        var index = 0
        while shares.reduce(0, +) < given {
            shares[index % shares.count] += 1
            index += 1
        }
        let overrides = shares.enumerated().map { "--set training.stages.\($0.offset).epochs=\($0.element)" }
        return start + ", e.g. " + overrides.joined(separator: " ")
            + (shares.reduce(0, +) > given ? " (each stage runs at least 1)" : "")
    }

    static func problems(in spec: ExperimentSpec) -> [SpecError.Problem] {
        guard let metric = spec.training.stages.first(where: { $0.objective.isMetric }),
            spec.training.batchSize < 2
        else { return [] }
        return [.init(path: "training.batchSize", message: "must be at least 2 for a \(metric.objective) objective: "
            + "pairs are drawn inside each minibatch")]
    }
}
