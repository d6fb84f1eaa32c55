import FleetCore
import FleetMQTT
import FleetService
import FleetTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import PostgresNIO
import Prometheus
import Testing

@testable import FleetTracking

/// Fleet events are published at least once: decided in the transaction that stores the telemetry, kept in the
/// service's outbox, and published after the broker comes back.
@Suite("Event outbox", .serialized)
struct EventOutboxTests {
    @Test("An event decided while the broker is down is delivered (once, with its id) after it comes back, and counted")
    func eventDecidedWhileBrokerIsDown() async throws {
        // Counters go to the process-wide backend; this test reads them from its registry.
        let registry = FleetMetrics.bootstrap()
        try await TrackingHarness.run { harness, apis, _ in
            // An observer with a persistent session, so the broker keeps what is published while it reconnects.
            let observer = MQTTConfiguration(
                port: harness.broker.port, clientID: "observer-\(harness.schema)", cleanStart: false, sessionExpirySeconds: 600,
                reconnectDelayMin: .milliseconds(50), reconnectDelayMax: .milliseconds(200))
            try await MQTTClient.withConnection(configuration: observer, logger: silentLogger) { client in
                let events = Collector(try await client.subscribe(to: FleetTopics.allEvents, qos: .atLeastOnce))
                try await Task.sleep(for: .milliseconds(200))
                let published = try Self.publishedCount(registry, schema: harness.schema)

                harness.broker.stop()
                // Ingest over HTTP needs no broker: the first position of a moving vehicle decides a `moving` event.
                let sample = String(decoding: try FleetCodec.encode(TrackingHarness.telemetry("outbox-van", seq: 1)), as: UTF8.self)
                let status = try await apis[0].execute(uri: "/v1/telemetry", method: .post, body: ByteBuffer(string: sample)) { $0.status }
                #expect(status == .ok || status == .accepted)
                // Committed with the telemetry, not yet published.
                try await eventually("the event is in the outbox") {
                    try await Self.outboxRows(harness) == 1
                }
                try await Task.sleep(for: .milliseconds(500))
                #expect(events.all.isEmpty)
                #expect(try await Self.outboxRows(harness) == 1, "still waiting for the broker")

                try harness.broker.start()
                try await eventually("the event arrives after the broker is back") {
                    events.all.contains { $0.topic == FleetTopics.events(.moving) }
                }
                try await eventually("the outbox is emptied once the broker acknowledged it") { try await Self.outboxRows(harness) == 0 }
                let moving = events.all.filter { $0.topic == FleetTopics.events(.moving) }
                let decoded = try moving.map { try FleetCodec.decode(FleetEvent.self, from: $0.payload) }
                #expect(decoded.allSatisfy { $0.vehicleID?.rawValue == "outbox-van" })
                #expect(Set(decoded.map(\.id)).count == 1, "a republished event keeps its id")
                // Counted right after the row is deleted.
                try await eventually("the publish is counted") { try Self.publishedCount(registry, schema: harness.schema) >= published + 1 }
            }
        }
    }

    static func outboxRows(_ harness: TrackingHarness) async throws -> Int64 {
        let rows = try await harness.admin.query(
            PostgresQuery(unsafeSQL: "SELECT count(*) FROM \(harness.schema).event_outbox"), logger: silentLogger)
        for try await count in rows.decode(Int64.self) { return count }
        return 0
    }

    /// `fleet_outbox_published_total{outbox="<schema>"}` from the Prometheus text.
    static func publishedCount(_ registry: PrometheusCollectorRegistry, schema: String) throws -> Int {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        let text = String(decoding: buffer, as: UTF8.self)
        let prefix = "fleet_outbox_published_total{outbox=\"\(schema)\"} "
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix(prefix) }) else { return 0 }
        return Int(Double(line.dropFirst(prefix.count)) ?? 0)
    }
}
