extension ChunkTree {
    /// Calls `lookup(node, body)` to read a node whose value is at hand: it calls `body` with the value and returns
    /// true, or returns false when the node has none (its value is then summed from its children).
    public typealias Lookup = (Node, (UnsafePointer<Float>) -> Void) -> Bool

    /// Calls `body` with the step's gradient sum as one or two halves for Adam to add: the root when it is at hand
    /// whole, else the root's children, each read where it is or summed from smaller subtrees into a scratch
    /// buffer. The root's own addition (left then right) happens inside Adam's pass, which saves a pass over
    /// memory: this is how the step's gradient is completed, on the coordinator and in the tests alike.
    public func withRootHalves(
        count: Int, scratch: ScratchBuffers, lookup: Lookup,
        _ body: (_ sum: UnsafePointer<Float>, _ plus: UnsafePointer<Float>?) -> Void
    ) {
        // Swift refuses a non-escaping closure as the argument of a closure parameter (it cannot check exclusive
        // access across the two); `lookup` calls it only before it returns.
        withoutActuallyEscaping(body) { body in
            if lookup(root, { body($0, nil) }) { return }
            // A tree of height ≥ 1 always has a real right child at the root (its height is the least that fits).
            withValue(of: root.left, count: count, scratch: scratch, lookup: lookup) { left in
                withValue(of: root.right, count: count, scratch: scratch, lookup: lookup) { right in body(left, right) }
            }
        }
    }

    private func withValue(
        of node: Node, count: Int, scratch: ScratchBuffers, lookup: Lookup, _ body: (UnsafePointer<Float>) -> Void
    ) {
        if withoutActuallyEscaping(body, do: { lookup(node, $0) }) { return }
        scratch.withBuffer(count) { buffer in
            sum(node, count: count, into: buffer, scratch: scratch) { node, out in
                lookup(node) { out.update(from: $0, count: count) }
            }
            body(buffer)
        }
    }
}
