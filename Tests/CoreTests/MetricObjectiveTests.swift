import Core
import Foundation
import Testing

/// The contrastive and triplet objectives: gradients against finite differences of a Float64 reference, the
/// pair draws, and the split-independence a chunk's gradient must keep.
@Suite struct MetricObjectiveTests {
    static let modelJSON = #"{"input": [6, 6, 1], "layers": [{"conv2d": {"filters": 2, "kernel": 3, "activation": "relu"}}, {"flatten": {}}, {"dense": {"units": 5, "activation": "relu", "name": "emb"}}, {"dropout": {"rate": 0.5}}, {"dense": {"units": 3, "activation": "softmax"}}]}"#

    @Test(arguments: [TrainingObjective.contrastive, .triplet])
    func gradientMatchesFiniteDifferences(_ objective: TrainingObjective) throws {
        let spec = try ExperimentSpec.parse(json: "{\"model\": \(Self.modelJSON), \"evaluation\": {\"layer\": \"emb\"}}")
        let model = try Model(spec.model)
        let layer = model.layer(named: "emb")!.index
        let p = Philox(seed: 5)
        let images = 6
        let pixels = (0..<(images * 36)).map { UInt8(p.word((60, UInt32($0), 0, 0), lane: 0) % 256) }
        let data = ImageSet(pixels: pixels, labels: [0, 1, 0, 2, 1, 0], height: 6, width: 6)
        var weights = GlorotInitializer.weights(for: model, seed: 9)
        for t in model.parameters where t.isBias {
            for e in 0..<t.count {
                weights[t.offset + e] = (Philox.unitFloat(p.word((61, UInt32(t.offset + e), 0, 0), lane: 1)) - 0.3) * 0.2
            }
        }
        // Three anchors; the third has no partners (its rows repeat it and contribute nothing).
        let anchorRows = [0, 1, 3]
        let partnerRows: [[Int]] = objective == .triplet ? [[2, 4, 3], [1, 5, 3]] : [[2, 5, 3]]
        let rows = anchorRows + partnerRows.flatMap { $0 }
        let anchors = [
            MetricLoss.Anchor(valid: true, sameClass: true), MetricLoss.Anchor(valid: true, sameClass: false),
            MetricLoss.Anchor(valid: false, sameClass: false),
        ]
        let margin: Float = 1.5
        let engine = GradientEngine(model: model, capacity: rows.count)
        var gradient = [Float](repeating: .nan, count: model.parameterCount)
        let stats = weights.withUnsafeBufferPointer { w in
            gradient.withUnsafeMutableBufferPointer { g in
                engine.metricChunkGradient(
                    weights: w.baseAddress!, rows: rows[...], anchors: anchors, from: data,
                    keys: .init(seed: 1, epoch: 0), objective: objective, margin: margin, layer: layer,
                    into: g.baseAddress!)
            }
        }
        #expect(!gradient.contains { $0.isNaN }, "every gradient element is written")
        let classifier = model.parameterPrefix(through: layer)
        #expect(classifier < model.parameterCount)
        #expect(gradient[classifier...].allSatisfy { $0 == 0 }, "the classifier after the embedding gets no gradient")

        let reference = ReferenceModel(spec: spec.model)
        let inputs = (0..<images).map { s in (0..<36).map { Double(Float(pixels[s * 36 + $0]) / 255) } }
        func loss(_ w: [Double]) -> Double {
            let e = inputs.indices.map {
                reference.output(weights: w, image: inputs[$0], sample: $0, masks: [:], through: layer)
            }
            func d2(_ a: Int, _ b: Int) -> Double { zip(e[a], e[b]).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } }
            let m = Double(margin)
            var total = 0.0
            for (i, anchor) in anchors.enumerated() where anchor.valid {
                let a = anchorRows[i]
                if objective == .triplet {
                    total += max(0, m + d2(a, partnerRows[0][i]) - d2(a, partnerRows[1][i]))
                } else if anchor.sameClass {
                    total += d2(a, partnerRows[0][i]) / 2
                } else {
                    total += max(0, m - d2(a, partnerRows[0][i])) / 2
                }
            }
            return total
        }
        var w64 = weights.map(Double.init)
        let value = loss(w64)
        #expect(value > 0.01, "the hinge is active, so the check means something")
        #expect(abs(stats.lossSum - value) <= 1e-4 * max(1, value), "forward loss \(stats.lossSum) vs \(value)")
        #expect(stats.count == 3)
        let eps = 1e-4
        for i in 0..<classifier {
            let saved = w64[i]
            w64[i] = saved + eps
            let up = loss(w64)
            w64[i] = saved - eps
            let down = loss(w64)
            w64[i] = saved
            let numeric = (up - down) / (2 * eps)
            let error = abs(Double(gradient[i]) - numeric) / max(1e-2, abs(numeric))
            #expect(error < 2e-2, "parameter \(i): analytic \(gradient[i]) vs numeric \(numeric)")
        }
    }

    @Test func triplePartnersHaveTheRightClasses() {
        let labels: [Int32] = [0, 1, 0, 2, 1, 0, 3, 1]
        let pairs = MetricPairs(seed: 4)
        var positivesSeen = Set<Int>()
        for step in 0..<50 {
            for anchor in labels.indices {
                let t = pairs.partners(of: anchor, labels: labels, objective: .triplet, epoch: 1, step: step)
                if labels[anchor] == 2 || labels[anchor] == 3 {
                    #expect(t == nil, "a class alone in its batch has no positive")
                    continue
                }
                let (positive, negative) = (t![0], t![1])
                #expect(positive != anchor && labels[positive] == labels[anchor])
                #expect(labels[negative] != labels[anchor])
                if anchor == 0 { positivesSeen.insert(positive) }
                let c = pairs.partners(of: anchor, labels: labels, objective: .contrastive, epoch: 1, step: step)!
                #expect(c.count == 1 && c[0] != anchor && labels.indices.contains(c[0]))
            }
        }
        #expect(positivesSeen == [2, 5], "both positives of anchor 0 get drawn")
        #expect(pairs.partners(of: 0, labels: labels, objective: .triplet, epoch: 1, step: 0)
            == pairs.partners(of: 0, labels: labels, objective: .triplet, epoch: 1, step: 0))
    }

    @Test func stagesParseAndCheckTheirFields() throws {
        let staged = try ExperimentSpec.parse(json: #"""
            {"model": {"input": [28, 28, 1], "layers": [{"flatten": {}}, {"dense": {"units": 4, "activation": "relu", "name": "embedding"}}, {"dense": {"units": 10, "activation": "softmax"}}]},
             "training": {"learningRate": 0.002, "margin": 0.5, "stages": [{"epochs": 2}, {"epochs": 3, "objective": "triplet", "learningRate": 0.0005}]}}
            """#)
        #expect(staged.training.epochs == 5)
        #expect(staged.training.stages == [
            TrainingStage(epochs: 2, objective: .crossEntropy, margin: 0.5, learningRate: 0.002),
            TrainingStage(epochs: 3, objective: .triplet, margin: 0.5, learningRate: 0.0005),
        ])
        let plain = try ExperimentSpec.parse(json: #"{"model": {"input": [28, 28, 1], "layers": [{"flatten": {}}, {"dense": {"units": 4, "name": "embedding"}}, {"dense": {"units": 10, "activation": "softmax"}}]}, "training": {"epochs": 3, "objective": "contrastive"}}"#)
        #expect(plain.training.stages == [TrainingStage(epochs: 3, objective: .contrastive, margin: 1, learningRate: 0.001)])

        let bad: [(String, String)] = [
            (#""training": {"epochs": 4, "stages": [{"epochs": 2}, {"epochs": 3}]}"#, "training.epochs"),
            (#""training": {"objective": "arcface"}"#, "training.objective"),
            (#""training": {"stages": [{"epochs": 2, "objective": "triplet", "margin": 0}]}"#, "training.stages[0].margin"),
            (#""training": {"objective": "triplet", "margin": -1}"#, "training.margin"),
            (#""training": {"stages": [{"epochs": 0}, {"epochs": 1, "objective": "triplet"}]}"#, "training.stages[0].epochs"),
            (#""training": {"stages": []}"#, "training.stages"),
            (#""training": {"stages": [{"epochs": 1, "objective": "triplet", "momentum": 1}]}"#, "training.stages[0].momentum"),
            (#""training": {"batchSize": 1, "objective": "contrastive"}"#, "training.batchSize"),
        ]
        for (training, path) in bad {
            let json = #"{"model": {"input": [28, 28, 1], "layers": [{"flatten": {}}, {"dense": {"units": 4, "name": "embedding"}}, {"dense": {"units": 10, "activation": "softmax"}}]}, "# + training + "}"
            #expect {
                _ = try ExperimentSpec.parse(json: json)
            } throws: { error in
                (error as? SpecError)?.problems.contains { $0.path == path } == true
            }
        }
    }

    @Test func theActivationLimitCountsATripletChunksPartners() throws {
        var limits = SpecLimits()
        limits.activations = 300_000  // the exercise's chunk of 8 needs about 185,000 floats, 24 rows three times that
        let path = Fixture.repositoryRoot + "/experiments/exercise4.json"
        _ = try ExperimentSpec.load(path: path, limits: limits)
        #expect {
            _ = try ExperimentSpec.load(path: path, overrides: ["training.objective=triplet"], limits: limits)
        } throws: { error in
            (error as? SpecError)?.problems.contains { $0.path == "model.layers" && $0.message.contains("24 rows") }
                == true
        }
    }

    @Test func aLaterStageStartsAFreshAdamAndAMetricStageFreezesTheClassifier() throws {
        let stage1 = try Self.spec(["training.stages=[{\"epochs\": 1}]"])
        let both = try Self.spec(["training.stages=[{\"epochs\": 1}, {\"epochs\": 1, \"objective\": \"triplet\", \"learningRate\": 0.01}]"])
        let model = try Model(both.model)
        let stages = TrainingStages(spec: both, model: model)
        var adam = Adam(parameterCount: model.parameterCount, training: both.training)
        adam.step = 7
        stages.prepare(&adam, epoch: 0, step: 3)
        stages.prepare(&adam, epoch: 1, step: 1)
        #expect(adam.step == 7, "nothing resets inside a stage")
        stages.prepare(&adam, epoch: 1, step: 0)
        #expect(adam.step == 0 && adam.learningRate == 0.01 && adam.m.allSatisfy { $0 == 0 })

        let dataset = try Dataset(folder: both.dataset.path, trainLimit: 96, testLimit: 0)
        let first = try LocalTrainer(spec: stage1, dataset: dataset)
        _ = try first.train()
        let second = try LocalTrainer(spec: both, dataset: dataset)
        let metrics = try second.train()
        #expect(metrics.count == 2)
        let prefix = model.parameterPrefix(through: stages.embeddingLayer)
        let (trained, once) = (second.run.weights, first.run.weights)
        #expect(trained[prefix...] == once[prefix...], "the triplet stage leaves the classifier alone")
        #expect(trained[..<prefix] != once[..<prefix], "and trains the layers up to the embedding")
    }

    static func spec(_ overrides: [String]) throws -> ExperimentSpec {
        try ExperimentSpec.load(
            path: Fixture.repositoryRoot + "/experiments/exercise4.json",
            overrides: ["dataset.trainLimit=96", "dataset.testLimit=0", "training.epochs=null"] + overrides)
    }

    @Test func nearestNeighbourQualityMatchesAHandCount() {
        // 1-D embeddings: gallery points and labels, queries at chosen places.
        let gallery: [Float] = [0, 1, 2, 10, 11, 12, 13]
        let galleryLabels: [Int32] = [0, 0, 1, 1, 1, 0, 0]
        let queries: [Float] = [0.4, 11.6, 12.4, 1.6]
        let queryLabels: [Int32] = [0, 1, 0, 1]
        let q = EmbeddingQuality.measure(
            gallery: gallery, galleryLabels: galleryLabels, queries: queries, queryLabels: queryLabels, width: 1)
        // Nearest: 0.4→0 (0 ✓), 11.6→12 (0 ✗), 12.4→12 (0 ✓), 1.6→2 (1 ✓).
        #expect(q.knn1Accuracy == 0.75)
        // 5 nearest votes: 0.4→{0,1,2,3,4}: 0,0,1,1,1 → 1 ✗; 11.6→{12,11,13,10,2}: 0,1,0,1,1 → 1 ✓;
        // 12.4→{12,13,11,10,2}: 0,0,1,1,1 → 1 ✗; 1.6→{2,1,0,10,11}: 1,0,0,1,1 → 1 ✓.
        #expect(q.knn5Accuracy == 0.5)
        // Among the queries: 0.4→1.6 (1 ✗), 11.6→12.4 (0 ✗), 12.4→11.6 (1 ✗), 1.6→0.4 (0 ✗).
        #expect(q.recallAt1 == 0)
        #expect(q.galleryCount == 7 && q.queryCount == 4)
    }
}
