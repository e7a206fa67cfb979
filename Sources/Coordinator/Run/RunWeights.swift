import Wire

/// The running experiment's weights: in the shared weights segment when the coordinator has one, so that Adam
/// updates what the workers on this host read, with no copy per worker and step; in the coordinator's own memory
/// otherwise.
final class RunWeights {
    /// The segment the weights live in; nil when they live in this process's memory.
    let segment: SharedSegment?
    let values: UnsafeMutableBufferPointer<Float>

    /// Holds `initial`, in `segment` (a segment without slots, of as many parameters) or in memory of its own.
    init(_ initial: [Float], in segment: SharedSegment?) {
        precondition(segment.map { $0.parameterCount == initial.count && $0.slotCount == 0 } ?? true)
        self.segment = segment
        values = segment?.mutableWeights ?? .allocate(capacity: initial.count)
        assign(initial)
    }

    deinit {
        if segment == nil { values.deallocate() }
    }

    /// A copy, for what keeps or sends them (checkpoints, evaluation, assignments in messages).
    var array: [Float] { Array(values) }

    /// Replaces them all (a checkpoint's).
    func assign(_ weights: [Float]) {
        precondition(weights.count == values.count)
        _ = values.update(fromContentsOf: weights)
    }
}
