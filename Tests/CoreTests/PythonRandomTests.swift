import Core
import Foundation
import Testing

/// CPython's outputs, written once by `Tests/Tools/make_python_random_vectors.py`.
private struct PythonRandomVectors: Decodable {
    struct Case: Decodable {
        var seed: Int
        var calls: [Call]
    }

    /// One call on the case's stream; `getrandbits` results can exceed `Int.max`, so results are kept unsigned
    /// when the operation is `getrandbits` and signed otherwise.
    struct Call: Decodable, CustomStringConvertible {
        var op: String
        var args: [Int]
        var result: Result

        enum Result: Equatable {
            case signed(Int)
            case unsigned(UInt64)
        }

        enum CodingKeys: String, CodingKey { case op, args, result }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            op = try container.decode(String.self, forKey: .op)
            args = try container.decode([Int].self, forKey: .args)
            result =
                op == "getrandbits"
                ? .unsigned(try container.decode(UInt64.self, forKey: .result))
                : .signed(try container.decode(Int.self, forKey: .result))
        }

        var description: String { "\(op)(\(args.map(String.init).joined(separator: ", ")))" }
    }

    var python: String
    var cases: [Case]
    var seed1Word1000: UInt64

    static func load() throws -> PythonRandomVectors {
        let url = try #require(Bundle.module.url(forResource: "Fixtures/python_random_vectors", withExtension: "json"))
        return try JSONDecoder().decode(PythonRandomVectors.self, from: Data(contentsOf: url))
    }
}

@Suite("PythonRandom matches CPython's random module")
struct PythonRandomTests {
    /// Replays one call on `rng` and returns what it gave.
    private func replay(_ call: PythonRandomVectors.Call, on rng: inout PythonRandom) throws
        -> PythonRandomVectors.Call.Result
    {
        switch call.op {
        case "getrandbits": return .unsigned(rng.getrandbits(call.args[0]))
        case "randint": return .signed(rng.randint(call.args[0], call.args[1]))
        case "randrange": return .signed(rng.randrange(call.args[0], call.args[1]))
        case "randbelow": return .signed(rng.randbelow(call.args[0]))
        default:
            Issue.record("unknown operation \(call.op) in the vectors")
            return call.result
        }
    }

    @Test(
        "every seed's stream of calls gives CPython's numbers",
        arguments: [0, 1, 42, (1 << 40) + 3, -7, 12_345_678_901, Int.max])
    func streams(seed: Int) throws {
        let vectors = try PythonRandomVectors.load()
        let vectorCase = try #require(vectors.cases.first { $0.seed == seed }, "no vectors for seed \(seed)")
        #expect(vectorCase.calls.count > 300)
        var rng = PythonRandom(seed: seed)
        for (position, call) in vectorCase.calls.enumerated() {
            let got = try replay(call, on: &rng)
            #expect(got == call.result, "seed \(seed), call \(position): \(call)")
            if got != call.result {
                return  // every later draw would differ too
            }
        }
    }

    @Test("the 1,000th output after seed(1) crosses a regeneration of the state")
    func pastOneTwist() throws {
        let vectors = try PythonRandomVectors.load()
        var rng = PythonRandom(seed: 1)
        for _ in 0..<999 {
            _ = rng.getrandbits(32)
        }
        #expect(rng.getrandbits(32) == vectors.seed1Word1000)
    }

    @Test("seed(_:) restarts the stream, and a copy continues independently")
    func reseedAndCopy() {
        var rng = PythonRandom(seed: 1)
        let first = (0..<10).map { _ in rng.randint(0, 49) }
        var copy = rng
        let next = (0..<10).map { _ in rng.randint(0, 49) }
        #expect((0..<10).map { _ in copy.randint(0, 49) } == next)
        rng.seed(1)
        #expect((0..<10).map { _ in rng.randint(0, 49) } == first)
    }

    @Test("a seed and its negation give the same stream, as CPython seeds with the absolute value")
    func negativeSeeds() {
        var positive = PythonRandom(seed: 12_345)
        var negative = PythonRandom(seed: -12_345)
        #expect((0..<20).map { _ in positive.getrandbits(32) } == (0..<20).map { _ in negative.getrandbits(32) })
    }

    @Test("draws stay in range for bounds that are not powers of two")
    func ranges() {
        var rng = PythonRandom(seed: 3)
        for _ in 0..<2_000 {
            #expect((0...2).contains(rng.randint(0, 2)))
            #expect((-5..<6).contains(rng.randrange(-5, 6)))
            #expect((0..<1_000_001).contains(rng.randbelow(1_000_001)))
            #expect(rng.getrandbits(5) < 32)
        }
        #expect(rng.randint(7, 7) == 7)
        #expect(rng.randbelow(1) == 0)
    }
}
