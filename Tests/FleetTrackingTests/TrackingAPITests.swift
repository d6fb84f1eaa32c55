import FleetCore
import FleetMQTT
import FleetService
import FleetTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import HummingbirdWSClient
import Logging
import Synchronization
import Testing

@testable import FleetTracking

@Suite("Tracking API and events (broker + PostgreSQL)", .enabled(if: TestPostgres.isConfigured, "FLEET_POSTGRES_HOST is not set"))
struct TrackingAPITests {
    @Test("POST /v1/telemetry stores a batch through the MQTT path's validation, reports each rejection and duplicate")
    func httpIngest() async throws {
        try await TrackingHarness.run(configure: { $0.maxHTTPBatchItems = 5 }) { _, apis, _ in
            let api = apis[0]
            let now = TimestampPolicy.millis(from: .now)
            let good1 = String(decoding: try FleetCodec.encode(TrackingHarness.telemetry("http-1", seq: 1, at: now - 2_000)), as: UTF8.self)
            let good2 = String(decoding: try FleetCodec.encode(TrackingHarness.telemetry("http-1", seq: 2, at: now - 1_000)), as: UTF8.self)
            let bad = good2.replacingOccurrences(of: #""lat":[^,]*"#, with: #""lat":-91"#, options: .regularExpression)
            try await api.execute(uri: "/v1/telemetry", method: .post, body: ByteBuffer(string: "[\(good1), \(bad), \(good2), \(good1)]")) { response in
                #expect(response.status == .ok)
                let body = try JSONDecoder().decode(IngestResponse.self, from: Data(String(buffer: response.body).utf8))
                #expect(body.received == 4)
                #expect(body.stored == 2)
                #expect(body.duplicates == 1)
                #expect(body.rejected.map(\.index) == [1])
                #expect(body.rejected.first?.reason == "impossible_position")
            }
            #expect(try await TrackingHarness.vehicle("http-1", from: api)?.committedSeq == 2)
            // A single object is accepted too; a replay is a duplicate.
            try await api.execute(uri: "/v1/telemetry", method: .post, body: ByteBuffer(string: good1)) { response in
                let body = try JSONDecoder().decode(IngestResponse.self, from: Data(String(buffer: response.body).utf8))
                #expect(body.duplicates == 1)
            }
            try await api.execute(uri: "/v1/telemetry", method: .post, body: ByteBuffer(string: "[" + Array(repeating: good1, count: 6).joined(separator: ",") + "]")) {
                #expect($0.status == .contentTooLarge)
                #expect(String(buffer: $0.body).contains("at most 5"))
            }
            try await api.execute(uri: "/v1/telemetry", method: .post, body: ByteBuffer(string: "42")) {
                #expect($0.status == .badRequest)
            }
            try await api.execute(uri: "/v1/telemetry", method: .post, body: ByteBuffer(repeating: UInt8(ascii: " "), count: 2 << 20)) {
                #expect($0.status == .contentTooLarge)
            }
            try await api.execute(uri: "/v1/vehicles/no-such-vehicle", method: .get) { #expect($0.status == .notFound) }
            try await api.execute(uri: "/v1/vehicles/bad%20id", method: .get) { #expect($0.status == .badRequest) }
            try await api.execute(uri: "/v1/vehicles?bbox=1,2,3", method: .get) { #expect($0.status == .badRequest) }
            try await api.execute(uri: "/v1/vehicles?status=flying", method: .get) { #expect($0.status == .badRequest) }
        }
    }

    @Test("Moving, stopped, overspeed and geofence events fire once per transition; online/offline from the state topic")
    func events() async throws {
        try await TrackingHarness.run { _, apis, vehicle in
            let api = apis[0]
            let events = Collector(try await vehicle.subscribe(to: FleetTopics.allEvents))
            let fence = #"{"type":"Feature","id":"harbour","properties":{"name":"Port Hercule"},"geometry":{"type":"Polygon","coordinates":[[[7.420,43.733],[7.428,43.733],[7.428,43.737],[7.420,43.737],[7.420,43.733]]]}}"#
            try await api.execute(uri: "/v1/geofences", method: .post, body: ByteBuffer(string: fence)) { #expect($0.status == .created) }
            try await api.execute(uri: "/v1/geofences", method: .post, body: ByteBuffer(string: fence)) { #expect($0.status == .conflict) }
            try await api.execute(uri: "/v1/geofences", method: .post, body: ByteBuffer(string: #"{"type":"Feature","id":"x","properties":{"name":"x"},"geometry":{"type":"Polygon","coordinates":[[[7.42,43.73],[7.43,43.73]]]}}"#)) {
                #expect($0.status == .badRequest)
            }
            let base = TimestampPolicy.millis(from: .now) - 60_000
            // outside → inside (twice) → outside; speeds 10, 10, 40 (overspeed), 40, 0, 0.
            let path: [(Double, Double, Double)] = [
                (43.740, 7.424, 10), (43.735, 7.424, 10), (43.735, 7.425, 40), (43.735, 7.426, 40), (43.745, 7.424, 0), (43.745, 7.424, 0),
            ]
            for (index, (lat, lon, speed)) in path.enumerated() {
                try await TrackingHarness.publish(
                    TrackingHarness.telemetry("ev-1", seq: UInt64(index + 1), at: base + Int64(index) * 1_000, lat: lat, lon: lon, speed: speed),
                    with: vehicle)
                // One message per batch, so each transition is observed on its own.
                try await eventually("seq \(index + 1) stored") {
                    try await TrackingHarness.vehicle("ev-1", from: api)?.latest?.seq == Int64(index + 1)
                }
            }
            let state = VehicleState(vehicleID: try VehicleID("ev-1"), connectivity: .offline, lastSeenMillis: base + 10_000)
            try await vehicle.publish(try FleetCodec.encode(state), to: VehicleChannel.state.topic(for: state.vehicleID), retain: true)
            try await vehicle.publish(try FleetCodec.encode(state), to: VehicleChannel.state.topic(for: state.vehicleID), retain: true)
            try await eventually("offline event") {
                events.all.contains { (try? FleetCodec.decode(FleetEvent.self, from: $0.payload))?.type == .offline }
            }
            let types = events.all.compactMap { try? FleetCodec.decode(FleetEvent.self, from: $0.payload) }.filter { $0.vehicleID?.rawValue == "ev-1" }
            #expect(types.filter { $0.type == .moving }.count == 1)
            #expect(types.filter { $0.type == .stopped }.count == 1)
            #expect(types.filter { $0.type == .overspeed }.count == 1)
            #expect(types.filter { $0.type == .geofenceEnter }.map { $0.attributes["geofence"] } == ["harbour"])
            #expect(types.filter { $0.type == .geofenceExit }.count == 1)
            #expect(types.filter { $0.type == .offline }.count == 1)
            let record = try await TrackingHarness.vehicle("ev-1", from: api)
            #expect(record?.connectivity == "offline")
            try await api.execute(uri: "/v1/geofences/harbour", method: .delete) { #expect($0.status == .noContent) }
            try await api.execute(uri: "/v1/geofences/harbour", method: .get) { #expect($0.status == .notFound) }
        }
    }

    @Test("The live WebSocket sends a snapshot, then coalesced updates inside its bounding box")
    func liveStream() async throws {
        try await TrackingHarness.run { harness, apis, vehicle in
            let api = apis[0]
            let port = try #require(api.port)
            let token = try await harness.identity.token(scopes: [.fleetRead])
            // Not upgraded without a token (the HTTP side answers 401), nor for a token without fleet:read (403); a
            // plain GET with a good token is told to upgrade.
            let anonymous = try #require((api as? AuthorizedTestClient)?.anonymous)
            try await anonymous.execute(uri: "/v1/live", method: .get) { #expect($0.status == .unauthorized) }
            let writer = try await harness.identity.token(scopes: [.geofencesWrite])
            try await anonymous.execute(uri: "/v1/live", method: .get, headers: [.authorization: "Bearer \(writer)"]) { #expect($0.status == .forbidden) }
            try await anonymous.execute(uri: "/v1/live", method: .get, headers: [.authorization: "Bearer \(token)"]) { #expect($0.status == .upgradeRequired) }
            await #expect(throws: (any Error).self) {
                try await WebSocketClient.connect(url: "ws://127.0.0.1:\(port)/v1/live", logger: silentLogger) { _, _, _ in }
            }
            try await TrackingHarness.publish(TrackingHarness.telemetry("live-0", seq: 1), with: vehicle)
            try await eventually("first position") { try await TrackingHarness.vehicle("live-0", from: api) != nil }
            let frames = FrameBox()
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    try await WebSocketClient.connect(
                        url: "ws://127.0.0.1:\(port)/v1/live?bbox=7.40,43.70,7.45,43.76",
                        configuration: .init(additionalHeaders: [.authorization: "Bearer \(token)"]), logger: silentLogger
                    ) { inbound, _, _ in
                        for try await message in inbound.messages(maxSize: 1 << 22) {
                            if case .text(let text) = message, let frame = try? JSONDecoder().decode(LiveFrame.self, from: Data(text.utf8)) {
                                frames.withLock { $0.append(frame) }
                            }
                        }
                    }
                }
                try await eventually("snapshot") { frames.withLock { $0.first?.type == "snapshot" } }
                #expect(frames.withLock { $0[0].positions.map(\.vehicleId) } == ["live-0"])
                let now = TimestampPolicy.millis(from: .now)
                for seq in 2...20 as ClosedRange<UInt64> {
                    try await TrackingHarness.publish(TrackingHarness.telemetry("live-0", seq: seq, at: now + Int64(seq)), with: vehicle)
                }
                // Outside the bounding box: never sent to this client.
                try await TrackingHarness.publish(TrackingHarness.telemetry("far-away", seq: 1, lat: 48.85, lon: 2.35), with: vehicle)
                try await eventually("update with seq 20") {
                    frames.withLock { $0.contains { $0.type == "positions" && $0.positions.contains { $0.seq == 20 } } }
                }
                group.cancelAll()
            }
            let updates = frames.withLock { $0.filter { $0.type == "positions" } }
            #expect(!updates.flatMap(\.positions).contains { $0.vehicleId == "far-away" })
            // Coalesced: never two positions of one vehicle in one frame.
            #expect(updates.allSatisfy { Set($0.positions.map(\.vehicleId)).count == $0.positions.count })
        }
    }
}

/// Frames received by the live-stream test's client.
final class FrameBox: Sendable {
    private let frames = Mutex<[LiveFrame]>([])

    func withLock<R: Sendable>(_ body: (inout [LiveFrame]) -> R) -> R { frames.withLock { body(&$0) } }
}
