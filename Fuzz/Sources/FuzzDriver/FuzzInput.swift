/// Reads a fuzzer's bytes as structured choices, like LLVM's FuzzedDataProvider: each call takes what it needs
/// from the front and returns a default once the bytes run out. Integers favour the values that break size
/// arithmetic (0, 1, powers of two and their neighbours, the type's extremes), so a mutation reaches them at once.
public struct FuzzInput {
    private var bytes: ArraySlice<UInt8>

    public init(_ bytes: [UInt8]) {
        self.bytes = bytes[...]
    }

    public var isEmpty: Bool { bytes.isEmpty }

    public mutating func byte() -> UInt8 {
        bytes.popFirst() ?? 0
    }

    /// One of `choices` (the first when the bytes ran out).
    public mutating func pick<T>(_ choices: [T]) -> T {
        choices[Int(byte()) % choices.count]
    }

    public mutating func bool() -> Bool { byte() & 1 == 1 }

    /// Eight bytes, little-endian.
    public mutating func raw64() -> UInt64 {
        (0..<8).reduce(0) { value, i in value | UInt64(byte()) << (8 * UInt64(i)) }
    }

    /// Half the time a boundary value, else any value.
    public mutating func uint64() -> UInt64 {
        if bool() { return raw64() }
        let shift = UInt64(byte() % 64)
        return pick([0, 1, 2, UInt64.max, UInt64.max - 1, 1 << shift, (1 << shift) - 1, (1 << shift) + 1,
                     UInt64(Int64.max), UInt64(Int64.max) + 1, UInt64(UInt32.max), UInt64(Int32.max)])
    }

    public mutating func uint32() -> UInt32 { UInt32(truncatingIfNeeded: uint64()) }

    public mutating func int64() -> Int64 { Int64(bitPattern: uint64()) }

    public mutating func double() -> Double {
        pick([0, 1, -1, .nan, .infinity, -.infinity, 1e300, -1e-320, Double(bitPattern: raw64())])
    }

    /// A string of up to `limit` bytes: printable, control characters, long runs, or raw bytes.
    public mutating func string(limit: Int = 64) -> String {
        let count = min(Int(byte()), limit)
        switch byte() % 4 {
        case 0: return String(repeating: "a", count: count * 64)
        case 1: return String(decoding: (0..<count).map { _ in byte() }, as: UTF8.self)
        case 2: return pick(["", "exp-1", "exp-2", "exp-0", "\n\u{1B}[2J", "\0", "sweep-1"])
        default: return String((0..<count).map { _ in Character(Unicode.Scalar(byte() % 96 + 32)) })
        }
    }
}
