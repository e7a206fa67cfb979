/// The body of an ``Envelope``: one case per message of the protocol (the `body` oneof of `distembed.proto`).
public enum WireMessage: Hashable, Sendable {
    /// Worker → coordinator: the first message of a worker.
    case hello(Hello)
    /// Coordinator → worker: the worker is admitted.
    case welcome(Welcome)
    /// Coordinator → worker: the worker is refused; the code says why (dataset, fingerprint, version).
    case reject(WireError)
    /// Either direction: the sender is alive.
    case heartbeat(Heartbeat)
    /// Either direction: the sender is leaving.
    case goodbye(Goodbye)

    /// Coordinator → worker: the experiment the next assignments belong to.
    case experimentSetup(ExperimentSetup)
    /// Worker → coordinator: the setup was applied, or why not.
    case setupAck(SetupAck)
    /// Coordinator → worker: a run of chunks of one step.
    case workAssignment(WorkAssignment)
    /// Worker → coordinator: the subtree gradients of an assignment.
    case workResult(WorkResult)
    /// Worker → worker (sharded reduction): subtree sums cut to the receiver's shard.
    case gradientSlices(GradientSlices)
    /// Worker → worker (sharded reduction): an owner's shard of the new weights.
    case weightShard(WeightShard)

    /// Any peer → coordinator: describe the dataset you serve.
    case dataManifestRequest
    /// Coordinator → peer: the served dataset's files and pieces, named by its digest.
    case dataManifest(DataManifest)
    /// Peer → coordinator: one piece of the served dataset.
    case dataPieceRequest(DataPieceRequest)
    /// Coordinator → peer: a piece's bytes, or when to ask again.
    case dataPiece(DataPiece)

    /// CLI → coordinator: queue an experiment.
    case submitRequest(SubmitRequest)
    /// Coordinator → CLI: the queued experiment's id.
    case submitReply(SubmitReply)
    /// CLI → coordinator: the summary of one experiment.
    case statusRequest(ExperimentRequest)
    /// Coordinator → CLI: the summary asked for.
    case statusReply(ExperimentSummary)
    /// CLI → coordinator: a page of the experiments' summaries.
    case listRequest(ListRequest)
    /// Coordinator → CLI: a page of experiments, oldest first.
    case listReply(ListReply)
    /// CLI → coordinator: new progress lines of an experiment.
    case watchRequest(WatchRequest)
    /// Coordinator → CLI: the summary and the new progress lines.
    case watchReply(WatchReply)
    /// CLI → coordinator: the result document of a finished experiment.
    case resultsRequest(ExperimentRequest)
    /// Coordinator → CLI: the result document.
    case resultsReply(ResultsReply)
    /// CLI → coordinator: stop an experiment.
    case cancelRequest(ExperimentRequest)
    /// Coordinator → CLI: the cancelled experiment's summary.
    case cancelReply(ExperimentSummary)

    /// Either direction: the request could not be served.
    case error(WireError)

    /// The case's name (`workResult`), for logs; never the payload.
    public var name: String {
        switch self {
        case .hello: "hello"
        case .welcome: "welcome"
        case .reject: "reject"
        case .heartbeat: "heartbeat"
        case .goodbye: "goodbye"
        case .experimentSetup: "experimentSetup"
        case .setupAck: "setupAck"
        case .workAssignment: "workAssignment"
        case .workResult: "workResult"
        case .gradientSlices: "gradientSlices"
        case .weightShard: "weightShard"
        case .dataManifestRequest: "dataManifestRequest"
        case .dataManifest: "dataManifest"
        case .dataPieceRequest: "dataPieceRequest"
        case .dataPiece: "dataPiece"
        case .submitRequest: "submitRequest"
        case .submitReply: "submitReply"
        case .statusRequest: "statusRequest"
        case .statusReply: "statusReply"
        case .listRequest: "listRequest"
        case .listReply: "listReply"
        case .watchRequest: "watchRequest"
        case .watchReply: "watchReply"
        case .resultsRequest: "resultsRequest"
        case .resultsReply: "resultsReply"
        case .cancelRequest: "cancelRequest"
        case .cancelReply: "cancelReply"
        case .error: "error"
        }
    }
}
