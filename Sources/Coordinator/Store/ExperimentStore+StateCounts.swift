import GRDB

extension ExperimentStore {
    /// How many experiments are in each state; a state with none maps to 0.
    public func countsByState() throws -> [ExperimentState: Int] {
        try read("count the experiments by state") { db in
            var counts = Dictionary(uniqueKeysWithValues: ExperimentState.allCases.map { ($0, 0) })
            let sql = "SELECT state, COUNT(*) FROM \(ExperimentRecord.databaseTableName) GROUP BY state"
            for row in try Row.fetchAll(db, sql: sql) {
                if let state = ExperimentState(rawValue: row[0]) { counts[state] = row[1] }
            }
            return counts
        }
    }
}
