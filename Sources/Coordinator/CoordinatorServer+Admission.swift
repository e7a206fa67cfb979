import Core
import Foundation
import Wire

/// What a submit must pass before anything is queued, whether it asks for one experiment or a sweep of seeds.
extension CoordinatorServer {
    /// A spec admitted to the queue: parsed, and its canonical JSON text as the store keeps it.
    typealias AdmittedSpec = (spec: ExperimentSpec, json: String)

    /// The specs `request` queues, one per seed of a sweep, or its one spec, each parsed once.
    /// - Throws: `WireError` (`invalidSpec`, or `busy` when the queue is full) saying what to change.
    func admit(_ request: SubmitRequest) throws -> [AdmittedSpec] {
        guard request.seeds.count <= SeedList.maxCount else {
            throw WireError(.invalidSpec, "a sweep has at most \(SeedList.maxCount) seeds, this one \(request.seeds.count)")
        }
        guard Set(request.seeds).count == request.seeds.count else {
            throw WireError(.invalidSpec, "the sweep lists a seed twice; give each seed once")
        }
        guard request.minWorkers <= UInt32(options.maxWorkers) else {
            throw WireError(.invalidSpec, "min workers \(request.minWorkers) is over the coordinator's limit of "
                + "\(options.maxWorkers) workers (--max-workers)")
        }
        let seeds: [UInt64?] = request.seeds.isEmpty ? [nil] : request.seeds
        var admitted: [AdmittedSpec] = []
        for seed in seeds {
            let overrides = request.overrides + (seed.map { ["seed=\($0)"] } ?? [])
            do {
                admitted.append(try ExperimentSpec.parseCanonical(
                    json: request.specJSON, overrides: overrides, limits: options.specLimits))
            } catch {
                throw WireError(.invalidSpec, seed.map { "seed \($0): \(error)" } ?? "\(error)")
            }
        }
        try checkDataset(of: admitted[0].spec)
        let queued = try store.countQueued()
        guard queued + admitted.count <= options.maxQueued else {
            throw WireError(.busy, admitted.count == 1
                ? "\(options.maxQueued) experiments are already queued (--max-queued)"
                : "the sweep's \(admitted.count) experiments would pass the coordinator's limit of "
                    + "\(options.maxQueued) queued (\(queued) queued now; --max-queued)")
        }
        return admitted
    }

    /// A spec trains on the coordinator's dataset: its path must hold the same files.
    func checkDataset(of spec: ExperimentSpec) throws {
        if let problem = DataPathPolicy.problem(
            path: spec.dataset.path, allowed: options.dataDirectories + [options.dataFolder])
        {
            throw WireError(.invalidSpec, problem)
        }
        let path = (spec.dataset.path as NSString).standardizingPath
        if path != (options.dataFolder as NSString).standardizingPath {
            let theirs: DatasetCatalog
            do {
                theirs = try DatasetCatalog(folder: path)
            } catch {
                throw WireError(.invalidSpec, "dataset.path: \(error)")
            }
            guard theirs.identity == catalog.identity else {
                throw WireError(.invalidSpec, "dataset.path: \(path) holds other files than the coordinator's "
                    + "dataset (\(options.dataFolder)), which the workers hold; start the coordinator with --data \(path)")
            }
        }
    }
}
