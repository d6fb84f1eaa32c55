public import FleetCore
import FleetGeo

/// Vehicles that replay recorded GPS traces at their recorded pace (speed them up with the gateway's time scale).
///
/// Each vehicle follows one trace, interpolating between its points, and starts it again after a short stop at the
/// end. Pause holds it in place; resume continues the trace. A trace cannot change speed or go to a depot, so
/// `set_speed_limit` and `return_to_base` are rejected with a reason.
public struct TraceFleet: FleetModel {
    struct Vehicle: Sendable {
        let trace: GPSTrace
        /// Seconds into the trace.
        var time: Double
        /// Index of the point at or before `time`.
        var segment = 0
        var position: GeoCoordinate
        var heading = 0.0
        var speed = 0.0
        var odometer = 0.0
        var fuel = 100.0
        var paused = false
        var desiredRevision: UInt64?
        var status: VehicleStatus = .idle
        /// Seconds left standing at the end before starting over.
        var restRemaining = 0.0
    }

    public let vehicleIDs: [VehicleID]
    var vehicles: [Vehicle]
    var pending: [FleetOutput] = []
    public var faultCounts: [FaultKind: Int] { [:] }
    /// Seconds a vehicle stands at the end of its trace before replaying it again.
    static let restSeconds = 30.0

    /// One vehicle per trace (at most `limit`), with ids `<prefix>-0001`, ….
    /// - Throws: ``SimulationError`` for an invalid prefix or no usable trace.
    public init(traces: [GPSTrace], idPrefix: String, limit: Int = .max) throws(SimulationError) {
        let usable = traces.filter { $0.points.count >= 2 && $0.duration > 0 }.prefix(max(0, limit))
        guard !usable.isEmpty else { throw SimulationError("no trace with at least two timed points") }
        let setup = FleetSetup(vehicleCount: usable.count, idPrefix: idPrefix, faults: .none)
        var ids: [VehicleID] = []
        for index in usable.indices {
            guard let id = VehicleID(validating: setup.idText(index)) else {
                throw SimulationError("vehicle id \"\(setup.idText(index))\" is not valid: the prefix must match [A-Za-z0-9._-]")
            }
            ids.append(id)
        }
        vehicleIDs = ids
        vehicles = usable.map { Vehicle(trace: $0, time: 0, position: $0.points[0].coordinate) }
    }

    public func status(of vehicle: Int) -> VehicleStatus { vehicles[vehicle].status }
    /// The vehicle's current position.
    public func position(of vehicle: Int) -> GeoCoordinate { vehicles[vehicle].position }

    public mutating func step(seconds dt: Double, nowMillis: Int64) -> [FleetOutput] {
        var outputs = pending
        pending = []
        outputs.reserveCapacity(outputs.count + vehicles.count)
        for index in vehicles.indices {
            advance(index, seconds: dt)
            let status: VehicleStatus = vehicles[index].paused ? .paused : vehicles[index].speed > 0.5 ? .moving : .idle
            if status != vehicles[index].status {
                vehicles[index].status = status
                outputs.append(.statusChanged(vehicle: index, status))
            }
            let vehicle = vehicles[index]
            let heading = (vehicle.heading * 10).rounded() / 10
            outputs.append(.telemetry(vehicle: index, Telemetry(
                vehicleID: vehicleIDs[index], sequence: 0, deviceTimeMillis: nowMillis,
                position: Position(latitude: vehicle.position.latitude, longitude: vehicle.position.longitude, accuracyMeters: 5),
                speedMetersPerSecond: min(FleetLimits.speedMetersPerSecond.upperBound, (vehicle.speed * 100).rounded() / 100),
                headingDegrees: heading >= 360 ? 0 : heading,
                odometerMeters: (vehicle.odometer * 10).rounded() / 10,
                fuelPercent: (vehicle.fuel * 100).rounded() / 100,
                status: status
            )))
        }
        return outputs
    }

    mutating func advance(_ index: Int, seconds dt: Double) {
        guard !vehicles[index].paused else {
            vehicles[index].speed = 0
            return
        }
        if vehicles[index].restRemaining > 0 {
            vehicles[index].restRemaining -= dt
            vehicles[index].speed = 0
            if vehicles[index].restRemaining <= 0 {
                vehicles[index].time = 0
                vehicles[index].segment = 0
                vehicles[index].position = vehicles[index].trace.points[0].coordinate
            }
            return
        }
        let previous = vehicles[index].position
        let points = vehicles[index].trace.points
        var time = vehicles[index].time + dt
        var segment = vehicles[index].segment
        if time >= vehicles[index].trace.duration {
            time = vehicles[index].trace.duration
            vehicles[index].restRemaining = Self.restSeconds
        }
        while segment + 1 < points.count - 1 && points[segment + 1].seconds <= time { segment += 1 }
        let from = points[segment], to = points[segment + 1]
        let span = to.seconds - from.seconds
        let fraction = span > 0 ? min(1, max(0, (time - from.seconds) / span)) : 1
        let position = from.coordinate.interpolated(to: to.coordinate, fraction: fraction)
        let moved = previous.distance(to: position)
        vehicles[index].time = time
        vehicles[index].segment = segment
        vehicles[index].position = position
        vehicles[index].speed = dt > 0 ? moved / dt : 0
        vehicles[index].odometer += moved
        if moved > 0.3 { vehicles[index].heading = previous.bearing(to: position) }
        vehicles[index].fuel = max(0, vehicles[index].fuel - moved * 0.000_2)
        if vehicles[index].fuel < 10 { vehicles[index].fuel = 100 }  // refuelled between trips
    }

    public mutating func execute(_ command: Command, vehicle index: Int, nowMillis: Int64) -> CommandOutcome {
        switch command.action {
        case .pause:
            vehicles[index].paused = true
            vehicles[index].speed = 0
        case .resume:
            vehicles[index].paused = false
        case .setSpeedLimit, .clearSpeedLimit:
            return .rejected("a replayed trace cannot change its speed")
        case .returnToBase:
            return .rejected("a replayed trace has no depot to return to")
        case .followRoute:
            return .rejected("a replayed trace cannot follow a route")
        }
        return .completed
    }

    public mutating func apply(_ desired: DesiredState, vehicle index: Int) {
        if let current = vehicles[index].desiredRevision, desired.revision < current { return }
        vehicles[index].desiredRevision = desired.revision
        vehicles[index].paused = desired.paused
    }
}
