import CDistEmbedProto
import CProtobufC

/// Converts ``Envelope`` values to protobuf bytes (`distembed.proto`) and back, through protobuf-c.
///
/// A codec reuses its memory from message to message: keep one per thread (it is not thread-safe) and pass
/// the same output buffer to ``encode(_:into:)``. Tensors are copied once each way, with `memcpy`.
public final class Codec {
    /// The largest message `decode` accepts, in bytes.
    public let maxMessageSize: Int
    private let packArena = Arena()
    private let unpackArena = Arena(adoptsTensors: true)

    /// Creates a codec that refuses to decode messages larger than `maxMessageSize` bytes.
    public init(maxMessageSize: Int = defaultMaxMessageSize) {
        self.maxMessageSize = maxMessageSize
    }

    /// The protobuf encoding of `envelope`, in a new array.
    public func encode(_ envelope: Envelope) -> [UInt8] {
        var buffer: [UInt8] = []
        encode(envelope, into: &buffer)
        return buffer
    }

    /// Replaces the contents of `buffer` with the encoding of `envelope`, reusing its capacity.
    public func encode(_ envelope: Envelope, into buffer: inout [UInt8]) {
        withPacked(envelope) { size, pack in
            if buffer.count > size {
                buffer.removeLast(buffer.count - size)
            } else if buffer.count < size {
                buffer.append(contentsOf: repeatElement(0, count: size - buffer.count))
            }
            buffer.withUnsafeMutableBytes { pack($0.baseAddress!) }
        }
    }

    /// Decodes one message.
    ///
    /// - Throws: ``ErrorCode/tooLarge`` above ``maxMessageSize``; ``ErrorCode/versionMismatch`` for another
    ///   protocol version; ``ErrorCode/badRequest`` for garbage, truncated input, an unknown or missing body,
    ///   or a tensor whose byte count does not match its shape.
    public func decode(_ bytes: [UInt8]) throws(WireError) -> Envelope {
        try bytes.withUnsafeBytes { decodeEnvelope($0) }.mapError(\.error).get()
    }

    /// Decodes one received frame without copying it first; throws as the `[UInt8]` overload does.
    public func decode(_ frame: Frame) throws(WireError) -> Envelope {
        try frame.withUnsafeBytes { decodeEnvelope($0) }.mapError(\.error).get()
    }

    /// Packs `envelope`: `body` gets its size and a function that writes exactly that many bytes.
    func withPacked<R>(_ envelope: Envelope, _ body: (Int, (UnsafeMutableRawPointer) -> Void) -> R) -> R {
        packArena.reset()
        let context = PackContext(arena: packArena)
        let message = envelope.proto(in: context)
        return context.withBorrowedTensors {
            let size = distembed__envelope__get_packed_size(message)
            return body(size) { destination in
                let written = distembed__envelope__pack(message, destination.assumingMemoryBound(to: UInt8.self))
                precondition(written == size, "protobuf-c packed \(written) bytes, expected \(size)")
            }
        }
    }

    /// Decodes one message, keeping the request id (when one could be read) for the error reply.
    func decodeEnvelope(_ bytes: UnsafeRawBufferPointer) -> Result<Envelope, DecodeFailure> {
        guard bytes.count <= maxMessageSize else {
            return .failure(DecodeFailure(requestId: 0, error: .tooLarge(size: bytes.count, limit: maxMessageSize)))
        }
        unpackArena.reset()
        return unpackArena.withAllocator { allocator in
            var empty: UInt8 = 0
            let unpacked = withUnsafePointer(to: &empty) { emptyPointer in
                distembed__envelope__unpack(
                    allocator, bytes.count, bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? emptyPointer)
            }
            guard let envelope = unpacked else {
                return .failure(
                    DecodeFailure(
                        requestId: 0,
                        error: WireError(
                            .badRequest,
                            "\(bytes.count) bytes are not a DistEmbed envelope (garbage, truncated, or not protobuf)")))
            }
            let requestId = envelope.pointee.request_id
            let version = envelope.pointee.protocol_version
            guard version != 0 else {
                return .failure(
                    DecodeFailure(
                        requestId: requestId, error: WireError(.badRequest, "envelope carries no protocol version")))
            }
            guard version == Wire.protocolVersion else {
                return .failure(DecodeFailure(requestId: requestId, error: .versionMismatch(received: version)))
            }
            do throws(WireError) {
                return .success(try Envelope(proto: envelope))
            } catch {
                return .failure(DecodeFailure(requestId: requestId, error: error))
            }
        }
    }
}

/// Why a message could not be decoded, with the request id to answer when the envelope was readable.
struct DecodeFailure: Error {
    var requestId: UInt64
    var error: WireError
}
