import Wire

extension WireMessage {
    /// A worker's result carrying one inline gradient: the model-sized message a worker without shared memory
    /// sends each step. Every other field keeps its default, so the tensor's bytes end the encoded envelope.
    static func gradient(_ tensor: Tensor) -> WireMessage {
        .workResult(
            WorkResult(
                experimentId: "e", epoch: 0, step: 0, weightsVersion: 0,
                subtrees: [Subtree(level: 0, index: 0, gradient: tensor)], lossSum: 0, correctCount: 0,
                sampleCount: 0, computeSeconds: 0))
    }
}
