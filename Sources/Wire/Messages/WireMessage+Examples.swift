extension WireMessage {
    /// One message of every case, with every field set to a non-default value, in `distembed.proto` order.
    ///
    /// For round-trip tests and the `distembed debug wire-bench` tool: a message that survives an encode, a trip
    /// through a peer and a decode unchanged proves both sides agree on every field.
    public static var examples: [WireMessage] {
        let weights = Tensor(shape: [2, 3], values: [1.5, -2, 0, .greatestFiniteMagnitude, -.leastNonzeroMagnitude, 7])
        let summary = ExperimentSummary(
            id: "exp-0001", name: "exercise4", state: .running, createdAt: 1_700_000_000.25,
            startedAt: 1_700_000_001.5, finishedAt: 0, epoch: 3, epochs: 20, step: 157, stepsPerEpoch: 313,
            samplesPerSecond: 4321.5, loss: 0.4375, accuracy: 0.84375, workers: 2, message: "epoch 3 of 20 — ok")
        var member = summary
        member.sweepId = "sweep-0001"
        member.seed = 7
        var sweep = ExperimentSummary(
            id: "sweep-0001", name: "exercise4", state: .running, createdAt: 1_700_000_000.25, message: "1 of 2 done")
        sweep.sweepExperiments = [
            member, ExperimentSummary(id: "exp-0002", name: "exercise4", state: .done, createdAt: 2),
        ]
        var cancelled = ExperimentSummary(
            id: "exp-0001", name: "exercise4", state: .cancelled, createdAt: 1, finishedAt: 9)
        cancelled.sweepExperiments = [member]
        return [
            .hello(
                Hello(
                    name: "worker-a", host: "node1", pid: 4242, cores: 2,
                    datasets: [
                        DatasetDigest(name: "t10k-images-idx3-ubyte.gz", sha256: String(repeating: "ab", count: 32)),
                        DatasetDigest(name: "train-images-idx3-ubyte.gz", sha256: String(repeating: "cd", count: 32)),
                    ],
                    kernelFingerprint: "fp-1234", cpu: "Example CPU, kernels avx2",
                    peerEndpoint: "tcp://10.0.0.3:7001", peerPublicKey: "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7")),
            .welcome(Welcome(workerId: 7, heartbeatIntervalMs: 500)),
            .reject(WireError(.fingerprintMismatch, "kernel fingerprint fp-9 differs from fp-1234")),
            .heartbeat(Heartbeat(sentAtNanos: 123_456_789_012)),
            .goodbye(Goodbye(reason: "SIGTERM")),
            .experimentSetup(ExperimentSetup(
                experimentId: "exp-0001", specJSON: #"{"name":"exercise4","seed":1}"#,
                sharedSegment: SharedSegmentOffer(
                    name: "/distembed-4242-00ff00ff00ff00ff", nonce: Array(0..<16), slotCount: 4),
                sharedWeights: SharedSegmentOffer(
                    name: "/distembed-4242-0123456789abcdef", nonce: Array(16..<32), slotCount: 0))),
            .setupAck(SetupAck(
                experimentId: "exp-0001", error: WireError(.datasetMismatch, "train images differ"),
                sharedSegmentAttached: true, repliesInMailbox: true, sharedWeightsAttached: true)),
            .workAssignment(
                WorkAssignment(
                    experimentId: "exp-0001", epoch: 3, step: 157, weightsVersion: 1096, chunkBegin: 2, chunkEnd: 4,
                    weights: weights, firstSharedSlot: 2, replyInMailbox: true, sendWeightsDigest: true,
                    sharded: ShardedStep(
                        group: 0xFEED_0000_0000_0001, rank: 1, size: 3,
                        peers: ["tcp://10.0.0.2:7001", "tcp://10.0.0.3:7001", "tcp://[fd00::4]:7001"],
                        peerKeys: ["Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID", "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7",
                                   "JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6"],
                        state: ShardState(
                            m: Tensor([0.5, -1e-12]), v: Tensor([0.25, 0]), adamStep: 1096, learningRate: 0.001),
                        returnState: true, audit: true))),
            .workResult(
                WorkResult(
                    experimentId: "exp-0001", epoch: 3, step: 157, weightsVersion: 1096,
                    subtrees: [
                        Subtree(level: 1, index: 1, gradient: Tensor([0.25, -0.5, 1e-30])),
                        Subtree(level: 0, index: 4, gradient: Tensor(shape: [0], values: [])),
                        Subtree(level: 2, index: 0, gradient: .sharedSlot(3)),
                    ],
                    lossSum: 12.625, correctCount: 13, sampleCount: 16, computeSeconds: 0.0125,
                    weightsDigest: 0x8000_0000_0000_0001,
                    sharded: ShardReport(
                        group: 0xFEED_0000_0000_0001, chunkBegin: 2, chunkEnd: 5, gradientFinite: true,
                        weightsFinite: false,
                        state: ShardState(
                            weights: Tensor([1, 2]), m: Tensor([3, 4]), v: Tensor([5, 6]), adamStep: 1097,
                            learningRate: 0.0005),
                        exchangeSeconds: 0.004, subtreeDigests: [1, 0xFFFF_FFFF_FFFF_FFFF]))),
            .gradientSlices(GradientSlices(
                experimentId: "exp-0001", group: 0xFEED_0000_0000_0001, weightsVersion: 1096, senderRank: 2,
                subtrees: [
                    Subtree(level: 1, index: 1, gradient: Tensor([0.25, -0.5])),
                    Subtree(level: 0, index: 4, gradient: Tensor([1e-30, 3])),
                ], offset: 4096)),
            .weightShard(WeightShard(
                experimentId: "exp-0001", group: 0xFEED_0000_0000_0001, weightsVersion: 1096, rank: 0,
                weights: Tensor([0.125, -7]))),
            .dataManifestRequest,
            .dataManifest(DataManifest(
                digest: String(repeating: "0f", count: 32), pieceSize: 1 << 20,
                files: [
                    DataFile(name: "labels.npy", size: 328, sha256: String(repeating: "12", count: 32),
                             pieceSHA256: [String(repeating: "34", count: 32)]),
                    DataFile(name: "images.npy", size: (1 << 20) + 1, sha256: String(repeating: "56", count: 32),
                             pieceSHA256: [String(repeating: "78", count: 32), String(repeating: "9a", count: 32)]),
                ])),
            .dataPieceRequest(DataPieceRequest(manifestDigest: String(repeating: "0f", count: 32), file: 1, piece: 1)),
            .dataPiece(DataPiece(
                manifestDigest: String(repeating: "0f", count: 32), file: 1, piece: 1, data: [0, 255, 7],
                retryAfterMs: 250)),
            .submitRequest(
                SubmitRequest(
                    specJSON: #"{"name":"x"}"#, overrides: ["training.epochs=2", "seed=3"], minWorkers: 3,
                    seeds: [1, 3, .max])),
            .submitReply(
                SubmitReply(experimentId: "exp-0002", sweepId: "sweep-0001", experimentIds: ["exp-0002", "exp-0003"])),
            .statusRequest(ExperimentRequest(experimentId: "exp-0001")),
            .statusReply(sweep),
            .listRequest(ListRequest(afterId: "exp-0001", limit: 50)),
            .listReply(ListReply(
                experiments: [member, ExperimentSummary(id: "exp-0002", name: "small", state: .queued, createdAt: 2)],
                more: true)),
            .watchRequest(WatchRequest(experimentId: "exp-0001", afterSequence: 41)),
            .watchReply(
                WatchReply(
                    summary: summary,
                    events: [
                        WatchEvent(sequence: 42, time: 1_700_000_002, line: "epoch 3 step 156 loss 0.44"),
                        WatchEvent(sequence: 43, time: 1_700_000_003, line: "epoch 3 step 157 loss 0.43"),
                    ])),
            .resultsRequest(ExperimentRequest(experimentId: "exp-0001")),
            .resultsReply(ResultsReply(resultJSON: #"{"weightsSha256":"00ff"}"#, sweepResultJSON: #"{"rows":[]}"#)),
            .cancelRequest(ExperimentRequest(experimentId: "exp-0001")),
            .cancelReply(cancelled),
            .error(WireError(.notFound, "no experiment exp-9999")),
        ]
    }
}
