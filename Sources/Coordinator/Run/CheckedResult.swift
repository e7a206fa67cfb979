import Core
import Wire

/// A worker's result that ``ExperimentRun/validate(_:run:shared:)`` accepted: its subtrees are exactly those of
/// its run, each resolved to where its gradient is (the message, or the slot of the sender's shared segment it was
/// given), so nothing later has to look for a segment that might be missing.
struct CheckedResult {
    /// The chunks the result covers.
    let run: Range<Int>
    /// The run's subtrees, left to right, with their gradients.
    let gradients: [(node: ChunkTree.Node, gradient: ReceivedGradient)]
    let stats: GradientEngine.Stats
    let computeSeconds: Double
    /// A sharded step's exchange, as the member reported it (0 for the coordinator's reduction).
    var exchangeSeconds = 0.0
}
