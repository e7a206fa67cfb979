import Prometheus

/// The coordinator's Prometheus metrics. They live in a registry of their own rather than behind the global
/// `MetricsSystem`, so several coordinators in one process (as in tests) keep separate numbers. Every instrument
/// is thread-safe: the coordinator's thread records, the HTTP server's event loop reads ``exposition()``.
final class CoordinatorMetrics: Sendable {
    /// Where a step's wall time goes, as ``StepTimings`` splits it.
    enum StepPhase: String, CaseIterable {
        /// The slowest worker's chunk gradients.
        case compute
        /// The rest of the step before the reduction: messages, (de)serialisation, waiting for results.
        case wait
        /// Completing the chunk tree on the coordinator.
        case reduce
        /// Adam's update on the coordinator.
        case optimizer
    }

    /// 25 µs to 10 s: the exercise's reduction and Adam take tens of microseconds a step, its compute and wait a
    /// few milliseconds; a large batch or a slow link, seconds.
    static let secondsBuckets: [Double] = [
        0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
        5, 10,
    ]

    private let registry: PrometheusCollectorRegistry
    private let experiments: [ExperimentState: Gauge]
    private let workersConnected: Gauge
    private let steps: Counter
    private let samples: Counter
    private let samplesPerSecond: Gauge
    private let stepPhases: [StepPhase: ValueHistogram]
    private let workersJoined: Counter
    private let workersLost: Counter
    private let checkpoints: ValueHistogram
    private let dataBytesServed: Counter
    private let dataFetchers: Gauge

    init() {
        let registry = PrometheusCollectorRegistry()
        self.registry = registry
        func name(_ base: String, unit: String = "", _ help: String) -> MetricNameDescriptor {
            MetricNameDescriptor(namespace: "distembed", metricName: base, unitName: unit, helpText: help)
        }
        let experimentsName = name("experiments", "Experiments in the store, by state.")
        experiments = Dictionary(uniqueKeysWithValues: ExperimentState.allCases.map {
            ($0, registry.makeGauge(descriptor: experimentsName, labels: [("state", $0.rawValue)]))
        })
        workersConnected = registry.makeGauge(descriptor: name("workers_connected", "Workers connected now."))
        steps = registry.makeCounter(
            descriptor: name("steps", unit: "total", "Training steps completed (Adam updates)."))
        samples = registry.makeCounter(
            descriptor: name("samples", unit: "total", "Training samples in completed steps."))
        samplesPerSecond = registry.makeGauge(descriptor: name(
            "samples_per_second", "Training samples per second of the running experiment since it started in this "
                + "process; 0 when none runs."))
        let phaseName = name("step_phase", unit: "seconds", "Where each training step's time goes, by phase.")
        stepPhases = Dictionary(uniqueKeysWithValues: StepPhase.allCases.map {
            ($0, registry.makeValueHistogram(
                descriptor: phaseName, labels: [("phase", $0.rawValue)], buckets: Self.secondsBuckets))
        })
        workersJoined = registry.makeCounter(descriptor: name("workers_joined", unit: "total", "Workers welcomed."))
        workersLost = registry.makeCounter(descriptor: name(
            "workers_lost", unit: "total", "Workers that left, timed out or were dropped."))
        checkpoints = registry.makeValueHistogram(
            descriptor: name("checkpoint", unit: "seconds", "Time to write each checkpoint to the store."),
            buckets: Self.secondsBuckets)
        dataBytesServed = registry.makeCounter(descriptor: name(
            "data_served", unit: "bytes_total", "Dataset bytes served to workers that fetch it (--fetch-data)."))
        dataFetchers = registry.makeGauge(descriptor: name(
            "data_fetchers", "Connections fetching the dataset now (asked for a piece in the last 3 s)."))
    }

    func dataServed(bytes: Int) {
        dataBytesServed.increment(by: Int64(bytes))
    }

    func setDataFetchers(_ count: Int) {
        dataFetchers.set(Double(count))
    }

    /// Sets the number of experiments in every state.
    func setExperiments(_ counts: [ExperimentState: Int]) {
        for (state, gauge) in experiments { gauge.set(Double(counts[state] ?? 0)) }
    }

    func setWorkersConnected(_ count: Int) {
        workersConnected.set(Double(count))
    }

    func setSamplesPerSecond(_ rate: Double) {
        samplesPerSecond.set(rate)
    }

    /// One training step completed: `samples` trained, `seconds` spent in each phase.
    func stepCompleted(samples count: Int, seconds: [StepPhase: Double]) {
        steps.increment()
        samples.increment(by: Int64(count))
        for (phase, value) in seconds { stepPhases[phase]?.record(value) }
    }

    func workerJoined() {
        workersJoined.increment()
    }

    func workerLost() {
        workersLost.increment()
    }

    func checkpointWritten(seconds: Double) {
        checkpoints.record(seconds)
    }

    /// Every metric in the Prometheus text exposition format (version 0.0.4).
    func exposition() -> String {
        registry.emitToString()
    }
}
