import Core
import Logging

/// The metrics and probes of one coordinator (`--metrics-listen`): its registry, its health, the HTTP server for
/// both, and the bookkeeping that turns the coordinator's running totals into per-step observations. Called from
/// the coordinator's thread only. Public so tests can serve the endpoint without a coordinator.
public final class CoordinatorTelemetry {
    /// The store is counted by state this often, and whenever an experiment starts or ends.
    static let stateCountInterval: Duration = .seconds(1)

    let metrics = CoordinatorMetrics()
    let health = CoordinatorHealth()
    private let server: MetricsHTTPServer
    private let logger: Logger
    /// The running experiment's totals at its last completed step; the next step records the difference.
    private var lastTotals: (run: String, timings: StepTimings, samples: Int)?
    private var lastStateCount: (at: ContinuousClock.Instant, running: String?)?

    /// The address the endpoint listens on, e.g. `127.0.0.1:9464` (the chosen port when port 0 was asked for).
    public var boundAddress: String { server.boundAddress }

    /// Starts serving on `listen` (`HOST:PORT`).
    /// - Throws: ``MetricsServerError`` when `listen` is malformed or cannot be bound.
    public init(listen: String, logger: Logger) throws(MetricsServerError) {
        self.logger = logger
        server = try MetricsHTTPServer(
            address: try MetricsListenAddress(listen), metrics: metrics, health: health, logger: logger)
        logger.info("metrics listening", metadata: ["url": "http://\(server.boundAddress)/metrics"])
    }

    /// The coordinator's loop came round (every 0.1 s): the liveness clock and the gauges.
    func loopRan(workers: Int, run: ExperimentRun?, store: ExperimentStore, now: Double) {
        health.loopRan()
        metrics.setWorkersConnected(workers)
        if let run, run.trainingStarted, now > run.trainingStartedAt {
            metrics.setSamplesPerSecond(Double(run.samplesTrained) / (now - run.trainingStartedAt))
        } else {
            metrics.setSamplesPerSecond(0)
        }
        let clock = ContinuousClock.now
        if let last = lastStateCount, last.running == run?.id, clock - last.at < Self.stateCountInterval { return }
        lastStateCount = (clock, run?.id)
        do {
            metrics.setExperiments(try store.countsByState())
        } catch {
            logger.warning("cannot count the experiments for the metrics", metadata: ["error": "\(error)"])
        }
    }

    /// `run` completed a step: records the step's samples and the time of each phase.
    func stepCompleted(_ run: ExperimentRun) {
        let before = lastTotals?.run == run.id ? lastTotals! : (run: run.id, timings: StepTimings(), samples: 0)
        let (now, then) = (run.timings, before.timings)
        let compute = now.compute - then.compute
        let reduce = now.reduce - then.reduce
        let optimizer = now.optimizer - then.optimizer
        let wait = max(0, now.wall - then.wall - compute - reduce - optimizer)
        metrics.stepCompleted(
            samples: run.samplesTrained - before.samples,
            seconds: [.compute: compute, .wait: wait, .reduce: reduce, .optimizer: optimizer])
        lastTotals = (run.id, now, run.samplesTrained)
    }
}
