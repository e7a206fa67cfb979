import CDistEmbedProto

extension Envelope {
    /// The C envelope and everything it points to, built in the context's arena.
    func proto(in context: PackContext) -> UnsafeMutablePointer<Distembed__Envelope> {
        let envelope: UnsafeMutablePointer<Distembed__Envelope> = context.make { distembed__envelope__init($0) }
        envelope.pointee.protocol_version = protocolVersion
        envelope.pointee.request_id = requestId
        switch message {
        case .hello(let body):
            envelope.pointee.body_case = DISTEMBED__ENVELOPE__BODY_HELLO
            envelope.pointee.hello = body.proto(in: context)
        case .welcome(let body):
            envelope.pointee.body_case = DISTEMBED__ENVELOPE__BODY_WELCOME
            envelope.pointee.welcome = body.proto(in: context)
        case .reject(let body):
            envelope.pointee.body_case = DISTEMBED__ENVELOPE__BODY_REJECT
            envelope.pointee.reject = body.rejectProto(in: context)
        case .heartbeat(let body):
            envelope.pointee.body_case = DISTEMBED__ENVELOPE__BODY_HEARTBEAT
            envelope.pointee.heartbeat = body.proto(in: context)
        case .goodbye(let body):
            envelope.pointee.body_case = DISTEMBED__ENVELOPE__BODY_GOODBYE
            envelope.pointee.goodbye = body.proto(in: context)
        case .experimentSetup(let body):
            envelope.pointee.body_case = DISTEMBED__ENVELOPE__BODY_EXPERIMENT_SETUP
            envelope.pointee.experiment_setup = body.proto(in: context)
        case .setupAck(let body):
            envelope.pointee.body_case = DISTEMBED__ENVELOPE__BODY_SETUP_ACK
            envelope.pointee.setup_ack = body.proto(in: context)
        case .workAssignment(let body):
            envelope.pointee.body_case = DISTEMBED__ENVELOPE__BODY_WORK_ASSIGNMENT
            envelope.pointee.work_assignment = body.proto(in: context)
        case .workResult(let body):
            envelope.pointee.body_case = DISTEMBED__ENVELOPE__BODY_WORK_RESULT
            envelope.pointee.work_result = body.proto(in: context)
        case .gradientSlices(let body):
            envelope.pointee.body_case = DISTEMBED__ENVELOPE__BODY_GRADIENT_SLICES
            envelope.pointee.gradient_slices = body.proto(in: context)
        case .weightShard(let body):
            envelope.pointee.body_case = DISTEMBED__ENVELOPE__BODY_WEIGHT_SHARD
            envelope.pointee.weight_shard = body.proto(in: context)
        case .dataManifestRequest:
            envelope.pointee.body_case = DISTEMBED__ENVELOPE__BODY_DATA_MANIFEST_REQUEST
            envelope.pointee.data_manifest_request = context.make { distembed__data_manifest_request__init($0) }
        case .dataManifest(let body):
            envelope.pointee.body_case = DISTEMBED__ENVELOPE__BODY_DATA_MANIFEST
            envelope.pointee.data_manifest = body.proto(in: context)
        case .dataPieceRequest(let body):
            envelope.pointee.body_case = DISTEMBED__ENVELOPE__BODY_DATA_PIECE_REQUEST
            envelope.pointee.data_piece_request = body.proto(in: context)
        case .dataPiece(let body):
            envelope.pointee.body_case = DISTEMBED__ENVELOPE__BODY_DATA_PIECE
            envelope.pointee.data_piece = body.proto(in: context)
        case .submitRequest(let body):
            envelope.pointee.body_case = DISTEMBED__ENVELOPE__BODY_SUBMIT_REQUEST
            envelope.pointee.submit_request = body.proto(in: context)
        case .submitReply(let body):
            envelope.pointee.body_case = DISTEMBED__ENVELOPE__BODY_SUBMIT_REPLY
            envelope.pointee.submit_reply = body.proto(in: context)
        case .statusRequest(let body):
            envelope.pointee.body_case = DISTEMBED__ENVELOPE__BODY_STATUS_REQUEST
            envelope.pointee.status_request = body.statusProto(in: context)
        case .statusReply(let summary):
            envelope.pointee.body_case = DISTEMBED__ENVELOPE__BODY_STATUS_REPLY
            let reply: UnsafeMutablePointer<Distembed__StatusReply> = context.make { distembed__status_reply__init($0) }
            reply.pointee.summary = summary.proto(in: context)
            reply.pointee.n_sweep_experiments = summary.sweepExperiments.count
            reply.pointee.sweep_experiments = context.messages(summary.sweepExperiments) { $0.proto(in: context) }
            envelope.pointee.status_reply = reply
        case .listRequest(let body):
            envelope.pointee.body_case = DISTEMBED__ENVELOPE__BODY_LIST_REQUEST
            envelope.pointee.list_request = body.proto(in: context)
        case .listReply(let body):
            envelope.pointee.body_case = DISTEMBED__ENVELOPE__BODY_LIST_REPLY
            envelope.pointee.list_reply = body.proto(in: context)
        case .watchRequest(let body):
            envelope.pointee.body_case = DISTEMBED__ENVELOPE__BODY_WATCH_REQUEST
            envelope.pointee.watch_request = body.proto(in: context)
        case .watchReply(let body):
            envelope.pointee.body_case = DISTEMBED__ENVELOPE__BODY_WATCH_REPLY
            envelope.pointee.watch_reply = body.proto(in: context)
        case .resultsRequest(let body):
            envelope.pointee.body_case = DISTEMBED__ENVELOPE__BODY_RESULTS_REQUEST
            envelope.pointee.results_request = body.resultsProto(in: context)
        case .resultsReply(let body):
            envelope.pointee.body_case = DISTEMBED__ENVELOPE__BODY_RESULTS_REPLY
            envelope.pointee.results_reply = body.proto(in: context)
        case .cancelRequest(let body):
            envelope.pointee.body_case = DISTEMBED__ENVELOPE__BODY_CANCEL_REQUEST
            envelope.pointee.cancel_request = body.cancelProto(in: context)
        case .cancelReply(let summary):
            envelope.pointee.body_case = DISTEMBED__ENVELOPE__BODY_CANCEL_REPLY
            let reply: UnsafeMutablePointer<Distembed__CancelReply> = context.make { distembed__cancel_reply__init($0) }
            reply.pointee.summary = summary.proto(in: context)
            reply.pointee.n_sweep_experiments = summary.sweepExperiments.count
            reply.pointee.sweep_experiments = context.messages(summary.sweepExperiments) { $0.proto(in: context) }
            envelope.pointee.cancel_reply = reply
        case .error(let body):
            envelope.pointee.body_case = DISTEMBED__ENVELOPE__BODY_ERROR
            envelope.pointee.error = body.proto(in: context)
        }
        return envelope
    }

    /// Decodes an unpacked envelope whose version has been checked.
    ///
    /// - Throws: ``ErrorCode/badRequest`` for a missing or unknown body, or an invalid field inside it.
    init(proto envelope: UnsafePointer<Distembed__Envelope>) throws(WireError) {
        let c = envelope.pointee
        let message: WireMessage
        switch c.body_case {
        case DISTEMBED__ENVELOPE__BODY_HELLO:
            message = .hello(try Hello(proto: try required(c.hello, "Envelope.hello")))
        case DISTEMBED__ENVELOPE__BODY_WELCOME:
            message = .welcome(Welcome(proto: try required(c.welcome, "Envelope.welcome")))
        case DISTEMBED__ENVELOPE__BODY_REJECT:
            message = .reject(WireError(rejectProto: try required(c.reject, "Envelope.reject")))
        case DISTEMBED__ENVELOPE__BODY_HEARTBEAT:
            message = .heartbeat(Heartbeat(proto: try required(c.heartbeat, "Envelope.heartbeat")))
        case DISTEMBED__ENVELOPE__BODY_GOODBYE:
            message = .goodbye(Goodbye(proto: try required(c.goodbye, "Envelope.goodbye")))
        case DISTEMBED__ENVELOPE__BODY_EXPERIMENT_SETUP:
            message = .experimentSetup(
                ExperimentSetup(proto: try required(c.experiment_setup, "Envelope.experiment_setup")))
        case DISTEMBED__ENVELOPE__BODY_SETUP_ACK:
            message = .setupAck(SetupAck(proto: try required(c.setup_ack, "Envelope.setup_ack")))
        case DISTEMBED__ENVELOPE__BODY_WORK_ASSIGNMENT:
            message = .workAssignment(
                try WorkAssignment(proto: try required(c.work_assignment, "Envelope.work_assignment")))
        case DISTEMBED__ENVELOPE__BODY_WORK_RESULT:
            message = .workResult(try WorkResult(proto: try required(c.work_result, "Envelope.work_result")))
        case DISTEMBED__ENVELOPE__BODY_GRADIENT_SLICES:
            message = .gradientSlices(
                try GradientSlices(proto: try required(c.gradient_slices, "Envelope.gradient_slices")))
        case DISTEMBED__ENVELOPE__BODY_WEIGHT_SHARD:
            message = .weightShard(try WeightShard(proto: try required(c.weight_shard, "Envelope.weight_shard")))
        case DISTEMBED__ENVELOPE__BODY_DATA_MANIFEST_REQUEST:
            _ = try required(c.data_manifest_request, "Envelope.data_manifest_request")
            message = .dataManifestRequest
        case DISTEMBED__ENVELOPE__BODY_DATA_MANIFEST:
            message = .dataManifest(try DataManifest(proto: try required(c.data_manifest, "Envelope.data_manifest")))
        case DISTEMBED__ENVELOPE__BODY_DATA_PIECE_REQUEST:
            message = .dataPieceRequest(
                DataPieceRequest(proto: try required(c.data_piece_request, "Envelope.data_piece_request")))
        case DISTEMBED__ENVELOPE__BODY_DATA_PIECE:
            message = .dataPiece(DataPiece(proto: try required(c.data_piece, "Envelope.data_piece")))
        case DISTEMBED__ENVELOPE__BODY_SUBMIT_REQUEST:
            message = .submitRequest(SubmitRequest(proto: try required(c.submit_request, "Envelope.submit_request")))
        case DISTEMBED__ENVELOPE__BODY_SUBMIT_REPLY:
            message = .submitReply(SubmitReply(proto: try required(c.submit_reply, "Envelope.submit_reply")))
        case DISTEMBED__ENVELOPE__BODY_STATUS_REQUEST:
            let request = try required(c.status_request, "Envelope.status_request")
            message = .statusRequest(ExperimentRequest(experimentId: request.pointee.experiment_id))
        case DISTEMBED__ENVELOPE__BODY_STATUS_REPLY:
            let reply = try required(c.status_reply, "Envelope.status_reply")
            message = .statusReply(try ExperimentSummary(
                required: reply.pointee.summary, sweepExperiments: reply.pointee.sweep_experiments,
                count: reply.pointee.n_sweep_experiments, field: "StatusReply"))
        case DISTEMBED__ENVELOPE__BODY_LIST_REQUEST:
            message = .listRequest(ListRequest(proto: try required(c.list_request, "Envelope.list_request")))
        case DISTEMBED__ENVELOPE__BODY_LIST_REPLY:
            message = .listReply(try ListReply(proto: try required(c.list_reply, "Envelope.list_reply")))
        case DISTEMBED__ENVELOPE__BODY_WATCH_REQUEST:
            message = .watchRequest(WatchRequest(proto: try required(c.watch_request, "Envelope.watch_request")))
        case DISTEMBED__ENVELOPE__BODY_WATCH_REPLY:
            message = .watchReply(try WatchReply(proto: try required(c.watch_reply, "Envelope.watch_reply")))
        case DISTEMBED__ENVELOPE__BODY_RESULTS_REQUEST:
            let request = try required(c.results_request, "Envelope.results_request")
            message = .resultsRequest(ExperimentRequest(experimentId: request.pointee.experiment_id))
        case DISTEMBED__ENVELOPE__BODY_RESULTS_REPLY:
            message = .resultsReply(ResultsReply(proto: try required(c.results_reply, "Envelope.results_reply")))
        case DISTEMBED__ENVELOPE__BODY_CANCEL_REQUEST:
            let request = try required(c.cancel_request, "Envelope.cancel_request")
            message = .cancelRequest(ExperimentRequest(experimentId: request.pointee.experiment_id))
        case DISTEMBED__ENVELOPE__BODY_CANCEL_REPLY:
            let reply = try required(c.cancel_reply, "Envelope.cancel_reply")
            message = .cancelReply(try ExperimentSummary(
                required: reply.pointee.summary, sweepExperiments: reply.pointee.sweep_experiments,
                count: reply.pointee.n_sweep_experiments, field: "CancelReply"))
        case DISTEMBED__ENVELOPE__BODY_ERROR:
            message = .error(WireError(proto: try required(c.error, "Envelope.error")))
        default:
            throw Envelope.unknownBodyError(envelope)
        }
        self.init(requestId: c.request_id, message: message, protocolVersion: c.protocol_version)
    }

    /// The error for an envelope without a body this build knows, naming the unknown field if there is one.
    private static func unknownBodyError(_ envelope: UnsafePointer<Distembed__Envelope>) -> WireError {
        let unknown = repeated(envelope.pointee.base.unknown_fields, count: Int(envelope.pointee.base.n_unknown_fields))
        guard let field = unknown.map(\.tag).max() else {
            return WireError(.badRequest, "envelope has no body")
        }
        return WireError(
            .badRequest,
            "envelope body field \(field) is not part of protocol version \(Wire.protocolVersion); "
                + "the sender may run a newer DistEmbed release")
    }
}
