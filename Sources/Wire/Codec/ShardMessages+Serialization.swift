import CDistEmbedProto

extension ShardedStep {
    func proto(in context: PackContext) -> UnsafeMutablePointer<Distembed__ShardedStep> {
        let message: UnsafeMutablePointer<Distembed__ShardedStep> = context.make { distembed__sharded_step__init($0) }
        message.pointee.group = group
        message.pointee.rank = rank
        message.pointee.size = size
        message.pointee.n_peers = peers.count
        message.pointee.peers = context.array(count: peers.count) { Optional(context.string(peers[$0])) }
        message.pointee.n_peer_keys = peerKeys.count
        message.pointee.peer_keys = context.array(count: peerKeys.count) { Optional(context.string(peerKeys[$0])) }
        message.pointee.state = state?.proto(in: context)
        message.pointee.return_state = returnState ? 1 : 0
        message.pointee.audit = audit ? 1 : 0
        return message
    }

    init(proto message: UnsafePointer<Distembed__ShardedStep>) throws(WireError) {
        let c = message.pointee
        self.init(
            group: c.group, rank: c.rank, size: c.size,
            peers: repeated(c.peers, count: c.n_peers).map { String(protobuf: $0) },
            peerKeys: repeated(c.peer_keys, count: c.n_peer_keys).map { String(protobuf: $0) },
            state: try c.state.map { (state) throws(WireError) in try ShardState(proto: state) },
            returnState: c.return_state != 0, audit: c.audit != 0)
    }
}

extension ShardState {
    func proto(in context: PackContext) -> UnsafeMutablePointer<Distembed__ShardState> {
        let message: UnsafeMutablePointer<Distembed__ShardState> = context.make { distembed__shard_state__init($0) }
        message.pointee.weights = weights?.proto(in: context)
        message.pointee.m = m.proto(in: context)
        message.pointee.v = v.proto(in: context)
        message.pointee.adam_step = adamStep
        message.pointee.learning_rate = learningRate
        return message
    }

    init(proto message: UnsafePointer<Distembed__ShardState>) throws(WireError) {
        let c = message.pointee
        self.init(
            weights: try Tensor(optionalProto: c.weights, field: "ShardState.weights"),
            m: try Tensor(proto: try required(c.m, "ShardState.m"), field: "ShardState.m"),
            v: try Tensor(proto: try required(c.v, "ShardState.v"), field: "ShardState.v"),
            adamStep: c.adam_step, learningRate: c.learning_rate)
    }
}

extension GradientSlices {
    func proto(in context: PackContext) -> UnsafeMutablePointer<Distembed__GradientSlices> {
        let message: UnsafeMutablePointer<Distembed__GradientSlices> = context.make {
            distembed__gradient_slices__init($0)
        }
        message.pointee.experiment_id = context.string(experimentId)
        message.pointee.group = group
        message.pointee.weights_version = weightsVersion
        message.pointee.sender_rank = senderRank
        message.pointee.n_subtrees = subtrees.count
        message.pointee.subtrees = context.messages(subtrees) { $0.proto(in: context) }
        message.pointee.offset = offset
        return message
    }

    init(proto message: UnsafePointer<Distembed__GradientSlices>) throws(WireError) {
        let c = message.pointee
        self.init(
            experimentId: String(protobuf: c.experiment_id), group: c.group, weightsVersion: c.weights_version,
            senderRank: c.sender_rank,
            subtrees: try repeatedMessages(c.subtrees, count: c.n_subtrees, field: "GradientSlices.subtrees")
                .map { (subtree) throws(WireError) in try Subtree(proto: subtree) },
            offset: c.offset)
    }
}

extension WeightShard {
    func proto(in context: PackContext) -> UnsafeMutablePointer<Distembed__WeightShard> {
        let message: UnsafeMutablePointer<Distembed__WeightShard> = context.make { distembed__weight_shard__init($0) }
        message.pointee.experiment_id = context.string(experimentId)
        message.pointee.group = group
        message.pointee.weights_version = weightsVersion
        message.pointee.rank = rank
        message.pointee.weights = weights.proto(in: context)
        return message
    }

    init(proto message: UnsafePointer<Distembed__WeightShard>) throws(WireError) {
        let c = message.pointee
        self.init(
            experimentId: String(protobuf: c.experiment_id), group: c.group, weightsVersion: c.weights_version,
            rank: c.rank,
            weights: try Tensor(proto: try required(c.weights, "WeightShard.weights"), field: "WeightShard.weights"))
    }
}

extension ShardReport {
    func proto(in context: PackContext) -> UnsafeMutablePointer<Distembed__ShardReport> {
        let message: UnsafeMutablePointer<Distembed__ShardReport> = context.make { distembed__shard_report__init($0) }
        message.pointee.group = group
        message.pointee.chunk_begin = chunkBegin
        message.pointee.chunk_end = chunkEnd
        message.pointee.gradient_finite = gradientFinite ? 1 : 0
        message.pointee.weights_finite = weightsFinite ? 1 : 0
        message.pointee.state = state?.proto(in: context)
        message.pointee.exchange_seconds = exchangeSeconds
        message.pointee.n_subtree_digests = subtreeDigests.count
        message.pointee.subtree_digests = context.array(count: subtreeDigests.count) { subtreeDigests[$0] }
        return message
    }

    init(proto message: UnsafePointer<Distembed__ShardReport>) throws(WireError) {
        let c = message.pointee
        self.init(
            group: c.group, chunkBegin: c.chunk_begin, chunkEnd: c.chunk_end, gradientFinite: c.gradient_finite != 0,
            weightsFinite: c.weights_finite != 0,
            state: try c.state.map { (state) throws(WireError) in try ShardState(proto: state) },
            exchangeSeconds: c.exchange_seconds,
            subtreeDigests: Array(repeated(c.subtree_digests, count: c.n_subtree_digests)))
    }
}
