import CKernels

/// The canonical pairwise sum over a minibatch's chunks (Docs/Determinism.md, point 3): a binary tree
/// over the chunk ids padded to a power of two, where a node with one real child is that child. Whoever adds a
/// node adds its left and right halves in that order, so any split of the chunks into contiguous runs, summed by
/// any processes, gives the same bits.
public struct ChunkTree: Sendable, Equatable {
    /// One node: `level` 0 is a chunk; a node at `level` covers chunks `index << level ..< (index + 1) << level`.
    public struct Node: Hashable, Sendable, Comparable, CustomStringConvertible {
        public var level: Int
        public var index: Int
        public init(level: Int, index: Int) {
            self.level = level
            self.index = index
        }
        public var first: Int { index << level }
        public var left: Node { Node(level: level - 1, index: index * 2) }
        public var right: Node { Node(level: level - 1, index: index * 2 + 1) }
        public static func < (a: Node, b: Node) -> Bool { (a.first, -a.level) < (b.first, -b.level) }
        public var description: String { "L\(level)#\(index)" }
    }

    public let chunkCount: Int
    /// The root's level: the tree has `1 << height` leaf slots.
    public let height: Int

    public init(chunkCount: Int) {
        precondition(chunkCount >= 1)
        self.chunkCount = chunkCount
        var h = 0
        while (1 << h) < chunkCount { h += 1 }
        self.height = h
    }

    public var root: Node { Node(level: height, index: 0) }

    /// The real chunks under `node`.
    public func chunks(of node: Node) -> Range<Int> {
        node.first..<min((node.index + 1) << node.level, chunkCount)
    }

    /// Whether `node` has a real right child (otherwise it equals its left child).
    public func hasRight(_ node: Node) -> Bool {
        node.level > 0 && node.right.first < chunkCount
    }

    /// The fewest whole subtrees that cover exactly the chunks in `run`, left to right: what a worker given
    /// that run returns.
    public func cover(_ run: Range<Int>) -> [Node] {
        precondition(run.lowerBound >= 0 && run.upperBound <= chunkCount && !run.isEmpty, "run outside the tree")
        var nodes: [Node] = []
        var position = run.lowerBound
        while position < run.upperBound {
            var level = 0
            while level < height {
                let next = level + 1
                if position & ((1 << next) - 1) != 0 { break }
                let node = Node(level: next, index: position >> next)
                if chunks(of: node).upperBound > run.upperBound { break }
                level = next
            }
            let node = Node(level: level, index: position >> level)
            nodes.append(node)
            position = chunks(of: node).upperBound
        }
        return nodes
    }

    /// Sums the subtree at `node` into `out` (`count` floats). `provide(node, out)` fills `out` with a node's
    /// value and returns true when it has one (a computed chunk, a received subtree); otherwise the node's
    /// children are summed, left then right. `scratch` lends buffers for right children.
    public func sum(
        _ node: Node, count: Int, into out: UnsafeMutablePointer<Float>, scratch: ScratchBuffers,
        provide: (Node, UnsafeMutablePointer<Float>) throws -> Bool
    ) rethrows {
        if try provide(node, out) { return }
        precondition(node.level > 0, "no value for chunk \(node.index)")
        try sum(node.left, count: count, into: out, scratch: scratch, provide: provide)
        guard hasRight(node) else { return }
        try scratch.withBuffer(count) { right in
            try sum(node.right, count: count, into: right, scratch: scratch, provide: provide)
            distembed_add(out, right, count)
        }
    }
}
