/// Codec throughput measurement for `fleetctl bench codec`.
public enum CodecBenchmark {
    /// Encodes and decodes `messages` realistic ``Telemetry`` samples `iterations` times each.
    ///
    /// Samples are generated from a fixed seed (varied positions, speeds, optional fields, fault codes),
    /// so figures are comparable between runs. Nothing is printed.
    /// - Returns: Messages encoded per second and messages decoded (parsed + validated) per second.
    public static func run(format: WireFormat, messages: Int, iterations: Int) -> (
        encodePerSecond: Double, decodePerSecond: Double
    ) {
        let samples = sampleTelemetry(count: max(1, messages), seed: 0x5EED_F1EE7)
        let rounds = max(1, iterations)
        let clock = ContinuousClock()

        var payloads: [[UInt8]] = []
        payloads.reserveCapacity(samples.count)
        var encodedBytes = 0
        let encodeStart = clock.now
        for round in 0..<rounds {
            for sample in samples {
                let bytes = (try? FleetCodec.encode(sample, format: format)) ?? []
                encodedBytes &+= bytes.count
                if round == 0 { payloads.append(bytes) }
            }
        }
        let encodeTime = clock.now - encodeStart

        var checksum: UInt64 = 0
        let decodeStart = clock.now
        for _ in 0..<rounds {
            for payload in payloads {
                if let decoded = try? FleetCodec.decode(Telemetry.self, from: payload, format: format) {
                    checksum &+= decoded.sequence
                }
            }
        }
        let decodeTime = clock.now - decodeStart
        blackHole(checksum &+ UInt64(encodedBytes))

        let count = Double(samples.count * rounds)
        return (count / seconds(encodeTime), count / seconds(decodeTime))
    }

    /// `count` realistic, valid telemetry samples from a deterministic generator
    /// (values carry the precision real sensors report: 7 decimals for coordinates, 1–2 elsewhere).
    public static func sampleTelemetry(count: Int, seed: UInt64) -> [Telemetry] {
        var rng = SplitMix64(seed: seed)
        let faultPool = ["P0420", "P0171", "U0100", "B1342", "BATT_TEMP_HIGH", "TPMS.LOW_FL"]
        var result: [Telemetry] = []
        result.reserveCapacity(max(0, count))
        for index in 0..<max(0, count) {
            // Ids within the identifier alphabet, some longer than the 15-byte small-string limit.
            let id = index % 3 == 0 ? "truck-\(index % 500)" : "van.berlin-mitte_\(index % 2000)"
            guard let vehicleID = VehicleID(validating: id) else { continue }
            let electric = index % 2 == 0
            let moving = Double.random(in: 0..<1, using: &rng) < 0.7
            let faults = Double.random(in: 0..<1, using: &rng) < 0.1 ? [faultPool[index % faultPool.count]] : []
            let host =
                index % 4 == 0
                ? HostMetrics(
                    cpuPercent: round(Double.random(in: 0...100, using: &rng), 1),
                    memoryPercent: round(Double.random(in: 10...90, using: &rng), 1),
                    diskPercent: round(Double.random(in: 5...95, using: &rng), 1),
                    networkRxBytesPerSecond: UInt64.random(in: 0...2_000_000, using: &rng),
                    networkTxBytesPerSecond: UInt64.random(in: 0...500_000, using: &rng)) : nil
            result.append(
                Telemetry(
                    vehicleID: vehicleID,
                    sequence: UInt64(index) &+ UInt64.random(in: 0...1_000_000, using: &rng),
                    deviceTimeMillis: 1_700_000_000_000 + Int64.random(in: 0...31_536_000_000, using: &rng),
                    position: Position(
                        latitude: round(Double.random(in: 47...55, using: &rng), 7),
                        longitude: round(Double.random(in: 5...15, using: &rng), 7),
                        accuracyMeters: round(Double.random(in: 1...25, using: &rng), 1)),
                    speedMetersPerSecond: moving ? round(Double.random(in: 1...35, using: &rng), 2) : 0,
                    headingDegrees: round(Double.random(in: 0..<359.9, using: &rng), 1),
                    odometerMeters: round(Double.random(in: 0...900_000_000, using: &rng), 1),
                    batteryPercent: electric ? round(Double.random(in: 5...100, using: &rng), 1) : nil,
                    fuelPercent: electric ? nil : round(Double.random(in: 5...100, using: &rng), 1),
                    engineTemperatureCelsius: round(Double.random(in: 20...105, using: &rng), 1),
                    rpm: electric ? nil : Double.random(in: 700...3500, using: &rng).rounded(),
                    status: faults.isEmpty ? (moving ? .moving : .idle) : .fault,
                    faultCodes: faults,
                    host: host))
        }
        return result
    }

    private static func round(_ value: Double, _ decimals: Int) -> Double {
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        return (value * scale).rounded() / scale
    }

    private static func seconds(_ duration: Duration) -> Double {
        let parts = duration.components
        let value = Double(parts.seconds) + Double(parts.attoseconds) / 1e18
        return max(value, 1e-9)
    }

    /// Keeps the optimiser from discarding the measured work.
    @_optimize(none)
    private static func blackHole(_ value: UInt64) {}
}
