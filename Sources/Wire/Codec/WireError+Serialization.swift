import CDistEmbedProto

extension WireError {
    /// The `Error` message.
    func proto(in context: PackContext) -> UnsafeMutablePointer<Distembed__Error> {
        let message: UnsafeMutablePointer<Distembed__Error> = context.make { distembed__error__init($0) }
        message.pointee.code = Distembed__ErrorCode(rawValue: code.rawValue)
        message.pointee.message = context.string(self.message)
        return message
    }

    /// The `Reject` message (same content as `Error`, sent at handshake).
    func rejectProto(in context: PackContext) -> UnsafeMutablePointer<Distembed__Reject> {
        let message: UnsafeMutablePointer<Distembed__Reject> = context.make { distembed__reject__init($0) }
        message.pointee.code = Distembed__ErrorCode(rawValue: code.rawValue)
        message.pointee.message = context.string(self.message)
        return message
    }

    /// Decodes an `Error` message; codes this build does not know are kept.
    init(proto message: UnsafePointer<Distembed__Error>) {
        self.init(ErrorCode(rawValue: message.pointee.code.rawValue), String(protobuf: message.pointee.message))
    }

    /// Decodes a `Reject` message.
    init(rejectProto message: UnsafePointer<Distembed__Reject>) {
        self.init(ErrorCode(rawValue: message.pointee.code.rawValue), String(protobuf: message.pointee.message))
    }
}
