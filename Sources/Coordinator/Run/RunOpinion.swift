import Core
import Foundation
import Wire

/// One worker's computation of a run of chunks: its subtree gradients and statistics, copied out of the message or
/// shared slot they came in. An audit compares two of them bit for bit: each is a pure function of the step's
/// weights and the run, so they must be equal.
struct RunOpinion: Equatable {
    var gradients: [ChunkTree.Node: [Float]]
    var lossSumBits: UInt64
    var correct: UInt32
    var count: UInt32

    /// Copies `result`'s subtrees.
    init(_ result: CheckedResult, parameterCount: Int) {
        var gradients: [ChunkTree.Node: [Float]] = [:]
        for (node, gradient) in result.gradients {
            gradients[node] = gradient.withPointer { Array(UnsafeBufferPointer(start: $0, count: parameterCount)) }
        }
        self.init(
            gradients: gradients, lossSumBits: result.stats.lossSum.bitPattern, correct: UInt32(result.stats.correct),
            count: UInt32(result.stats.count))
    }

    init(gradients: [ChunkTree.Node: [Float]], lossSumBits: UInt64, correct: UInt32, count: UInt32) {
        self.gradients = gradients
        self.lossSumBits = lossSumBits
        self.correct = correct
        self.count = count
    }

    /// Equal bits: `==` on floats would call two NaNs different and +0 and −0 the same.
    static func == (a: RunOpinion, b: RunOpinion) -> Bool {
        a.lossSumBits == b.lossSumBits && a.correct == b.correct && a.count == b.count
            && Set(a.gradients.keys) == Set(b.gradients.keys)
            && a.gradients.allSatisfy { node, values in
                let other = b.gradients[node]!
                return values.count == other.count && values.withUnsafeBytes { x in
                    other.withUnsafeBytes { y in x.count == 0 || memcmp(x.baseAddress!, y.baseAddress!, x.count) == 0 }
                }
            }
    }

    var stats: GradientEngine.Stats {
        GradientEngine.Stats(lossSum: Double(bitPattern: lossSumBits), correct: Int(correct), count: Int(count))
    }
}
