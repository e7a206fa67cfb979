import Foundation

/// The progress line `watch` and `submit --wait` redraw in place on a terminal:
/// `epoch 3/20 [=====>    ] step 120/313  ETA 14 s  loss 0.5123  acc 0.812  9800 samples/s`.
///
/// It is fitted to the terminal's width: a line that wraps cannot be redrawn in place, and each redraw would leave
/// its first half behind. A shorter bar is tried first, then the least important fields go (the coordinator's
/// note, the throughput, the accuracy, the loss, the estimate); the position in the run stays.
public struct ProgressLine: Sendable, Equatable {
    /// Epochs completed; the epoch in progress is the next one.
    public var epoch: Int
    public var epochs: Int
    /// Steps completed in the epoch in progress.
    public var step: Int
    public var stepsPerEpoch: Int
    /// 0 until the coordinator has measured it.
    public var samplesPerSecond: Double
    /// The epoch's mean loss and accuracy so far; not shown at its first step, which has none yet.
    public var loss: Double
    public var accuracy: Double
    /// The coordinator's note on the experiment (e.g. waiting for workers); empty for none.
    public var note: String

    public init(
        epoch: Int, epochs: Int, step: Int, stepsPerEpoch: Int, samplesPerSecond: Double, loss: Double,
        accuracy: Double, note: String
    ) {
        self.epoch = epoch
        self.epochs = epochs
        self.step = step
        self.stepsPerEpoch = stepsPerEpoch
        self.samplesPerSecond = samplesPerSecond
        self.loss = loss
        self.accuracy = accuracy
        self.note = note
    }

    /// The line, at most `width - 1` characters: writing the last column would make some terminals wrap.
    public func text(width: Int) -> String {
        let limit = max(width - 1, 1)
        var optional = optionalFields()
        while true {
            for barWidth in [20, 10] {
                let line = compose(barWidth: barWidth, optional: optional)
                if line.count <= limit { return line }
            }
            if optional.isEmpty { break }
            optional.removeLast()
        }
        let bare = "epoch \(currentEpoch)/\(max(epochs, 1)) step \(step)/\(max(stepsPerEpoch, 1))"
        return String(bare.prefix(limit))
    }

    private var currentEpoch: Int { min(epoch + 1, max(epochs, 1)) }

    private var fractionDone: Double {
        let steps = max(stepsPerEpoch, 1)
        return Double(epoch * steps + step) / Double(max(epochs, 1) * steps)
    }

    /// The fields after the position, most important first, each with the separator before it.
    private func optionalFields() -> [String] {
        var fields: [String] = []
        if samplesPerSecond > 0 {
            // The coordinator does not send the batch size; 32 is the specs' default.
            let remaining = (1 - fractionDone) * Double(max(epochs, 1) * max(stepsPerEpoch, 1)) * 32
                / samplesPerSecond
            fields.append(String(format: "  ETA %.0f s", remaining))
        }
        if step > 0 {
            fields.append(String(format: "  loss %.4f", loss))
            fields.append(String(format: "  acc %.3f", accuracy))
        }
        if samplesPerSecond > 0 { fields.append(String(format: "  %.0f samples/s", samplesPerSecond)) }
        if !note.isEmpty { fields.append("  (\(note))") }
        return fields
    }

    private func compose(barWidth: Int, optional: [String]) -> String {
        let filled = min(Int(fractionDone * Double(barWidth)), barWidth)
        let bar = String(repeating: "=", count: filled) + (filled < barWidth ? ">" : "")
            + String(repeating: " ", count: max(0, barWidth - filled - 1))
        return "epoch \(currentEpoch)/\(max(epochs, 1)) [\(bar)] step \(step)/\(max(stepsPerEpoch, 1))"
            + optional.joined()
    }
}
