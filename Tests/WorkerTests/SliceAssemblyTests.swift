import Core
import Testing
import Wire

@testable import Worker

/// A member assembles another member's slices from the pieces it sends during its backward pass; the peer port is
/// open, so every piece that cannot be part of the step is refused and changes nothing.
@Suite struct SliceAssemblyTests {
    static let tree = ChunkTree(chunkCount: 8)
    static let nodes = [ChunkTree.Node(level: 1, index: 1), ChunkTree.Node(level: 2, index: 1)]

    /// A piece of sender 1's slices: positions `range` of a subtree's shard hold `base + position`.
    static func piece(_ range: Range<Int>, nodes: [ChunkTree.Node] = nodes, base: Float = 0) -> GradientSlices {
        GradientSlices(
            experimentId: "exp-1", group: 7, weightsVersion: 3, senderRank: 1,
            subtrees: nodes.enumerated().map { k, node in
                Subtree(level: UInt32(node.level), index: UInt32(node.index),
                        gradient: Tensor(range.map { Float(k * 1000 + $0) + base }))
            },
            offset: UInt32(range.lowerBound))
    }

    @Test func piecesInAnyOrderAssembleTheShard() throws {
        var assembly = try SliceAssembly(first: Self.piece(40..<64), tree: Self.tree, shardLength: 64)
        #expect(!assembly.isComplete)
        try assembly.take(Self.piece(0..<10), tree: Self.tree)
        #expect(!assembly.isComplete)
        try assembly.take(Self.piece(10..<40), tree: Self.tree)
        #expect(assembly.isComplete)
        #expect(assembly.nodes == Self.nodes)
        let expected: [[Float]] = [0, 1000].map { base in (0..<64).map { base + Float($0) } }
        #expect(assembly.values == expected)
    }

    @Test func aSenderWithoutChunksCompletesWithOneEmptyPiece() throws {
        let assembly = try SliceAssembly(first: Self.piece(0..<0, nodes: []), tree: Self.tree, shardLength: 64)
        #expect(assembly.isComplete && assembly.nodes.isEmpty)
        var again = assembly
        #expect(throws: WireError.self) { try again.take(Self.piece(0..<0, nodes: []), tree: Self.tree) }
    }

    @Test func piecesThatCannotBePartOfTheStepAreRefusedAndChangeNothing() throws {
        var assembly = try SliceAssembly(first: Self.piece(32..<64), tree: Self.tree, shardLength: 64)
        let before = assembly.values
        let refused: [(String, GradientSlices)] = [
            ("overlaps", Self.piece(20..<33, base: 0.5)),
            ("outside the shard", Self.piece(60..<70, base: 0.5)),
            ("other subtrees", Self.piece(0..<8, nodes: [ChunkTree.Node(level: 2, index: 0)], base: 0.5)),
            ("a node outside the tree", Self.piece(0..<8, nodes: [ChunkTree.Node(level: 4, index: 0)], base: 0.5)),
            ("empty", Self.piece(8..<8, base: 0.5)),
            ("no subtrees after pieces", Self.piece(0..<0, nodes: [])),
        ]
        for (what, piece) in refused {
            #expect(throws: WireError.self, "\(what)") { try assembly.take(piece, tree: Self.tree) }
            #expect(assembly.values == before && !assembly.isComplete, "\(what)")
        }
        var lengths = Self.piece(0..<8)
        lengths.subtrees[1].gradient = .inline(Tensor([1]))
        #expect(throws: WireError.self) { try assembly.take(lengths, tree: Self.tree) }
        try assembly.take(Self.piece(0..<32), tree: Self.tree)
        #expect(assembly.isComplete)
        #expect(throws: WireError.self, "after the last") { try assembly.take(Self.piece(0..<1), tree: Self.tree) }
    }

    @Test func aSenderCannotSendMorePiecesThanTheBound() throws {
        let length = SliceAssembly.maxPieces + 4
        var assembly = try SliceAssembly(first: Self.piece(0..<1), tree: Self.tree, shardLength: length)
        for position in 1..<SliceAssembly.maxPieces { try assembly.take(Self.piece(position..<(position + 1)), tree: Self.tree) }
        #expect(throws: WireError.self) {
            try assembly.take(Self.piece(SliceAssembly.maxPieces..<(SliceAssembly.maxPieces + 1)), tree: Self.tree)
        }
        #expect(!assembly.isComplete)
    }
}
