/// Range checks on a decoded spec, and the model's shapes. `limits` keep one submit from exhausting memory.
enum SpecValidation {
    static func problems(in spec: ExperimentSpec, limits: SpecLimits) -> [SpecError.Problem] {
        var p: [SpecError.Problem] = []
        func check(_ ok: Bool, _ path: String, _ message: String) {
            if !ok { p.append(.init(path: path, message: message)) }
        }
        check(spec.dataset.trainLimit >= 1, "dataset.trainLimit", "must be at least 1")
        check(spec.dataset.testLimit >= 0, "dataset.testLimit", "must not be negative")
        check(spec.training.epochs >= 1, "training.epochs", "must be at least 1")
        check(spec.training.batchSize >= 1, "training.batchSize", "must be at least 1")
        p.append(contentsOf: limits.problems(in: spec))
        check(spec.training.learningRate > 0, "training.learningRate", "must be positive")
        check((0..<1).contains(spec.training.beta1), "training.beta1", "must be in [0, 1)")
        check((0..<1).contains(spec.training.beta2), "training.beta2", "must be in [0, 1)")
        check(spec.training.epsilon > 0, "training.epsilon", "must be positive")
        check(spec.evaluation.samples >= 2, "evaluation.samples", "must be at least 2 (the losses draw pairs)")
        check(spec.evaluation.samples <= spec.dataset.trainLimit || spec.evaluation.samples <= 60_000,
              "evaluation.samples", "must not exceed the training set")
        check(spec.evaluation.margin > 0, "evaluation.margin", "must be positive")
        check(spec.checkpoint.everySteps >= 0, "checkpoint.everySteps", "must not be negative (0: epoch ends only)")
        check((1...4096).contains(spec.determinism.chunkSize), "determinism.chunkSize", "must be in 1...4096")
        check(spec.model.input.count == 3 && spec.model.input.allSatisfy { (1...4096).contains($0) }, "model.input",
              "must be [height, width, channels], each in 1...4096")
        p.append(contentsOf: StageValidation.problems(in: spec))
        if spec.model.input.count == 3 {
            // A contrastive or triplet chunk also computes its anchors' partners: 2 or 3 rows a sample.
            let rowsPerSample = spec.training.stages.map(\.objective.rowsPerAnchor).max() ?? 1
            p.append(contentsOf: ModelShapes.problems(
                spec.model, evaluationLayer: spec.evaluation.layer,
                chunkRows: min(spec.determinism.chunkSize, 4096) * rowsPerSample, limits: limits))
        }
        return p
    }
}
