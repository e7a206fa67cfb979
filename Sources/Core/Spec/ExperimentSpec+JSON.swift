import Foundation

extension ExperimentSpec {
    /// Parses a spec from JSON text, applying `overrides` (`training.epochs=2`) first.
    /// - Parameter limits: the largest sizes accepted; ``SpecLimits/maximum`` for a spec admitted before.
    /// - Throws: ``SpecError`` listing every problem by field path.
    public static func parse(json: String, overrides: [String] = [], limits: SpecLimits = .defaults)
        throws(SpecError) -> ExperimentSpec
    {
        try decode(tree(json: json, overrides: overrides), limits: limits)
    }

    /// The spec after `overrides`, checked as ``parse(json:overrides:limits:)`` does, with its JSON text, keys
    /// sorted: what the coordinator stores and sends to workers.
    public static func parseCanonical(json: String, overrides: [String] = [], limits: SpecLimits = .defaults)
        throws(SpecError) -> (spec: ExperimentSpec, json: String)
    {
        let tree = try tree(json: json, overrides: overrides)
        let spec = try decode(tree, limits: limits)
        do {
            let data = try JSONSerialization.data(withJSONObject: tree, options: [.sortedKeys, .withoutEscapingSlashes])
            return (spec, String(decoding: data, as: UTF8.self))
        } catch {
            throw SpecError("", "cannot serialise the spec: \(error)")
        }
    }

    /// The JSON tree of `json` with `overrides` applied.
    private static func tree(json: String, overrides: [String]) throws(SpecError) -> Any {
        let tree: Any
        let data = Data(json.utf8)
        do {
            tree = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        } catch {
            throw SpecError("", "not valid JSON: \(JSONSyntaxError.describe(error, in: data))")
        }
        return try SpecOverrides.apply(overrides, to: tree)
    }

    /// Reads and parses a spec file.
    public static func load(path: String, overrides: [String] = [], limits: SpecLimits = .defaults)
        throws(SpecError) -> ExperimentSpec
    {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SpecError("", "cannot read spec file \(path): check the path")
        }
        return try parse(json: String(decoding: data, as: UTF8.self), overrides: overrides, limits: limits)
    }

    /// Builds a spec from a parsed JSON tree, checking types, ranges and the model's shapes.
    static func decode(_ tree: Any, limits: SpecLimits) throws(SpecError) -> ExperimentSpec {
        var problems: [SpecError.Problem] = []
        var root = JSONFields(tree, path: "", problems: &problems)
        if !(tree is [String: Any]) {
            throw SpecError("", "a spec is a JSON object")
        }
        let name = root.string("name", default: "experiment")!
        let seed = root.int("seed", default: 1)!

        var ds = JSONFields(root.raw("dataset") ?? [String: Any](), path: "dataset", problems: &problems)
        let dataset = decodeDataset(&ds, problems: &problems)
        ds.finish(into: &problems)

        var m = JSONFields(root.raw("model"), path: "model", problems: &problems)
        let input = (m.array("input") ?? []).compactMap { ($0 as? NSNumber).flatMap { Int(exactly: $0.doubleValue) } }
        var layers: [LayerSpec] = []
        for (i, layer) in (m.array("layers") ?? []).enumerated() {
            if let l = decodeLayer(layer, path: "model.layers[\(i)]", problems: &problems) { layers.append(l) }
        }
        m.finish(into: &problems)

        var t = JSONFields(root.raw("training") ?? [String: Any](), path: "training", problems: &problems)
        let training = decodeTraining(&t, problems: &problems)
        t.finish(into: &problems)

        var e = JSONFields(root.raw("evaluation") ?? [String: Any](), path: "evaluation", problems: &problems)
        let drawSeed = e.int("seed", default: 1)!
        let evaluation = EvaluationSpec(
            layer: e.string("layer", default: "embedding")!,
            samples: e.int("samples", default: 50)!,
            seed: drawSeed,
            margin: e.double("margin", default: 1.0)!,
            testAccuracy: e.bool("testAccuracy", default: true)!,
            seeds: decodeDrawSeeds(&e, default: drawSeed, problems: &problems))
        e.finish(into: &problems)

        var d = JSONFields(root.raw("determinism") ?? [String: Any](), path: "determinism", problems: &problems)
        let determinism = DeterminismSpec(
            chunkSize: d.int("chunkSize", default: DeterminismSpec.defaultChunkSize)!,
            auditFraction: d.double("auditFraction", default: DeterminismSpec.defaultAuditFraction)!)
        d.finish(into: &problems)
        var c = JSONFields(root.raw("checkpoint") ?? [String: Any](), path: "checkpoint", problems: &problems)
        let checkpoint = CheckpointSpec(everySteps: c.int("everySteps", default: 0)!)
        c.finish(into: &problems)
        root.finish(into: &problems)

        let spec = ExperimentSpec(
            name: name, seed: UInt64(bitPattern: Int64(seed)), dataset: dataset,
            model: ModelSpec(input: input, layers: layers), training: training, evaluation: evaluation,
            determinism: determinism, checkpoint: checkpoint)
        // A field that could not be read holds a stand-in value: checking its range, or what depends on it, would
        // report a second problem that is not there (`expected an integer` and then `must be at least 1`).
        let unread = problems.map(\.path)
        problems += SpecValidation.problems(in: spec, limits: limits).filter { check in
            !unread.contains { SpecError.Problem.related(check.path, $0) }
        }
        if !problems.isEmpty { throw SpecError(problems: problems) }
        return spec
    }

    /// `dataset`: where the files are, their format, the limits, the split and the class names.
    private static func decodeDataset(_ ds: inout JSONFields, problems: inout [SpecError.Problem]) -> DatasetSpec {
        let formatName = ds.string("format", default: DatasetFormat.idx.rawValue)!
        let format = DatasetFormat(rawValue: formatName)
        if format == nil {
            problems.append(.init(path: ds.child("format"), message: "is '\(formatName)'; expected one of "
                + DatasetFormat.allCases.map { "'\($0.rawValue)'" }.joined(separator: ", ")))
        }
        var classNames: [String] = []
        if ds.raw("classNames") != nil, let list = ds.array("classNames") {
            classNames = list.compactMap { $0 as? String }
            if classNames.count != list.count {
                problems.append(.init(path: ds.child("classNames"), message: "expected an array of strings"))
            }
        }
        return DatasetSpec(
            path: ds.string("path", default: DatasetSpec.defaultPath)!,
            format: format ?? .idx,
            npz: ds.raw("npz") == nil ? nil : ds.string("npz"),
            trainLimit: ds.int("trainLimit", default: 60_000)!,
            testLimit: ds.int("testLimit", default: 10_000)!,
            testFraction: ds.double("testFraction", default: 0)!,
            splitSeed: UInt64(bitPattern: Int64(ds.int("splitSeed", default: 1)!)),
            classNames: classNames)
    }

    /// `training`, with its stages: either `training.stages` or one stage from `epochs`, `objective`, `margin`.
    private static func decodeTraining(_ t: inout JSONFields, problems: inout [SpecError.Problem]) -> TrainingSpec {
        let epochsGiven = t.optionalInt("epochs")
        let learningRate = t.double("learningRate", default: 0.001)!
        let objective = decodeObjective(&t, problems: &problems)
        let margin = t.double("margin", default: 1.0)!
        var stages = [
            TrainingStage(epochs: epochsGiven ?? 20, objective: objective, margin: margin, learningRate: learningRate)
        ]
        let rawStages = t.raw("stages")
        let stagesGiven = rawStages != nil
        if let rawStages {
            stages = []
            if let list = rawStages as? [Any], !list.isEmpty {
                for (i, raw) in list.enumerated() {
                    var s = JSONFields(raw, path: t.child("stages[\(i)]"), problems: &problems)
                    let stage = TrainingStage(
                        epochs: s.int("epochs") ?? 1, objective: decodeObjective(&s, problems: &problems),
                        margin: s.double("margin", default: margin)!,
                        learningRate: s.double("learningRate", default: learningRate)!)
                    s.finish(into: &problems)
                    problems += StageValidation.problems(in: stage, path: s.path)
                    stages.append(stage)
                }
                let total = totalEpochs(stages)
                if let epochsGiven, epochsGiven != total {
                    problems.append(.init(path: t.child("epochs"), message: StageValidation.epochsMismatch(
                        given: epochsGiven, stages: stages.map(\.epochs), total: total)))
                }
            } else {
                problems.append(.init(path: t.child("stages"), message: "expected a non-empty array of "
                    + "{\"epochs\": N, \"objective\": \"crossEntropy\"|\"contrastive\"|\"triplet\"}"))
            }
        }
        if !stagesGiven && objective.isMetric && !(margin > 0) {
            // The epochs and learning rate of a spec without stages are checked as training's own fields.
            problems.append(.init(path: t.child("margin"), message: "must be positive"))
        }
        return TrainingSpec(
            epochs: totalEpochs(stages),
            batchSize: t.int("batchSize", default: 32)!,
            learningRate: learningRate,
            shuffle: t.bool("shuffle", default: true)!,
            beta1: t.double("beta1", default: 0.9)!,
            beta2: t.double("beta2", default: 0.999)!,
            epsilon: t.double("epsilon", default: 1e-7)!,
            stages: stages)
    }

    private static func decodeObjective(_ f: inout JSONFields, problems: inout [SpecError.Problem])
        -> TrainingObjective
    {
        let raw = f.string("objective", default: TrainingObjective.crossEntropy.rawValue)!
        if let objective = TrainingObjective(rawValue: raw) { return objective }
        problems.append(.init(path: f.child("objective"), message: "unknown objective \"\(raw)\"; use one of "
            + TrainingObjective.allCases.map(\.rawValue).joined(separator: ", ")))
        return .crossEntropy
    }

    /// The stages' epochs added up, saturating at `Int.max` (over every limit) instead of trapping: a submit must
    /// not crash the coordinator.
    private static func totalEpochs(_ stages: [TrainingStage]) -> Int {
        stages.reduce(0) { total, stage in
            let (sum, overflow) = total.addingReportingOverflow(stage.epochs)
            return overflow ? .max : sum
        }
    }

    private static func nonEmpty(_ s: String?) -> String? { s?.isEmpty == false ? s : nil }

    private static func decodeLayer(_ value: Any, path: String, problems: inout [SpecError.Problem]) -> LayerSpec? {
        guard let object = value as? [String: Any], object.count == 1, let (kind, body) = object.first else {
            problems.append(.init(path: path, message: "expected one of {\"conv2d\": {...}}, {\"dense\": {...}}, "
                + "{\"flatten\": {}}, {\"dropout\": {...}}"))
            return nil
        }
        var f = JSONFields(body, path: "\(path).\(kind)", problems: &problems)
        defer { f.finish(into: &problems) }
        func activation(_ f: inout JSONFields) -> Activation {
            let raw = f.string("activation", default: "linear")!
            if let a = Activation(rawValue: raw) { return a }
            problems.append(.init(path: f.child("activation"), message: "unknown activation \"\(raw)\"; use one of "
                + Activation.allCases.map(\.rawValue).joined(separator: ", ")))
            return .linear
        }
        switch kind {
        case "conv2d":
            let filters = f.int("filters") ?? 1
            let kernel = f.int("kernel") ?? 1
            let stride = f.int("stride", default: 1)!
            let rawPadding = f.string("padding", default: "valid")!
            let padding = Padding(rawValue: rawPadding) ?? {
                problems.append(.init(path: f.child("padding"), message: "expected \"valid\" or \"same\""))
                return .valid
            }()
            let act = activation(&f)
            return .conv2d(filters: filters, kernel: kernel, stride: stride, padding: padding, activation: act,
                           name: nonEmpty(f.string("name", default: "")))
        case "dense":
            let units = f.int("units") ?? 1
            let act = activation(&f)
            return .dense(units: units, activation: act, name: nonEmpty(f.string("name", default: "")))
        case "flatten":
            return .flatten(name: nonEmpty(f.string("name", default: "")))
        case "dropout":
            return .dropout(rate: f.double("rate") ?? 0, name: nonEmpty(f.string("name", default: "")))
        default:
            problems.append(.init(path: path, message: "unknown layer type \"\(kind)\"; use conv2d, dense, flatten "
                + "or dropout"))
            return nil
        }
    }
}
