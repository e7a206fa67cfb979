import Wire

/// The running experiment's weights: in this process's memory, where Adam updates them, and copied after each
/// update into the shared weights segment when the coordinator has one, which every worker on this host reads.
/// One copy per step then serves all of them, where each worker's own segment used to get one.
final class RunWeights {
    let values: UnsafeMutableBufferPointer<Float>
    /// The segment the workers read the weights from; nil when there is none.
    let segment: SharedSegment?

    /// Holds `initial`, and copies it into `segment` (a segment without slots, of as many parameters) if given.
    init(_ initial: [Float], sharedIn segment: SharedSegment?) {
        precondition(segment.map { $0.parameterCount == initial.count && $0.slotCount == 0 } ?? true)
        self.segment = segment
        values = .allocate(capacity: initial.count)
        assign(initial)
    }

    deinit {
        values.deallocate()
    }

    /// Where Adam copies each new weight: the shared segment's weights, if any.
    var sharedCopy: UnsafeMutablePointer<Float>? { segment?.mutableWeights.baseAddress }

    /// A copy, for what keeps or sends them (checkpoints, evaluation, assignments in messages).
    var array: [Float] { Array(values) }

    /// Replaces them all (a checkpoint's), in the shared segment too.
    func assign(_ weights: [Float]) {
        precondition(weights.count == values.count)
        _ = values.initialize(fromContentsOf: weights)
        segment?.writeWeights(UnsafeBufferPointer(values))
    }
}
