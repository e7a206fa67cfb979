import CDistEmbedProto

extension SubmitRequest {
    func proto(in context: PackContext) -> UnsafeMutablePointer<Distembed__SubmitRequest> {
        let message: UnsafeMutablePointer<Distembed__SubmitRequest> = context.make {
            distembed__submit_request__init($0)
        }
        message.pointee.spec_json = context.string(specJSON)
        message.pointee.n_overrides = overrides.count
        message.pointee.overrides = context.array(count: overrides.count) { Optional(context.string(overrides[$0])) }
        message.pointee.min_workers = minWorkers
        message.pointee.n_seeds = seeds.count
        message.pointee.seeds = context.array(count: seeds.count) { seeds[$0] }
        return message
    }

    init(proto message: UnsafePointer<Distembed__SubmitRequest>) {
        self.init(
            specJSON: String(protobuf: message.pointee.spec_json),
            overrides: repeated(message.pointee.overrides, count: message.pointee.n_overrides)
                .map { String(protobuf: $0) },
            minWorkers: message.pointee.min_workers,
            seeds: Array(repeated(message.pointee.seeds, count: message.pointee.n_seeds)))
    }
}

extension SubmitReply {
    func proto(in context: PackContext) -> UnsafeMutablePointer<Distembed__SubmitReply> {
        let message: UnsafeMutablePointer<Distembed__SubmitReply> = context.make { distembed__submit_reply__init($0) }
        message.pointee.experiment_id = context.string(experimentId)
        message.pointee.sweep_id = context.string(sweepId)
        message.pointee.n_experiment_ids = experimentIds.count
        message.pointee.experiment_ids = context.array(count: experimentIds.count) {
            Optional(context.string(experimentIds[$0]))
        }
        return message
    }

    init(proto message: UnsafePointer<Distembed__SubmitReply>) {
        self.init(
            experimentId: String(protobuf: message.pointee.experiment_id),
            sweepId: String(protobuf: message.pointee.sweep_id),
            experimentIds: repeated(message.pointee.experiment_ids, count: message.pointee.n_experiment_ids)
                .map { String(protobuf: $0) })
    }
}

extension ExperimentRequest {
    func statusProto(in context: PackContext) -> UnsafeMutablePointer<Distembed__StatusRequest> {
        let message: UnsafeMutablePointer<Distembed__StatusRequest> = context.make {
            distembed__status_request__init($0)
        }
        message.pointee.experiment_id = context.string(experimentId)
        return message
    }

    func resultsProto(in context: PackContext) -> UnsafeMutablePointer<Distembed__ResultsRequest> {
        let message: UnsafeMutablePointer<Distembed__ResultsRequest> = context.make {
            distembed__results_request__init($0)
        }
        message.pointee.experiment_id = context.string(experimentId)
        return message
    }

    func cancelProto(in context: PackContext) -> UnsafeMutablePointer<Distembed__CancelRequest> {
        let message: UnsafeMutablePointer<Distembed__CancelRequest> = context.make {
            distembed__cancel_request__init($0)
        }
        message.pointee.experiment_id = context.string(experimentId)
        return message
    }

    init(experimentId: UnsafePointer<CChar>?) {
        self.init(experimentId: String(protobuf: experimentId))
    }
}

extension ListRequest {
    func proto(in context: PackContext) -> UnsafeMutablePointer<Distembed__ListRequest> {
        let message: UnsafeMutablePointer<Distembed__ListRequest> = context.make { distembed__list_request__init($0) }
        message.pointee.after_id = context.string(afterId)
        message.pointee.limit = limit
        return message
    }

    init(proto message: UnsafePointer<Distembed__ListRequest>) {
        self.init(afterId: String(protobuf: message.pointee.after_id), limit: message.pointee.limit)
    }
}

extension ListReply {
    func proto(in context: PackContext) -> UnsafeMutablePointer<Distembed__ListReply> {
        let message: UnsafeMutablePointer<Distembed__ListReply> = context.make { distembed__list_reply__init($0) }
        message.pointee.n_experiments = experiments.count
        message.pointee.experiments = context.messages(experiments) { $0.proto(in: context) }
        message.pointee.more = more ? 1 : 0
        return message
    }

    init(proto message: UnsafePointer<Distembed__ListReply>) throws(WireError) {
        self.init(
            experiments: try repeatedMessages(
                message.pointee.experiments, count: message.pointee.n_experiments, field: "ListReply.experiments"
            ).map { (summary) throws(WireError) in try ExperimentSummary(proto: summary) },
            more: message.pointee.more != 0)
    }
}

extension WatchRequest {
    func proto(in context: PackContext) -> UnsafeMutablePointer<Distembed__WatchRequest> {
        let message: UnsafeMutablePointer<Distembed__WatchRequest> = context.make { distembed__watch_request__init($0) }
        message.pointee.experiment_id = context.string(experimentId)
        message.pointee.after_sequence = afterSequence
        return message
    }

    init(proto message: UnsafePointer<Distembed__WatchRequest>) {
        self.init(
            experimentId: String(protobuf: message.pointee.experiment_id),
            afterSequence: message.pointee.after_sequence)
    }
}

extension WatchEvent {
    func proto(in context: PackContext) -> UnsafeMutablePointer<Distembed__WatchEvent> {
        let message: UnsafeMutablePointer<Distembed__WatchEvent> = context.make { distembed__watch_event__init($0) }
        message.pointee.sequence = sequence
        message.pointee.time = time
        message.pointee.line = context.string(line)
        return message
    }

    init(proto message: UnsafePointer<Distembed__WatchEvent>) {
        self.init(
            sequence: message.pointee.sequence, time: message.pointee.time,
            line: String(protobuf: message.pointee.line))
    }
}

extension WatchReply {
    func proto(in context: PackContext) -> UnsafeMutablePointer<Distembed__WatchReply> {
        let message: UnsafeMutablePointer<Distembed__WatchReply> = context.make { distembed__watch_reply__init($0) }
        message.pointee.summary = summary.proto(in: context)
        message.pointee.n_events = events.count
        message.pointee.events = context.messages(events) { $0.proto(in: context) }
        return message
    }

    init(proto message: UnsafePointer<Distembed__WatchReply>) throws(WireError) {
        let c = message.pointee
        self.init(
            summary: try ExperimentSummary(required: c.summary, field: "WatchReply.summary"),
            events: try repeatedMessages(c.events, count: c.n_events, field: "WatchReply.events")
                .map { WatchEvent(proto: $0) })
    }
}

extension ResultsReply {
    func proto(in context: PackContext) -> UnsafeMutablePointer<Distembed__ResultsReply> {
        let message: UnsafeMutablePointer<Distembed__ResultsReply> = context.make {
            distembed__results_reply__init($0)
        }
        message.pointee.result_json = context.string(resultJSON)
        message.pointee.sweep_result_json = context.string(sweepResultJSON)
        return message
    }

    init(proto message: UnsafePointer<Distembed__ResultsReply>) {
        self.init(
            resultJSON: String(protobuf: message.pointee.result_json),
            sweepResultJSON: String(protobuf: message.pointee.sweep_result_json))
    }
}
