import Core

extension HTMLReport {
    /// Which of the exercise's options the run's losses support, with all four options listed and the chosen one
    /// marked; `nil` when the result has neither an answer nor finite losses to derive one from.
    static func answerSection(_ result: TrainingResult) -> String? {
        guard let answer = result.exerciseAnswer ?? result.losses.flatMap(answer(for:)) else { return nil }
        let verdict = answer == .none
            ? "The losses match <strong>none</strong> of the options."
            : "The losses support option <strong>(\(answer.rawValue))</strong>."
        let options = ExerciseAnswer.allCases.filter { $0 != .none }.map { option in
            let chosen = option == answer ? " class=\"chosen\"" : ""
            return "<li\(chosen)>\(option.label) \(option.statement.htmlEscaped)</li>"
        }
        return section(id: "answer", heading: "Exercise answer", [
            "<p class=\"answer\">\(verdict)</p>",
            "<p class=\"note\">\(ExerciseAnswer.question.htmlEscaped)</p>",
            "<ol class=\"options\">", options.joined(separator: "\n"), "</ol>",
            "<p class=\"note\">The exercise's own run printed contrastive 0.1603 → 0.0673 and triplet "
                + "0.3183 → 0.1004: option (c).</p>",
        ])
    }

    /// The answer the losses support, or `nil` if any is not finite.
    private static func answer(for losses: EmbeddingLossReport) -> ExerciseAnswer? {
        let values = [losses.contrastive.before, losses.contrastive.after, losses.triplet.before, losses.triplet.after]
        guard values.allSatisfy(\.isFinite) else { return nil }
        return ExerciseAnswer.of(
            contrastive: (losses.contrastive.before, losses.contrastive.after),
            triplet: (losses.triplet.before, losses.triplet.after))
    }
}
