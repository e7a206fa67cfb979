import CDistEmbedProto
import CProtobufC

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Builds the protobuf-c structs of one outgoing message.
///
/// Structs, strings and arrays live in the codec's pack arena. Tensor bytes are not copied: each tensor's
/// `[Float]` storage is borrowed in `withBorrowedTensors`, which is where packing must happen.
final class PackContext {
    private let arena: Arena
    private var tensors: [(message: UnsafeMutablePointer<Distembed__Tensor>, values: [Float])] = []

    init(arena: Arena) {
        self.arena = arena
    }

    /// A struct initialised by its protobuf-c `..._init` function.
    func make<T>(_ initialize: (UnsafeMutablePointer<T>) -> Void) -> UnsafeMutablePointer<T> {
        let pointer = arena.allocate(MemoryLayout<T>.stride).bindMemory(to: T.self, capacity: 1)
        initialize(pointer)
        return pointer
    }

    /// A NUL-terminated copy of `string` (protobuf-c strings stop at the first NUL).
    func string(_ string: String) -> UnsafeMutablePointer<CChar> {
        var string = string
        return string.withUTF8 { utf8 in
            let pointer = arena.allocate(utf8.count + 1).bindMemory(to: CChar.self, capacity: utf8.count + 1)
            if let base = utf8.baseAddress {
                memcpy(pointer, base, utf8.count)
            }
            pointer[utf8.count] = 0
            return pointer
        }
    }

    /// A copy of `bytes` for a `bytes` field.
    func bytes(_ bytes: [UInt8]) -> ProtobufCBinaryData {
        let pointer = arena.allocate(max(1, bytes.count)).bindMemory(to: UInt8.self, capacity: max(1, bytes.count))
        bytes.withUnsafeBufferPointer { if let base = $0.baseAddress { memcpy(pointer, base, $0.count) } }
        return ProtobufCBinaryData(len: bytes.count, data: pointer)
    }

    /// An array of `count` elements, each produced by `element`.
    func array<T>(count: Int, _ element: (Int) -> T) -> UnsafeMutablePointer<T> {
        let pointer = arena.allocate(MemoryLayout<T>.stride * count).bindMemory(to: T.self, capacity: count)
        for index in 0..<count {
            (pointer + index).initialize(to: element(index))
        }
        return pointer
    }

    /// The array of struct pointers a repeated message field holds.
    func messages<Element, T>(
        _ elements: [Element], _ convert: (Element) -> UnsafeMutablePointer<T>
    ) -> UnsafeMutablePointer<UnsafeMutablePointer<T>?> {
        array(count: elements.count) { Optional(convert(elements[$0])) }
    }

    /// Points `message.data` at `values` when packing happens (see `withBorrowedTensors`).
    func setData(of message: UnsafeMutablePointer<Distembed__Tensor>, to values: [Float]) {
        #if _endian(little)
        tensors.append((message, values))
        #else
        let bytes = arena.allocate(values.count * 4).bindMemory(to: UInt32.self, capacity: values.count)
        for (index, value) in values.enumerated() {
            bytes[index] = value.bitPattern.littleEndian
        }
        message.pointee.data = ProtobufCBinaryData(len: values.count * 4, data: UnsafeMutableRawPointer(bytes)
            .assumingMemoryBound(to: UInt8.self))
        #endif
    }

    /// Runs `body` while every tensor's bytes are borrowed into its C struct: pack inside `body`.
    func withBorrowedTensors<R>(_ body: () -> R) -> R {
        borrow(from: 0, body)
    }

    private func borrow<R>(from index: Int, _ body: () -> R) -> R {
        guard index < tensors.count else { return body() }
        let (message, values) = tensors[index]
        return values.withUnsafeBytes { bytes in
            message.pointee.data = ProtobufCBinaryData(
                len: bytes.count,
                data: UnsafeMutablePointer(mutating: bytes.baseAddress?.assumingMemoryBound(to: UInt8.self)))
            defer { message.pointee.data = ProtobufCBinaryData(len: 0, data: nil) }
            return borrow(from: index + 1, body)
        }
    }
}
