import CDistEmbedProto

extension EvaluationKind {
    init(proto value: Distembed__EvaluationKind, field: String) throws(WireError) {
        guard let kind = EvaluationKind(rawValue: value.rawValue) else {
            throw WireError(.badRequest, "\(field) has unknown evaluation kind \(value.rawValue)")
        }
        self = kind
    }
}

extension DatasetSplit {
    init(proto value: Distembed__DatasetSplit, field: String) throws(WireError) {
        guard let split = DatasetSplit(rawValue: value.rawValue) else {
            throw WireError(.badRequest, "\(field) has unknown dataset split \(value.rawValue)")
        }
        self = split
    }
}

extension EvaluationRequest {
    func proto(in context: PackContext) -> UnsafeMutablePointer<Distembed__EvaluationRequest> {
        let message: UnsafeMutablePointer<Distembed__EvaluationRequest> = context.make {
            distembed__evaluation_request__init($0)
        }
        message.pointee.experiment_id = context.string(experimentId)
        message.pointee.weights_version = weightsVersion
        message.pointee.kind = Distembed__EvaluationKind(rawValue: kind.rawValue)
        message.pointee.split = Distembed__DatasetSplit(rawValue: split.rawValue)
        message.pointee.begin = begin
        message.pointee.end = end
        message.pointee.layer = context.string(layer)
        message.pointee.weights = weights?.proto(in: context)
        return message
    }

    init(proto message: UnsafePointer<Distembed__EvaluationRequest>) throws(WireError) {
        let c = message.pointee
        self.init(
            experimentId: String(protobuf: c.experiment_id), weightsVersion: c.weights_version,
            kind: try EvaluationKind(proto: c.kind, field: "EvaluationRequest.kind"),
            split: try DatasetSplit(proto: c.split, field: "EvaluationRequest.split"),
            begin: c.begin, end: c.end, layer: String(protobuf: c.layer),
            weights: try Tensor(optionalProto: c.weights, field: "EvaluationRequest.weights"))
    }
}

extension EvaluationResult {
    func proto(in context: PackContext) -> UnsafeMutablePointer<Distembed__EvaluationResult> {
        let message: UnsafeMutablePointer<Distembed__EvaluationResult> = context.make {
            distembed__evaluation_result__init($0)
        }
        message.pointee.experiment_id = context.string(experimentId)
        message.pointee.weights_version = weightsVersion
        message.pointee.kind = Distembed__EvaluationKind(rawValue: kind.rawValue)
        message.pointee.split = Distembed__DatasetSplit(rawValue: split.rawValue)
        message.pointee.begin = begin
        message.pointee.end = end
        message.pointee.embeddings = embeddings?.proto(in: context)
        message.pointee.correct_count = correctCount
        message.pointee.loss_sum = lossSum
        message.pointee.compute_seconds = computeSeconds
        return message
    }

    init(proto message: UnsafePointer<Distembed__EvaluationResult>) throws(WireError) {
        let c = message.pointee
        self.init(
            experimentId: String(protobuf: c.experiment_id), weightsVersion: c.weights_version,
            kind: try EvaluationKind(proto: c.kind, field: "EvaluationResult.kind"),
            split: try DatasetSplit(proto: c.split, field: "EvaluationResult.split"),
            begin: c.begin, end: c.end,
            embeddings: try Tensor(optionalProto: c.embeddings, field: "EvaluationResult.embeddings"),
            correctCount: c.correct_count, lossSum: c.loss_sum, computeSeconds: c.compute_seconds)
    }
}
