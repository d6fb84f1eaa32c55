import Configuration
import FleetCore
import FleetGeo
import FleetMQTT
import FleetTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import FleetRouting

@Suite("Live traffic from the fleet's own speeds", .serialized)
struct TrafficTests {
    /// A named, fairly long, fast road segment of Monaco in the network's largest component.
    static func namedRoad() throws -> (edge: Int, name: String, start: GeoCoordinate, end: GeoCoordinate, heading: Double) {
        let network = RoutingHarness.network
        let graph = network.graph
        let edge = try #require(
            (0..<graph.edgeCount).filter { edge in
                graph.roadName(of: edge) != nil && graph.length(of: edge) > 150 && graph.speed(of: edge) > 8
                    && network.components.isInLargestComponent(graph.source(of: edge))
                    && network.components.isInLargestComponent(graph.target(of: edge)) && graph.geometry(of: edge).count == 2
            }.max { graph.length(of: $0) < graph.length(of: $1) })
        let points = Array(graph.geometry(of: edge))
        return (edge, graph.roadName(of: edge)!, points[0], points[1], IngestBench.bearing(from: points[0], to: points[1]))
    }

    /// Samples of `vehicles` driving along the road at `speed`, every `step` seconds from `from` to `to` (device time).
    static func samples(
        road: (edge: Int, name: String, start: GeoCoordinate, end: GeoCoordinate, heading: Double), speed: Double, from: Int64,
        to: Int64, step: Int64 = 20_000, vehicles: [String], firstSequence: UInt64
    ) -> [Telemetry] {
        var result: [Telemetry] = []
        var sequence = firstSequence
        var time = from
        while time <= to {
            for (index, vehicle) in vehicles.enumerated() {
                let fraction = 0.3 + 0.4 * Double(index) / Double(max(vehicles.count, 1))
                let point = road.start.interpolated(to: road.end, fraction: fraction)
                result.append(RoutingHarness.telemetry(
                    vehicle, seq: sequence, at: time + Int64(index), lat: point.latitude, lon: point.longitude, speed: speed,
                    heading: road.heading))
            }
            sequence += 1
            time += step
        }
        return result
    }

    @Test("a segment far below free flow raises traffic_jam with the road's name and position, and traffic_cleared when it flows")
    func jamEntersAndClears() async throws {
        let road = try Self.namedRoad()
        let freeFlow = RoutingHarness.network.graph.speed(of: road.edge)
        try await withRoutingHarness { harness in
            harness.values["fleet.routing.jamSeconds"] = 60
            harness.values["fleet.routing.jamClearSeconds"] = 60
            try await harness.run { api, _, vehicle, events in
                let now = TimestampPolicy.millis(from: .now)
                let slow = Self.samples(road: road, speed: 0.15 * freeFlow, from: now - 900_000, to: now - 480_000, vehicles: ["car-a", "car-b"], firstSequence: 1)
                for sample in slow { try await RoutingHarness.publish(sample, with: vehicle) }
                try await eventually("traffic_jam is published", seconds: 20) { !events.events(.trafficJam).isEmpty }
                let jam = try #require(events.events(.trafficJam).first)
                #expect(jam.attributes["road"] == road.name)
                #expect(jam.attributes["edge"] == "\(road.edge)")
                let lat = try #require(jam.attributes["lat"].flatMap(Double.init))
                let lon = try #require(jam.attributes["lon"].flatMap(Double.init))
                #expect(GeoCoordinate(latitude: lat, longitude: lon).distance(to: road.start.interpolated(to: road.end, fraction: 0.5)) < 50)
                #expect(jam.vehicleID == nil)
                let (status, listed) = try await RoutingHarness.call(.get, "/v1/traffic/jams", on: api)
                #expect(status == .ok)
                let jams = try #require(listed["jams"] as? [[String: Any]])
                #expect(jams.count == 1 && jams.first?["road"] as? String == road.name, "\(listed)")

                // Free flow again for several minutes: cleared once.
                let fast = Self.samples(road: road, speed: freeFlow, from: now - 460_000, to: now - 10_000, vehicles: ["car-a", "car-b"], firstSequence: 100)
                for sample in fast { try await RoutingHarness.publish(sample, with: vehicle) }
                try await eventually("traffic_cleared is published", seconds: 20) { !events.events(.trafficCleared).isEmpty }
                try await Task.sleep(for: .milliseconds(500))
                #expect(events.events(.trafficJam).count == 1, "one jam")
                #expect(events.events(.trafficCleared).count == 1, "cleared once")
                #expect(events.events(.trafficCleared).first?.attributes["reason"] == "recovered")
                let (_, after) = try await RoutingHarness.call(.get, "/v1/traffic/jams", on: api)
                #expect((after["jams"] as? [Any])?.isEmpty == true)
            }
        }
    }

    @Test("a slow-down reported by the fleet makes travel through it slower; other pairs keep their times")
    func slowDownChangesTravelTimes() async throws {
        let road = try Self.namedRoad()
        let freeFlow = RoutingHarness.network.graph.speed(of: road.edge)
        try await withRoutingHarness { harness in
            try await harness.run { api, _, vehicle, _ in
                // Just before and just after the segment, and a pair elsewhere.
                let before = road.start.interpolated(to: road.end, fraction: 0.05)
                let after = road.start.interpolated(to: road.end, fraction: 0.95)
                let elsewhere = MonacoPlaces.stops[8]
                let body: [String: Any] = [
                    "sources": [["lat": before.latitude, "lon": before.longitude], ["lat": elsewhere.lat, "lon": elsewhere.lon]],
                    "destinations": [["lat": after.latitude, "lon": after.longitude], ["lat": MonacoPlaces.stops[3].lat, "lon": MonacoPlaces.stops[3].lon]],
                ]
                func durations() async throws -> [[Double]] {
                    let (status, matrix) = try await RoutingHarness.call(.post, "/v1/matrix", json: body, on: api)
                    #expect(status == .ok, "\(matrix)")
                    return (matrix["durations_s"] as? [[Double]]) ?? []
                }
                let freeFlowTimes = try await durations()
                let now = TimestampPolicy.millis(from: .now)
                for sample in Self.samples(road: road, speed: 0.2 * freeFlow, from: now - 240_000, to: now - 5_000, vehicles: ["car-c"], firstSequence: 1) {
                    try await RoutingHarness.publish(sample, with: vehicle)
                }
                try await eventually("the slow-down reaches the travel times", seconds: 20) {
                    (try await durations().first?.first ?? 0) > 2 * (freeFlowTimes.first?.first ?? .infinity)
                }
                let slowed = try await durations()
                #expect(slowed[1][1] == freeFlowTimes[1][1], "a pair far from the slow road keeps its time")
                // Asked for free flow, the answer ignores traffic.
                var ignoring = body
                ignoring["use_traffic"] = false
                let (_, plain) = try await RoutingHarness.call(.post, "/v1/matrix", json: ignoring, on: api)
                #expect((plain["durations_s"] as? [[Double]])?.first?.first == freeFlowTimes.first?.first)
                #expect(plain["traffic_at_ms"] == nil)
            }
        }
    }
}
