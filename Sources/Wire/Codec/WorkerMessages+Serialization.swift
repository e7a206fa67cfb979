import CDistEmbedProto

extension DatasetDigest {
    func proto(in context: PackContext) -> UnsafeMutablePointer<Distembed__DatasetDigest> {
        let message: UnsafeMutablePointer<Distembed__DatasetDigest> = context.make {
            distembed__dataset_digest__init($0)
        }
        message.pointee.name = context.string(name)
        message.pointee.sha256 = context.string(sha256)
        return message
    }

    init(proto message: UnsafePointer<Distembed__DatasetDigest>) {
        self.init(name: String(protobuf: message.pointee.name), sha256: String(protobuf: message.pointee.sha256))
    }
}

extension Hello {
    func proto(in context: PackContext) -> UnsafeMutablePointer<Distembed__Hello> {
        let message: UnsafeMutablePointer<Distembed__Hello> = context.make { distembed__hello__init($0) }
        message.pointee.name = context.string(name)
        message.pointee.host = context.string(host)
        message.pointee.pid = pid
        message.pointee.cores = cores
        message.pointee.protocol_version = protocolVersion
        message.pointee.n_datasets = datasets.count
        message.pointee.datasets = context.messages(datasets) { $0.proto(in: context) }
        message.pointee.kernel_fingerprint = context.string(kernelFingerprint)
        message.pointee.cpu = context.string(cpu)
        message.pointee.peer_endpoint = context.string(peerEndpoint)
        message.pointee.peer_public_key = context.string(peerPublicKey)
        return message
    }

    init(proto message: UnsafePointer<Distembed__Hello>) throws(WireError) {
        let c = message.pointee
        self.init(
            name: String(protobuf: c.name), host: String(protobuf: c.host), pid: c.pid, cores: c.cores,
            protocolVersion: c.protocol_version,
            datasets: try repeatedMessages(c.datasets, count: c.n_datasets, field: "Hello.datasets")
                .map { DatasetDigest(proto: $0) },
            kernelFingerprint: String(protobuf: c.kernel_fingerprint), cpu: String(protobuf: c.cpu),
            peerEndpoint: String(protobuf: c.peer_endpoint), peerPublicKey: String(protobuf: c.peer_public_key))
    }
}

extension Welcome {
    func proto(in context: PackContext) -> UnsafeMutablePointer<Distembed__Welcome> {
        let message: UnsafeMutablePointer<Distembed__Welcome> = context.make { distembed__welcome__init($0) }
        message.pointee.worker_id = workerId
        message.pointee.heartbeat_interval_ms = heartbeatIntervalMs
        return message
    }

    init(proto message: UnsafePointer<Distembed__Welcome>) {
        self.init(workerId: message.pointee.worker_id, heartbeatIntervalMs: message.pointee.heartbeat_interval_ms)
    }
}

extension Heartbeat {
    func proto(in context: PackContext) -> UnsafeMutablePointer<Distembed__Heartbeat> {
        let message: UnsafeMutablePointer<Distembed__Heartbeat> = context.make { distembed__heartbeat__init($0) }
        message.pointee.sent_at_nanos = sentAtNanos
        return message
    }

    init(proto message: UnsafePointer<Distembed__Heartbeat>) {
        self.init(sentAtNanos: message.pointee.sent_at_nanos)
    }
}

extension Goodbye {
    func proto(in context: PackContext) -> UnsafeMutablePointer<Distembed__Goodbye> {
        let message: UnsafeMutablePointer<Distembed__Goodbye> = context.make { distembed__goodbye__init($0) }
        message.pointee.reason = context.string(reason)
        return message
    }

    init(proto message: UnsafePointer<Distembed__Goodbye>) {
        self.init(reason: String(protobuf: message.pointee.reason))
    }
}
