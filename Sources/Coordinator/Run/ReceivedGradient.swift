import Wire

/// A subtree gradient of the step in progress, as a result delivered it: in the message, or in a slot of the
/// worker's shared segment (kept mapped here until the step completes, even if the worker goes away).
enum ReceivedGradient {
    case owned([Float])
    case shared(SharedSegment, slot: Int)

    /// Copies the gradient into `out`.
    func copy(into out: UnsafeMutablePointer<Float>, count: Int) {
        switch self {
        case .owned(let values):
            values.withUnsafeBufferPointer { out.update(from: $0.baseAddress!, count: count) }
        case .shared(let segment, let slot):
            segment.withSlot(slot) { out.update(from: $0, count: count) }
        }
    }
}
