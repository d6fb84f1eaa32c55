import FleetCore
public import FleetGeo
import Foundation

/// CPU cost of the per-message work the routing service does with ``TrafficMonitor`` (nothing is printed).
///
/// Synthetic but realistic input: `vehicles` vehicles drive random walks over the graph (random successor at each
/// node), reporting every 5 s with ±4 m position noise and ±10° heading noise; one edge in ten is congested (15 % of
/// its speed, a third of those samples at standstill). All telemetry values are built before timing. Timed with the
/// thread's CPU clock (not wall time, which on a shared machine counts other tenants), after a warm-up pass.
public enum TrafficBenchmark {
    /// Figures from one ``run(graph:vehicles:samples:seed:)``.
    public struct Result: Hashable, Sendable {
        /// Samples timed.
        public var samples: Int
        /// Directed edges of the graph.
        public var edgeCount: Int
        /// Time to build the matcher's index, seconds.
        public var indexBuildSeconds: Double
        /// Fraction of samples placed on an edge.
        public var matchedFraction: Double
        /// Fraction of samples counted as speed observations.
        public var countedFraction: Double
        /// Fraction of samples matched to the edge they were generated on (or another edge of the same way,
        /// which shares the geometry at junctions).
        public var correctEdgeFraction: Double
        /// CPU time of ``MapMatcher/match(_:headingDegrees:speedMetersPerSecond:previousEdge:)`` alone, nanoseconds
        /// per sample.
        public var matchNanosecondsPerSample: Double
        /// CPU time of ``TrafficMonitor/observe(_:trace:)`` (status check, match, smoothing, jam detection),
        /// nanoseconds per sample: the per-message cost.
        public var observeNanosecondsPerSample: Double
        /// CPU time of one ``TrafficMonitor/travelTimes(atSeconds:)``, milliseconds.
        public var travelTimesMilliseconds: Double
        /// Jam events emitted during the timed pass.
        public var jamEvents: Int
        /// Bytes of the matcher's index plus the speed and jam state (the graph not counted).
        public var stateBytes: Int
    }

    private struct Generated {
        var telemetry: [Telemetry] = []
        var vehicle: [Int32] = []
        var edge: [Int32] = []
    }

    /// Times `samples` samples of `vehicles` vehicles on `graph` (fixed `seed`).
    public static func run(
        graph: RoadGraph, vehicles: Int = 1_000, samples: Int = 200_000, seed: UInt64 = 0x7EA_FF1C
    ) -> Result {
        let buildStart = ThreadCPUClock.now()
        var monitor = TrafficMonitor(graph: graph)
        let indexBuildSeconds = ThreadCPUClock.now() - buildStart
        guard graph.edgeCount > 0, vehicles > 0, samples > 0 else {
            return Result(
                samples: 0, edgeCount: graph.edgeCount, indexBuildSeconds: indexBuildSeconds, matchedFraction: 0,
                countedFraction: 0, correctEdgeFraction: 0, matchNanosecondsPerSample: 0,
                observeNanosecondsPerSample: 0, travelTimesMilliseconds: 0, jamEvents: 0, stateBytes: 0)
        }
        let input = generate(graph: graph, vehicles: vehicles, samples: samples, seed: seed)
        let matcher = monitor.matcher

        // Warm-up, then map matching alone.
        var matched = 0
        var correct = 0
        for telemetry in input.telemetry.prefix(10_000) { blackHole(match(matcher, telemetry)) }
        let matchStart = ThreadCPUClock.now()
        for (index, telemetry) in input.telemetry.enumerated() {
            if let edge = match(matcher, telemetry) {
                matched += 1
                let expected = Int(input.edge[index])
                if edge == expected || graph.wayID(of: edge) == graph.wayID(of: expected) { correct += 1 }
            }
        }
        let matchSeconds = ThreadCPUClock.now() - matchStart

        // The whole per-message work, on a fresh state.
        var traces = [VehicleTrace](repeating: VehicleTrace(), count: vehicles)
        var counted = 0
        var events = 0
        let observeStart = ThreadCPUClock.now()
        for (index, telemetry) in input.telemetry.enumerated() {
            let update = monitor.observe(telemetry, trace: &traces[Int(input.vehicle[index])])
            if case .counted = update.disposition { counted += 1 }
            if update.jamEvent != nil { events += 1 }
        }
        let observeSeconds = ThreadCPUClock.now() - observeStart

        let lastTime = Double(input.telemetry.last?.deviceTimeMillis ?? 0) / 1000
        let timesStart = ThreadCPUClock.now()
        let times = monitor.travelTimes(atSeconds: lastTime)
        let timesSeconds = ThreadCPUClock.now() - timesStart
        blackHole(times.count)

        let count = Double(input.telemetry.count)
        return Result(
            samples: input.telemetry.count, edgeCount: graph.edgeCount, indexBuildSeconds: indexBuildSeconds,
            matchedFraction: Double(matched) / count, countedFraction: Double(counted) / count,
            correctEdgeFraction: Double(correct) / count, matchNanosecondsPerSample: matchSeconds * 1e9 / count,
            observeNanosecondsPerSample: observeSeconds * 1e9 / count, travelTimesMilliseconds: timesSeconds * 1e3,
            jamEvents: events,
            stateBytes: matcher.indexMemoryBytes + monitor.speeds.memoryBytes + monitor.jams.memoryBytes)
    }

    private static func match(_ matcher: MapMatcher, _ telemetry: Telemetry) -> Int? {
        matcher.match(
            GeoCoordinate(latitude: telemetry.position.latitude, longitude: telemetry.position.longitude),
            headingDegrees: telemetry.headingDegrees, speedMetersPerSecond: telemetry.speedMetersPerSecond
        ).matchedPosition?.edge
    }

    /// Random walks with noise; see the type's documentation.
    private static func generate(graph: RoadGraph, vehicles: Int, samples: Int, seed: UInt64) -> Generated {
        var rng = SplitMix64(seed: seed)
        let congested = (0..<graph.edgeCount).map { _ in Double.random(in: 0..<1, using: &rng) < 0.1 }
        let vehicleIDs = (0..<vehicles).map { index in
            // Valid by construction: digits and a letter prefix.
            (try? VehicleID("bench-\(index)")) ?? (try! VehicleID("bench"))
        }
        var edges = (0..<vehicles).map { _ in Int.random(in: 0..<graph.edgeCount, using: &rng) }
        var offsets = edges.map { Double.random(in: 0...graph.length(of: $0), using: &rng) }
        var output = Generated()
        output.telemetry.reserveCapacity(samples)
        let metersPerDegree = GeoCoordinate.earthRadiusMeters * .pi / 180
        let startMillis: Int64 = 1_700_000_000_000
        let interval = 5.0
        for index in 0..<samples {
            let vehicle = index % vehicles
            let step = index / vehicles
            // Advance along the walk.
            var edge = edges[vehicle]
            let freeFlow = graph.speed(of: edge)
            var speed = freeFlow * Double.random(in: 0.6...1.0, using: &rng)
            if congested[edge] {
                speed = Double.random(in: 0..<1, using: &rng) < 1.0 / 3 ? 0 : freeFlow * 0.15
            }
            if step > 0 {
                var offset = offsets[vehicle] + speed * interval
                while offset > graph.length(of: edge) {
                    offset -= graph.length(of: edge)
                    let next = graph.outgoingEdges(of: graph.target(of: edge))
                    edge = next.isEmpty ? Int.random(in: 0..<graph.edgeCount, using: &rng) : next.randomElement(using: &rng)!
                }
                edges[vehicle] = edge
                offsets[vehicle] = offset
            }
            let offset = offsets[vehicle]
            let here = graph.position(onEdge: edge, atOffset: offset)
            let behind = graph.position(onEdge: edge, atOffset: offset - 2)
            let ahead = graph.position(onEdge: edge, atOffset: offset + 2)
            let cosine = cos(here.latitude * .pi / 180)
            let east = (ahead.longitude - behind.longitude) * cosine
            let north = ahead.latitude - behind.latitude
            var heading = atan2(east, north) * 180 / .pi + Double.random(in: -10...10, using: &rng)
            heading = (heading.truncatingRemainder(dividingBy: 360) + 360).truncatingRemainder(dividingBy: 360)
            let latitude = here.latitude + Double.random(in: -4...4, using: &rng) / metersPerDegree
            let longitude = here.longitude + Double.random(in: -4...4, using: &rng) / (metersPerDegree * cosine)
            output.telemetry.append(
                Telemetry(
                    vehicleID: vehicleIDs[vehicle], sequence: UInt64(step),
                    deviceTimeMillis: startMillis + Int64(Double(step) * interval * 1000),
                    position: Position(latitude: latitude, longitude: longitude), speedMetersPerSecond: speed,
                    headingDegrees: heading.isFinite ? heading : 0, odometerMeters: 0,
                    status: speed > 0 ? .moving : .idle))
            output.vehicle.append(Int32(vehicle))
            output.edge.append(Int32(edge))
        }
        return output
    }

    @inline(never)
    private static func blackHole<T>(_ value: T) {
        withExtendedLifetime(value) {}
    }
}
