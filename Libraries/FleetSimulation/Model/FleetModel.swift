public import FleetCore

/// A set of simulated vehicles the ``SimulationGateway`` drives and speaks for.
///
/// Implementations are deterministic value types: the same inputs (seed, steps, commands) give the same outputs,
/// and time only moves through ``step(seconds:nowMillis:)``, so tests drive them with their own clock.
public protocol FleetModel: Sendable {
    /// The vehicles, by index. Never changes after creation.
    var vehicleIDs: [VehicleID] { get }
    /// Advances every vehicle by `seconds` of simulated time; `nowMillis` is the wall-clock time stamped on samples.
    /// Emits exactly one ``FleetOutput/telemetry(vehicle:_:)`` per vehicle, plus any other outputs.
    mutating func step(seconds: Double, nowMillis: Int64) -> [FleetOutput]
    /// Executes a valid, unexpired command addressed to vehicle `vehicle`.
    mutating func execute(_ command: Command, vehicle: Int, nowMillis: Int64) -> CommandOutcome
    /// Converges vehicle `vehicle` to a desired state (pause and speed limit).
    mutating func apply(_ desired: DesiredState, vehicle: Int)
    /// The vehicle's current status.
    func status(of vehicle: Int) -> VehicleStatus
    /// Faults injected so far, by kind (empty for models without fault injection).
    var faultCounts: [FaultKind: Int] { get }
}
