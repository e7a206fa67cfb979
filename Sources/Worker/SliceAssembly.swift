import Core
import Wire

/// One member's slices of a sharded step (its subtree sums, cut to this member's shard), assembled from the pieces
/// it sends as its backward pass completes them (``GradientSlices``, Docs/ShardedReduction.md). Every piece is
/// checked against the step and the pieces before it, so a peer cannot make a member take values outside the
/// shard, overwrite a position, change its subtrees, or send more than ``maxPieces`` pieces.
struct SliceAssembly {
    /// The most pieces taken from one sender in a step: a sender sends at most ``ShardedReplica/piecesPerShard``
    /// and the shard's last, so this leaves room to spare while keeping the overlap checks cheap.
    static let maxPieces = 2 * ShardedReplica.piecesPerShard

    /// The sender's subtrees, as its first piece named them.
    let nodes: [ChunkTree.Node]
    /// Per subtree, this member's shard of its sum; positions not yet received are zero.
    private(set) var values: [[Float]]
    /// The positions received, as disjoint ranges, one per piece taken.
    private var pieces: [Range<Int>] = []
    private var received = 0

    /// Whether every position of the shard is in. A sender without chunks in the step sends one piece without
    /// subtrees, which completes it.
    var isComplete: Bool { !pieces.isEmpty && (nodes.isEmpty || received == values[0].count) }

    /// Starts from a sender's first piece of a step whose chunk tree is `tree`, for a shard of `shardLength` values.
    /// - Throws: ``WireError`` `.badRequest` for a piece that cannot be part of this step.
    init(first: GradientSlices, tree: ChunkTree, shardLength: Int) throws(WireError) {
        let (nodes, _, _) = try Self.parse(first, tree: tree, shardLength: shardLength)
        self.nodes = nodes
        self.values = nodes.map { _ in [Float](repeating: 0, count: shardLength) }
        try take(first, tree: tree)
    }

    /// Adds a later piece (or, from ``init(first:tree:shardLength:)``, the first).
    /// - Throws: ``WireError`` `.badRequest` for a piece after the last, with other subtrees than the first, one
    ///   that overlaps a piece received, or one too many; nothing is taken from it.
    mutating func take(_ s: GradientSlices, tree: ChunkTree) throws(WireError) {
        let shardLength = values.first?.count ?? 0
        let (nodes, piece, tensors) = try Self.parse(s, tree: tree, shardLength: shardLength)
        let sender = s.senderRank
        guard !isComplete else { throw WireError(.badRequest, "a piece of slices from rank \(sender) after its last") }
        guard nodes == self.nodes else {
            throw WireError(.badRequest, "a piece of slices from rank \(sender) names other subtrees than its first")
        }
        guard pieces.count < Self.maxPieces, !pieces.contains(where: { $0.overlaps(piece) }) else {
            throw WireError(.badRequest, "a piece of slices from rank \(sender) at \(piece) overlaps one received, "
                + "or is more than \(Self.maxPieces)")
        }
        for k in nodes.indices {
            values[k].withUnsafeMutableBufferPointer { v in
                tensors[k].withUnsafeBufferPointer {
                    v.baseAddress!.advanced(by: piece.lowerBound).update(from: $0.baseAddress!, count: piece.count)
                }
            }
        }
        pieces.append(piece)
        received += piece.count
    }

    /// A piece's subtrees, its positions in the shard, and its values.
    private static func parse(
        _ s: GradientSlices, tree: ChunkTree, shardLength: Int
    ) throws(WireError) -> ([ChunkTree.Node], Range<Int>, [[Float]]) {
        var nodes: [ChunkTree.Node] = []
        var values: [[Float]] = []
        for subtree in s.subtrees {
            guard case .inline(let tensor) = subtree.gradient, Int(subtree.level) <= tree.height,
                Int(subtree.index) << Int(subtree.level) < tree.chunkCount
            else {
                throw WireError(.badRequest, "a slice from rank \(s.senderRank) is not an inline subtree of this step")
            }
            nodes.append(ChunkTree.Node(level: Int(subtree.level), index: Int(subtree.index)))
            values.append(tensor.values)
        }
        let offset = Int(s.offset)
        let count = values.first?.count ?? 0
        guard values.allSatisfy({ $0.count == count }), offset <= shardLength, count <= shardLength - offset,
            count > 0 || nodes.isEmpty
        else {
            throw WireError(.badRequest, "a piece of slices from rank \(s.senderRank) at \(offset) does not fit a "
                + "shard of \(shardLength) values, or its subtrees differ in length")
        }
        return (nodes, offset..<(offset + count), values)
    }
}
