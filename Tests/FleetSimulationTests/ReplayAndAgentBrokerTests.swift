import FleetCore
import FleetGeo
import FleetMQTT
import FleetSimulation
import FleetTestSupport
import Foundation
import Testing

/// Trace replay and the host agent through a real broker: the same gateway as the simulator publishes them.
@Suite("Trace replay and host agent through a broker")
struct ReplayAndAgentBrokerTests {
    static let configuration = GatewayConfiguration(tickInterval: .milliseconds(100), timeScale: 20, retainedWait: .milliseconds(200))

    @Test("The host agent publishes this host's CPU, memory, disk and network at its configured position")
    func agentThroughBroker() async throws {
        let broker = try TestBroker(persistence: false)
        let agent = HostAgent(id: try VehicleID("agent-broker"), position: GeoCoordinate(latitude: 43.7, longitude: 7.4))
        try await SimulatorHarness.run(broker: broker, model: agent, configuration: Self.configuration) { _, tester in
            let telemetry = Collector(try await tester.subscribe(to: VehicleChannel.telemetry.filter))
            #expect(await telemetry.wait { _ in telemetry.telemetry(of: "agent-broker").filter { $0.host != nil }.count >= 2 })
            let samples = telemetry.telemetry(of: "agent-broker")
            let host = try #require(samples.last { $0.host != nil }?.host)
            #expect((0...100).contains(host.cpuPercent) && host.memoryPercent > 0 && host.memoryPercent <= 100)
            #expect((0...100).contains(host.diskPercent))
            #expect(samples.allSatisfy { $0.position.latitude == 43.7 && $0.position.longitude == 7.4 })
            // Sequences number the agent's messages without holes (resends may repeat one).
            let sequences = Set(samples.map(\.sequence)).sorted()
            #expect(zip(sequences, sequences.dropFirst()).allSatisfy { $1 == $0 + 1 })
        }
    }

    @Test("Replayed Porto taxi trips are published along their recorded positions")
    func replayThroughBroker() async throws {
        let broker = try TestBroker(persistence: false)
        let source = ReplayAndAgentTests.traces.appendingPathComponent(GPSTraceLoader.Source.porto.relativePath)
        let traces = try GPSTraceLoader.load(.porto, from: source)
        let fleet = try TraceFleet(traces: traces, idPrefix: "replay-broker", limit: 3)
        try await SimulatorHarness.run(broker: broker, model: fleet, configuration: Self.configuration) { _, tester in
            let telemetry = Collector(try await tester.subscribe(to: VehicleChannel.telemetry.filter))
            let ids = ["replay-broker-0001", "replay-broker-0002", "replay-broker-0003"]
            #expect(await telemetry.wait { _ in ids.allSatisfy { telemetry.telemetry(of: $0).count >= 3 } })
            for (index, id) in ids.enumerated() {
                let samples = telemetry.telemetry(of: id)
                // Every published position lies on the trace it replays (within its bounding box, Porto).
                let points = traces[index].points.map(\.coordinate)
                let (south, north) = (points.map(\.latitude).min()!, points.map(\.latitude).max()!)
                let (west, east) = (points.map(\.longitude).min()!, points.map(\.longitude).max()!)
                #expect(samples.allSatisfy {
                    (south - 1e-6...north + 1e-6).contains($0.position.latitude) && (west - 1e-6...east + 1e-6).contains($0.position.longitude)
                })
                // It moves along the trace rather than standing at its start.
                #expect(Set(samples.map(\.position)).count > 1)
            }
        }
    }
}
