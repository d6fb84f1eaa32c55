/// A vehicle that can be given a route: where it starts, where it must end, what it carries and when it works.
public struct VRPVehicle: Hashable, Sendable {
    /// Where the route starts (a depot, or the vehicle's current position).
    public var startLocation: Int
    /// Where the route must end; `nil` ends the route at its last stop (no return trip is paid).
    public var endLocation: Int?
    /// Most load the vehicle carries.
    public var capacity: Int
    /// The route may not start before this time.
    public var shiftStart: Int
    /// The route must be back at its end (or done with its last stop when open-ended) by this time.
    public var shiftEnd: Int
    /// Longest route duration (travel, service and waiting), if limited.
    public var maximumDuration: Int?
    /// Skills this vehicle has, as a bit set (bit i = skill i).
    public var skills: UInt64

    /// Creates a vehicle. Shift defaults to "any time"; skills default to all.
    public init(
        startLocation: Int, endLocation: Int?, capacity: Int, shiftStart: Int = 0, shiftEnd: Int = VRPProblem.unbounded,
        maximumDuration: Int? = nil, skills: UInt64 = .max
    ) {
        self.startLocation = startLocation
        self.endLocation = endLocation
        self.capacity = capacity
        self.shiftStart = shiftStart
        self.shiftEnd = shiftEnd
        self.maximumDuration = maximumDuration
        self.skills = skills
    }
}
