import FleetCore

/// Accepted telemetry ready to be stored, in column form (the shape bound to PostgreSQL's `unnest`).
///
/// Rows are sorted by vehicle and sequence so that concurrent writers (replicas) lock vehicles in the
/// same order and cannot deadlock.
struct TelemetryBatch: Sendable {
    /// Each row's index in the samples the batch was made from.
    var sourceIndices: [Int] = []
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
    /// The geofences at the time the batch was made; only the rows that become a vehicle's latest state are
    /// placed in them (``geofenceList(at:)``), not every row.
    let geofences: GeofenceIndex

    var count: Int { vehicles.count }
    var isEmpty: Bool { vehicles.isEmpty }

    /// Builds the batch from received samples, sorted by vehicle and sequence.
    init(_ samples: [ReceivedTelemetry], geofences: GeofenceIndex) {
        self.geofences = geofences
        let order = samples.indices.sorted { i, j in
            let (a, b) = (samples[i].telemetry, samples[j].telemetry)
            let (x, y) = (a.vehicleID.rawValue, b.vehicleID.rawValue)
            return x == y ? (a.sequence, i) < (b.sequence, j) : x < y
        }
        reserve(order.count)
        for index in order {
            let sample = samples[index]
            sourceIndices.append(index)
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
        }
    }

    private init(empty geofences: GeofenceIndex) {
        self.geofences = geofences
    }

    /// The rows at `indices` (ascending), in the same order.
    func selecting(_ indices: [Int]) -> TelemetryBatch {
        var result = TelemetryBatch(empty: geofences)
        result.reserve(indices.count)
        for i in indices {
            result.sourceIndices.append(sourceIndices[i])
            result.vehicles.append(vehicles[i])
            result.sequences.append(sequences[i])
            result.deviceMillis.append(deviceMillis[i])
            result.receivedMillis.append(receivedMillis[i])
            result.latitudes.append(latitudes[i])
            result.longitudes.append(longitudes[i])
            result.accuracies.append(accuracies[i])
            result.speeds.append(speeds[i])
            result.headings.append(headings[i])
            result.odometers.append(odometers[i])
            result.batteries.append(batteries[i])
            result.fuels.append(fuels[i])
            result.temperatures.append(temperatures[i])
            result.rpms.append(rpms[i])
            result.statuses.append(statuses[i])
            result.faultCodes.append(faultCodes[i])
        }
        return result
    }

    /// The newest row of each vehicle (latest device time, then highest sequence), one index per vehicle in
    /// vehicle order: the candidates for the vehicles' latest state.
    var newestPerVehicle: [Int] {
        var result: [Int] = []
        var index = 0
        while index < count {
            var best = index
            var next = index + 1
            while next < count && vehicles[next] == vehicles[index] {
                if deviceMillis[next] > deviceMillis[best] || (deviceMillis[next] == deviceMillis[best] && sequences[next] > sequences[best]) {
                    best = next
                }
                next += 1
            }
            result.append(best)
            index = next
        }
        return result
    }

    /// Comma-joined ids of the geofences containing row `index`'s position.
    func geofenceList(at index: Int) -> String {
        geofences.containing(Position(latitude: latitudes[index], longitude: longitudes[index])).joined(separator: ",")
    }

    private mutating func reserve(_ n: Int) {
        sourceIndices.reserveCapacity(n)
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
    }

    /// The distinct vehicles, sorted.
    var distinctVehicles: [String] {
        var result: [String] = []
        for vehicle in vehicles where result.last != vehicle { result.append(vehicle) }
        return result
    }
}
