extension HTMLReport {
    /// The exercise's options (a)–(d) in English, keyed by the answer they name.
    private static let optionTexts: [(ExerciseAnswer, String)] = [
        (.a, "Triplet is greater than contrastive; only triplet dropped significantly, "
            + "contrastive only in the 4th decimal."),
        (.b, "Triplet is smaller than contrastive; both dropped significantly (2nd decimal or more)."),
        (.c, "Triplet is greater than contrastive; both dropped significantly (2nd decimal or more)."),
        (.d, "Triplet is smaller than contrastive; only contrastive dropped significantly, "
            + "triplet only in the 4th decimal."),
    ]

    /// Which of the exercise's options the run's losses support, with all four options listed and the chosen one
    /// marked; `nil` when the result has neither an answer nor finite losses to derive one from.
    static func answerSection(_ result: TrainingResult) -> String? {
        guard let answer = result.exerciseAnswer ?? result.losses.flatMap(answer(for:)) else { return nil }
        let verdict = answer == .none
            ? "The losses match <strong>none</strong> of the options."
            : "The losses support option <strong>(\(answer.rawValue))</strong>."
        let options = optionTexts.map { option, text in
            let chosen = option == answer ? " class=\"chosen\"" : ""
            return "<li\(chosen)>(\(option.rawValue)) \(text.htmlEscaped)</li>"
        }
        return section(id: "answer", heading: "Exercise answer", [
            "<p class=\"answer\">\(verdict)</p>",
            "<p class=\"note\">Which statement holds for the four losses rounded to 4 decimals?</p>",
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
