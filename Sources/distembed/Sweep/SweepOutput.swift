import Core
import Foundation
import Report
import Wire

/// Fetches and prints a sweep's results: text or one JSON object, and the HTML report when asked.
enum SweepOutput {
    static func print(client: CoordinatorClient, id: String, json: Bool, report: String?) throws {
        guard case .resultsReply(let reply) = try client.query(.resultsRequest(.init(experimentId: id))),
            !reply.sweepResultJSON.isEmpty
        else { throw CLIError.unexpectedReply(to: "sweep results") }
        let result = try JSONDecoder().decode(SweepResult.self, from: Data(reply.sweepResultJSON.utf8))
        if let report { try ReportFile.write(page: SweepReport.render(result), to: report) }
        if json { try Console.json(result) } else { Console.out(SweepPrinter.text(result)) }
    }

    /// `submit --seeds` without `--wait`: the sweep's id and its experiments'.
    static func printSubmitted(_ reply: SubmitReply, json: Bool) throws {
        if json {
            try Console.json(SubmittedSweep(sweepId: reply.sweepId, experimentIds: reply.experimentIds))
        } else {
            Console.out(reply.sweepId)
        }
    }

    private struct SubmittedSweep: Encodable {
        var sweepId: String
        var experimentIds: [String]
    }
}
