import ArgumentParser
import FleetCore
import FleetGeo
import FleetTraffic
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// `fleet-routing bench ingest`: CPU per telemetry message of what the consumer does with it — decode and validate
/// (FleetCore, as tracking), record the position, map-match and update speeds and jams — on encoded samples of
/// vehicles driving the road network. The MQTT client's own work (socket reads, buffering) is not in this figure.
struct IngestBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "CPU per telemetry message of the routing consumer's pipeline (thread CPU time).",
        discussion: "  fleet-routing bench ingest --samples 200000 --format json"
    )

    @Option(help: "OSM extract.") var map = "../shared/data/road_network/monaco.osm.pbf"
    @Option(help: "Samples.") var samples = 200_000
    @Option(help: "Vehicles.") var vehicles = 1_000
    @Option(help: "Wire format: json or binary.") var format = "json"
    @Option(help: "Repetitions.") var runs = 3

    func run() async throws {
        guard let wire = WireFormat(rawValue: format) else { throw ValidationError("--format is json or binary") }
        let graph = try RoadGraph.load(contentsOf: URL(fileURLWithPath: map))
        let network = RoadNetwork(graph: graph)
        var random = SplitMix64(seed: 0x1E57)
        let now = TimestampPolicy.millis(from: .now)
        // Vehicles on random edges of the largest component, moving along them.
        var payloads: [[UInt8]] = []
        var topics: [VehicleID] = []
        let ids = try (0..<vehicles).map { try VehicleID("bench-\($0)") }
        for index in 0..<samples {
            let vehicle = index % vehicles
            let edge = Int(random.next() % UInt64(graph.edgeCount))
            guard network.components.isInLargestComponent(graph.source(of: edge)) else { continue }
            let geometry = Array(graph.geometry(of: edge))
            let fraction = Double(random.next() % 1_000) / 1_000
            let point = geometry[0].interpolated(to: geometry[geometry.count - 1], fraction: fraction)
            let heading = Self.bearing(from: geometry[0], to: geometry[geometry.count - 1])
            let telemetry = Telemetry(
                vehicleID: ids[vehicle], sequence: UInt64(index), deviceTimeMillis: now - Int64(samples - index) * 10,
                position: Position(latitude: point.latitude, longitude: point.longitude),
                speedMetersPerSecond: graph.speed(of: edge) * 0.8, headingDegrees: heading, odometerMeters: Double(index),
                batteryPercent: 80, status: .moving)
            payloads.append(try FleetCodec.encode(telemetry, format: wire))
            topics.append(ids[vehicle])
        }
        emit("bench ingest: \(payloads.count) \(format) samples of \(vehicles) vehicles on \(graph.edgeCount) edges")
        emit("run  ns_per_msg  counted  unmatched")
        var figures: [Double] = []
        for run in 1...runs {
            let fleet = FleetView()
            let traffic = TrafficLayer(graph: graph, configuration: .init())
            let validator = TelemetryValidator(timestamps: TimestampPolicy(maxFutureSkewMillis: 30_000, maxAgeMillis: 3_600_000))
            var counted = 0
            var unmatched = 0
            let start = Self.threadCPUNanoseconds()
            for (payload, vehicle) in zip(payloads, topics) {
                guard case .accepted(let telemetry) = validator.validate(payload, topicVehicle: vehicle, nowMillis: now) else { continue }
                fleet.record(
                    telemetry.vehicleID.rawValue,
                    position: GeoCoordinate(latitude: telemetry.position.latitude, longitude: telemetry.position.longitude),
                    millis: telemetry.deviceTimeMillis)
                switch traffic.observe(telemetry).disposition {
                case .counted: counted += 1
                case .unmatched: unmatched += 1
                default: break
                }
            }
            let perMessage = Double(Self.threadCPUNanoseconds() - start) / Double(payloads.count)
            figures.append(perMessage)
            emit(String(format: "%3d  %10.0f  %7d  %9d", run, perMessage, counted, unmatched))
        }
        emit(String(format: "ingest %@ cpu_us_per_msg min=%.2f max=%.2f (target <= 5)", format, (figures.min() ?? 0) / 1_000, (figures.max() ?? 0) / 1_000))
    }

    /// Initial great-circle bearing in degrees, 0…360.
    static func bearing(from a: GeoCoordinate, to b: GeoCoordinate) -> Double {
        let φ1 = a.latitude * .pi / 180
        let φ2 = b.latitude * .pi / 180
        let Δλ = (b.longitude - a.longitude) * .pi / 180
        let y = sin(Δλ) * cos(φ2)
        let x = cos(φ1) * sin(φ2) - sin(φ1) * cos(φ2) * cos(Δλ)
        let degrees = atan2(y, x) * 180 / .pi
        return degrees < 0 ? degrees + 360 : degrees
    }

    static func threadCPUNanoseconds() -> Int64 {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec)
    }
}
