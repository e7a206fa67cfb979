/// One line of an experiment's log, as `watch` replays it.
public struct StoredEvent: Codable, Sendable, Equatable {
    /// The event's place in its experiment's log: 1, 2, 3, ...
    public var sequence: Int64
    /// When it happened (unix seconds).
    public var time: Double
    /// What kind of event it is, such as `epoch` or `worker`.
    public var kind: String
    /// The human-readable line.
    public var line: String
}
