import GRDB

extension ExperimentStore {
    /// Adds a queued experiment, numbered by a sequence that never goes back.
    /// - Returns: The stored record, with its new id.
    public func insertExperiment(name: String, specJSON: String, minWorkers: Int = 0, at time: Double) throws
        -> ExperimentRecord
    {
        try write("submit the experiment") { db in
            try Self.insertQueued(name: name, specJSON: specJSON, minWorkers: minWorkers, sweepId: nil, at: time, db)
        }
    }

    /// Inserts a queued experiment inside the caller's transaction.
    static func insertQueued(
        name: String, specJSON: String, minWorkers: Int, sweepId: String?, at time: Double, _ db: Database
    ) throws -> ExperimentRecord {
        let sequence = try nextValue(of: StoreSchema.experimentCounter, db)
        let record = ExperimentRecord(
            id: "exp-\(sequence)", sequence: sequence, name: name, specJSON: specJSON, state: .queued,
            createdAt: time, sweepId: sweepId, minWorkers: minWorkers)
        try record.insert(db)
        return record
    }

    /// Advances the counter `name` and returns its new value.
    static func nextValue(of name: String, _ db: Database) throws -> Int64 {
        let next = try Int64.fetchOne(
            db, sql: "UPDATE counter SET value = value + 1 WHERE name = ? RETURNING value", arguments: [name])
        guard let next else {
            throw StoreProblem(
                code: .corrupt, message: "the \(name) counter is missing",
                hint: "the database file is damaged; move it aside or pass --store with another folder")
        }
        return next
    }

    /// The experiment with this id, or nil.
    public func experiment(id: String) throws -> ExperimentRecord? {
        try read("read the experiment", id: id) { try ExperimentRecord.fetchOne($0, key: id) }
    }

    /// Every experiment, in submission order.
    public func experiments() throws -> [ExperimentRecord] {
        try read("list the experiments") {
            try ExperimentRecord.order(ExperimentRecord.Columns.sequence).fetchAll($0)
        }
    }

    /// Up to `limit` experiments submitted after the one with sequence number `sequence` (0: from the first), in
    /// submission order.
    public func experiments(after sequence: Int64, limit: Int) throws -> [ExperimentRecord] {
        try read("list the experiments") {
            try ExperimentRecord.filter(ExperimentRecord.Columns.sequence > sequence)
                .order(ExperimentRecord.Columns.sequence).limit(limit).fetchAll($0)
        }
    }

    /// The queued experiment submitted first, or nil.
    public func nextQueued() throws -> ExperimentRecord? {
        try read("find the next queued experiment") { try Self.inState(.queued).fetchOne($0) }
    }

    /// The running experiments, in submission order.
    public func running() throws -> [ExperimentRecord] {
        try read("list the running experiments") { try Self.inState(.running).fetchAll($0) }
    }

    /// The number of queued experiments.
    public func countQueued() throws -> Int {
        try read("count the queued experiments") { try Self.inState(.queued).fetchCount($0) }
    }

    /// Moves a queued experiment to running.
    /// - Throws: ``StoreError`` with code `notFound` or `invalidState`.
    public func markRunning(id: String, at time: Double) throws {
        try write("start the experiment", id: id) { db in
            var record = try Self.existing(id, db)
            try Self.move(&record, to: .running)
            record.startedAt = time
            try record.update(db)
        }
    }

    /// Moves a queued or running experiment to a final state, with its result, and stores its final weights if given.
    ///
    /// Checkpoints are left alone: ``deleteCheckpoint(id:)`` drops them. When the write fails, most likely on a full
    /// disk, the store gives up its ``SpaceReserve`` and tries once more.
    /// - Parameters:
    ///   - state: `done`, `failed` or `cancelled`; any other state is a programmer error.
    ///   - error: Why it failed.
    ///   - resultJSON: The `TrainingResult` JSON, when done.
    ///   - weights: The final parameters in the canonical order, read back by ``finalWeights(id:)``.
    ///   - weightsSha256: The SHA-256 of `weights` as little-endian float32.
    /// - Throws: ``StoreError`` with code `notFound` or `invalidState`.
    public func finish(
        id: String, state: ExperimentState, at time: Double, error: String?, resultJSON: String?, weights: [Float]?,
        weightsSha256: String?
    ) throws {
        precondition(state.isFinal, "finish needs a final state, not \(state)")
        do {
            try record(id: id, endedAs: state, at: time, error: error, resultJSON: resultJSON, weights: weights,
                       weightsSha256: weightsSha256)
        } catch let storeError as StoreError
            where ![.notFound, .invalidState, .corrupt].contains(storeError.code) && reserve?.release() == true
        {
            // Most likely a full disk: the reserve's blocks are what this write needs.
            try record(id: id, endedAs: state, at: time, error: error, resultJSON: resultJSON, weights: weights,
                       weightsSha256: weightsSha256)
        }
        reserve?.restore()
    }

    private func record(
        id: String, endedAs state: ExperimentState, at time: Double, error: String?, resultJSON: String?,
        weights: [Float]?, weightsSha256: String?
    ) throws {
        try write("finish the experiment as \(state.rawValue)", id: id) { db in
            var record = try Self.existing(id, db)
            try Self.move(&record, to: state)
            record.finishedAt = time
            record.error = error
            record.resultJSON = resultJSON
            record.weightsSha256 = weightsSha256
            try record.update(db)
            if let weights {
                try FinalWeightsRow(experimentId: id, weights: FloatBlob.data(weights)).insert(db, onConflict: .replace)
            }
        }
    }

    /// Moves a running experiment back to queued, as a restart does when it has no checkpoint to resume from.
    /// - Throws: ``StoreError`` with code `notFound` or `invalidState`.
    public func requeue(id: String) throws {
        try write("requeue the experiment", id: id) { db in
            var record = try Self.existing(id, db)
            try Self.move(&record, to: .queued)
            record.startedAt = nil
            try record.update(db)
        }
    }

    /// Deletes an experiment with its epochs, events, checkpoint and final weights; its id is never given again.
    /// - Throws: ``StoreError`` with code `notFound`.
    public func deleteExperiment(id: String) throws {
        try write("delete the experiment", id: id) { db in
            guard try ExperimentRecord.deleteOne(db, key: id) else { throw StoreProblem.notFound }
            try Self.reclaimFreePages(db)
        }
    }

    private static func inState(_ state: ExperimentState) -> QueryInterfaceRequest<ExperimentRecord> {
        ExperimentRecord.filter(ExperimentRecord.Columns.state == state.rawValue)
            .order(ExperimentRecord.Columns.sequence)
    }

    private static func existing(_ id: String, _ db: Database) throws -> ExperimentRecord {
        guard let record = try ExperimentRecord.fetchOne(db, key: id) else { throw StoreProblem.notFound }
        return record
    }

    private static func move(_ record: inout ExperimentRecord, to state: ExperimentState) throws {
        guard record.state.canMove(to: state) else {
            let from = record.state.rawValue
            throw StoreProblem(
                code: .invalidState, message: "it is \(from), and a \(from) experiment cannot become \(state.rawValue)")
        }
        record.state = state
    }
}
