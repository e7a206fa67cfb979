import Core
import Wire

/// The running experiment's sharded group (Docs/ShardedReduction.md): its members by rank and where they reach
/// each other, the training state a lost member rolls back to, and what the step in progress brought back.
///
/// Between gathers the weights and Adam's moments live with the members: the coordinator's own training state is
/// the one of the group's start or last gather (``restorePoint``). A gather (the step's results carry each shard's
/// state) is asked for whenever the coordinator needs the state: the last step of an epoch (evaluation), a
/// checkpoint, and before the group ends for a worker that joins.
struct ShardedGroup {
    let id: UInt64
    /// The members by rank.
    let members: [WorkerID]
    /// Their peer endpoints, by rank.
    let endpoints: [String]
    /// With CURVE, their peer public keys, by rank; empty without.
    let keys: [String]
    let plan: ShardPlan
    /// Whether the group's first step (the weights, the endpoints and Adam's state in the assignments) is done.
    var formed = false
    /// The training state the group started from or last gathered.
    var restorePoint: Checkpoint
    /// Whether the coordinator's weights are those the step in progress computes with (the group's first step, or
    /// the step after a gather): the replicas' digests are then checked against them, else against each other.
    var coordinatorHoldsWeights = true
    /// The step in progress asks every member for its shard's state.
    var gathering = false
    /// End the group at its next gather (a worker is waiting to join).
    var endRequested = false
    /// The shard states returned this step, by rank.
    var returned: [Int: ShardState] = [:]
    /// The digests reported this step, by worker.
    var digests: [WorkerID: UInt64] = [:]
    /// What each run's first computation said this step, and an audit that disagreed with it, for audits: the
    /// sums themselves went to their owners, so an audit compares their digests.
    var opinions: [Range<Int>: ShardedOpinion] = [:]
    var secondOpinions: [Range<Int>: ShardedOpinion] = [:]

    /// Forgets what the last step brought back.
    mutating func startStep() {
        returned = [:]
        digests = [:]
        opinions = [:]
        secondOpinions = [:]
    }

    /// Compares an audit of `run` with its first computation (and, for a tie-break, with the audit that
    /// disagreed), as ``ExperimentRun/audit(_:tieBreak:)`` does with the sums themselves.
    mutating func audit(_ opinion: ShardedOpinion, of run: Range<Int>, tieBreak: Bool) -> ExperimentRun.AuditVerdict {
        if opinion == opinions[run] { return .agrees }
        guard tieBreak else {
            secondOpinions[run] = opinion
            return .differs
        }
        return secondOpinions[run] == opinion ? .replacedStored : .agreesWithNeither
    }

    init(
        id: UInt64, members: [WorkerID], endpoints: [String], keys: [String], parameterCount: Int,
        restorePoint: Checkpoint
    ) {
        self.id = id
        self.members = members
        self.endpoints = endpoints
        self.keys = keys
        self.plan = ShardPlan(parameterCount: parameterCount, shardCount: members.count)
        self.restorePoint = restorePoint
    }

    func rank(of worker: WorkerID) -> Int? {
        members.firstIndex(of: worker)
    }

    /// The members whose digest differs from the expected one: the coordinator's when it holds the weights, else
    /// the one most members reported. Nil when there is no expected digest (no strict majority).
    func replicasThatDiffer(coordinatorDigest: UInt64?) -> [WorkerID]? {
        let expected: UInt64
        if let coordinatorDigest {
            expected = coordinatorDigest
        } else {
            var counts: [UInt64: Int] = [:]
            for digest in digests.values { counts[digest, default: 0] += 1 }
            guard let (top, votes) = counts.max(by: { $0.value < $1.value }), votes * 2 > members.count else {
                return nil
            }
            expected = top
        }
        return members.filter { digests[$0] != expected }
    }

    /// The whole state from the shards returned this step, or nil when one is missing.
    func gatheredState() -> (weights: [Float], m: [Float], v: [Float])? {
        var weights: [Float] = [], m: [Float] = [], v: [Float] = []
        for rank in members.indices {
            guard let state = returned[rank], let w = state.weights else { return nil }
            weights += w.values
            m += state.m.values
            v += state.v.values
        }
        return (weights, m, v)
    }
}

/// What one computation of a run said in a sharded step: the digests of its subtree sums and its statistics.
struct ShardedOpinion: Equatable {
    var digests: [UInt64]
    var lossSumBits: UInt64
    var correct: Int
    var count: Int

    init(_ report: ShardReport, stats: GradientEngine.Stats) {
        digests = report.subtreeDigests
        lossSumBits = stats.lossSum.bitPattern
        correct = stats.correct
        count = stats.count
    }
}
