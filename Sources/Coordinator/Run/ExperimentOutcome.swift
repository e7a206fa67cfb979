import Core

/// How an experiment ended, as the store keeps it: its final state, and its result when it is done.
struct ExperimentOutcome {
    var state: ExperimentState
    var finishedAt: Double
    /// Why it failed or was cancelled; nil when done.
    var error: String?
    var resultJSON: String?
    var weights: [Float]?
    var weightsSha256: String?

    /// The line its event says.
    var line: String {
        switch state {
        case .failed: "failed: \(error ?? "")"
        case .cancelled: error ?? "cancelled"
        default: state.rawValue
        }
    }
}
