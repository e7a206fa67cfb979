/// Buffers of `length` floats each (one model's parameters), allocated on first use, zeroed, and kept from step to
/// step: a fresh array of a few hundred kilobytes page-faults on every write (Docs/Platform.md), a kept buffer
/// does not. Buffer `i` stays where it is for the owner's life.
public final class ParameterBuffers {
    public let length: Int
    private var buffers: [UnsafeMutablePointer<Float>] = []

    public init(length: Int) {
        self.length = length
    }

    deinit {
        for buffer in buffers { buffer.deallocate() }
    }

    /// Buffer `index`; its contents are whatever its last user left in it.
    public func buffer(_ index: Int) -> UnsafeMutablePointer<Float> {
        while buffers.count <= index {
            let buffer = UnsafeMutablePointer<Float>.allocate(capacity: max(length, 1))
            buffer.initialize(repeating: 0, count: max(length, 1))
            buffers.append(buffer)
        }
        return buffers[index]
    }
}
