import GRDB

extension ExperimentStore {
    /// Adds a sweep and its queued experiments, one per spec in the order given, in one transaction: a sweep is
    /// never stored half-submitted.
    /// - Parameter specJSONs: The canonical spec of each experiment, its `seed` already set.
    /// - Returns: The sweep and its experiments.
    public func insertSweep(name: String, specJSONs: [String], minWorkers: Int = 0, at time: Double) throws
        -> (sweep: SweepRecord, experiments: [ExperimentRecord])
    {
        try write("submit the sweep") { db in
            let sequence = try Self.nextValue(of: StoreSchema.sweepCounter, db)
            let sweep = SweepRecord(id: "sweep-\(sequence)", sequence: sequence, name: name, createdAt: time)
            try sweep.insert(db)
            let experiments = try specJSONs.map { spec in
                try Self.insertQueued(
                    name: name, specJSON: spec, minWorkers: minWorkers, sweepId: sweep.id, at: time, db)
            }
            return (sweep, experiments)
        }
    }

    /// The sweep with this id, or nil.
    public func sweep(id: String) throws -> SweepRecord? {
        try read("read the sweep", id: id) { try SweepRecord.fetchOne($0, key: id) }
    }

    /// Every sweep, in submission order.
    public func sweeps() throws -> [SweepRecord] {
        try read("list the sweeps") { try SweepRecord.order(SweepRecord.Columns.sequence).fetchAll($0) }
    }

    /// The experiments of a sweep, in the order of its seeds.
    public func experiments(inSweep id: String) throws -> [ExperimentRecord] {
        try read("list the sweep's experiments", id: id) {
            try ExperimentRecord.filter(Column("sweepId") == id).order(ExperimentRecord.Columns.sequence).fetchAll($0)
        }
    }
}
