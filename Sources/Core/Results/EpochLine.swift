import Foundation

/// One human line per epoch, shared by the coordinator's events and the CLI.
public enum EpochLine {
    public static func text(_ m: EpochMetrics, of epochs: Int) -> String {
        String(format: "epoch %d/%d  loss %.4f  accuracy %.4f  %.2f s", m.epoch, epochs, m.loss, m.accuracy,
               m.seconds)
    }
}

/// The JSON encoding of results: sorted keys, so equal results are equal text.
public enum ResultJSON {
    public static var encoder: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }
}
