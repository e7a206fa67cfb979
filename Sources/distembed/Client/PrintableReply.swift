import Core
import Wire

/// A coordinator's reply with every text field a peer could have written made safe for a terminal
/// (``PrintableText``): a name or a message with an escape sequence must not clear or rewrite the screen of whoever
/// runs `list`, and a newline must not forge an output line.
extension WireMessage {
    var printable: WireMessage {
        switch self {
        case .statusReply(let s):
            return .statusReply(s.printable)
        case .cancelReply(let s):
            return .cancelReply(s.printable)
        case .listReply(var page):
            page.experiments = page.experiments.map(\.printable)
            return .listReply(page)
        case .watchReply(var reply):
            reply.summary = reply.summary.printable
            for i in reply.events.indices {
                reply.events[i].line = PrintableText.escaped(reply.events[i].line, limit: 2000)
            }
            return .watchReply(reply)
        default:
            return self
        }
    }
}

extension ExperimentSummary {
    var printable: ExperimentSummary {
        var s = self
        s.id = PrintableText.escaped(id, limit: 100)
        s.name = PrintableText.escaped(name, limit: 200)
        s.message = PrintableText.escaped(message, limit: 2000)
        s.sweepId = PrintableText.escaped(sweepId, limit: 100)
        s.sweepExperiments = sweepExperiments.map(\.printable)
        return s
    }
}
