import Core

extension HTMLReport {
    /// The run's name and facts: seed, workers, accuracy, time, throughput, size, weights hash, and what a
    /// distributed run survived and where its step time went.
    static func header(_ result: TrainingResult) -> String {
        var facts = [
            fact("Seed", String(result.seed)),
            fact("Spec", result.setup?.text ?? "not recorded", wide: true),
            fact("Workers", result.workers.map(String.init) ?? "local"),
            fact("Test accuracy", NumberText.fixed(result.testAccuracy, 4)),
            fact("kNN accuracy, k = 1 / 5", NumberText.fixed(result.embeddingQuality?.knn1Accuracy, 4) + " / "
                + NumberText.fixed(result.embeddingQuality?.knn5Accuracy, 4)),
            fact("Recall@1", NumberText.fixed(result.embeddingQuality?.recallAt1, 4)),
            fact("Train time", NumberText.fixed(result.trainSeconds, 2) + " s"),
            fact("Throughput", NumberText.fixed(result.samplesPerSecond, 0) + " samples/s"),
            fact("Parameters", String(result.parameterCount)),
            fact("Steps", String(result.steps)),
            fact("Weights SHA-256", "<code>\(result.weightsSha256.htmlEscaped)</code>", wide: true, escaped: true),
        ]
        if let events = result.events { facts.append(fact("Faults survived", describe(events), wide: true)) }
        if let timings = result.stepTimings, timings.wall > 0 {
            facts.append(fact("Step time", describe(timings, of: result.steps), wide: true))
        }
        return """
            <header>
            <h1>\(result.name.htmlEscaped)</h1>
            <p class="subtitle">DistEmbed experiment report · Exercise 4: contrastive and triplet losses of a CNN's \
            embedding before and after training on Fashion-MNIST</p>
            <dl class="facts">
            \(facts.joined(separator: "\n"))
            </dl>
            </header>
            """
    }

    /// One term and its value; `value` is escaped unless `escaped` says it already is.
    private static func fact(_ term: String, _ value: String, wide: Bool = false, escaped: Bool = false) -> String {
        let shown = escaped ? value : value.htmlEscaped
        return "<div\(wide ? " class=\"wide\"" : "")><dt>\(term.htmlEscaped)</dt><dd>\(shown)</dd></div>"
    }

    private static func describe(_ events: TrainingEvents) -> String {
        [
            "\(events.workersLost) worker(s) lost", "\(events.workersJoined) joined",
            "\(events.reassignedChunks) chunk(s) reassigned", "\(events.resumes) resume(s)",
            "\(events.checkpoints) checkpoint(s) in \(NumberText.fixed(events.checkpointSeconds, 2)) s",
        ].joined(separator: " · ")
    }

    /// Where the step time went. After a resume the coordinator has timed only the steps since, and says so.
    private static func describe(_ timings: StepTimings, of steps: Int) -> String {
        let parts = [
            ("compute", timings.compute), ("reduce", timings.reduce), ("optimizer", timings.optimizer),
            ("exchange", timings.exchange),
            ("other", timings.other),
        ].map { "\($0.0) \(NumberText.percent($0.1 / timings.wall))" }
        return parts.joined(separator: " · ")
            + " of \(NumberText.fixed(timings.wall, 2)) s over "
            + (timings.steps < steps ? "the \(timings.steps) steps since the last resume (of \(steps))"
                : "\(timings.steps) steps")
    }
}
