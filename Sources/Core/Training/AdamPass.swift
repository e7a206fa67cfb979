/// How a step's Adam update passes over memory: on the caller's thread alone (the default), or, on the
/// coordinator, in blocks that a helper thread shares (``BlockPass``), each block's new weights copied to a
/// mirror right behind its update while they are in cache (the shared weights that the workers on its host
/// read). Neither changes a bit: each element is updated alone. Updating the shared weights in place instead was
/// slower, up to three times: a read-modify-write of a line another core holds waits for that core to give it
/// up, line by line, while a copy's stores stream (Docs/Performance.md).
public struct AdamPass {
    /// The helper thread that takes blocks too; nil: the caller's thread does all.
    public var helper: BlockPass?
    /// Where the new weights are copied, as many as the weights; nil: nowhere.
    public var mirror: UnsafeMutablePointer<Float>?

    public init(helper: BlockPass? = nil, mirror: UnsafeMutablePointer<Float>? = nil) {
        self.helper = helper
        self.mirror = mirror
    }

    /// ``Adam/update(_:gradientSum:plus:batchSize:trainable:)``, run as this pass says.
    public func update(
        _ adam: inout Adam, weights: inout [Float], gradientSum sum: UnsafePointer<Float>,
        plus: UnsafePointer<Float>? = nil, batchSize: Int, trainable: Int? = nil
    ) {
        adam.withNextStep(updating: &weights, batchSize: batchSize, trainable: trainable) { step in
            let block = { (block: Range<Int>) in
                step.apply(to: block, gradientSum: sum, plus: plus)
                mirror?.advanced(by: block.lowerBound).update(from: step.weights + block.lowerBound, count: block.count)
            }
            if let helper { helper.run(count: step.count, block) } else { block(0..<step.count) }
        }
    }
}
