import NIOHTTP1

/// What each path of the metrics endpoint answers: `GET /metrics` in the Prometheus text format, `GET /healthz`
/// and `GET /readyz` 200 or 503 with the reason, 404 naming the paths there are, 405 for other methods.
struct MetricsRoutes: Sendable {
    /// One answer: a status and a plain-text body.
    struct Answer {
        var status: HTTPResponseStatus
        var body: String
        var contentType = "text/plain; charset=utf-8"
    }

    let metrics: CoordinatorMetrics
    let health: CoordinatorHealth

    /// The answer to `method` on `uri` (the request target; a query string is ignored).
    func answer(method: HTTPMethod, uri: String) -> Answer {
        guard method == .GET else {
            return Answer(status: .methodNotAllowed, body: "only GET is served\n")
        }
        let path = uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)[0]
        switch path {
        case "/metrics":
            return Answer(
                status: .ok, body: metrics.exposition(), contentType: "text/plain; version=0.0.4; charset=utf-8")
        case "/healthz":
            return Self.probe(health.liveness())
        case "/readyz":
            return Self.probe(health.readiness())
        default:
            return Answer(status: .notFound, body: "no such path: \(path); try /metrics, /healthz or /readyz\n")
        }
    }

    private static func probe(_ answer: CoordinatorHealth.Answer) -> Answer {
        Answer(status: answer.ok ? .ok : .serviceUnavailable, body: answer.reason + "\n")
    }
}
