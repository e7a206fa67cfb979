import Core
import Foundation
import Testing

/// The text results say what the exercise's answer means.
@Suite struct ResultTextTests {
    @Test func theAnswerComesWithItsStatement() throws {
        let out = try Binary.run(["train", DistributedTrainingTests.spec] + DistributedTrainingTests.short)
        #expect(out.status == 0, "\(out.stderr)")
        let line = try #require(out.stdout.split(separator: "\n").first { $0.hasPrefix("exercise 4") }, "\(out.stdout)")
        let stated = ExerciseAnswer.allCases.filter { line.hasSuffix($0.statement) }
        #expect(stated.count == 1, "\(line)")
        if let answer = stated.first {
            #expect(line.contains(answer == .none ? "no option holds" : "answer \(answer.label)"), "\(line)")
        }
    }
}
