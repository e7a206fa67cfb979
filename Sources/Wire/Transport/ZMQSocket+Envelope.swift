extension ZMQSocket {
    /// Sends `prefix` frames and then `envelope`, packed straight into the outgoing ZeroMQ message.
    ///
    /// - Throws: ``WireError`` (``ErrorCode/tooLarge``) when the encoding exceeds ``SocketOptions/maxMessageSize``,
    ///   ``ZMQError`` when the send fails.
    func send(_ envelope: Envelope, prefix: [[UInt8]], codec: Codec, immediately: Bool) throws {
        let limit = options.maxMessageSize
        let outcome: Result<Void, any Error> = codec.withPacked(envelope) { size, pack in
            guard size <= limit else { return .failure(WireError.tooLarge(size: size, limit: limit)) }
            do {
                try send(prefix: prefix, size: size, immediately: immediately, fill: pack)
                return .success(())
            } catch {
                return .failure(error)
            }
        }
        try outcome.get()
    }
}
