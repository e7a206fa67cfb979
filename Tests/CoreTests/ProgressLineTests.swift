import Core
import Testing

/// The progress line fits any terminal width, dropping the least important fields first.
@Suite struct ProgressLineTests {
    static let running = ProgressLine(
        epoch: 12, epochs: 20, step: 120, stepsPerEpoch: 313, samplesPerSecond: 9800, loss: 0.5123, accuracy: 0.8123,
        note: "waiting for 2 workers")

    @Test(arguments: Array(20...220))
    func theLineIsShorterThanTheTerminal(width: Int) {
        let line = Self.running.text(width: width)
        #expect(line.count < width, "\(width): \(line)")
        #expect(line.hasPrefix("epoch 13/20"), "the position comes first and stays: \(line)")
    }

    @Test func everyFieldShowsWhenThereIsRoom() {
        let line = Self.running.text(width: 200)
        for field in ["step 120/313", "ETA", "loss 0.5123", "acc 0.812", "9800 samples/s", "(waiting for 2 workers)"] {
            #expect(line.contains(field), "\(field): \(line)")
        }
    }

    @Test func theLeastImportantFieldsGoFirst() {
        let order = ["(waiting", "samples/s", "acc", "loss", "ETA"]
        var previous = Self.running.text(width: 200)
        for width in stride(from: 199, through: 40, by: -1) {
            let line = Self.running.text(width: width)
            let lost = order.filter { previous.contains($0) && !line.contains($0) }
            for field in lost {
                let index = order.firstIndex(of: field)!
                #expect(order[..<index].allSatisfy { !line.contains($0) }, "\(field) went before a lesser one: \(line)")
            }
            previous = line
        }
    }

    @Test func anEpochsFirstStepShowsNoLossOrAccuracy() {
        var start = Self.running
        start.step = 0
        start.loss = 0
        start.accuracy = 0
        let line = start.text(width: 200)
        #expect(!line.contains("loss") && !line.contains("acc "), "\(line)")
    }
}
