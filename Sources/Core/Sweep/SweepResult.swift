/// What `results SWEEP` reports: one row per seed and, over the finished rows, the mean and sample standard
/// deviation of test accuracy and of the exercise's four values, and how many runs support each answer.
public struct SweepResult: Codable, Sendable, Equatable {
    /// One seed's experiment: its state and, once done, its figures.
    public struct Row: Codable, Sendable, Equatable {
        public var seed: UInt64
        public var experimentId: String
        /// `queued`, `running`, `done`, `failed` or `cancelled`.
        public var state: String
        public var testAccuracy: Double?
        public var losses: EmbeddingLossReport?
        public var exerciseAnswer: ExerciseAnswer?
        public var weightsSha256: String?

        /// A row without figures, for an experiment that is not done.
        public init(seed: UInt64, experimentId: String, state: String) {
            self.seed = seed
            self.experimentId = experimentId
            self.state = state
        }

        /// The row of a finished experiment.
        public init(experimentId: String, result: TrainingResult) {
            self.init(seed: result.seed, experimentId: experimentId, state: "done")
            testAccuracy = result.testAccuracy
            losses = result.losses
            exerciseAnswer = result.exerciseAnswer
            weightsSha256 = result.weightsSha256
        }
    }

    /// How many finished runs support each of the exercise's options.
    public struct AnswerCounts: Codable, Sendable, Equatable {
        public var a = 0, b = 0, c = 0, d = 0, none = 0

        public init(_ answers: [ExerciseAnswer]) {
            for answer in answers {
                switch answer {
                case .a: a += 1
                case .b: b += 1
                case .c: c += 1
                case .d: d += 1
                case .none: none += 1
                }
            }
        }

        /// The count of one answer.
        public subscript(_ answer: ExerciseAnswer) -> Int {
            switch answer {
            case .a: a
            case .b: b
            case .c: c
            case .d: d
            case .none: none
            }
        }
    }

    public var sweepId: String
    public var name: String
    /// One row per seed, in the order the seeds were given.
    public var rows: [Row]
    /// The rows that are done: the statistics and counts cover these.
    public var done: Int
    public var testAccuracy: MeanAndDeviation?
    public var losses: EmbeddingLossStatistics
    public var answers: AnswerCounts

    public init(sweepId: String, name: String, rows: [Row]) {
        self.sweepId = sweepId
        self.name = name
        self.rows = rows
        let finished = rows.filter { $0.state == "done" }
        done = finished.count
        testAccuracy = MeanAndDeviation(finished.compactMap(\.testAccuracy))
        losses = EmbeddingLossStatistics(finished.compactMap(\.losses))
        answers = AnswerCounts(finished.compactMap(\.exerciseAnswer))
    }
}
