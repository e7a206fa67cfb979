import Wire

/// A subtree gradient of the step in progress, as a result delivered it: in the message, or in a slot of the
/// worker's shared segment (kept mapped here until the step completes, even if the worker goes away).
enum ReceivedGradient {
    case owned([Float])
    case shared(SharedSegment, slot: Int)

    /// Calls `body` with the gradient where it is.
    func withPointer<R>(_ body: (UnsafePointer<Float>) throws -> R) rethrows -> R {
        switch self {
        case .owned(let values): try values.withUnsafeBufferPointer { try body($0.baseAddress!) }
        case .shared(let segment, let slot): try segment.withSlot(slot, body)
        }
    }
}
