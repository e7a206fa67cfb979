import Synchronization

/// Float arrays that protobuf-c unpacks large `bytes` fields into, so a decoded ``Tensor`` takes the array instead
/// of copying the bytes a second time.
///
/// The unpack ``Arena`` makes every large, 4-byte-multiple allocation here: protobuf-c copies a tensor's bytes
/// straight from the received ZeroMQ frame into the array's storage, and `Tensor(proto:)` adopts the array by
/// its address. A 291 KB weights or gradient tensor then costs one copy on receipt instead of two (measured on
/// this machine's step loop: about 25 µs per copy of a frame written by another core). Arrays nobody adopted are
/// dropped when their arena resets. Keyed by address (as an integer), so any number of codecs on any threads can share it.
enum AdoptableFloats {
    /// Allocations at least this large (bytes) become arrays; smaller ones are not worth the bookkeeping.
    static let minimumBytes = 16 << 10

    /// Each array with the arena that made it: an address freed after adoption can come back for another arena's
    /// array, which the first arena's reset must not drop.
    private static let arrays = Mutex<[UInt: (owner: ObjectIdentifier, array: [Float])]>([:])

    /// `byteCount` bytes (a multiple of 4) of uninitialised storage owned by a new Float array, kept here for
    /// `owner` until it is adopted or released.
    static func allocate(byteCount: Int, owner: ObjectIdentifier) -> UnsafeMutableRawPointer {
        var array = [Float](unsafeUninitializedCapacity: byteCount / 4) { _, initialized in
            initialized = byteCount / 4  // Float is trivial: protobuf-c writes every byte before anyone reads one
        }
        // The storage stays put: the array is never mutated again, only moved into the table and out of it.
        let base = array.withUnsafeMutableBytes { $0.baseAddress! }
        arrays.withLock { $0[UInt(bitPattern: base)] = (owner, array) }
        return base
    }

    /// The array whose storage starts at `pointer`, when it holds exactly `byteCount` bytes; it leaves the table.
    static func adopt(_ pointer: UnsafeRawPointer, byteCount: Int) -> [Float]? {
        arrays.withLock { table in
            let key = UInt(bitPattern: pointer)
            guard let entry = table[key], entry.array.count * 4 == byteCount else { return nil }
            table[key] = nil
            return entry.array
        }
    }

    /// Drops `owner`'s arrays at `pointers` that nobody adopted (its arena resets or goes away).
    static func release(_ pointers: [UnsafeRawPointer], owner: ObjectIdentifier) {
        arrays.withLock { table in
            for key in pointers.map(UInt.init(bitPattern:)) where table[key]?.owner == owner { table[key] = nil }
        }
    }
}
