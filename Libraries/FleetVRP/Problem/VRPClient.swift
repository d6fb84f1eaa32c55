/// A stop to serve: where, how much, how long, and when.
///
/// Times and durations are integers in the problem's time unit (the service uses seconds; the Solomon reader uses
/// tenths of the file's unit so truncated distances stay exact).
public struct VRPClient: Hashable, Sendable {
    /// Index into the problem's matrices.
    public var location: Int
    /// Load taken by serving this stop (same unit as vehicle capacity).
    public var demand: Int
    /// Time spent at the stop.
    public var serviceDuration: Int
    /// Service may not start before this time (the vehicle waits).
    public var earliest: Int
    /// Service must start by this time; later is time warp, which a feasible plan has none of.
    public var latest: Int
    /// Skills a vehicle needs to serve this stop, as a bit set (bit i = skill i). Zero needs none.
    public var requiredSkills: UInt64
    /// A required stop is always planned (it may make the plan infeasible); an optional one is planned only when its
    /// ``prize`` outweighs the cost of serving it.
    public var isRequired: Bool
    /// What serving an optional stop is worth, in cost units (distance). Ignored for required stops.
    public var prize: Int

    /// Creates a stop. `latest` defaults to "any time".
    public init(
        location: Int, demand: Int = 0, serviceDuration: Int = 0, earliest: Int = 0, latest: Int = VRPProblem.unbounded,
        requiredSkills: UInt64 = 0, isRequired: Bool = true, prize: Int = 0
    ) {
        self.location = location
        self.demand = demand
        self.serviceDuration = serviceDuration
        self.earliest = earliest
        self.latest = latest
        self.requiredSkills = requiredSkills
        self.isRequired = isRequired
        self.prize = prize
    }
}
