/// How a car may travel along one OSM way, as decided by ``DrivingProfile``.
public struct WayTraversal: Hashable, Sendable {
    /// The way's road class.
    public var roadClass: RoadClass
    /// Travel allowed in node order.
    public var forward: Bool
    /// Travel allowed against node order.
    public var backward: Bool
    /// Speed in node order, km/h.
    public var forwardSpeedKilometresPerHour: Double
    /// Speed against node order, km/h.
    public var backwardSpeedKilometresPerHour: Double

    /// Creates a traversal.
    public init(
        roadClass: RoadClass, forward: Bool, backward: Bool, forwardSpeedKilometresPerHour: Double,
        backwardSpeedKilometresPerHour: Double
    ) {
        self.roadClass = roadClass
        self.forward = forward
        self.backward = backward
        self.forwardSpeedKilometresPerHour = forwardSpeedKilometresPerHour
        self.backwardSpeedKilometresPerHour = backwardSpeedKilometresPerHour
    }
}
