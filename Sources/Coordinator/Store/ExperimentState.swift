/// Where an experiment is in its life: queued, then running, then one of the three final states.
///
/// A running experiment goes back to queued when the coordinator restarts without a checkpoint for it; a queued one
/// may be cancelled or fail before it starts.
public enum ExperimentState: String, Codable, Sendable, CaseIterable {
    /// Waiting for its turn.
    case queued
    /// Being trained.
    case running
    /// Trained; the result and final weights are stored.
    case done
    /// Stopped by an error; the record says which.
    case failed
    /// Stopped on request.
    case cancelled

    /// Whether the experiment has ended: nothing moves it out of this state.
    public var isFinal: Bool {
        switch self {
        case .queued, .running: false
        case .done, .failed, .cancelled: true
        }
    }

    /// Whether an experiment in this state may move to `next`.
    public func canMove(to next: ExperimentState) -> Bool {
        switch (self, next) {
        case (.queued, .running), (.queued, .failed), (.queued, .cancelled): true
        case (.running, .queued), (.running, .done), (.running, .failed), (.running, .cancelled): true
        default: false
        }
    }
}
