public import Foundation

/// One telemetry sample from a vehicle, published on `fleet/v1/vehicles/{id}/telemetry`.
///
/// `sequence` increases by one per sample per vehicle, so receivers can detect gaps and duplicates.
public struct Telemetry: Hashable, Sendable {
    /// The reporting vehicle. Wire name `vehicle_id`.
    public var vehicleID: VehicleID
    /// Per-vehicle sequence number, starting at 0 or 1 and incremented per sample. Wire name `seq`.
    public var sequence: UInt64
    /// Device clock at sampling time, milliseconds since the Unix epoch. Wire name `device_time_ms`.
    public var deviceTimeMillis: Int64
    /// Position fix. Wire name `position` (`lat`, `lon`, `accuracy_m`).
    public var position: Position
    /// Ground speed in m/s. Wire name `speed_mps`.
    public var speedMetersPerSecond: Double
    /// Heading in degrees clockwise from north, `0..<360`. Wire name `heading_deg`.
    public var headingDegrees: Double
    /// Odometer in metres. Wire name `odometer_m`.
    public var odometerMeters: Double
    /// Battery state of charge in %, for electric vehicles. Wire name `battery_pct`.
    public var batteryPercent: Double?
    /// Fuel level in %, for combustion vehicles. Wire name `fuel_pct`.
    public var fuelPercent: Double?
    /// Engine / drive-unit temperature in °C. Wire name `engine_temp_c`.
    public var engineTemperatureCelsius: Double?
    /// Engine revolutions per minute. Wire name `rpm`.
    public var rpm: Double?
    /// What the vehicle is doing. Wire name `status`.
    public var status: VehicleStatus
    /// Active fault codes (at most 32, each `[A-Za-z0-9._-]{1,32}`). Wire name `fault_codes`.
    public var faultCodes: [String]
    /// On-board computer health, if reported. Wire name `host`.
    public var host: HostMetrics?
    /// Degradation signals for predictive maintenance, if reported. Wire name `diagnostics`.
    public var diagnostics: Diagnostics?
    /// Progress along the route the vehicle follows (``CommandAction/followRoute(_:)``), if any. Wire name `route`.
    public var route: RouteProgress?

    /// Creates a sample (not validated until ``validate()``; the codecs validate on encode and decode).
    public init(
        vehicleID: VehicleID,
        sequence: UInt64,
        deviceTimeMillis: Int64,
        position: Position,
        speedMetersPerSecond: Double,
        headingDegrees: Double,
        odometerMeters: Double,
        batteryPercent: Double? = nil,
        fuelPercent: Double? = nil,
        engineTemperatureCelsius: Double? = nil,
        rpm: Double? = nil,
        status: VehicleStatus,
        faultCodes: [String] = [],
        host: HostMetrics? = nil,
        diagnostics: Diagnostics? = nil,
        route: RouteProgress? = nil
    ) {
        self.vehicleID = vehicleID
        self.sequence = sequence
        self.deviceTimeMillis = deviceTimeMillis
        self.position = position
        self.speedMetersPerSecond = speedMetersPerSecond
        self.headingDegrees = headingDegrees
        self.odometerMeters = odometerMeters
        self.batteryPercent = batteryPercent
        self.fuelPercent = fuelPercent
        self.engineTemperatureCelsius = engineTemperatureCelsius
        self.rpm = rpm
        self.status = status
        self.faultCodes = faultCodes
        self.host = host
        self.diagnostics = diagnostics
        self.route = route
    }

    /// ``deviceTimeMillis`` as a `Date`.
    public var deviceTime: Date { TimestampPolicy.date(fromMillis: deviceTimeMillis) }

    /// Rejects impossible values: non-finite numbers, out-of-range coordinates, speed, heading,
    /// percentages, negative odometer, too many or malformed fault codes, malformed route progress.
    /// - Throws: ``ValidationError`` whose `field` is the JSON path (e.g. `position.lat`).
    public func validate() throws(ValidationError) {
        try Check.timestamp(deviceTimeMillis, "device_time_ms")
        do throws(ValidationError) { try position.validate() } catch { throw error.nested(under: "position") }
        try Check.range(speedMetersPerSecond, FleetLimits.speedMetersPerSecond, "speed_mps")
        try Check.range(headingDegrees, FleetLimits.headingDegrees, "heading_deg")
        try Check.range(odometerMeters, FleetLimits.odometerMeters, "odometer_m")
        if let batteryPercent { try Check.range(batteryPercent, FleetLimits.percent, "battery_pct") }
        if let fuelPercent { try Check.range(fuelPercent, FleetLimits.percent, "fuel_pct") }
        if let engineTemperatureCelsius {
            try Check.range(engineTemperatureCelsius, FleetLimits.engineTemperatureCelsius, "engine_temp_c")
        }
        if let rpm { try Check.range(rpm, FleetLimits.rpm, "rpm") }
        guard faultCodes.count <= FleetLimits.maxFaultCodes else {
            throw ValidationError(
                field: "fault_codes", reason: "at most \(FleetLimits.maxFaultCodes) codes allowed (got \(faultCodes.count))")
        }
        for (index, code) in faultCodes.enumerated() {
            try Check.token(code, length: FleetLimits.faultCodeLength, "fault_codes[\(index)]")
        }
        if let host {
            do throws(ValidationError) { try host.validate() } catch { throw error.nested(under: "host") }
        }
        if let diagnostics {
            do throws(ValidationError) { try diagnostics.validate() } catch { throw error.nested(under: "diagnostics") }
        }
        if let route {
            do throws(ValidationError) { try route.validate() } catch { throw error.nested(under: "route") }
        }
    }
}
