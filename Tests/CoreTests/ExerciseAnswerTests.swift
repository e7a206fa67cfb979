import Core
import Testing

@Suite struct ExerciseAnswerTests {
    @Test func theExercisesOwnNumbersGiveC() {
        #expect(ExerciseAnswer.of(contrastive: (0.1603, 0.0673), triplet: (0.3183, 0.1004)) == .c)
    }

    @Test(arguments: [
        // (contrastive before, after, triplet before, after, answer)
        (0.1603, 0.1600, 0.3183, 0.2004, ExerciseAnswer.a),  // only triplet drops; contrastive in the 4th decimal
        (0.3183, 0.1004, 0.1603, 0.0673, .b),                // triplet below contrastive, both drop
        (0.3183, 0.2000, 0.1603, 0.1600, .d),                // only contrastive drops; triplet in the 4th decimal
        (0.1603, 0.1603, 0.3183, 0.1004, .none),             // contrastive did not drop at all
        (0.2000, 0.1000, 0.3000, 0.0500, .none),             // triplet above before, below after: neither order
        (0.1603, 0.1503, 0.3183, 0.3083, .c),                // drops of exactly 0.01 are significant
        (0.1603, 0.1504, 0.3183, 0.1004, .none),             // a drop of 0.0099 is neither significant nor tiny
    ])
    func optionsFollowTheExercisesWording(c0: Double, c1: Double, t0: Double, t1: Double, answer: ExerciseAnswer) {
        #expect(ExerciseAnswer.of(contrastive: (c0, c1), triplet: (t0, t1)) == answer)
    }

    @Test func valuesAreRoundedToFourDecimalsFirst() {
        // 0.16036 → 0.1604 and 0.15044 → 0.1504: a drop of 0.0100 once rounded (0.00992 before).
        #expect(ExerciseAnswer.of(contrastive: (0.16036, 0.15044), triplet: (0.3183, 0.2004)) == .c)
        // 0.16034 → 0.1603 and 0.15046 → 0.1505: 0.0098 once rounded.
        #expect(ExerciseAnswer.of(contrastive: (0.16034, 0.15046), triplet: (0.3183, 0.2004)) == .none)
    }

    @Test func nonFiniteValuesSupportNoOption() {
        #expect(ExerciseAnswer.of(contrastive: (.nan, 0.0673), triplet: (0.3183, 0.1004)) == .none)
        #expect(ExerciseAnswer.of(contrastive: (0.1603, 0.0673), triplet: (.infinity, 0.1004)) == .none)
    }
}
