/// A simulation that cannot be set up (bad map, bad configuration, unreadable trace).
public struct SimulationError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong.
    public var reason: String

    /// Creates an error.
    public init(_ reason: String) {
        self.reason = reason
    }

    public var description: String { reason }
}
