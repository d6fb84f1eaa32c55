import FleetCore
import FleetGeo
import FleetSimulation
import Foundation
import Testing

/// Trace replay on the real data sets, and the host agent on real and fixture `/proc` files.
@Suite("Trace replay and host agent")
struct ReplayAndAgentTests {
    static let traces = Monaco.pbfURL.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("gps_traces")

    @Test("Porto taxi trips load and replay at their recorded 15 s pace")
    func portoReplay() throws {
        let traces = try GPSTraceLoader.load(.porto, from: Self.traces.appendingPathComponent(GPSTraceLoader.Source.porto.relativePath))
        #expect(traces.count > 150 && traces.count <= 200)
        #expect(traces.allSatisfy { $0.points.allSatisfy { (41...42).contains($0.coordinate.latitude) && (-9...(-8)).contains($0.coordinate.longitude) } })
        var fleet = try TraceFleet(traces: traces, idPrefix: "replay-porto", limit: 5)
        #expect(fleet.vehicleIDs.map(\.rawValue) == ["replay-porto-0001", "replay-porto-0002", "replay-porto-0003", "replay-porto-0004", "replay-porto-0005"])
        // 15 s in: exactly at each trace's second point.
        let outputs = fleet.step(seconds: 15, nowMillis: 1_790_000_000_000)
        for vehicle in 0..<5 {
            #expect(fleet.position(of: vehicle).distance(to: traces[vehicle].points[1].coordinate) < 0.01)
        }
        let samples = outputs.compactMap { output -> Telemetry? in
            if case .telemetry(_, let sample) = output { return sample }
            return nil
        }
        #expect(samples.count == 5)
        for sample in samples { _ = try FleetCodec.encode(sample) }
        // Paused, it holds; a speed limit is refused with a reason.
        let pause = try Command(id: MessageID("p"), vehicleID: fleet.vehicleIDs[0], action: .pause, issuedAtMillis: 1, expiresAtMillis: 2)
        #expect(fleet.execute(pause, vehicle: 0, nowMillis: 1) == .completed)
        let held = fleet.position(of: 0)
        _ = fleet.step(seconds: 30, nowMillis: 1_790_000_030_000)
        #expect(fleet.position(of: 0) == held && fleet.status(of: 0) == .paused)
        let limit = try Command(id: MessageID("l"), vehicleID: fleet.vehicleIDs[0], action: .setSpeedLimit(metersPerSecond: 5), issuedAtMillis: 1, expiresAtMillis: 2)
        guard case .rejected = fleet.execute(limit, vehicle: 0, nowMillis: 1) else {
            Issue.record("a speed limit on a replayed trace must be rejected")
            return
        }
    }

    @Test("Hof floating-car data loads with real timestamps, in time order")
    func hofTraces() throws {
        let traces = try GPSTraceLoader.load(.hof, from: Self.traces.appendingPathComponent(GPSTraceLoader.Source.hof.relativePath))
        #expect(traces.count > 200 && traces.count <= 263)
        for trace in traces {
            #expect(trace.points.first?.seconds == 0)
            #expect(zip(trace.points, trace.points.dropFirst()).allSatisfy { $0.seconds <= $1.seconds })
        }
        #expect(traces.map(\.duration).max()! > 60)
    }

    @Test("Malformed trace files fail with the line number")
    func malformedTraces() {
        #expect(throws: SimulationError.self) { try GPSTraceLoader.porto("1\t[[-8.6,41.1],[-8.6]]") }
        #expect(throws: SimulationError.self) { try GPSTraceLoader.hof("id,time,geometry\n0,yesterday,POINT (1 2)") }
        #expect(throws: SimulationError.self) { try GPSTraceLoader.porto("1\t[[-8.6,141.1],[-8.6,41.2]]") }
    }

    @Test("The host agent reports CPU, memory, disk and network from /proc")
    func hostAgent() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fleet-proc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("net"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        func write(cpuBusy: Int, cpuIdle: Int, rx: Int, tx: Int) throws {
            try "cpu  \(cpuBusy) 0 0 \(cpuIdle) 0 0 0 0 0 0\ncpu0 1 2 3 4\n".write(to: directory.appendingPathComponent("stat"), atomically: true, encoding: .utf8)
            try "MemTotal: 1000 kB\nMemFree: 100 kB\nMemAvailable: 250 kB\n".write(to: directory.appendingPathComponent("meminfo"), atomically: true, encoding: .utf8)
            try """
                Inter-|   Receive                                                |  Transmit
                 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
                    lo: 999999 10 0 0 0 0 0 0 999999 10 0 0 0 0 0 0
                  eth0: \(rx) 10 0 0 0 0 0 0 \(tx) 10 0 0 0 0 0 0
                """.write(to: directory.appendingPathComponent("net/dev"), atomically: true, encoding: .utf8)
        }
        try write(cpuBusy: 100, cpuIdle: 900, rx: 1_000, tx: 5_000)
        var agent = HostAgent(id: try VehicleID("agent-test"), position: GeoCoordinate(latitude: 43.7, longitude: 7.4), reader: ProcHostMetricsReader(procRoot: directory))
        _ = agent.step(seconds: 1, nowMillis: 1_790_000_000_000)
        try write(cpuBusy: 400, cpuIdle: 1_600, rx: 3_000, tx: 9_000)  // 300 of 1000 jiffies busy; +2000/+4000 bytes
        let outputs = agent.step(seconds: 2, nowMillis: 1_790_000_002_000)
        guard case .telemetry(0, let sample)? = outputs.last, let host = sample.host else {
            Issue.record("no telemetry with host metrics")
            return
        }
        #expect(host.cpuPercent == 30)
        #expect(host.memoryPercent == 75)
        #expect(host.networkRxBytesPerSecond == 1_000 && host.networkTxBytesPerSecond == 2_000)
        #expect((0...100).contains(host.diskPercent))
        #expect(sample.position.latitude == 43.7 && sample.status == .idle)
        _ = try FleetCodec.encode(sample)
        // Return to base makes no sense for a host.
        let home = try Command(id: MessageID("h"), vehicleID: agent.vehicleIDs[0], action: .returnToBase, issuedAtMillis: 1, expiresAtMillis: 2)
        #expect(agent.execute(home, vehicle: 0, nowMillis: 1) == .rejected("a host agent cannot move"))

        // The real /proc of this machine parses too.
        var real = ProcHostMetricsReader()
        _ = try real.read(nowSeconds: 0)
        let metrics = try real.read(nowSeconds: 1)
        try metrics.validate()
        #expect(metrics.memoryPercent > 0)
    }
}
