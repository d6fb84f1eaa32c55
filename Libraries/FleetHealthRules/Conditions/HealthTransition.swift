public import FleetCore

/// A condition entered or left, as the rules decided it from one vehicle's stream; the store confirms it against what
/// is recorded (so replicas and restarts never emit it twice) before its event is published.
public struct HealthTransition: Sendable, Hashable {
    /// Entered or left.
    public enum Change: String, Sendable, Hashable {
        case enter
        case leave
    }

    /// The vehicle.
    public var vehicleID: VehicleID
    /// The condition.
    public var condition: HealthCondition
    /// Entered or left.
    public var change: Change
    /// When (device time of the deciding sample, or the sweep's clock), milliseconds since the epoch.
    public var timeMillis: Int64
    /// Severity of the event.
    public var severity: Severity
    /// Event attributes (code and its text, level, thresholds, score and expected range…).
    public var attributes: [String: String]

    /// Creates a transition.
    public init(
        vehicleID: VehicleID, condition: HealthCondition, change: Change, timeMillis: Int64, severity: Severity,
        attributes: [String: String] = [:]
    ) {
        self.vehicleID = vehicleID
        self.condition = condition
        self.change = change
        self.timeMillis = timeMillis
        self.severity = severity
        self.attributes = attributes
    }

    /// The fleet event type this transition publishes, if any.
    public var eventType: FleetEventType? { change == .enter ? condition.enterEvent : condition.leaveEvent }
}
