/// Range checks on a decoded spec, and the model's shapes. `limits` keep one submit from exhausting memory.
enum SpecValidation {
    static func problems(in spec: ExperimentSpec, limits: SpecLimits) -> [SpecError.Problem] {
        var p: [SpecError.Problem] = []
        func check(_ ok: Bool, _ path: String, _ message: String) {
            if !ok { p.append(.init(path: path, message: message)) }
        }
        for (path, name) in [("name", spec.name)] + spec.model.layers.enumerated().compactMap({ i, layer in
            layer.name.map { ("model.layers[\(i)].\(layer.typeName).name", $0) }
        }) {
            if let problem = nameProblem(name) { p.append(.init(path: path, message: problem)) }
        }
        check(spec.dataset.trainLimit >= 1, "dataset.trainLimit", "must be at least 1")
        check(spec.dataset.testLimit >= 0, "dataset.testLimit", "must not be negative")
        p.append(contentsOf: datasetProblems(spec.dataset, layers: spec.model.layers))
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
        check((0...1).contains(spec.determinism.auditFraction), "determinism.auditFraction",
              "must be in [0, 1] (0: no audit)")
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

    /// The NumPy-only fields used with another format, a split fraction outside [0, 1), class names that are
    /// unprintable or not one a unit of the last layer.
    private static func datasetProblems(_ dataset: DatasetSpec, layers: [LayerSpec]) -> [SpecError.Problem] {
        var p: [SpecError.Problem] = []
        let classNames = dataset.classNames
        if dataset.format != .npy {
            if dataset.npz != nil {
                p.append(.init(path: "dataset.npz", message: "is for \"format\": \"npy\" only"))
            }
            if dataset.testFraction != 0 {
                p.append(.init(path: "dataset.testFraction", message: "is for \"format\": \"npy\" only (IDX sets "
                    + "have their own test files)"))
            }
        }
        if !(0..<1).contains(dataset.testFraction) {
            p.append(.init(path: "dataset.testFraction", message: "must be in [0, 1) (0: separate test arrays)"))
        }
        if let npz = dataset.npz, npz.isEmpty || npz.contains("/") {
            p.append(.init(path: "dataset.npz", message: "must name a file in dataset.path, without a folder"))
        }
        if !classNames.isEmpty, case .dense(let units, _, _)? = layers.last, units != classNames.count {
            p.append(.init(path: "dataset.classNames", message: "has \(classNames.count) names but the last layer has "
                + "\(units) units, one a class: give one name a class"))
        }
        for (i, name) in classNames.enumerated() {
            if let problem = nameProblem(name) { p.append(.init(path: "dataset.classNames[\(i)]", message: problem)) }
        }
        return p
    }

    /// The longest name a spec may give an experiment or a layer.
    static let maximumNameLength = 200

    /// Why `name` cannot name an experiment or a layer, or nil. Names reach logs, `list` and other users'
    /// terminals: a newline would forge a log line and an escape sequence could rewrite a terminal, and a name of
    /// megabytes once made every `list` reply too large to send.
    static func nameProblem(_ name: String) -> String? {
        if name.unicodeScalars.count > maximumNameLength {
            return "is \(name.unicodeScalars.count) characters long; at most \(maximumNameLength)"
        }
        if let bad = name.unicodeScalars.first(where: { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }) {
            return "holds the control character U+\(String(bad.value, radix: 16, uppercase: true).leftPadded(to: 4)); "
                + "use printable characters"
        }
        return nil
    }
}

private extension String {
    func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }
}
