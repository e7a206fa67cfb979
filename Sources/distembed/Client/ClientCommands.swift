import ArgumentParser
import Core
import Foundation
import Report
import Wire

/// `distembed submit SPEC`: queue an experiment on a running coordinator.
struct Submit: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Queue an experiment on a running coordinator.")

    @OptionGroup var specOptions: SpecOptions
    @OptionGroup var endpoint: CoordinatorEndpointOption

    @Flag(help: "Wait until it ends, showing progress, then print its results.")
    var wait = false

    @Option(help: "Keep it queued until this many workers are connected.")
    var minWorkers: UInt32 = 0

    @Flag(help: "Print data as JSON on the last line of stdout.")
    var json = false

    @OptionGroup var sweep: SeedsOption

    @OptionGroup var reconnect: ReconnectOption

    func run() throws {
        let text = try specOptions.text()
        // Refuse a broken spec before it travels; the size limits are the coordinator's to apply.
        _ = try specOptions.load(limits: .maximum)
        let client = try endpoint.client()
        // The submit itself is sent once: sent again, it could queue the experiment twice.
        guard case .submitReply(let submitted) = try client.request(.submitRequest(SubmitRequest(
            specJSON: text, overrides: specOptions.overrides, minWorkers: minWorkers, seeds: sweep.seeds ?? [])))
        else { throw CLIError.unexpectedReply(to: "submit") }
        client.patience = reconnect.patience
        if !submitted.sweepId.isEmpty {
            guard wait else { return try SweepOutput.printSubmitted(submitted, json: json) }
            Console.info("submitted \(submitted.sweepId): \(submitted.experimentIds.joined(separator: " "))")
            let summary = try SweepWatcher(client: client, id: submitted.sweepId).follow()
            try SweepOutput.print(client: client, id: submitted.sweepId, json: json, report: nil)
            return try ExitStatus.end(with: summary.state)
        }
        guard wait else {
            if json { try Console.json(["experimentId": submitted.experimentId]) } else {
                Console.out(submitted.experimentId)
            }
            return
        }
        Console.info("submitted \(submitted.experimentId)")
        let summary = try Watcher(client: client, id: submitted.experimentId).follow()
        try ResultsOutput.print(client: client, summary: summary, json: json)
    }
}

/// `distembed list`.
struct List: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the coordinator's experiments, oldest first.")
    @OptionGroup var endpoint: CoordinatorEndpointOption
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let client = try endpoint.client()
        var list: [ExperimentSummary] = []
        var more = true
        while more {
            guard case .listReply(let page) = try client.request(.listRequest(ListRequest(afterId: list.last?.id ?? "")))
            else { throw CLIError.unexpectedReply(to: "list") }
            list += page.experiments
            more = page.more && !page.experiments.isEmpty
        }
        if json { return try Console.json(list.map(SummaryJSON.init)) }
        Console.out(SummaryTable.text(list))
    }
}

/// `distembed status ID`.
struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show one experiment's state and progress, or a sweep's and each of its seeds'.")
    @Argument(help: "Experiment or sweep id, e.g. exp-1 or sweep-1.") var id: String
    @OptionGroup var endpoint: CoordinatorEndpointOption
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        guard case .statusReply(let s) = try endpoint.client().request(.statusRequest(.init(experimentId: id)))
        else { throw CLIError.unexpectedReply(to: "status") }
        if json { return try Console.json(SummaryJSON(s)) }
        Console.out(s.isSweep ? SweepTable.text(s) : SummaryTable.text([s]))
    }
}

/// `distembed watch ID`.
struct Watch: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Follow an experiment's progress, or a sweep's seed by seed, until it ends.")
    @Argument(help: "Experiment or sweep id.") var id: String
    @OptionGroup var endpoint: CoordinatorEndpointOption
    @Flag(help: "Print the final summary as JSON.") var json = false
    @OptionGroup var reconnect: ReconnectOption

    func run() throws {
        ShutdownSignal.install()
        let client = try endpoint.client()
        client.patience = reconnect.patience
        let isSweep = try SweepStatus.fetch(client: client, id: id).isSweep
        let summary = isSweep
            ? try SweepWatcher(client: client, id: id).follow() : try Watcher(client: client, id: id).follow()
        if json {
            try Console.json(SummaryJSON(summary))
        } else {
            Console.out("\(summary.id) \(summary.state)\(summary.message.isEmpty ? "" : ": \(summary.message)")")
        }
        try ExitStatus.end(with: summary.state)
    }
}

/// `distembed cancel ID`.
struct Cancel: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Cancel an experiment, or every experiment of a sweep: a queued one never starts, a running one "
            + "stops at the next step.")
    @Argument(help: "Experiment or sweep id.") var id: String
    @OptionGroup var endpoint: CoordinatorEndpointOption
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        guard case .cancelReply(let s) = try endpoint.client().request(.cancelRequest(.init(experimentId: id)))
        else { throw CLIError.unexpectedReply(to: "cancel") }
        if json { return try Console.json(SummaryJSON(s)) }
        if s.state == .running && !s.isSweep {
            Console.out("\(s.id) cancelling: it stops at the end of the step in progress")
        } else {
            Console.out("\(s.id) \(s.state)\(s.isSweep ? " (\(s.message))" : "")")
        }
    }
}

/// `distembed results ID`.
struct Results: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print a finished experiment's results, or a sweep's per-seed rows and statistics.")
    @Argument(help: "Experiment or sweep id.") var id: String
    @OptionGroup var endpoint: CoordinatorEndpointOption
    @Flag(help: "Print JSON.") var json = false
    @Option(help: ArgumentHelp("Also write a self-contained HTML report (curves, losses, embedding projections; "
        + "for a sweep, the distributions over seeds) here."))
    var report: String?

    func run() throws {
        let client = try endpoint.client()
        guard case .statusReply(let s) = try client.request(.statusRequest(.init(experimentId: id))) else {
            throw CLIError.unexpectedReply(to: "status")
        }
        if s.isSweep { return try SweepOutput.print(client: client, id: s.id, json: json, report: report) }
        try ResultsOutput.print(client: client, summary: s, json: json) { result in
            if let report { try ReportFile.write(result, to: report) }
        }
    }
}

/// `--report FILE.html`.
enum ReportFile {
    static func write(_ result: TrainingResult, to path: String) throws {
        try write(page: HTMLReport.render(result), to: path)
    }

    static func write(page: String, to path: String) throws {
        do {
            try page.write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            throw CLIError(.ioError, "cannot write the report to \(path): \(error.localizedDescription)")
        }
        Console.info("report written to \(path)")
    }
}

/// Fetches and prints a finished experiment's results.
enum ResultsOutput {
    static func print(
        client: CoordinatorClient, summary: ExperimentSummary, json: Bool,
        amend: (inout TrainingResult) throws -> Void = { _ in }
    ) throws {
        guard summary.state == .done else {
            let ended = [.failed, .cancelled].contains(summary.state)
            throw CLIError(ended ? ExitStatus(ended: summary.state) : .tryLater,
                           "experiment \(summary.id) is \(summary.state)"
                + (summary.message.isEmpty ? "" : ": \(summary.message)")
                + (ended ? "" : "; it has no results until it ends (`distembed watch \(summary.id)` follows it)"))
        }
        guard case .resultsReply(let reply) = try client.query(.resultsRequest(.init(experimentId: summary.id)))
        else { throw CLIError.unexpectedReply(to: "results") }
        var result = try JSONDecoder().decode(TrainingResult.self, from: Data(reply.resultJSON.utf8))
        try amend(&result)
        if json { try Console.json(result) } else { Console.out(ResultPrinter.text(result)) }
    }
}
