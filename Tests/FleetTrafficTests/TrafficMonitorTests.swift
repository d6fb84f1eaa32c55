import FleetCore
import FleetGeo
import FleetTraffic
import Foundation
import Testing

@Suite("Traffic monitor")
struct TrafficMonitorTests {
    private func telemetry(
        _ vehicle: String, at seconds: Double, _ position: GeoCoordinate, heading: Double, speed: Double,
        status: VehicleStatus = .moving
    ) throws -> Telemetry {
        Telemetry(
            vehicleID: try VehicleID(vehicle), sequence: UInt64(seconds), deviceTimeMillis: Int64(seconds * 1000),
            position: Position(latitude: position.latitude, longitude: position.longitude),
            speedMetersPerSecond: speed, headingDegrees: heading, odometerMeters: 0, status: status)
    }

    @Test("Slow fleet samples on a Monaco street start a named, located jam; recovery clears it")
    func jamOnMonaco() throws {
        let graph = try SharedData.monaco.get()
        var monitor = TrafficMonitor(graph: graph)
        // A two-way named street section of at least 80 m with a straight first segment.
        let edge = try #require(
            (0..<graph.edgeCount).first { edge in
                let points = Array(graph.geometry(of: edge))
                return graph.roadName(of: edge) != nil && graph.reverseEdge(of: edge) != nil
                    && graph.length(of: edge) >= 80 && points[0].distance(to: points[1]) >= 40
            })
        let points = Array(graph.geometry(of: edge))
        let position = points[0].interpolated(to: points[1], fraction: 0.5)
        let heading = atan2(
            (points[1].longitude - points[0].longitude) * cos(points[0].latitude * .pi / 180),
            points[1].latitude - points[0].latitude) * 180 / .pi
        let headingDegrees = (heading + 360).truncatingRemainder(dividingBy: 360)
        let freeFlow = graph.speed(of: edge)

        var traces = [VehicleTrace(), VehicleTrace(), VehicleTrace()]
        var events: [JamEvent] = []
        for second in stride(from: 0.0, through: 600, by: 10) {
            for vehicle in traces.indices {
                let update = monitor.observe(
                    try telemetry("van-\(vehicle)", at: 1_000_000 + second, position, heading: headingDegrees, speed: freeFlow * 0.2),
                    trace: &traces[vehicle])
                guard case .counted(let matched, _) = update.disposition else {
                    Issue.record("sample not counted: \(update.disposition)")
                    return
                }
                #expect(matched == edge)
                events += update.jamEvent.map { [$0] } ?? []
            }
        }
        #expect(events.count == 1)
        let started = try #require(events.first)
        #expect(started.kind == .started && started.segment == edge)
        #expect(started.atSeconds == 1_000_180)
        #expect(started.roadName == graph.roadName(of: edge))
        let middle = graph.position(onEdge: edge, atOffset: graph.length(of: edge) / 2)
        #expect(try #require(started.coordinate).distance(to: middle) < 0.01)
        #expect(abs(started.freeFlowSpeed - freeFlow) < 1e-9)
        #expect(monitor.travelTimes(atSeconds: 1_000_600)[edge] > 4 * graph.travelTime(of: edge))

        events = []
        for second in stride(from: 610.0, through: 1_200, by: 10) {
            let update = monitor.observe(
                try telemetry("van-0", at: 1_000_000 + second, position, heading: headingDegrees, speed: freeFlow),
                trace: &traces[0])
            events += update.jamEvent.map { [$0] } ?? []
        }
        #expect(events.map(\.kind) == [.cleared])
        #expect(monitor.sweep(atSeconds: 1_100_000).isEmpty)
    }

    @Test("Standstill counts on a road for 5 minutes, then the vehicle is parked; paused vehicles never count")
    func standstillPolicy() throws {
        var monitor = TrafficMonitor(graph: Town.graph)
        var trace = VehicleTrace()
        let point = Town.coordinate(x: 100, y: 2)
        for second in stride(from: 0.0, through: 300, by: 30) {
            let update = monitor.observe(try telemetry("v1", at: second, point, heading: 90, speed: 0, status: .idle), trace: &trace)
            #expect(update.disposition == .counted(edge: Town.eastbound, smoothedSpeed: 0))
        }
        let parked = monitor.observe(try telemetry("v1", at: 330, point, heading: 90, speed: 0, status: .idle), trace: &trace)
        #expect(parked.disposition == .parked(edge: Town.eastbound))
        // Moving again ends the standstill.
        let moving = monitor.observe(try telemetry("v1", at: 340, point, heading: 90, speed: 5), trace: &trace)
        #expect(moving.disposition == .counted(edge: Town.eastbound, smoothedSpeed: monitor.speeds.observation(of: Town.eastbound)!.smoothedSpeed))
        #expect(trace.standstillSinceSeconds == nil && trace.lastEdge == Town.eastbound)

        var other = VehicleTrace()
        for status in [VehicleStatus.paused, .charging, .fault] {
            #expect(monitor.observe(try telemetry("v2", at: 400, point, heading: 90, speed: 0, status: status), trace: &other).disposition == .notDriving)
        }
        #expect(monitor.observe(try telemetry("v2", at: 400, Town.coordinate(x: 100, y: 80), heading: 90, speed: 9), trace: &other).disposition == .unmatched(.noRoadNearby))
    }
}
