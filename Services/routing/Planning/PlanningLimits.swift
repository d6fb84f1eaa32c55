/// Bounds on what one optimisation request may ask, and the planning policy's parameters
/// (see ``RoutingConfiguration`` for the variables).
struct PlanningLimits: Hashable, Sendable {
    var snapRadiusMeters = 500.0
    var positionMaxAgeMillis: Int64 = 900_000
    var defaultTimeLimitMillis = 1_000
    var syncMaxTimeLimitMillis = 10_000
    var maxTimeLimitMillis = 120_000
    var maxStops = 2_000
    var maxVehicles = 500
    var maintenanceHoldMillis: Int64 = 24 * 3_600_000
    var maintenanceMaxSeconds = 2 * 3_600
}
