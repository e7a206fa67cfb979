/// A bump allocator whose memory is reused from message to message.
///
/// protobuf-c allocates every string, array and `bytes` field of an unpacked message, and packing needs the C
/// structs of the outgoing message; both come from here, so a steady stream of same-sized messages allocates
/// nothing (fresh ~300 KB buffers page-fault on every message, Docs/Platform.md). Memory is valid until `reset()`.
final class Arena {
    /// Allocations are aligned for any C scalar.
    private static let alignment = 16
    /// Memory retained between messages is capped so one huge message does not pin its size forever.
    private static let maxRetainedBytes = 32 << 20

    private var block: UnsafeMutableRawPointer
    private var capacity: Int
    private var used = 0
    /// Allocations that did not fit in `block`; freed, and folded into a larger block, by `reset()`.
    private var overflow: [UnsafeMutableRawPointer] = []
    private var overflowBytes = 0
    /// Whether large allocations become ``AdoptableFloats`` arrays (the unpack arena: tensors adopt them).
    private let adoptsTensors: Bool
    /// This arena's ``AdoptableFloats`` allocations since the last reset.
    private var adoptable: [UnsafeRawPointer] = []

    init(capacity: Int = 64 << 10, adoptsTensors: Bool = false) {
        self.capacity = capacity
        self.adoptsTensors = adoptsTensors
        block = .allocate(byteCount: capacity, alignment: Self.alignment)
    }

    deinit {
        releaseOverflow()
        AdoptableFloats.release(adoptable, owner: ObjectIdentifier(self))
        block.deallocate()
    }

    /// `size` bytes of uninitialised memory, aligned to 16 bytes, valid until the next `reset()`.
    func allocate(_ size: Int) -> UnsafeMutableRawPointer {
        if adoptsTensors && size >= AdoptableFloats.minimumBytes && size % 4 == 0 {
            let pointer = AdoptableFloats.allocate(byteCount: size, owner: ObjectIdentifier(self))
            adoptable.append(UnsafeRawPointer(pointer))
            return pointer
        }
        let rounded = (max(size, 1) + Self.alignment - 1) & ~(Self.alignment - 1)
        if used + rounded <= capacity {
            defer { used += rounded }
            return block + used
        }
        let pointer = UnsafeMutableRawPointer.allocate(byteCount: rounded, alignment: Self.alignment)
        overflow.append(pointer)
        overflowBytes += rounded
        return pointer
    }

    /// Frees everything allocated since the last reset, growing the block to fit the largest message so far.
    func reset() {
        if !adoptable.isEmpty {
            AdoptableFloats.release(adoptable, owner: ObjectIdentifier(self))
            adoptable.removeAll(keepingCapacity: true)
        }
        if overflowBytes > 0 {
            let wanted = min(capacity + overflowBytes, Self.maxRetainedBytes)
            releaseOverflow()
            if wanted > capacity {
                block.deallocate()
                capacity = wanted
                block = .allocate(byteCount: capacity, alignment: Self.alignment)
            }
        }
        used = 0
    }

    private func releaseOverflow() {
        for pointer in overflow { pointer.deallocate() }
        overflow.removeAll(keepingCapacity: true)
        overflowBytes = 0
    }
}
