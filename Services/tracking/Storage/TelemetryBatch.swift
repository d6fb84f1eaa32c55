import FleetCore

/// Accepted telemetry ready to be stored, in column form (the shape bound to PostgreSQL's `unnest`).
///
/// Rows are sorted by vehicle and sequence so that concurrent writers (replicas) lock vehicles in the
/// same order and cannot deadlock.
struct TelemetryBatch: Sendable {
    var vehicles: [String] = []
    var sequences: [Int64] = []
    var deviceMillis: [Int64] = []
    var receivedMillis: [Int64] = []
    var latitudes: [Double] = []
    var longitudes: [Double] = []
    /// NaN encodes "absent" for the optional numeric columns (`NULLIF(x, 'NaN')` in SQL).
    var accuracies: [Double] = []
    var speeds: [Double] = []
    var headings: [Double] = []
    var odometers: [Double] = []
    var batteries: [Double] = []
    var fuels: [Double] = []
    var temperatures: [Double] = []
    var rpms: [Double] = []
    var statuses: [String] = []
    /// Comma-joined fault codes (codes never contain commas); empty for none.
    var faultCodes: [String] = []
    /// Comma-joined ids of the geofences containing the position.
    var geofences: [String] = []

    var count: Int { vehicles.count }
    var isEmpty: Bool { vehicles.isEmpty }

    /// Builds the batch from received samples, sorted by vehicle and sequence.
    /// `geofencesOf` returns the ids of the geofences containing a position.
    init(_ samples: [ReceivedTelemetry], geofencesOf: (Position) -> [String]) {
        let sorted = samples.sorted { a, b in
            let (x, y) = (a.telemetry.vehicleID.rawValue, b.telemetry.vehicleID.rawValue)
            return x == y ? a.telemetry.sequence < b.telemetry.sequence : x < y
        }
        reserve(sorted.count)
        for sample in sorted {
            let telemetry = sample.telemetry
            vehicles.append(telemetry.vehicleID.rawValue)
            sequences.append(Int64(clamping: telemetry.sequence))
            deviceMillis.append(telemetry.deviceTimeMillis)
            receivedMillis.append(sample.receivedMillis)
            latitudes.append(telemetry.position.latitude)
            longitudes.append(telemetry.position.longitude)
            accuracies.append(telemetry.position.accuracyMeters ?? .nan)
            speeds.append(telemetry.speedMetersPerSecond)
            headings.append(telemetry.headingDegrees)
            odometers.append(telemetry.odometerMeters)
            batteries.append(telemetry.batteryPercent ?? .nan)
            fuels.append(telemetry.fuelPercent ?? .nan)
            temperatures.append(telemetry.engineTemperatureCelsius ?? .nan)
            rpms.append(telemetry.rpm ?? .nan)
            statuses.append(telemetry.status.rawValue)
            faultCodes.append(telemetry.faultCodes.joined(separator: ","))
            geofences.append(geofencesOf(telemetry.position).joined(separator: ","))
        }
    }

    private mutating func reserve(_ n: Int) {
        vehicles.reserveCapacity(n)
        sequences.reserveCapacity(n)
        deviceMillis.reserveCapacity(n)
        receivedMillis.reserveCapacity(n)
        latitudes.reserveCapacity(n)
        longitudes.reserveCapacity(n)
        accuracies.reserveCapacity(n)
        speeds.reserveCapacity(n)
        headings.reserveCapacity(n)
        odometers.reserveCapacity(n)
        batteries.reserveCapacity(n)
        fuels.reserveCapacity(n)
        temperatures.reserveCapacity(n)
        rpms.reserveCapacity(n)
        statuses.reserveCapacity(n)
        faultCodes.reserveCapacity(n)
        geofences.reserveCapacity(n)
    }

    /// The distinct vehicles, sorted.
    var distinctVehicles: [String] {
        var result: [String] = []
        for vehicle in vehicles where result.last != vehicle { result.append(vehicle) }
        return result
    }
}
