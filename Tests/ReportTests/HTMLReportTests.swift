import Core
import Foundation
import Report
import Testing

@Suite struct HTMLReportTests {
    /// Fifty samples of ten classes in 64 dimensions: before training noise, after training each class's rows
    /// near their own corner, like a trained embedding.
    static func embeddings(classNames: [String] = []) -> EmbeddingSnapshot {
        let rows = 50, width = 64
        let labels = (0..<rows).map { $0 % 10 }
        var before = [Float](), after = [Float]()
        for r in 0..<rows {
            for c in 0..<width {
                let wobble = Float(sin(Double(r * width + c) * 12.9898).magnitude)
                before.append(wobble)
                after.append((c % 10 == labels[r] ? 3 : 0) + 0.2 * wobble)
            }
        }
        return EmbeddingSnapshot(labels: labels, width: width, before: before, after: after, classNames: classNames)
    }

    static func result(
        name: String = "exercise4", losses: EmbeddingLossReport? = nil, embeddings: EmbeddingSnapshot? = nil
    ) -> TrainingResult {
        let epochs = [
            EpochMetrics(epoch: 1, loss: 0.96664, accuracy: 0.6606, seconds: 0.8),
            EpochMetrics(epoch: 2, loss: 0.60787, accuracy: 0.7787, seconds: 0.84),
            EpochMetrics(epoch: 3, loss: 0.53146, accuracy: 0.8064, seconds: 0.85),
        ]
        var result = TrainingResult(
            name: name, seed: 1, epochs: epochs, testAccuracy: 0.8119, trainSeconds: 2.4956,
            samplesPerSecond: 12021.4, weightsSha256: String(repeating: "ab", count: 32), parameterCount: 72842,
            steps: 939, losses: losses, workers: 3)
        result.embeddings = embeddings
        return result
    }

    static let exerciseLosses = EmbeddingLossReport(
        contrastive: LossPair(before: 0.16031, after: 0.06728), triplet: LossPair(before: 0.31826, after: 0.10036))

    @Test func theHeaderStatesTheSpecItRan() throws {
        var result = Self.result()
        let model = #"{"model": {"input": [28, 28, 1], "layers": [{"flatten": {}}, "#
            + #"{"dense": {"units": 8, "activation": "relu", "name": "embedding"}}, "#
            + #"{"dense": {"units": 10, "activation": "softmax"}}]}}"#
        result.setup = RunSetup(spec: try ExperimentSpec.parse(json: model, overrides: [
            "dataset.trainLimit=300", "dataset.testLimit=200", "training.epochs=null",
            #"training.stages=[{"epochs": 2}, {"epochs": 1, "objective": "triplet"}]"#,
        ]))
        let html = HTMLReport.render(result)
        #expect(html.contains("3 epochs: 2 of crossEntropy, then 1 of triplet · trainLimit 300 · testLimit 200 · "
            + "batch 32"), "\(html.prefix(3000))")
    }

    @Test func stepTimingsAfterAResumeSayWhichStepsTheyCover() {
        var result = Self.result()
        var timings = StepTimings()
        timings.steps = 400
        timings.wall = 2
        timings.compute = 1
        result.stepTimings = timings
        #expect(HTMLReport.render(result).contains("over the 400 steps since the last resume (of 939)"))
        timings.steps = 939
        result.stepTimings = timings
        #expect(HTMLReport.render(result).contains("over 939 steps"))
    }

    @Test func fullReportHasEverySection() {
        let html = HTMLReport.render(Self.result(losses: Self.exerciseLosses, embeddings: Self.embeddings()))
        for id in ["answer", "losses", "curves", "embeddings", "epochs"] {
            #expect(html.contains("<section id=\"\(id)\">"), "section \(id)")
        }
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.components(separatedBy: "<svg").count - 1 == 5, "bars, two curves, two scatter plots")
        #expect(html.contains("<li class=\"chosen\">(c) "))
        #expect(html.contains(String(repeating: "ab", count: 32)))
        for fact in ["0.8119", "72842", "939", "12021 samples/s", "2.50 s"] { #expect(html.contains(fact), "\(fact)") }
    }

    @Test func numbersHaveFourDecimals() {
        let html = HTMLReport.render(Self.result(losses: Self.exerciseLosses))
        for loss in ["0.1603", "0.0673", "0.3183", "0.1004", "-0.0930", "-0.2179"] {
            #expect(html.contains(">\(loss)<"), "loss \(loss)")
        }
        for epochLoss in ["0.9666", "0.6079", "0.5315"] { #expect(html.contains("<td>\(epochLoss)</td>")) }
        #expect(!html.contains("0.16031"))
    }

    @Test func legendNamesTheClassesTheSpecNames() {
        let names = [
            "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
        ]
        let html = HTMLReport.render(Self.result(embeddings: Self.embeddings(classNames: names)))
        for (label, name) in names.enumerated() {
            #expect(html.contains("\(label) \(name) (5)</li>"), "\(name)")
            #expect(html.contains("sample \(label): \(name)"), "\(name)")
        }
        #expect(html.contains("Before training"))
        #expect(html.contains("After training"))
        #expect(html.contains("PC1 ("))
    }

    @Test func legendShowsLabelsAsNumbersWithoutNames() {
        let html = HTMLReport.render(Self.result(embeddings: Self.embeddings()))
        for label in 0..<10 { #expect(html.contains(">\(label) (5)</li>"), "label \(label)") }
        #expect(html.contains("sample 3: class 3"))
        #expect(!html.contains("Trouser"))
    }

    @Test func isSelfContained() {
        let html = HTMLReport.render(Self.result(losses: Self.exerciseLosses, embeddings: Self.embeddings()))
        for forbidden in ["<script", "http://", "https://", "<link", "src=", "url(", "@import"] {
            #expect(!html.lowercased().contains(forbidden), "\(forbidden)")
        }
    }

    @Test func escapesStrings() {
        let html = HTMLReport.render(Self.result(name: "<b>&\"x", losses: Self.exerciseLosses))
        #expect(html.contains("<h1>&lt;b&gt;&amp;&quot;x</h1>"))
        #expect(html.contains("<title>DistEmbed report — &lt;b&gt;&amp;&quot;x</title>"))
        #expect(!html.contains("<b>"))
        #expect(!html.contains("&\"x"))
    }

    @Test func leavesOutMissingSections() {
        let html = HTMLReport.render(Self.result())
        for id in ["answer", "losses", "embeddings"] { #expect(!html.contains("id=\"\(id)\""), "section \(id)") }
        #expect(html.contains("<section id=\"curves\">"))
        #expect(html.contains("<section id=\"epochs\">"))
    }

    @Test func survivesDegenerateResults() {
        var result = Self.result(
            embeddings: EmbeddingSnapshot(labels: [3, 12], width: 2, before: [1, 1, 1, 1], after: [0, .nan, 2, 2]))
        // Set after initialisation, which would derive an answer from them.
        result.losses = EmbeddingLossReport(
            contrastive: LossPair(before: .nan, after: 0), triplet: LossPair(before: .infinity, after: 0))
        result.epochs = [EpochMetrics(epoch: 1, loss: .nan, accuracy: 0.5, seconds: 1)]
        result.testAccuracy = nil
        let html = HTMLReport.render(result)
        #expect(html.contains("<section id=\"embeddings\">"))
        #expect(html.contains("<section id=\"losses\">"))
        #expect(!html.contains("<section id=\"answer\">"), "no answer from non-finite losses")
        #expect(html.contains(">12 (1)</li>"))
        #expect(!html.lowercased().contains("nan"))
        #expect(!html.lowercased().contains("inf"))

        result.epochs = [
            EpochMetrics(epoch: 1, loss: 1e-320, accuracy: -1e308, seconds: 1),
            EpochMetrics(epoch: 2, loss: 2e-320, accuracy: 1e308, seconds: 1),
        ]
        result.embeddings = EmbeddingSnapshot(labels: [0, 1], width: 1, before: [3e38, -3e38], after: [1, 1])
        let extreme = HTMLReport.render(result)
        #expect(extreme.contains("<section id=\"curves\">"))
        #expect(extreme.contains("<section id=\"embeddings\">"))

        result.epochs = []
        result.embeddings = EmbeddingSnapshot(labels: [1, 2, 3], width: 2, before: [1, 2], after: [])
        let sparse = HTMLReport.render(result)
        for id in ["curves", "epochs", "embeddings"] { #expect(!sparse.contains("id=\"\(id)\""), "section \(id)") }
    }
}

extension HTMLReportTests {
    @Suite struct PCAProjection {
        /// Points along (1, 2, 2)/3 in 3-D: one component carries all the variance, at the points' positions.
        @Test func pointsOnALine() {
            let t: [Double] = [-2, -1, 0, 0.5, 3]
            let direction = [1.0 / 3, 2.0 / 3, 2.0 / 3], offset = [5.0, -1, 2]
            let values = t.flatMap { s in (0..<3).map { Float(offset[$0] + s * direction[$0]) } }
            let fit = PCA.fit(values, rows: 5, columns: 3)
            for c in 0..<3 { #expect(abs(fit.components[0][c] - direction[c]) < 1e-5) }
            #expect(fit.components[1] == [0, 0, 0])
            #expect(fit.variances[1] == 0)
            let meanT = t.reduce(0, +) / 5
            let projected = PCA.project(values, rows: 5, columns: 3)
            for (row, s) in zip(projected, t) {
                #expect(abs(row[0] - (s - meanT)) < 1e-5)
                #expect(row[1] == 0)
            }
        }

        /// Twelve points round an ellipse with semi-axes 3 and 1, turned 30° and moved: the axes come back as the
        /// components, their variances as N·a²/(2(N − 1)), and each point's coordinates as (3 cos θ, sin θ).
        @Test func ellipseWithKnownAxes() {
            let n = 12, turn = Double.pi / 6
            let angles = (0..<n).map { 2 * Double.pi * Double($0) / Double(n) }
            let values = angles.flatMap { theta -> [Float] in
                let u = 3 * cos(theta), v = sin(theta)
                return [Float(10 + u * cos(turn) - v * sin(turn)), Float(-4 + u * sin(turn) + v * cos(turn))]
            }
            let fit = PCA.fit(values, rows: n, columns: 2)
            let expected = [[cos(turn), sin(turn)], [-sin(turn), cos(turn)]]
            for k in 0..<2 {
                for c in 0..<2 { #expect(abs(fit.components[k][c] - expected[k][c]) < 1e-6, "component \(k)") }
            }
            #expect(abs(fit.variances[0] - 9 * Double(n) / Double(2 * (n - 1))) < 1e-4)
            #expect(abs(fit.variances[1] - Double(n) / Double(2 * (n - 1))) < 1e-4)
            #expect(abs(fit.totalVariance - 10 * Double(n) / Double(2 * (n - 1))) < 1e-4)
            for (row, theta) in zip(fit.project(values, rows: n), angles) {
                #expect(abs(row[0] - 3 * cos(theta)) < 1e-5)
                #expect(abs(row[1] - sin(theta)) < 1e-5)
            }
        }

        /// Rotating and moving the data leaves its projections unchanged up to each component's sign.
        @Test func rotatedDataProjectsTheSameUpToSign() {
            let rows = 30, columns = 6
            let scales = [5.0, 3, 2, 1, 0.5, 0.1]
            let data = (0..<rows).map { r in (0..<columns).map { c in scales[c] * sin(Double(r * 7 + c * 13) * 1.7) } }
            let rotated = data.map { Self.rotate($0) }
            let flat = data.flatMap { $0.map(Float.init) }, flatRotated = rotated.flatMap { $0.map { Float($0 + 2) } }
            let a = PCA.project(flat, rows: rows, columns: columns, components: 3)
            let b = PCA.project(flatRotated, rows: rows, columns: columns, components: 3)
            for k in 0..<3 {
                let sign = a[0][k] * b[0][k] < 0 ? -1.0 : 1.0
                for r in 0..<rows { #expect(abs(a[r][k] - sign * b[r][k]) < 1e-4, "row \(r) component \(k)") }
            }
        }

        @Test func isDeterministic() {
            let values = HTMLReportTests.embeddings().after
            #expect(PCA.project(values, rows: 50, columns: 64) == PCA.project(values, rows: 50, columns: 64))
        }

        @Test func degenerateInputGivesZeros() {
            let equal = [Float](repeating: 0.7, count: 4 * 3)
            #expect(PCA.project(equal, rows: 4, columns: 3) == Array(repeating: [0, 0], count: 4))
            #expect(PCA.project([1, 2, 3], rows: 1, columns: 3) == [[0, 0]])
            #expect(PCA.project([], rows: 0, columns: 3) == [])
            #expect(PCA.project([1, .nan, 3, 4], rows: 2, columns: 2) == [[0, 0], [0, 0]])
            let moreThanColumns = PCA.project([0, 1, 2, 5], rows: 2, columns: 2, components: 3)
            #expect(moreThanColumns.map { $0[1] } == [0, 0])
            #expect(moreThanColumns.map { $0[2] } == [0, 0])
        }

        /// Turns `x` by 0.4 rad in each plane (i, i + 1) in turn: an orthogonal map mixing every coordinate.
        static func rotate(_ x: [Double]) -> [Double] {
            var y = x
            for i in 0..<(y.count - 1) {
                let a = y[i], b = y[i + 1]
                y[i] = cos(0.4) * a - sin(0.4) * b
                y[i + 1] = sin(0.4) * a + cos(0.4) * b
            }
            return y
        }
    }
}
