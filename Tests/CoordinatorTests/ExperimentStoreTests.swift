import Coordinator
import Core
import Foundation
import Testing

/// Floats of every kind (NaNs with payloads, infinities, subnormals, -0) from a fixed bit-pattern sequence.
private func floats(_ count: Int, salt: UInt32) -> [Float] {
    (0..<count).map { Float(bitPattern: (UInt32(truncatingIfNeeded: $0) &+ salt) &* 2_654_435_761) }
}

private func bits(_ values: [Float]) -> [UInt32] { values.map(\.bitPattern) }

private func checkpoint(epoch: Int, step: Int, parameters: Int, salt: UInt32) -> Checkpoint {
    Checkpoint(
        epoch: epoch, step: step, weights: floats(parameters, salt: salt), adamM: floats(parameters, salt: salt + 1),
        adamV: floats(parameters, salt: salt + 2), adamStep: epoch * 313 + step, epochLossSum: 12.375 + Double(salt),
        epochCorrect: 17, epochCount: 32 * step, embeddingsBefore: floats(50 * 64, salt: salt + 3),
        createdAt: 1_700_000_000.25)
}

/// Expects `body` to throw a ``StoreError`` with `code`, and returns it.
@discardableResult
private func expectStoreError(
    _ code: StoreError.Code, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void
) -> StoreError? {
    do {
        try body()
        Issue.record("expected a StoreError \(code)", sourceLocation: sourceLocation)
    } catch let error as StoreError {
        #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
        return error
    } catch {
        Issue.record("expected a StoreError, got \(error)", sourceLocation: sourceLocation)
    }
    return nil
}

@Suite final class ExperimentStoreTests {
    /// A fresh folder for this test's stores, removed afterwards.
    let root: String

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("store-tests-\(UUID().uuidString)").path
    }

    deinit {
        try? FileManager.default.removeItem(atPath: root)
    }

    @Test func insertListsInSubmissionOrderWithSequentialIds() throws {
        let store = try ExperimentStore.inMemory()
        let a = try store.insertExperiment(name: "a", specJSON: #"{"name":"a"}"#, at: 10)
        let b = try store.insertExperiment(name: "b", specJSON: #"{"name":"b"}"#, at: 11)
        let c = try store.insertExperiment(name: "c", specJSON: #"{"name":"c"}"#, at: 12)
        #expect([a.id, b.id, c.id] == ["exp-1", "exp-2", "exp-3"])
        #expect([a.sequence, b.sequence, c.sequence] == [1, 2, 3])
        #expect(a.state == .queued && a.createdAt == 10 && a.specJSON == #"{"name":"a"}"#)
        #expect(a.startedAt == nil && a.finishedAt == nil && a.resultJSON == nil && a.sweepId == nil)
        #expect(try store.experiments() == [a, b, c])
        #expect(try store.experiments(after: 0, limit: 2) == [a, b])
        #expect(try store.experiments(after: 1, limit: 5) == [b, c])
        #expect(try store.experiments(after: 3, limit: 5) == [])
        #expect(try store.experiment(id: "exp-2") == b)
        #expect(try store.experiment(id: "exp-9") == nil)
        #expect(try store.nextQueued() == a)
        #expect(try store.countQueued() == 3)
        #expect(try store.running().isEmpty)
        #expect(store.fileSize == 0)
    }

    @Test func stateTransitionsFollowTheLifeOfAnExperiment() throws {
        let store = try ExperimentStore.inMemory()
        for name in ["a", "b", "c"] { _ = try store.insertExperiment(name: name, specJSON: "{}", at: 1) }

        try store.markRunning(id: "exp-1", at: 2)
        var one = try #require(try store.experiment(id: "exp-1"))
        #expect(one.state == .running && one.startedAt == 2)
        #expect(try store.running().map(\.id) == ["exp-1"])
        #expect(try store.nextQueued()?.id == "exp-2")
        #expect(try store.countQueued() == 2)
        expectStoreError(.invalidState) { try store.markRunning(id: "exp-1", at: 3) }

        try store.requeue(id: "exp-1")
        one = try #require(try store.experiment(id: "exp-1"))
        #expect(one.state == .queued && one.startedAt == nil)
        #expect(try store.nextQueued()?.id == "exp-1")

        try store.markRunning(id: "exp-1", at: 4)
        try store.finish(
            id: "exp-1", state: .done, at: 5, error: nil, resultJSON: #"{"ok":true}"#, weights: nil,
            weightsSha256: "abc")
        one = try #require(try store.experiment(id: "exp-1"))
        #expect(one.state == .done && one.startedAt == 4 && one.finishedAt == 5)
        #expect(one.resultJSON == #"{"ok":true}"# && one.weightsSha256 == "abc" && one.error == nil)
        expectStoreError(.invalidState) {
            try store.finish(id: "exp-1", state: .failed, at: 6, error: "x", resultJSON: nil, weights: nil,
                             weightsSha256: nil)
        }
        expectStoreError(.invalidState) { try store.requeue(id: "exp-1") }

        try store.finish(
            id: "exp-2", state: .cancelled, at: 7, error: "cancelled before it started", resultJSON: nil, weights: nil,
            weightsSha256: nil)
        let two = try #require(try store.experiment(id: "exp-2"))
        #expect(two.state == .cancelled && two.error == "cancelled before it started" && two.startedAt == nil)
        expectStoreError(.invalidState) { try store.requeue(id: "exp-3") }
        #expect(try store.experiments().map(\.state) == [.done, .cancelled, .queued])

        let missing = expectStoreError(.notFound) { try store.markRunning(id: "exp-9", at: 8) }
        #expect(missing?.experimentId == "exp-9")
        #expect(missing?.description.contains("exp-9") == true)
    }

    @Test(arguments: ExperimentState.allCases)
    func finalStatesAreExactlyThoseThatCannotMove(from state: ExperimentState) {
        let moves = ExperimentState.allCases.filter { state.canMove(to: $0) }
        #expect(state.isFinal == moves.isEmpty)
        #expect(!state.canMove(to: state))
    }

    @Test func epochsAreReplacedPerEpoch() throws {
        let store = try ExperimentStore.inMemory()
        _ = try store.insertExperiment(name: "a", specJSON: "{}", at: 1)
        _ = try store.insertExperiment(name: "b", specJSON: "{}", at: 1)
        try store.appendEpoch(id: "exp-1", EpochMetrics(epoch: 1, loss: 0.5, accuracy: 0.8, seconds: 2))
        try store.appendEpoch(id: "exp-1", EpochMetrics(epoch: 0, loss: 0.9, accuracy: 0.6, seconds: 2))
        try store.appendEpoch(id: "exp-1", EpochMetrics(epoch: 1, loss: 0.4, accuracy: 0.85, seconds: 3))
        try store.appendEpoch(id: "exp-2", EpochMetrics(epoch: 0, loss: 1.5, accuracy: 0.1, seconds: 1))
        #expect(try store.epochs(id: "exp-1") == [
            EpochMetrics(epoch: 0, loss: 0.9, accuracy: 0.6, seconds: 2),
            EpochMetrics(epoch: 1, loss: 0.4, accuracy: 0.85, seconds: 3),
        ])
        #expect(try store.epochs(id: "exp-2").count == 1)
        #expect(try store.epochs(id: "exp-3").isEmpty)
        expectStoreError(.notFound) {
            try store.appendEpoch(id: "exp-3", EpochMetrics(epoch: 0, loss: 1, accuracy: 0, seconds: 1))
        }
    }

    @Test func eventsAreNumberedPerExperimentAndReadAfterASequence() throws {
        let store = try ExperimentStore.inMemory()
        _ = try store.insertExperiment(name: "a", specJSON: "{}", at: 1)
        _ = try store.insertExperiment(name: "b", specJSON: "{}", at: 1)
        for i in 1...5 { try store.appendEvent(id: "exp-1", kind: "epoch", line: "line \(i)", at: Double(i)) }
        let other = try store.appendEvent(id: "exp-2", kind: "state", line: "queued", at: 9)
        #expect(other.sequence == 1 && other.time == 9 && other.kind == "state" && other.line == "queued")
        #expect(try store.events(id: "exp-2", after: 0) == [other])
        let all = try store.events(id: "exp-1", after: 0)
        #expect(all.map(\.sequence) == [1, 2, 3, 4, 5])
        #expect(all.map(\.line) == (1...5).map { "line \($0)" })
        #expect(all.allSatisfy { $0.kind == "epoch" && $0.time == Double($0.sequence) })
        #expect(try store.events(id: "exp-1", after: 3).map(\.sequence) == [4, 5])
        #expect(try store.events(id: "exp-1", after: 5).isEmpty)
        expectStoreError(.notFound) { try store.appendEvent(id: "exp-7", kind: "state", line: "x", at: 1) }
    }

    @Test func checkpointRoundTripsBitExactAndIsReplaced() throws {
        let store = try ExperimentStore.inMemory()
        _ = try store.insertExperiment(name: "a", specJSON: "{}", at: 1)
        #expect(try store.checkpoint(id: "exp-1") == nil)

        let first = checkpoint(epoch: 0, step: 100, parameters: 72_842, salt: 1)
        #expect(first.weights.contains { $0.isNaN } && first.weights.contains { $0.isSubnormal })
        try store.saveCheckpoint(id: "exp-1", first)
        let read = try #require(try store.checkpoint(id: "exp-1"))
        #expect(bits(read.weights) == bits(first.weights))
        #expect(bits(read.adamM) == bits(first.adamM))
        #expect(bits(read.adamV) == bits(first.adamV))
        #expect(bits(read.embeddingsBefore) == bits(first.embeddingsBefore))
        #expect(read.epoch == 0 && read.step == 100 && read.adamStep == 100 && read.epochCount == 3200)
        #expect(read.epochLossSum == first.epochLossSum && read.epochCorrect == 17)
        #expect(read.createdAt == first.createdAt)

        let second = checkpoint(epoch: 1, step: 0, parameters: 72_842, salt: 50)
        try store.saveCheckpoint(id: "exp-1", second)
        let replaced = try #require(try store.checkpoint(id: "exp-1"))
        #expect(bits(replaced.weights) == bits(second.weights) && replaced.epoch == 1 && replaced.step == 0)

        try store.deleteCheckpoint(id: "exp-1")
        #expect(try store.checkpoint(id: "exp-1") == nil)
        expectStoreError(.notFound) { try store.saveCheckpoint(id: "exp-2", first) }
    }

    @Test func finalWeightsRoundTripBitExact() throws {
        let store = try ExperimentStore.inMemory()
        _ = try store.insertExperiment(name: "a", specJSON: "{}", at: 1)
        _ = try store.insertExperiment(name: "b", specJSON: "{}", at: 1)
        let weights = floats(72_842, salt: 7)
        try store.markRunning(id: "exp-1", at: 2)
        try store.finish(id: "exp-1", state: .done, at: 3, error: nil, resultJSON: "{}", weights: weights,
                         weightsSha256: "sha")
        #expect(try store.finalWeights(id: "exp-1").map(bits) == bits(weights))
        #expect(try store.finalWeights(id: "exp-2") == nil)
        try store.finish(id: "exp-2", state: .failed, at: 3, error: "bad spec", resultJSON: nil, weights: [],
                         weightsSha256: nil)
        #expect(try store.finalWeights(id: "exp-2") == [])
    }

    @Test func everythingSurvivesReopeningTheFolder() throws {
        let folder = root + "/store"
        let weights = floats(1_000, salt: 3)
        let saved = checkpoint(epoch: 1, step: 7, parameters: 1_000, salt: 11)
        var before: [ExperimentRecord] = []
        do {
            let store = try ExperimentStore(directory: folder)
            for name in ["a", "b", "c", "d"] { _ = try store.insertExperiment(name: name, specJSON: "{}", at: 1) }
            try store.markRunning(id: "exp-1", at: 2)
            try store.appendEpoch(id: "exp-1", EpochMetrics(epoch: 0, loss: 0.7, accuracy: 0.7, seconds: 1))
            try store.appendEvent(id: "exp-1", kind: "epoch", line: "epoch 1/2", at: 3)
            try store.finish(id: "exp-1", state: .done, at: 4, error: nil, resultJSON: "{}", weights: weights,
                             weightsSha256: "sha")
            try store.markRunning(id: "exp-2", at: 5)
            try store.saveCheckpoint(id: "exp-2", saved)
            try store.deleteExperiment(id: "exp-4")
            before = try store.experiments()
        }
        let store = try ExperimentStore(directory: folder)
        #expect(try store.experiments() == before)
        #expect(before.map(\.id) == ["exp-1", "exp-2", "exp-3"])
        #expect(try store.epochs(id: "exp-1") == [EpochMetrics(epoch: 0, loss: 0.7, accuracy: 0.7, seconds: 1)])
        #expect(try store.events(id: "exp-1", after: 0).map(\.line) == ["epoch 1/2"])
        #expect(try store.finalWeights(id: "exp-1").map(bits) == bits(weights))
        #expect(try store.checkpoint(id: "exp-2").map { bits($0.adamV) } == bits(saved.adamV))
        #expect(try store.running().map(\.id) == ["exp-2"])
        #expect(try store.insertExperiment(name: "e", specJSON: "{}", at: 6).id == "exp-5")
        expectStoreError(.notFound) { try store.deleteExperiment(id: "exp-4") }
    }

    @Test func folderAndFilesAreOwnerOnly() throws {
        let folder = root + "/nested/store"
        let store = try ExperimentStore(directory: folder)
        _ = try store.insertExperiment(name: "a", specJSON: "{}", at: 1)
        func mode(_ path: String) throws -> Int {
            try #require(FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber).intValue
        }
        #expect(try mode(folder) == 0o700)
        let file = folder + "/" + ExperimentStore.fileName
        #expect(try mode(file) == 0o600)
        for sidecar in [file + "-wal", file + "-shm"] where FileManager.default.fileExists(atPath: sidecar) {
            #expect(try mode(sidecar) == 0o600, "\(sidecar)")
        }
        #expect(store.fileSize > 0)
    }

    @Test func aCorruptFileIsAStoreError() throws {
        let folder = root + "/corrupt"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let garbage = Data((0..<8192).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) })
        try garbage.write(to: URL(fileURLWithPath: folder + "/" + ExperimentStore.fileName))
        let error = expectStoreError(.corrupt) { _ = try ExperimentStore(directory: folder) }
        #expect(error?.description.contains(folder) == true)
        #expect(error?.hint?.contains("--store") == true)
    }

    /// An existing 0-byte database file started as an empty store, and every experiment was gone without a word
    /// (issue 21); now it is refused.
    @Test func anEmptyExistingFileIsRefusedNotStartedAfresh() throws {
        let folder = root + "/emptied"
        do { _ = try ExperimentStore(directory: folder).insertExperiment(name: "a", specJSON: "{}", at: 1) }
        try Data().write(to: URL(fileURLWithPath: folder + "/" + ExperimentStore.fileName))
        for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: folder + "/store.sqlite" + suffix) }
        let error = expectStoreError(.corrupt) { _ = try ExperimentStore(directory: folder) }
        #expect(error?.description.contains("is empty (0 bytes)") == true, "\(String(describing: error))")
        #expect(error?.hint?.contains("backup") == true)
    }

    /// Damaged pages are found when the store opens (SQLite's quick_check), not later by `list` or `status`.
    @Test func damagedPagesAreFoundAtOpen() throws {
        let folder = root + "/damaged"
        do {
            let store = try ExperimentStore(directory: folder)
            for index in 0..<200 {
                _ = try store.insertExperiment(name: "n\(index)", specJSON: String(repeating: "x", count: 500), at: 1)
            }
        }
        let path = folder + "/" + ExperimentStore.fileName
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let pageSize = Int(bytes[16]) << 8 | Int(bytes[17])
        #expect(bytes.count > 8 * pageSize)
        // Page 3 onwards: table pages. Flip a run of bits in each of a few, past their headers.
        for page in 3..<min(bytes.count / pageSize, 12) {
            for offset in 200..<260 { bytes[page * pageSize + offset] ^= 0x5A }
        }
        try bytes.write(to: URL(fileURLWithPath: path))
        let error = expectStoreError(.corrupt) { _ = try ExperimentStore(directory: folder) }
        #expect(error != nil)
    }

    /// Two coordinators on one store shared its queue and could run one experiment twice; the second now refuses
    /// to open it and names the first one's pid.
    @Test func aSecondOpenOfTheSameStoreIsRefusedWithThePid() throws {
        let folder = root + "/locked"
        let first = try ExperimentStore(directory: folder)
        let error = expectStoreError(.cannotOpen) { _ = try ExperimentStore(directory: folder) }
        #expect(error?.description.contains("another coordinator (pid \(getpid())) is using this store") == true,
                "\(String(describing: error))")
        _ = try first.insertExperiment(name: "still mine", specJSON: "{}", at: 1)
        withExtendedLifetime(first) {}
    }

    @Test func aFolderThatIsAFileIsAStoreError() throws {
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let file = root + "/not-a-folder"
        try Data("x".utf8).write(to: URL(fileURLWithPath: file))
        let error = expectStoreError(.cannotOpen) { _ = try ExperimentStore(directory: file) }
        #expect(error?.description.hasPrefix("cannot open the store at \(file): ") == true)
    }

    /// 20 short experiments as the coordinator writes them: 2 epochs, 10 events, a full-size checkpoint, the final
    /// weights. Prints the size with the checkpoints, after deleting them as finishing does, and after reopening
    /// (closing the store folds the WAL file into the database file).
    @Test func sizeOfTwentyShortExperiments() throws {
        let folder = root + "/size"
        let parameters = 72_842
        let payload = Int64(20 * (4 * parameters * 4 + 50 * 64 * 4))
        var withCheckpoints: Int64 = 0
        var withoutCheckpoints: Int64 = 0
        do {
            let store = try ExperimentStore(directory: folder)
            for index in 0..<20 {
                let spec = String(repeating: "s", count: 900)
                let id = try store.insertExperiment(name: "short", specJSON: spec, at: 1).id
                try store.markRunning(id: id, at: 2)
                for epoch in 0..<2 {
                    try store.appendEpoch(id: id, EpochMetrics(epoch: epoch, loss: 0.5, accuracy: 0.8, seconds: 1.5))
                }
                for event in 0..<10 {
                    try store.appendEvent(id: id, kind: "epoch", line: "epoch \(event) loss 0.5 accuracy 0.8", at: 3)
                }
                let saved = checkpoint(epoch: 2, step: 0, parameters: parameters, salt: UInt32(index))
                try store.saveCheckpoint(id: id, saved)
                try store.finish(
                    id: id, state: .done, at: 4, error: nil, resultJSON: String(repeating: "r", count: 2_000),
                    weights: floats(parameters, salt: UInt32(index)), weightsSha256: String(repeating: "0", count: 64))
            }
            withCheckpoints = store.fileSize
            for index in 1...20 { try store.deleteCheckpoint(id: "exp-\(index)") }
            withoutCheckpoints = store.fileSize
        }
        let reopened = try ExperimentStore(directory: folder).fileSize
        print("store size after 20 short experiments (float payload \(payload) bytes): \(withCheckpoints) bytes "
            + "with checkpoints, \(withoutCheckpoints) after deleting them, \(reopened) after reopening")
        #expect(withCheckpoints >= payload && withCheckpoints < payload + payload / 2)
        #expect(reopened < payload / 3)
    }
}
