import CDistEmbedProto
import CProtobufC

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Tensor {
    /// The C struct; its bytes are borrowed from `values` while the context packs.
    func proto(in context: PackContext) -> UnsafeMutablePointer<Distembed__Tensor> {
        let message: UnsafeMutablePointer<Distembed__Tensor> = context.make { distembed__tensor__init($0) }
        message.pointee.n_shape = shape.count
        message.pointee.shape = context.array(count: shape.count) { UInt32(shape[$0]) }
        context.setData(of: message, to: values)
        return message
    }

    /// Takes a decoded tensor's bytes: adopts the array protobuf-c unpacked them into (``AdoptableFloats``), or
    /// copies them out of C memory with one `memcpy`.
    ///
    /// - Throws: ``ErrorCode/badRequest`` when the byte count is not 4 × the product of the shape.
    init(proto message: UnsafePointer<Distembed__Tensor>, field: String) throws(WireError) {
        let shape = repeated(message.pointee.shape, count: message.pointee.n_shape).map { Int($0) }
        let byteCount = message.pointee.data.len
        guard let count = Tensor.elementCount(of: shape), count <= Int.max / 4, count * 4 == byteCount else {
            throw WireError(
                .badRequest,
                "tensor \(field) of shape \(shape) needs 4 bytes per element but carries \(byteCount) bytes")
        }
        #if _endian(little)
        if count > 0, let source = message.pointee.data.data,
            let adopted = AdoptableFloats.adopt(UnsafeRawPointer(source), byteCount: byteCount)
        {
            self.init(shape: shape, values: adopted)
            return
        }
        #endif
        let values = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            if count > 0, let source = message.pointee.data.data, let destination = buffer.baseAddress {
                #if _endian(little)
                memcpy(destination, source, byteCount)
                #else
                let raw = UnsafeRawPointer(source)
                for index in 0..<count {
                    let bits = raw.loadUnaligned(fromByteOffset: index * 4, as: UInt32.self)
                    destination[index] = Float(bitPattern: UInt32(littleEndian: bits))
                }
                #endif
            }
            initialized = count
        }
        self.init(shape: shape, values: values)
    }

    /// Decodes an optional tensor field.
    init?(optionalProto message: UnsafePointer<Distembed__Tensor>?, field: String) throws(WireError) {
        guard let message else { return nil }
        try self.init(proto: message, field: field)
    }
}
