import CDistEmbedProto

extension ExperimentSetup {
    func proto(in context: PackContext) -> UnsafeMutablePointer<Distembed__ExperimentSetup> {
        let message: UnsafeMutablePointer<Distembed__ExperimentSetup> = context.make {
            distembed__experiment_setup__init($0)
        }
        message.pointee.experiment_id = context.string(experimentId)
        message.pointee.spec_json = context.string(specJSON)
        message.pointee.shared_segment = sharedSegment?.proto(in: context)
        message.pointee.shared_weights = sharedWeights?.proto(in: context)
        return message
    }

    init(proto message: UnsafePointer<Distembed__ExperimentSetup>) {
        self.init(
            experimentId: String(protobuf: message.pointee.experiment_id),
            specJSON: String(protobuf: message.pointee.spec_json),
            sharedSegment: message.pointee.shared_segment.map { SharedSegmentOffer(proto: $0) },
            sharedWeights: message.pointee.shared_weights.map { SharedSegmentOffer(proto: $0) })
    }
}

extension SharedSegmentOffer {
    func proto(in context: PackContext) -> UnsafeMutablePointer<Distembed__SharedSegmentOffer> {
        let message: UnsafeMutablePointer<Distembed__SharedSegmentOffer> = context.make {
            distembed__shared_segment_offer__init($0)
        }
        message.pointee.name = context.string(name)
        message.pointee.nonce = context.bytes(nonce)
        message.pointee.slot_count = slotCount
        return message
    }

    init(proto message: UnsafePointer<Distembed__SharedSegmentOffer>) {
        let c = message.pointee
        self.init(
            name: String(protobuf: c.name), nonce: Array(repeated(c.nonce.data, count: c.nonce.len)),
            slotCount: c.slot_count)
    }
}

extension SetupAck {
    func proto(in context: PackContext) -> UnsafeMutablePointer<Distembed__SetupAck> {
        let message: UnsafeMutablePointer<Distembed__SetupAck> = context.make { distembed__setup_ack__init($0) }
        message.pointee.experiment_id = context.string(experimentId)
        message.pointee.error = error?.proto(in: context)
        message.pointee.shared_segment_attached = sharedSegmentAttached ? 1 : 0
        message.pointee.replies_in_mailbox = repliesInMailbox ? 1 : 0
        message.pointee.shared_weights_attached = sharedWeightsAttached ? 1 : 0
        return message
    }

    init(proto message: UnsafePointer<Distembed__SetupAck>) {
        self.init(
            experimentId: String(protobuf: message.pointee.experiment_id),
            error: message.pointee.error.map { WireError(proto: $0) },
            sharedSegmentAttached: message.pointee.shared_segment_attached != 0,
            repliesInMailbox: message.pointee.replies_in_mailbox != 0,
            sharedWeightsAttached: message.pointee.shared_weights_attached != 0)
    }
}

extension WorkAssignment {
    func proto(in context: PackContext) -> UnsafeMutablePointer<Distembed__WorkAssignment> {
        let message: UnsafeMutablePointer<Distembed__WorkAssignment> = context.make {
            distembed__work_assignment__init($0)
        }
        message.pointee.experiment_id = context.string(experimentId)
        message.pointee.epoch = epoch
        message.pointee.step = step
        message.pointee.weights_version = weightsVersion
        message.pointee.chunk_begin = chunkBegin
        message.pointee.chunk_end = chunkEnd
        message.pointee.weights = weights?.proto(in: context)
        if let firstSharedSlot {
            let slots: UnsafeMutablePointer<Distembed__SharedSlots> = context.make {
                distembed__shared_slots__init($0)
            }
            slots.pointee.first = firstSharedSlot
            slots.pointee.reply_in_mailbox = replyInMailbox ? 1 : 0
            message.pointee.shared_slots = slots
        }
        message.pointee.send_weights_digest = sendWeightsDigest ? 1 : 0
        message.pointee.sharded = sharded?.proto(in: context)
        return message
    }

    init(proto message: UnsafePointer<Distembed__WorkAssignment>) throws(WireError) {
        let c = message.pointee
        self.init(
            experimentId: String(protobuf: c.experiment_id), epoch: c.epoch, step: c.step,
            weightsVersion: c.weights_version, chunkBegin: c.chunk_begin, chunkEnd: c.chunk_end,
            weights: try Tensor(optionalProto: c.weights, field: "WorkAssignment.weights"),
            firstSharedSlot: c.shared_slots?.pointee.first,
            replyInMailbox: c.shared_slots.map { $0.pointee.reply_in_mailbox != 0 } ?? false,
            sendWeightsDigest: c.send_weights_digest != 0,
            sharded: try c.sharded.map { (step) throws(WireError) in try ShardedStep(proto: step) })
    }
}

extension Subtree {
    func proto(in context: PackContext) -> UnsafeMutablePointer<Distembed__Subtree> {
        let message: UnsafeMutablePointer<Distembed__Subtree> = context.make { distembed__subtree__init($0) }
        message.pointee.level = level
        message.pointee.index = index
        switch gradient {
        case .inline(let tensor):
            message.pointee.value_case = DISTEMBED__SUBTREE__VALUE_GRADIENT
            message.pointee.gradient = tensor.proto(in: context)
        case .sharedSlot(let slot):
            message.pointee.value_case = DISTEMBED__SUBTREE__VALUE_SHARED_SLOT
            message.pointee.shared_slot = slot
        }
        return message
    }

    init(proto message: UnsafePointer<Distembed__Subtree>) throws(WireError) {
        let c = message.pointee
        let gradient: SubtreeGradient
        switch c.value_case {
        case DISTEMBED__SUBTREE__VALUE_GRADIENT:
            gradient = .inline(
                try Tensor(proto: try required(c.gradient, "Subtree.gradient"), field: "Subtree.gradient"))
        case DISTEMBED__SUBTREE__VALUE_SHARED_SLOT:
            gradient = .sharedSlot(c.shared_slot)
        default:
            throw WireError(.badRequest, "required field Subtree.gradient (or Subtree.shared_slot) is missing")
        }
        self.init(level: c.level, index: c.index, gradient: gradient)
    }
}

extension WorkResult {
    func proto(in context: PackContext) -> UnsafeMutablePointer<Distembed__WorkResult> {
        let message: UnsafeMutablePointer<Distembed__WorkResult> = context.make { distembed__work_result__init($0) }
        message.pointee.experiment_id = context.string(experimentId)
        message.pointee.epoch = epoch
        message.pointee.step = step
        message.pointee.weights_version = weightsVersion
        message.pointee.n_subtrees = subtrees.count
        message.pointee.subtrees = context.messages(subtrees) { $0.proto(in: context) }
        message.pointee.loss_sum = lossSum
        message.pointee.correct_count = correctCount
        message.pointee.sample_count = sampleCount
        message.pointee.compute_seconds = computeSeconds
        if let weightsDigest {
            let digest: UnsafeMutablePointer<Distembed__WeightsDigest> = context.make {
                distembed__weights_digest__init($0)
            }
            digest.pointee.xxh64 = weightsDigest
            message.pointee.weights_digest = digest
        }
        message.pointee.sharded = sharded?.proto(in: context)
        return message
    }

    init(proto message: UnsafePointer<Distembed__WorkResult>) throws(WireError) {
        let c = message.pointee
        self.init(
            experimentId: String(protobuf: c.experiment_id), epoch: c.epoch, step: c.step,
            weightsVersion: c.weights_version,
            subtrees: try repeatedMessages(c.subtrees, count: c.n_subtrees, field: "WorkResult.subtrees")
                .map { (subtree) throws(WireError) in try Subtree(proto: subtree) },
            lossSum: c.loss_sum, correctCount: c.correct_count, sampleCount: c.sample_count,
            computeSeconds: c.compute_seconds, weightsDigest: c.weights_digest?.pointee.xxh64,
            sharded: try c.sharded.map { (report) throws(WireError) in try ShardReport(proto: report) })
    }
}
