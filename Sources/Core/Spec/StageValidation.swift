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

    static func problems(in spec: ExperimentSpec) -> [SpecError.Problem] {
        guard let metric = spec.training.stages.first(where: { $0.objective.isMetric }),
            spec.training.batchSize < 2
        else { return [] }
        return [.init(path: "training.batchSize", message: "must be at least 2 for a \(metric.objective) objective: "
            + "pairs are drawn inside each minibatch")]
    }
}
