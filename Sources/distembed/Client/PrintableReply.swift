import Core
import Wire

/// A coordinator's reply with every text field a peer could have written made safe for a terminal
/// (``PrintableText``): a name or a message with an escape sequence must not clear or rewrite the screen of whoever
/// runs `list`, and a newline must not forge an output line.
extension WireMessage {
    var printable: WireMessage {
        switch self {
        case .statusReply(let s): .statusReply(s.printable)
        case .cancelReply(let s): .cancelReply(s.printable)
        case .listReply(let all): .listReply(all.map(\.printable))
        case .watchReply(var reply):
            {
                reply.summary = reply.summary.printable
                reply.events = reply.events.map {
                    var event = $0
                    event.line = PrintableText.escaped(event.line, limit: 2000)
                    return event
                }
                return .watchReply(reply)
            }()
        default: self
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
