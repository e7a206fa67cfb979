/// Why a dataset could not be delivered to, or stored by, a worker that fetches it: what was wrong and what to do.
public struct DeliveryError: Error, CustomStringConvertible, Sendable, Equatable {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
