import Core
import Foundation
import Testing

@Suite struct SweepStatisticsTests {
    @Test func meanAndSampleDeviationMatchHandComputedValues() throws {
        // 2, 4, 4, 4, 5, 5, 7, 9: mean 5, squared deviations sum to 32, sample variance 32 / 7.
        let s = try #require(MeanAndDeviation([2, 4, 4, 4, 5, 5, 7, 9]))
        #expect(s.count == 8)
        #expect(s.mean == 5)
        #expect(abs(s.sd! - (32.0 / 7).squareRoot()) < 1e-15)
        #expect(s.text() == "5.0000 ± 2.1381")
    }

    @Test func oneValueHasNoDeviationAndNoValuesNoStatistics() throws {
        let one = try #require(MeanAndDeviation([0.25]))
        #expect(one.count == 1 && one.mean == 0.25 && one.sd == nil)
        #expect(one.text() == "0.2500")
        #expect(MeanAndDeviation([]) == nil)
        #expect(MeanAndDeviation([.nan, .infinity]) == nil)
        let finite = try #require(MeanAndDeviation([1, .nan, 3]))
        #expect(finite.count == 2 && finite.mean == 2 && finite.sd == 2.0.squareRoot())
    }

    private func row(_ seed: UInt64, accuracy: Double, _ c0: Double, _ c1: Double, _ t0: Double, _ t1: Double)
        -> SweepResult.Row
    {
        var result = TrainingResult(
            name: "x", seed: seed, epochs: [], testAccuracy: accuracy, trainSeconds: 1, samplesPerSecond: 1,
            weightsSha256: "h\(seed)", parameterCount: 1, steps: 1,
            losses: EmbeddingLossReport(
                contrastive: LossPair(before: c0, after: c1), triplet: LossPair(before: t0, after: t1)))
        result.workers = 2
        return SweepResult.Row(experimentId: "exp-\(seed)", result: result)
    }

    @Test func sweepStatisticsAndAnswerCountsCoverTheDoneRows() throws {
        let rows = [
            row(1, accuracy: 0.80, 0.1603, 0.0673, 0.3183, 0.1004),  // (c): the exercise's own values
            row(2, accuracy: 0.84, 0.1500, 0.0600, 0.3000, 0.0500),  // triplet below contrastive after: none
            row(3, accuracy: 0.86, 0.2000, 0.1000, 0.1000, 0.0500),  // (b): triplet smaller, both dropped
            row(4, accuracy: 0.90, 0.1700, 0.0700, 0.3300, 0.1100),  // (c)
            SweepResult.Row(seed: 5, experimentId: "exp-5", state: "running"),
        ]
        let sweep = SweepResult(sweepId: "sweep-1", name: "x", rows: rows)
        #expect(sweep.done == 4)
        #expect(rows.map(\.exerciseAnswer) == [.c, ExerciseAnswer.none, .b, .c, nil])
        #expect(sweep.answers == SweepResult.AnswerCounts([.c, .none, .b, .c]))
        let counts: [Int] = [sweep.answers.a, sweep.answers.b, sweep.answers.c, sweep.answers.d, sweep.answers.none]
        #expect(counts == [0, 1, 2, 0, 1])

        // Test accuracy 0.80, 0.84, 0.86, 0.90: mean 0.85, deviations -0.05, -0.01, 0.01, 0.05,
        // squares sum to 0.0052, sample variance 0.0052 / 3.
        let accuracy = try #require(sweep.testAccuracy)
        #expect(accuracy.count == 4)
        #expect(abs(accuracy.mean - 0.85) < 1e-12)
        #expect(abs(accuracy.sd! - (0.0052 / 3).squareRoot()) < 1e-12)

        // Contrastive after 0.0673, 0.06, 0.1, 0.07: mean 0.074325.
        let after = try #require(sweep.losses.contrastive.after)
        #expect(abs(after.mean - 0.074325) < 1e-12)
        let deviations = [0.0673, 0.06, 0.1, 0.07].map { ($0 - 0.074325) * ($0 - 0.074325) }
        #expect(abs(after.sd! - (deviations.reduce(0, +) / 3).squareRoot()) < 1e-12)
        #expect(abs(sweep.losses.triplet.before!.mean - (0.3183 + 0.3 + 0.1 + 0.33) / 4) < 1e-12)
    }

    @Test func sweepResultJSONKeepsRowsAndStatistics() throws {
        let sweep = SweepResult(sweepId: "sweep-2", name: "x", rows: [
            row(1, accuracy: 0.8, 0.16, 0.06, 0.31, 0.10), row(2, accuracy: 0.9, 0.15, 0.05, 0.30, 0.09),
        ])
        let json = try ResultJSON.encoder.encode(sweep)
        #expect(try JSONDecoder().decode(SweepResult.self, from: json) == sweep)
        let object = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        #expect(Set(object.keys) == ["sweepId", "name", "rows", "done", "testAccuracy", "losses", "answers"])
        let answers = try #require(object["answers"] as? [String: Int])
        #expect(answers == ["a": 0, "b": 0, "c": 2, "d": 0, "none": 0])
    }
}
