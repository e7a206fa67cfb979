/// A seed sweep's state from its experiments' states: queued until one starts, running until all have ended,
/// then done if all are done, else failed if one failed, else cancelled. The coordinator answers `status SWEEP`
/// with it and `list` groups a sweep's experiments by it.
public struct SweepProgress: Hashable, Sendable {
    public let state: ExperimentState
    /// `3 of 16 done, 1 running, 12 queued`.
    public let counts: String

    public init(_ states: [ExperimentState]) {
        func count(_ s: ExperimentState) -> Int { states.filter { $0 == s }.count }
        let done = count(.done)
        if states.allSatisfy(\.isFinal) {
            state = done == states.count ? .done : count(.failed) > 0 ? .failed : .cancelled
        } else {
            state = states.allSatisfy { $0 == .queued } ? .queued : .running
        }
        let others = [ExperimentState.running, .queued, .failed, .cancelled]
            .filter { count($0) > 0 }.map { "\(count($0)) \($0)" }
        counts = (["\(done) of \(states.count) done"] + others).joined(separator: ", ")
    }
}

extension ExperimentState {
    /// Whether the experiment has ended: nothing moves it out of this state.
    public var isFinal: Bool { self == .done || self == .failed || self == .cancelled }
}
