import CDistEmbedProto

extension ExperimentSummary {
    func proto(in context: PackContext) -> UnsafeMutablePointer<Distembed__ExperimentSummary> {
        let message: UnsafeMutablePointer<Distembed__ExperimentSummary> = context.make {
            distembed__experiment_summary__init($0)
        }
        message.pointee.id = context.string(id)
        message.pointee.name = context.string(name)
        message.pointee.state = Distembed__ExperimentState(rawValue: state.rawValue)
        message.pointee.created_at = createdAt
        message.pointee.started_at = startedAt
        message.pointee.finished_at = finishedAt
        message.pointee.epoch = epoch
        message.pointee.epochs = epochs
        message.pointee.step = step
        message.pointee.steps_per_epoch = stepsPerEpoch
        message.pointee.samples_per_second = samplesPerSecond
        message.pointee.loss = loss
        message.pointee.accuracy = accuracy
        message.pointee.workers = workers
        message.pointee.message = context.string(self.message)
        message.pointee.sweep_id = context.string(sweepId)
        message.pointee.seed = seed
        return message
    }

    init(proto message: UnsafePointer<Distembed__ExperimentSummary>) throws(WireError) {
        let c = message.pointee
        guard let state = ExperimentState(rawValue: c.state.rawValue) else {
            throw WireError(.badRequest, "ExperimentSummary.state has unknown value \(c.state.rawValue)")
        }
        self.init(
            id: String(protobuf: c.id), name: String(protobuf: c.name), state: state, createdAt: c.created_at,
            startedAt: c.started_at, finishedAt: c.finished_at, epoch: c.epoch, epochs: c.epochs, step: c.step,
            stepsPerEpoch: c.steps_per_epoch, samplesPerSecond: c.samples_per_second, loss: c.loss,
            accuracy: c.accuracy, workers: c.workers, message: String(protobuf: c.message))
        sweepId = String(protobuf: c.sweep_id)
        seed = c.seed
    }

    /// Decodes a summary field that must be present.
    init(required message: UnsafeMutablePointer<Distembed__ExperimentSummary>?, field: String) throws(WireError) {
        try self.init(proto: try required(message, field))
    }

    /// Decodes a status or cancel reply: its summary, with a sweep's experiments when it names a sweep.
    init(
        required message: UnsafeMutablePointer<Distembed__ExperimentSummary>?,
        sweepExperiments: UnsafeMutablePointer<UnsafeMutablePointer<Distembed__ExperimentSummary>?>?, count: Int,
        field: String
    ) throws(WireError) {
        try self.init(required: message, field: "\(field).summary")
        self.sweepExperiments = try repeatedMessages(
            sweepExperiments, count: count, field: "\(field).sweep_experiments"
        ).map { (summary) throws(WireError) in try ExperimentSummary(proto: summary) }
    }
}
