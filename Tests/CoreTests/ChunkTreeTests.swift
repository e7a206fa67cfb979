import Core
import Testing

@Suite struct ChunkTreeTests {
    /// Every way of cutting `0..<n` into contiguous runs, for small n (2^(n-1) of them).
    static func partitions(_ n: Int) -> [[Range<Int>]] {
        (0..<(1 << (n - 1))).map { mask in
            var runs: [Range<Int>] = []
            var start = 0
            for i in 1..<n where mask & (1 << (i - 1)) != 0 {
                runs.append(start..<i)
                start = i
            }
            runs.append(start..<n)
            return runs
        }
    }

    /// Vectors whose sums depend on the order of addition.
    static func leaves(_ n: Int, width: Int) -> [[Float]] {
        let p = Philox(seed: 99)
        return (0..<n).map { c in
            (0..<width).map { e in
                let u = Philox.unitFloat(p.word((9, UInt32(c), UInt32(e), 0), lane: 0))
                return (u - 0.5) * Float(1 << (e % 20))
            }
        }
    }

    func value(of node: ChunkTree.Node, tree: ChunkTree, known: [ChunkTree.Node: [Float]], width: Int) -> [Float] {
        var out = [Float](repeating: .nan, count: width)
        let scratch = ScratchBuffers()
        out.withUnsafeMutableBufferPointer { o in
            tree.sum(node, count: width, into: o.baseAddress!, scratch: scratch) { node, buffer in
                guard let v = known[node] else { return false }
                for i in 0..<width { buffer[i] = v[i] }
                return true
            }
        }
        return out
    }

    @Test(arguments: 1...9)
    func everySplitGivesTheSameBits(chunks n: Int) {
        let width = 64
        let leaves = Self.leaves(n, width: width)
        let tree = ChunkTree(chunkCount: n)
        var chunkValues: [ChunkTree.Node: [Float]] = [:]
        for c in 0..<n { chunkValues[ChunkTree.Node(level: 0, index: c)] = leaves[c] }
        let reference = value(of: tree.root, tree: tree, known: chunkValues, width: width)
        for runs in Self.partitions(n) {
            // Each "worker" sums the subtrees its run covers; the "coordinator" completes the tree.
            var received: [ChunkTree.Node: [Float]] = [:]
            for run in runs {
                let cover = tree.cover(run)
                #expect(cover.flatMap { Array(tree.chunks(of: $0)) } == Array(run))
                for node in cover {
                    received[node] = value(of: node, tree: tree, known: chunkValues, width: width)
                }
            }
            let root = value(of: tree.root, tree: tree, known: received, width: width)
            #expect(root.map(\.bitPattern) == reference.map(\.bitPattern), "runs \(runs)")
        }
    }

    @Test func pairwiseOrderDiffersFromSequentialSum() {
        // Guards the test above: with these leaves the grouping of additions changes the bits.
        let leaves = Self.leaves(5, width: 64)
        var sequential = [Float](repeating: 0, count: 64)
        for l in leaves { for i in 0..<64 { sequential[i] += l[i] } }
        let tree = ChunkTree(chunkCount: 5)
        var known: [ChunkTree.Node: [Float]] = [:]
        for c in 0..<5 { known[ChunkTree.Node(level: 0, index: c)] = leaves[c] }
        let pairwise = value(of: tree.root, tree: tree, known: known, width: 64)
        #expect(pairwise.map(\.bitPattern) != sequential.map(\.bitPattern))
    }

    @Test func coverOfWholeTreeIsTheRoot() {
        for n in 1...17 {
            let tree = ChunkTree(chunkCount: n)
            #expect(tree.cover(0..<n) == [tree.root])
        }
    }

    @Test func coverUsesAlignedSubtrees() {
        let tree = ChunkTree(chunkCount: 7)
        #expect(tree.cover(1..<7) == [
            .init(level: 0, index: 1), .init(level: 1, index: 1), .init(level: 2, index: 1),
        ])
    }

    /// Before the pool lent buffers for a closure's length, asking for a larger size freed every buffer,
    /// including those still lent out: this read freed memory.
    @Test("a buffer lent out stays valid when a larger one is asked for")
    func scratchKeepsLentBuffersWhenItGrows() {
        let scratch = ScratchBuffers()
        scratch.withBuffer(4) { small in
            small.update(repeating: 1, count: 4)
            scratch.withBuffer(64) { large in large.update(repeating: 2, count: 64) }
            #expect((0..<4).map { small[$0] } == [1, 1, 1, 1])
        }
        // The small buffer went away when it came back; the pool lends the large one again.
        scratch.withBuffer(64) { large in #expect((0..<64).allSatisfy { large[$0] == 2 }) }
    }

}
